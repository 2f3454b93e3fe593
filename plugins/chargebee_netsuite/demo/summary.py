"""What a sync did, for people: documents per kind and state, quarantine reasons, open AR.

Used by the DAG's reconcile step (logged and returned via XCom) and printed by the demo.
The full reconciliation (per-document tie-out, re-queueing) is a later stage; these are the
headline numbers. Amounts are Decimal end to end and rendered as strings.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chargebee_netsuite.netsuite.client import NetSuiteClient


# Ledger states that need someone's attention (skipped documents, e.g. voided before they
# were ever posted, never will post and need none).
NOT_POSTED = ("failed", "held", "quarantined", "ready", "staged")


def _money(amount: int | None, currency: str) -> Decimal:
    from chargebee_netsuite.transform.money import to_money

    return to_money(int(amount or 0), currency)


def chargebee_ar(engine: Engine, site: str) -> dict[str, Decimal]:
    """Open AR per currency from staging: Σ amount_due of live invoices."""
    from sqlalchemy import select

    from chargebee_netsuite.staging.chargebee_tables import cb_invoices

    totals: dict[str, Decimal] = {}
    query = select(cb_invoices.c.currency_code, cb_invoices.c.amount_due).where(
        cb_invoices.c.site == site,
        cb_invoices.c.deleted.is_(False),
        cb_invoices.c.status != "voided",
    )
    with engine.connect() as conn:
        for currency, due in conn.execute(query):
            code = str(currency or "").upper()
            totals[code] = totals.get(code, Decimal(0)) + _money(due, code)
    return {code: total for code, total in sorted(totals.items())}


def netsuite_ar(client: NetSuiteClient, site: str) -> dict[str, Decimal]:
    """Open AR per currency in NetSuite (SuiteQL): Σ amount remaining of this site's invoices."""
    from chargebee_netsuite.netsuite.suiteql_literals import build
    from chargebee_netsuite.transform import identity
    from chargebee_netsuite.transform.money import decimals

    currencies = {
        str(r["id"]): str(r["symbol"])
        for r in client.suiteql.query(build("SELECT id, symbol FROM currency ORDER BY id"))
    }
    prefix = identity.external_id(site, identity.INVOICE, "x")[:-1]
    totals: dict[str, Decimal] = {}
    rows = client.suiteql.query_keyset(
        "id, currency, foreignamountremaining",
        "transaction",
        where=build("type = 'CustInvc' AND externalid LIKE ?", prefix + "%"),
    )
    for row in rows:
        code = currencies.get(str(row.get("currency")), str(row.get("currency")))
        remaining = Decimal(str(row.get("foreignamountremaining") or 0)).quantize(
            Decimal(1).scaleb(-decimals(code))
        )
        totals[code] = totals.get(code, Decimal(0)) + remaining
    return {code: total for code, total in sorted(totals.items())}


def ledger_overview(engine: Engine, site: str, limit: int = 20) -> dict[str, Any]:
    """Ledger states per document kind, and the reasons of documents that did not post."""
    from sqlalchemy import func, select

    from chargebee_netsuite.staging.ledger_tables import ns_ledger

    by_kind: dict[str, dict[str, int]] = {}
    query = (
        select(ns_ledger.c.source_kind, ns_ledger.c.state, func.count())
        .where(ns_ledger.c.site == site)
        .group_by(ns_ledger.c.source_kind, ns_ledger.c.state)
    )
    problems = (
        select(
            ns_ledger.c.source_kind,
            ns_ledger.c.source_id,
            ns_ledger.c.state,
            ns_ledger.c.reason,
        )
        .where(ns_ledger.c.site == site, ns_ledger.c.state.in_(NOT_POSTED))
        .order_by(ns_ledger.c.source_kind, ns_ledger.c.source_id)
    )
    with engine.connect() as conn:
        for kind, state, count in conn.execute(query):
            by_kind.setdefault(str(kind), {})[str(state)] = int(count)
        rows = conn.execute(problems).all()
    not_posted = [
        {"kind": kind, "id": source_id, "state": state, "reason": reason}
        for kind, source_id, state, reason in rows
    ]
    return {"by_kind": by_kind, "not_posted": not_posted[:limit], "not_posted_total": len(rows)}


def quarantined(engine: Engine, site: str) -> list[dict[str, Any]]:
    """Documents validation quarantined, with reasons, when ``quality/`` records them."""
    module = "chargebee_netsuite.quality.quarantine"
    if importlib.util.find_spec("chargebee_netsuite.quality") is None:
        return []
    if importlib.util.find_spec(module) is None:
        return []
    entries = getattr(importlib.import_module(module), "quarantine_entries", None)
    if entries is None:
        return []
    with engine.connect() as conn:
        return [
            asdict(entry) if is_dataclass(entry) and not isinstance(entry, type) else dict(entry)
            for entry in entries(conn, site)
        ]


def unposted(engine: Engine, site: str) -> list[dict[str, Any]]:
    """Every document that did not post, whatever stage stopped it, in the one vocabulary
    (state, cause, reason, fix, amount); oldest first."""
    from chargebee_netsuite.reconcile.unposted import unposted_report

    with engine.connect() as conn:
        return [doc.as_dict() for doc in unposted_report(conn, site, "summary").documents]


def catch_alls(engine: Engine, site: str, mapping_path: Path | None = None) -> dict[str, Any]:
    """Staged item prices that post through a catch-all rule of the mapping in force."""
    from chargebee_netsuite.airflow.settings import mapping_path as configured
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.reconcile.catch_alls import catch_all_summary, staged_catch_alls

    mapping = load_mapping(mapping_path or configured())
    return catch_all_summary(staged_catch_alls(engine, site, mapping))


def ar_comparison(engine: Engine, client: NetSuiteClient, site: str) -> dict[str, dict[str, str]]:
    """Open AR per currency on both sides, and the difference (Chargebee minus NetSuite)."""
    cb = chargebee_ar(engine, site)
    ns = netsuite_ar(client, site)
    zero = Decimal(0)
    return {
        code: {
            "chargebee": str(cb.get(code, zero)),
            "netsuite": str(ns.get(code, zero)),
            "difference": str(cb.get(code, zero) - ns.get(code, zero)),
        }
        for code in sorted(set(cb) | set(ns))
    }


def report_paths(reports_dir: Path) -> dict[str, list[Path]]:
    """Data Docs index pages and other report files under ``reports_dir``, newest first."""
    if not reports_dir.exists():
        return {"data_docs": [], "reports": []}
    by_age = sorted(reports_dir.rglob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
    docs = [p for p in by_age if p.name == "index.html" and "data_docs" in p.parts]
    reports = [
        p for p in by_age if p.is_file() and "data_docs" not in p.parts and p.suffix != ".json~"
    ]
    return {"data_docs": docs, "reports": reports}


def render(
    site: str,
    overview: dict[str, Any],
    not_posted: list[dict[str, Any]],
    ar: dict[str, dict[str, str]],
    paths: dict[str, list[Path]],
    catch_all: dict[str, Any] | None = None,
) -> str:
    """The summary as text for a terminal.

    ``not_posted`` is :func:`unposted` (every cause, one vocabulary), ``catch_all`` is
    :func:`catch_alls`.
    """
    from chargebee_netsuite.quality.reasons import CAUSES

    lines = [f"Chargebee site {site} → NetSuite", "", "Documents by kind (ledger state: count):"]
    for kind, states in sorted(overview["by_kind"].items()):
        text = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
        lines.append(f"  {kind:<12} {text}")
    by_cause = {cause: 0 for cause in CAUSES}
    for entry in not_posted:
        by_cause[entry["cause"]] = by_cause.get(entry["cause"], 0) + 1
    causes = ", ".join(f"{cause} {n}" for cause, n in by_cause.items() if n) or "none"
    total = len(not_posted)
    lines += ["", f"Not posted (quarantined, held or failed): {total} — by cause: {causes}"]
    for entry in not_posted[:15]:
        amount = f" {entry['amount']} {entry['currency']}" if entry.get("amount") else ""
        kind = str(entry["kind"]).replace("_", " ")
        lines.append(f"  {kind} {entry['id']}{amount} [{entry['state']}, {entry['cause']}]:")
        lines.append(f"      {entry['reason']}")
    if len(not_posted) > 15:
        lines.append(f"  ... and {len(not_posted) - 15} more (see the finance view)")
    if catch_all is not None:
        totals = ", ".join(f"{v} {code}" for code, v in catch_all["totals"].items()) or "nothing"
        lines += [
            "",
            f"Catch-alls (item prices no specific rule maps; items.by_entity_type or "
            f"items.default decide): {catch_all['count']}, billing {totals}",
        ]
        lines += [f"  {item['message']}" for item in catch_all["items"][:15]]
    lines += ["", "Open AR by currency        Chargebee        NetSuite      difference"]
    for code, row in ar.items():
        lines.append(
            f"  {code:<6} {row['chargebee']:>26} {row['netsuite']:>15} {row['difference']:>15}"
        )
    lines += [""]
    docs = paths.get("data_docs") or []
    lines.append(f"Data Docs: {docs[0] if docs else '(none written)'}")
    for report in (paths.get("reports") or [])[:5]:
        lines.append(f"Report:    {report}")
    return "\n".join(lines)
