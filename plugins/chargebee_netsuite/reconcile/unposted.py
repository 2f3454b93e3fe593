"""What a run left unposted: every quarantined, held or failed document, its cause in the one
vocabulary (``quality/reasons.py``), its amount, and which ones are new since the run began.

The loader snapshots :func:`exception_keys` before it posts and builds the
:func:`unposted_report` after; the notification, the run summary and the per-run report read
the report's small dict form (:meth:`UnpostedReport.as_dict`). Amounts are Decimal per
currency, rendered as strings.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select

from chargebee_netsuite.quality.reasons import CAUSES, cause_of
from chargebee_netsuite.reconcile.queue import EXCEPTION_STATES, exception_queue
from chargebee_netsuite.staging.chargebee_tables import (
    cb_credit_notes,
    cb_invoices,
    cb_transactions,
)
from chargebee_netsuite.staging.ledger_tables import MAIN, ns_ledger
from chargebee_netsuite.transform.money import to_money

Key = tuple[str, str, str]  # (source_kind, source_id, role), as in the ledger

# The staged amount of each document kind: its table and amount column.
_AMOUNTS = {
    "invoice": (cb_invoices, "total"),
    "credit_note": (cb_credit_notes, "total"),
    "transaction": (cb_transactions, "amount"),
}
_BATCH = 500


def exception_keys(conn: Connection, site: str) -> frozenset[Key]:
    """Every document the ledger of ``site`` holds as quarantined, held or failed.

    Taken before a load, it tells which documents the load newly leaves unposted. Only the
    ledger counts: a document this run's validation quarantined is not in the ledger as such
    until the load records it, so it counts as new; one quarantined by an earlier run is.
    """
    t = ns_ledger
    rows = conn.execute(
        select(t.c.source_kind, t.c.source_id, t.c.role).where(
            t.c.site == site, t.c.state.in_(EXCEPTION_STATES)
        )
    )
    return frozenset((str(k), str(i), str(r)) for k, i, r in rows)


@dataclass(frozen=True)
class UnpostedDocument:
    """One document that did not post, in the vocabulary every report shares."""

    kind: str
    id: str
    role: str
    state: str
    cause: str
    code: str | None
    reason: str
    fix: str
    currency: str | None = None
    amount: Decimal | None = None
    new: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe."""
        return {
            "kind": self.kind,
            "id": self.id,
            "role": self.role,
            "state": self.state,
            "cause": self.cause,
            "code": self.code,
            "reason": self.reason,
            "fix": self.fix,
            "currency": self.currency,
            "amount": None if self.amount is None else str(self.amount),
            "new": self.new,
        }


def _tally(documents: Iterable[UnpostedDocument]) -> dict[str, Any]:
    by_state: dict[str, int] = {}
    by_cause = dict.fromkeys(CAUSES, 0)
    amounts: dict[str, Decimal] = {}
    count = 0
    for doc in documents:
        count += 1
        by_state[doc.state] = by_state.get(doc.state, 0) + 1
        by_cause[doc.cause] = by_cause.get(doc.cause, 0) + 1
        if doc.currency and doc.amount is not None:
            amounts[doc.currency] = amounts.get(doc.currency, Decimal(0)) + doc.amount
    return {
        "documents": count,
        "by_state": dict(sorted(by_state.items())),
        "by_cause": {cause: n for cause, n in by_cause.items() if n},
        "amounts": {code: str(total) for code, total in sorted(amounts.items())},
    }


@dataclass
class UnpostedReport:
    """Every document of a site that did not post, after a run; ``new`` ones are this run's."""

    site: str
    run_id: str
    documents: list[UnpostedDocument] = field(default_factory=list)

    @property
    def new(self) -> list[UnpostedDocument]:
        """The documents that were posted, or unknown, before the run."""
        return [doc for doc in self.documents if doc.new]

    def amounts(self, *, new_only: bool = False) -> dict[str, Decimal]:
        """Σ amount per currency (Decimal) of every unposted (or only the new) document."""
        totals: dict[str, Decimal] = {}
        for doc in self.new if new_only else self.documents:
            if doc.currency and doc.amount is not None:
                totals[doc.currency] = totals.get(doc.currency, Decimal(0)) + doc.amount
        return dict(sorted(totals.items()))

    def as_dict(self, max_documents: int = 25) -> dict[str, Any]:
        """Small and JSON-safe, for XCom and notifications: totals, new totals, new documents
        (the first ``max_documents``; the exception queue has them all)."""
        new = self.new
        return {
            "site": self.site,
            "run_id": self.run_id,
            "all": _tally(self.documents),
            "new": _tally(new),
            "new_documents": [doc.as_dict() for doc in new[:max_documents]],
        }


def _amounts(
    conn: Connection, site: str, kind: str, ids: Collection[str]
) -> dict[str, tuple[str, Decimal]]:
    """``{id: (currency, amount)}`` of staged documents of ``kind``."""
    if kind not in _AMOUNTS or not ids:
        return {}
    table, column = _AMOUNTS[kind]
    found: dict[str, tuple[str, Decimal]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), _BATCH):
        query = select(table.c.id, table.c.currency_code, table.c[column]).where(
            table.c.site == site, table.c.id.in_(ordered[start : start + _BATCH])
        )
        for doc_id, currency, amount in conn.execute(query):
            if currency and amount is not None:
                code = str(currency).upper()
                found[str(doc_id)] = (code, to_money(int(amount), code))
    return found


def unposted_report(
    conn: Connection, site: str, run_id: str, before: Collection[Key] | None = None
) -> UnpostedReport:
    """Every document of ``site`` now quarantined, held or failed, with cause and amount.

    ``before`` is :func:`exception_keys` taken as the run began: a document not in it is new.
    Without it nothing is marked new.
    """
    entries = exception_queue(conn, site, limit=10**9)
    by_kind: dict[str, set[str]] = {}
    for entry in entries:
        by_kind.setdefault(entry["kind"], set()).add(entry["id"])
    amounts = {kind: _amounts(conn, site, kind, ids) for kind, ids in by_kind.items()}
    documents = []
    for entry in entries:
        currency, amount = amounts.get(entry["kind"], {}).get(entry["id"], (None, None))
        key = (entry["kind"], entry["id"], entry.get("role") or MAIN)
        documents.append(
            UnpostedDocument(
                kind=entry["kind"],
                id=entry["id"],
                role=key[2],
                state=entry["state"],
                cause=entry.get("cause") or cause_of(entry["state"], entry.get("code")),
                code=entry.get("code"),
                reason=entry["reason"],
                fix=entry["fix"],
                currency=currency,
                amount=amount,
                new=before is not None and key not in before,
            )
        )
    return UnpostedReport(site, run_id, documents)


def amounts_text(amounts: Mapping[str, Any]) -> str:
    """``1650.00 CHF, 20.00 USD`` (or ``no amount``)."""
    return ", ".join(f"{v} {code}" for code, v in sorted(amounts.items())) or "no amount"


def _money(amounts: Mapping[str, Any]) -> str:
    """``1,650.00 CHF, 20.00 USD`` from ``{code: amount}`` (strings or Decimals)."""
    shown = [f"{Decimal(str(v)):,} {code}" for code, v in sorted(amounts.items())]
    return ", ".join(shown) or "no amount"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counts.items()) or "none"


def subject(report: Mapping[str, Any]) -> str:
    """The notification's subject line."""
    new = report["new"]
    return (
        f"Chargebee → NetSuite: {new['documents']} new document(s) not posted "
        f"({_money(new['amounts'])}), site {report['site']}"
    )


def message_text(report: Mapping[str, Any], finance_url: str | None = None) -> str:
    """The notification as plain text: counts and amounts, each new document, the link."""
    new, every = report["new"], report["all"]
    lines = [
        f"Run {report['run_id']} of Chargebee site {report['site']} left "
        f"{new['documents']} new document(s) not posted: {_money(new['amounts'])}.",
        f"By state: {_counts(new['by_state'])}. By cause: {_counts(new['by_cause'])}.",
        f"Not posted in all (new and older): {every['documents']} document(s), "
        f"{_money(every['amounts'])}.",
        "",
    ]
    shown = report.get("new_documents") or []
    for doc in shown:
        amount = f" {Decimal(doc['amount']):,} {doc['currency']}" if doc.get("amount") else ""
        what = f"{doc['kind'].replace('_', ' ')} {doc['id']}{amount}"
        lines.append(f"- {what} [{doc['state']}, {doc['cause']}]")
        lines.append(f"  {doc['reason']}")
        lines.append(f"  Fix: {doc['fix']}")
    if new["documents"] > len(shown):
        lines.append(f"... and {new['documents'] - len(shown)} more in the exception queue.")
    if finance_url:
        lines += ["", f"Finance view (exception queue): {finance_url}"]
    return "\n".join(lines)


def message_html(report: Mapping[str, Any], finance_url: str | None = None) -> str:
    """The notification as an HTML e-mail body (autoescaped: reasons quote Chargebee data)."""
    from chargebee_netsuite.rendering import render

    return str(
        render(
            "chargebee_netsuite.reconcile",
            "unposted.html.j2",
            report=report,
            money=_money,
            counts=_counts,
            finance_url=finance_url,
        )
    )


def publish(report: UnpostedReport, reports_dir: Path | str) -> Path:
    """Rewrite the run's one report (``quarantine.html`` and the section on top of its Data
    Docs) with every document that did not post, whatever the cause."""
    from chargebee_netsuite.quality import docs

    folder = docs.report_folder(reports_dir, report.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [
        docs.ReportRow(d.kind, d.id, d.state, d.cause, d.code, d.reason, d.fix)
        for d in report.documents
    ]
    return docs.write_report(folder, rows, report.run_id, after_load=True)


def after_load(
    engine: Engine,
    site: str,
    run_id: str,
    before: Collection[Key],
    reports_dir: Path | str | None = None,
) -> dict[str, Any]:
    """The report of what the run left unposted (small dict), also written as the run's
    report under ``reports_dir`` when given."""
    with engine.connect() as conn:
        report = unposted_report(conn, site, run_id, before)
    if reports_dir is not None:
        publish(report, reports_dir)
    return report.as_dict()
