"""The headline numbers after a sync: documents per kind and state, quarantine, open AR.

The sync DAG's last step logs them and returns them through XCom; the demo prints them. The
full reconciliation (per-document tie-out, re-queueing) is the reconcile DAG's. Amounts are
Decimal end to end and rendered as strings. NetSuite currency ids are read as ISO codes from
the staged reference data, which the same run has just refreshed.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.quality.quarantine import quarantine_entries
from chargebee_netsuite.reference.store import staged_currency_codes
from chargebee_netsuite.staging.chargebee_tables import cb_invoices
from chargebee_netsuite.staging.ledger_tables import ns_ledger
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.money import decimals, to_money

# Ledger states that need someone's attention (skipped documents, e.g. voided before they
# were ever posted, never will post and need none).
NOT_POSTED = ("failed", "held", "quarantined", "ready", "staged")


def chargebee_ar(engine: Engine, site: str) -> dict[str, Decimal]:
    """Open AR per currency from staging: Σ amount_due of live invoices."""
    totals: dict[str, Decimal] = {}
    query = select(cb_invoices.c.currency_code, cb_invoices.c.amount_due).where(
        cb_invoices.c.site == site,
        cb_invoices.c.deleted.is_(False),
        cb_invoices.c.status != "voided",
    )
    with engine.connect() as conn:
        for currency, due in conn.execute(query):
            code = str(currency or "").upper()
            totals[code] = totals.get(code, Decimal(0)) + to_money(int(due or 0), code)
    return dict(sorted(totals.items()))


def netsuite_ar(
    client: NetSuiteClient, site: str, currency_codes: dict[str, str]
) -> dict[str, Decimal]:
    """Open AR per currency in NetSuite (SuiteQL): Σ amount remaining of this site's invoices.

    ``currency_codes`` maps NetSuite currency ids to ISO codes; an unknown id stands for itself.
    """
    prefix = identity.external_id(site, identity.INVOICE, "x")[:-1]
    totals: dict[str, Decimal] = {}
    rows = client.suiteql.query_keyset(
        "id, currency, foreignamountremaining",
        "transaction",
        where=build("type = 'CustInvc' AND externalid LIKE ?", prefix + "%"),
    )
    for row in rows:
        code = currency_codes.get(str(row.get("currency")), str(row.get("currency")))
        remaining = Decimal(str(row.get("foreignamountremaining") or 0)).quantize(
            Decimal(1).scaleb(-decimals(code))
        )
        totals[code] = totals.get(code, Decimal(0)) + remaining
    return dict(sorted(totals.items()))


def ar_comparison(engine: Engine, client: NetSuiteClient, site: str) -> dict[str, dict[str, str]]:
    """Open AR per currency on both sides, and the difference (Chargebee minus NetSuite)."""
    with engine.connect() as conn:
        codes = staged_currency_codes(conn)
    cb = chargebee_ar(engine, site)
    ns = netsuite_ar(client, site, codes)
    zero = Decimal(0)
    return {
        code: {
            "chargebee": str(cb.get(code, zero)),
            "netsuite": str(ns.get(code, zero)),
            "difference": str(cb.get(code, zero) - ns.get(code, zero)),
        }
        for code in sorted(set(cb) | set(ns))
    }


def ledger_overview(engine: Engine, site: str, limit: int = 20) -> dict[str, Any]:
    """Ledger states per document kind, and the reasons of documents that did not post."""
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
    """Documents validation quarantined, with their failed check and reason."""
    with engine.connect() as conn:
        return [asdict(entry) for entry in quarantine_entries(conn, site)]


def unposted(engine: Engine, site: str) -> list[dict[str, Any]]:
    """Every document that did not post, whatever stage stopped it, in the one vocabulary
    (state, cause, reason, fix, amount); oldest first."""
    from chargebee_netsuite.reconcile.unposted import unposted_report

    with engine.connect() as conn:
        return [doc.as_dict() for doc in unposted_report(conn, site, "summary").documents]


def catch_alls(engine: Engine, site: str, mapping_path: Path, limit: int = 50) -> dict[str, Any]:
    """Staged item prices that post through a catch-all rule of the mapping at
    ``mapping_path`` (the ``limit`` largest listed)."""
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.reconcile.catch_alls import catch_all_summary, staged_catch_alls

    mapping = load_mapping(mapping_path)
    return catch_all_summary(staged_catch_alls(engine, site, mapping), limit=limit)
