"""A sync's headline numbers: documents per kind and state, quarantine reasons, open AR.

Logged and returned through XCom by the DAG's summary step, and printed by the demo. The full
per-document tie-out is ``reconcile.run``. Amounts are Decimal end to end, strings on output.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
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
    """Documents validation quarantined, with their reasons."""
    from chargebee_netsuite.quality.quarantine import quarantine_entries

    with engine.connect() as conn:
        return [asdict(entry) for entry in quarantine_entries(conn, site)]


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
