"""``reconcile``: the one entry point the DAGs call to reconcile a site over a window."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.quality.quarantine import quarantine_entries
from chargebee_netsuite.transform import identity

from . import chargebee_side, figures, links, netsuite_side, queue
from .compare import compare
from .ledger import read_rows, requeue
from .model import REQUEUED, ReconcileSummary
from .report import write_report
from .store import save_run

log = logging.getLogger(__name__)

AUDIT_LIMIT = 200  # documents whose audit trail the static page embeds


def month_to_date(now: datetime | None = None) -> tuple[datetime, datetime]:
    """The default period: the first of this month (UTC) up to ``now``.

    Exactly at midnight on the first it is the whole previous month, so the run that starts a
    month closes the last one instead of reconciling an empty period.
    """
    now = _utc(now or datetime.now(UTC))
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if first == now:
        first = (now - timedelta(days=1)).replace(day=1, hour=0, minute=0, second=0)
    return first, now


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def reconcile(
    engine: Engine,
    netsuite_client: NetSuiteClient,
    site: str,
    window_start: datetime,
    window_end: datetime,
    run_id: str,
    reports_dir: Path | str,
    *,
    time_zone: str = "UTC",
    requeue_missing: bool = True,
    now: datetime | None = None,
) -> ReconcileSummary:
    """Compare NetSuite (SuiteQL) with staged Chargebee and the ledger over a window.

    Documents dated in ``[window_start, window_end)`` are looked for in NetSuite by external
    id. A postable document missing there is re-queued (ledger back to ready, hash cleared),
    whatever made it go missing; a record whose total, currency, customer or status differs,
    one changed in NetSuite after our last write, and one with our external-id prefix that
    Chargebee does not know are flagged. The report (HTML, CSV, JSON) goes to
    ``<reports_dir>/reconcile/<run_id>/`` and into ``recon_runs``/``recon_findings``.
    ``time_zone`` is the NetSuite account's (it prints last-modified dates in it).
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    start, end = _utc(window_start), _utc(window_end)
    with engine.connect() as conn:
        documents = chargebee_side.read_documents(conn, site, start, end)
        debits = links.debit_links(conn, site)
        ledger = read_rows(conn, site)
        quarantined = {(e.kind, e.id) for e in quarantine_entries(conn, site)}
    since: date = start.date() - timedelta(days=1)  # the account's day may start earlier
    snapshot = netsuite_side.read_snapshot(netsuite_client, site, since, time_zone=time_zone)
    # Documents of the window NetSuite holds under an earlier date (hand edits) are found by
    # external id; only what is still absent after that is missing.
    absent = [
        d.external_id
        for d in documents
        if d.kind != "customer" and d.external_id not in snapshot.transactions
    ] + [d.debit_external_id for d in debits if d.debit_external_id not in snapshot.transactions]
    if absent:
        snapshot.transactions.update(
            netsuite_side.find_transactions(
                netsuite_client, absent, snapshot.currencies, time_zone=time_zone
            )
        )
    known = _known(engine, site, documents, snapshot)
    reopened = links.still_open(debits, snapshot)
    findings = compare(
        site, documents, ledger, snapshot, known=known, quarantined=quarantined, reopened=reopened
    )
    summary = ReconcileSummary(run_id=run_id, site=site, window_start=start, window_end=end)
    for finding in findings:
        summary.counts[finding.check] = summary.counts.get(finding.check, 0) + 1
    keys = [
        (f.source_kind or "", f.source_id or "", f.role or "main")
        for f in findings
        if f.action == REQUEUED
    ]
    if not requeue_missing:
        keys = []
    figs = figures.summarise(figures.document_figures(documents, snapshot, reopened))
    with engine.begin() as conn:
        summary.requeued = requeue(
            conn,
            site,
            keys,
            f"Re-queued by reconciliation {run_id}: in Chargebee but not in NetSuite.",
            run_id=run_id,
            now=now,
        )
    with engine.connect() as conn:
        exceptions = queue.exception_queue(conn, site)
        wanted = dict.fromkeys(
            [(f.source_kind, f.source_id) for f in findings if f.source_kind and f.source_id]
            + [(e["kind"], e["id"]) for e in exceptions]
        )
        audit = [
            queue.audit_trail(conn, site, kind, source_id)
            for kind, source_id in list(wanted)[:AUDIT_LIMIT]
            if kind and source_id
        ]
    summary.exceptions = len(exceptions)
    summary.differences = figures.differences(figs)
    report: dict[str, Any] = {
        "site": site,
        "run_id": run_id,
        "window": [start.isoformat(), end.isoformat()],
        "created_at": now.isoformat(timespec="seconds"),
        "figures": figs,
        "findings": [f.as_dict() for f in findings],
        "exceptions": exceptions,
        "audit": audit,
        # How documents on the two sides relate where they are not one-to-one.
        "links": [link.sentence() for link in debits],
    }
    summary.seconds = time.monotonic() - started
    report["summary"] = summary.as_dict()
    target = write_report(reports_dir, report)
    summary.report_dir = str(target)
    report["summary"] = summary.as_dict()
    with engine.begin() as conn:
        save_run(
            conn,
            site,
            run_id,
            window=(start, end),
            created_at=now,
            report_dir=str(target),
            report=report,
            findings=findings,
        )
    log.info("Reconciliation %s: %s", run_id, summary.as_dict())
    return summary


def _known(
    engine: Engine,
    site: str,
    documents: list[chargebee_side.ChargebeeDoc],
    snapshot: netsuite_side.NetSuiteSnapshot,
) -> set[tuple[str, str]]:
    """``(kind, id)`` of every staged document a NetSuite record of ours points at."""
    known = {(d.kind, d.id) for d in documents}
    wanted: dict[str, set[str]] = {}
    for pool in (snapshot.customers, snapshot.transactions):
        for eid in pool:
            try:
                _, code, source_id = identity.parse_external_id(eid)
            except ValueError:
                continue
            kind = chargebee_side.EID_KINDS.get(code, (None, None))[0]
            if kind is not None and (kind, source_id) not in known:
                wanted.setdefault(kind, set()).add(source_id)
    with engine.connect() as conn:
        for kind, ids in wanted.items():
            known |= {(kind, i) for i in chargebee_side.staged_ids(conn, site, kind, ids)}
    return known
