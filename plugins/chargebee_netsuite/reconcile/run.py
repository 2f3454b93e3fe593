"""``reconcile``: the entry point the DAGs call, in four steps — read, compare, re-queue, write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.quality.quarantine import quarantine_entries
from chargebee_netsuite.transform import identity

from . import chargebee_side, figures, links, netsuite_side, queue
from .compare import LedgerRow, compare
from .ledger import Key, read_rows, requeue
from .model import REQUEUED, ChargebeeDoc, Finding, ReconcileSummary
from .report import write_report
from .store import save_run

log = logging.getLogger(__name__)

AUDIT_LIMIT = 200  # documents whose audit trail the static page embeds


@dataclass(frozen=True)
class Sides:
    """What the read step found: both sides of one site over one window, and the ledger."""

    site: str
    start: datetime
    end: datetime
    documents: list[ChargebeeDoc]
    debits: list[links.DebitLink]
    ledger: dict[Key, LedgerRow]
    quarantined: set[tuple[str, str]]
    snapshot: netsuite_side.NetSuiteSnapshot
    known: set[tuple[str, str]]  # (kind, id) of every staged document NetSuite points at


@dataclass(frozen=True)
class Comparison:
    """What the compare step found: the findings, and the figures finance reads."""

    findings: list[Finding]
    figures: dict[str, Any]

    def counts(self) -> dict[str, int]:
        """Findings by check."""
        counts: dict[str, int] = {}
        for finding in self.findings:
            counts[finding.check] = counts.get(finding.check, 0) + 1
        return counts


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
    ``time_zone`` is the NetSuite account's (it prints last-modified dates in it);
    ``requeue_missing=False`` reports without touching the ledger.

    The steps, each callable on its own: :func:`read_sides` → :func:`compare_sides` →
    :func:`requeue_missing_documents` → :func:`write_results`.
    """
    started = time.monotonic()
    now = now or datetime.now(UTC)
    sides = read_sides(
        engine, netsuite_client, site, _utc(window_start), _utc(window_end), time_zone=time_zone
    )
    comparison = compare_sides(sides)
    summary = ReconcileSummary(run_id, site, sides.start, sides.end, counts=comparison.counts())
    if requeue_missing:
        summary.requeued = requeue_missing_documents(
            engine, site, comparison.findings, run_id=run_id, now=now
        )
    write_results(engine, reports_dir, sides, comparison, summary, now=now, started=started)
    log.info("Reconciliation %s: %s", run_id, summary.as_dict())
    return summary


def read_sides(
    engine: Engine,
    netsuite_client: NetSuiteClient,
    site: str,
    start: datetime,
    end: datetime,
    *,
    time_zone: str,
) -> Sides:
    """Read step: staged Chargebee documents of ``[start, end)``, the ledger, and NetSuite.

    Documents of the window NetSuite holds under an earlier date (hand edits) are found by
    external id, so only what is still absent after that counts as missing.
    """
    with engine.connect() as conn:
        documents = chargebee_side.read_documents(conn, site, start, end)
        debits = links.debit_links(conn, site)
        ledger = read_rows(conn, site)
        quarantined = {(e.kind, e.id) for e in quarantine_entries(conn, site)}
    since: date = start.date() - timedelta(days=1)  # the account's day may start earlier
    snapshot = netsuite_side.read_snapshot(netsuite_client, site, since, time_zone=time_zone)
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
    return Sides(site, start, end, documents, debits, ledger, quarantined, snapshot, known)


def compare_sides(sides: Sides) -> Comparison:
    """Compare step (no I/O): every finding, and the figures per subsidiary and currency."""
    reopened = links.still_open(sides.debits, sides.snapshot)
    findings = compare(
        sides.site,
        sides.documents,
        sides.ledger,
        sides.snapshot,
        known=sides.known,
        quarantined=sides.quarantined,
        reopened=reopened,
    )
    figs = figures.summarise(figures.document_figures(sides.documents, sides.snapshot, reopened))
    return Comparison(findings, figs)


def requeue_missing_documents(
    engine: Engine, site: str, findings: list[Finding], *, run_id: str, now: datetime
) -> int:
    """Re-queue step: put every document a finding re-queues back in the load queue."""
    keys = [
        (f.source_kind or "", f.source_id or "", f.role or "main")
        for f in findings
        if f.action == REQUEUED
    ]
    with engine.begin() as conn:
        return requeue(
            conn,
            site,
            keys,
            f"Re-queued by reconciliation {run_id}: in Chargebee but not in NetSuite.",
            run_id=run_id,
            now=now,
        )


def write_results(
    engine: Engine,
    reports_dir: Path | str,
    sides: Sides,
    comparison: Comparison,
    summary: ReconcileSummary,
    *,
    now: datetime,
    started: float,
) -> Path:
    """Write step: the report files and the stored run, with the exception queue and the
    audit trail of every document found (read after the re-queue, so they show it).

    Completes ``summary`` (exceptions, differences, seconds since ``started``, report folder).
    """
    site, run_id = sides.site, summary.run_id
    with engine.connect() as conn:
        exceptions = queue.exception_queue(conn, site)
        wanted = dict.fromkeys(
            [
                (f.source_kind, f.source_id)
                for f in comparison.findings
                if f.source_kind and f.source_id
            ]
            + [(e["kind"], e["id"]) for e in exceptions]
        )
        audit = [
            queue.audit_trail(conn, site, kind, source_id)
            for kind, source_id in list(wanted)[:AUDIT_LIMIT]
            if kind and source_id
        ]
    summary.exceptions = len(exceptions)
    summary.differences = figures.differences(comparison.figures)
    report: dict[str, Any] = {
        "site": site,
        "run_id": run_id,
        "window": [sides.start.isoformat(), sides.end.isoformat()],
        "created_at": now.isoformat(timespec="seconds"),
        "figures": comparison.figures,
        "findings": [f.as_dict() for f in comparison.findings],
        "exceptions": exceptions,
        "audit": audit,
        # How documents on the two sides relate where they are not one-to-one.
        "links": [link.sentence() for link in sides.debits],
    }
    summary.seconds = time.monotonic() - started
    # report.json holds the summary as it was before the files existed (no folder yet).
    report["summary"] = summary.as_dict()
    target = write_report(reports_dir, report)
    summary.report_dir = str(target)
    report["summary"] = summary.as_dict()
    with engine.begin() as conn:
        save_run(
            conn,
            site,
            run_id,
            window=(sides.start, sides.end),
            created_at=now,
            report_dir=str(target),
            report=report,
            findings=comparison.findings,
        )
    return target


def _known(
    engine: Engine,
    site: str,
    documents: list[ChargebeeDoc],
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
