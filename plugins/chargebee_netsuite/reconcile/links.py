"""Document links the report explains: chargebacks posted as debit invoices.

A chargeback whose payment sits in a period NetSuite closed since is posted as an invoice (a
debit document) instead of un-applying the payment. Chargebee re-opened the paid invoices;
NetSuite holds that open amount on the debit invoice. Each invoice's NetSuite outstanding
therefore counts its share of what is still open on the debit invoices that re-opened it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import Connection, select

from chargebee_netsuite.load.chargebacks import DEBIT_ROUTE, chargeback_routes
from chargebee_netsuite.load.source import transaction_links, transactions_against
from chargebee_netsuite.staging.chargebee_tables import cb_transactions
from chargebee_netsuite.staging.ledger_queries import read_entries
from chargebee_netsuite.staging.ledger_tables import MAIN, POSTED, ns_ledger
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.money import to_money

from .netsuite_side import NetSuiteSnapshot


@dataclass(frozen=True)
class DebitLink:
    """A chargeback posted as a debit invoice, and the invoices it re-opened in Chargebee."""

    chargeback_id: str
    payment_id: str
    debit_external_id: str
    netsuite_id: str | None
    currency: str
    reopened: tuple[tuple[str, Decimal], ...]  # (Chargebee invoice id, amount)

    def sentence(self) -> str:
        """The link in words, for the report."""
        where = f"NetSuite invoice {self.netsuite_id}" if self.netsuite_id else "a NetSuite invoice"
        invoices = ", ".join(f"{i} ({a} {self.currency})" for i, a in self.reopened)
        return (
            f"Chargebee chargeback {self.chargeback_id} of payment {self.payment_id} is {where} "
            f"(external id {self.debit_external_id}): the payment's accounting period was closed "
            "in NetSuite, so instead of un-applying the payment this invoice holds the amount "
            f"Chargebee re-opened on invoice {invoices}. That invoice shows paid in NetSuite; "
            "its open amount is counted on the debit invoice."
        )


def debit_links(conn: Connection, site: str) -> list[DebitLink]:
    """Every chargeback the ledger says was posted as a debit invoice, with what it re-opened."""
    query = select(ns_ledger.c.source_id, ns_ledger.c.netsuite_id).where(
        ns_ledger.c.site == site,
        ns_ledger.c.source_kind == "transaction",
        ns_ledger.c.role == MAIN,
        ns_ledger.c.state == POSTED,
        ns_ledger.c.netsuite_type == "invoice",
    )
    posted = {str(source): netsuite for source, netsuite in conn.execute(query)}
    if not posted:
        return []
    raws = [
        dict(raw)
        for (raw,) in conn.execute(
            select(cb_transactions.c.raw).where(
                cb_transactions.c.site == site, cb_transactions.c.id.in_(sorted(posted))
            )
        )
    ]
    links = transaction_links(conn, site, raws)
    payments = sorted({lk.payment_id for lk in links.values() if lk.payment_id})
    against = transactions_against(conn, site, payments)
    keys = [("transaction", str(r.get("id")), MAIN) for rows in against.values() for r in rows]
    entries = read_entries(conn, site, keys)
    found: list[DebitLink] = []
    for raw in raws:
        link = links.get(str(raw["id"]))
        if link is None or link.payment is None or link.payment_id is None:
            continue
        routes, _ = chargeback_routes(
            link.payment, None, None, against.get(link.payment_id, ()), entries
        )
        route = routes.get(str(raw["id"]))
        if route is None or route.kind != DEBIT_ROUTE:
            continue
        currency = str(raw.get("currency_code", "")).upper()
        found.append(
            DebitLink(
                chargeback_id=str(raw["id"]),
                payment_id=link.payment_id,
                debit_external_id=identity.external_id(site, identity.TRANSACTION, str(raw["id"])),
                netsuite_id=posted[str(raw["id"])],
                currency=currency,
                reopened=tuple((i, to_money(a, currency)) for i, a in route.reopened),
            )
        )
    return found


def still_open(links: Iterable[DebitLink], snapshot: NetSuiteSnapshot) -> dict[str, Decimal]:
    """Chargebee invoice id → what is still open of it on debit invoices in NetSuite.

    A debit invoice's payments pay its re-opened invoices in order (as the loader sends
    them), so each invoice's share is what the payments have not reached yet.
    """
    out: dict[str, Decimal] = {}
    for link in links:
        ns = snapshot.transactions.get(link.debit_external_id)
        if ns is None:
            continue
        total = ns.total if ns.total is not None else Decimal(0)
        paid = total - (ns.remaining if ns.remaining is not None else Decimal(0))
        for invoice_id, amount in link.reopened:
            taken = min(paid, amount)
            paid -= taken
            out[invoice_id] = out.get(invoice_id, Decimal(0)) + amount - taken
    return out
