"""Chargebacks taken from a payment: refund it, or, once its period has closed, a debit invoice.

A chargeback normally posts as a customer refund applied to its payment, whose invoice
applications shrink so the invoices re-open, as in Chargebee. A payment posted in a period
NetSuite has closed since cannot change; a chargeback it does not already reflect then posts
as an invoice re-opening the amount on the customer (the debit route), and later payments of
the invoices it re-opened pay that debit invoice first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from chargebee_netsuite.load.source import Related, SourceDocument
from chargebee_netsuite.reference.model import AccountingPeriod
from chargebee_netsuite.staging.ledger_queries import LedgerEntry, LedgerKey
from chargebee_netsuite.staging.ledger_tables import MAIN
from chargebee_netsuite.transform.model import TransformContext
from chargebee_netsuite.transform.money import to_money
from chargebee_netsuite.transform.transactions import (
    applications_after_chargebacks,
    takes_from_payment,
)

REFUND_ROUTE, DEBIT_ROUTE = "refund", "debit"

# Invoice id → the debit invoices re-opening it: (chargeback id, amount, chargeback date).
Reopened = dict[str, list[tuple[str, int, int]]]


def reopened_by_debits(
    ctx: TransformContext,
    documents: Mapping[str, list[SourceDocument]],
    related: Related,
    against: Mapping[str, Sequence[Mapping[str, Any]]],
    ledger: Mapping[LedgerKey, LedgerEntry],
) -> Reopened:
    """Which invoices chargebacks on the debit route re-opened (in Chargebee), and by how much:
    in NetSuite those amounts sit on the debit invoices, not on the invoices themselves."""
    payments = dict(related.payments)
    for doc in documents.get("transaction", []):
        if doc.raw.get("type") == "payment":
            payments[doc.id] = doc.raw
    found: Reopened = {}
    for payment_id, payment in payments.items():
        taken = against.get(payment_id, ())
        if not any(takes_from_payment(raw) for raw in taken):
            continue
        entry = ledger.get(("transaction", payment_id, MAIN))
        period = posted_period(ctx, entry)
        routes, _ = chargeback_routes(payment, period, entry, taken, ledger)
        dates = {str(raw.get("id")): int(raw.get("date") or 0) for raw in taken}
        for chargeback_id, route in routes.items():
            if route.kind == DEBIT_ROUTE:
                for invoice_id, amount in route.reopened:
                    found.setdefault(invoice_id, []).append(
                        (chargeback_id, amount, dates[chargeback_id])
                    )
    return found


def debit_redirects(
    payment: Mapping[str, Any], related: Related, reopened: Reopened
) -> dict[str, list[tuple[str, int]]]:
    """What ``payment`` pays on re-opened invoices that goes to their debit invoices.

    Payments of such an invoice dated from its first debit on pay the debit invoices first,
    in date order, each taking what the earlier ones left; the rest pays the invoice itself.
    """
    if payment.get("type") != "payment":
        return {}
    out: dict[str, list[tuple[str, int]]] = {}
    for link in payment.get("linked_invoices") or []:
        invoice_id = str(link.get("invoice_id"))
        debits = sorted(reopened.get(invoice_id, ()), key=lambda d: (d[2], d[0]))
        invoice = related.invoices.get(invoice_id)
        if not debits or invoice is None:
            continue
        since = debits[0][2]
        payers = sorted(
            (
                lp
                for lp in invoice.get("linked_payments") or []
                if lp.get("txn_status") == "success" and int(lp.get("txn_date") or 0) >= since
            ),
            key=lambda lp: (int(lp.get("txn_date") or 0), str(lp.get("txn_id"))),
        )
        total, start = sum(d[1] for d in debits), 0
        for lp in payers:
            share = min(int(lp.get("applied_amount") or 0), max(total - start, 0))
            if str(lp.get("txn_id")) == str(payment.get("id")):
                out[invoice_id] = _overlaps(debits, start, start + share)
                break
            start += share
    return out


def _overlaps(debits: list[tuple[str, int, int]], low: int, high: int) -> list[tuple[str, int]]:
    """The part of ``[low, high)`` each debit covers, debits laid end to end in order."""
    out: list[tuple[str, int]] = []
    edge = 0
    for chargeback_id, amount, _ in debits:
        part = min(high, edge + amount) - max(low, edge)
        if part > 0:
            out.append((chargeback_id, part))
        edge += amount
    return out


def posted_period(ctx: TransformContext, entry: LedgerEntry | None) -> AccountingPeriod | None:
    """The NetSuite period a posted record sits in: the ``postingPeriod`` it was sent with
    (re-dated), else the period of its ``tranDate`` (None: not posted or payload unread)."""
    payload = entry.posted_payload if entry is not None and entry.netsuite_id else None
    if not isinstance(payload, dict):
        return None
    wanted = (payload.get("postingPeriod") or {}).get("id")
    if wanted:
        return next((p for p in ctx.reference.periods if p.id == str(wanted)), None)
    if payload.get("tranDate"):
        return ctx.reference.period_for(date.fromisoformat(str(payload["tranDate"])))
    return None


def _posted_applications(entry: LedgerEntry) -> list[Decimal]:
    items = ((entry.posted_payload or {}).get("apply") or {}).get("items") or []
    return [Decimal(str(i.get("amount") or 0)) if i.get("apply") else Decimal(0) for i in items]


@dataclass(frozen=True)
class Route:
    """How a chargeback taken from its payment posts, and what it re-opened in Chargebee."""

    kind: str  # REFUND_ROUTE or DEBIT_ROUTE
    closed_period: str | None = None  # the payment's period (closed when first posted)
    reopened: tuple[tuple[str, int], ...] = ()


def chargeback_routes(
    payment: Mapping[str, Any],
    period: AccountingPeriod | None,
    entry: LedgerEntry | None,
    chargebacks: Sequence[Mapping[str, Any]],
    ledger: Mapping[LedgerKey, LedgerEntry],
) -> tuple[dict[str, Route], list[Mapping[str, Any]]]:
    """How each live chargeback taken from ``payment`` posts, and those that shrink it.

    A ``customerRefund`` applied to the payment, whose applications shrink (the refund
    route), unless the payment is posted in a period NetSuite has closed since: that payment
    cannot change, so a chargeback it does not already reflect becomes an invoice re-opening
    the amount (the debit route). A chargeback keeps the route it was posted by, whatever
    the period does later: re-opening the period must not turn a debit into an edit.
    ``period`` is the one the payment is posted in (see :func:`posted_period`), ``entry``
    its ledger entry with the posted payload.
    """
    live = sorted(
        (
            c
            for c in chargebacks
            if takes_from_payment(c) and c.get("status") == "success" and not c.get("deleted")
        ),
        key=lambda c: (int(c.get("date") or 0), str(c.get("id"))),
    )
    closed = period is not None and not period.open_for_ar
    currency = str(payment.get("currency_code", ""))
    shrink: list[Mapping[str, Any]] = []
    routes: dict[str, Route] = {}
    for chargeback in live:
        posted = ledger.get(("transaction", str(chargeback["id"]), MAIN))
        before = applications_after_chargebacks(payment, shrink)
        after = applications_after_chargebacks(payment, [*shrink, chargeback])
        if posted is not None and posted.netsuite_id:
            debit = posted.netsuite_type == "invoice"
        elif not closed or entry is None:
            debit = False
        else:
            # Already reflected by the posted payment (or covered by its unapplied cash)?
            amounts = [to_money(still, currency) for _, _, still in after]
            debit = amounts != _posted_applications(entry)
        if debit:
            reopened = tuple(
                (invoice, was - now)
                for (invoice, _, was), (_, _, now) in zip(before, after, strict=True)
                if was != now
            )
            name = period.name if period is not None else "unknown"
            routes[str(chargeback["id"])] = Route(DEBIT_ROUTE, name, reopened)
        else:
            shrink.append(chargeback)
            routes[str(chargeback["id"])] = Route(REFUND_ROUTE)
    return routes, shrink
