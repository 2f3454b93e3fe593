"""Decide, per staged document, what NetSuite should hold: a posting, or why nothing posts."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_

from chargebee_netsuite.load.chargebacks import (
    DEBIT_ROUTE,
    chargeback_routes,
    debit_redirects,
    posted_period,
    reopened_by_debits,
)
from chargebee_netsuite.load.source import (
    KIND_RESOURCES,
    Related,
    SourceDocument,
    TransactionLink,
    Where,
    link_transactions,
)
from chargebee_netsuite.staging.ledger_queries import LedgerEntry, LedgerKey
from chargebee_netsuite.staging.ledger_tables import MAIN, REVERSAL, SKIPPED, WITHHELD
from chargebee_netsuite.transform.credit_memo import (
    credit_memo_posting,
    credit_note_reversal_posting,
)
from chargebee_netsuite.transform.customer import customer_posting
from chargebee_netsuite.transform.invoice import invoice_posting, invoice_reversal_posting
from chargebee_netsuite.transform.model import (
    Held,
    NotPosted,
    Posting,
    Quarantined,
    Skipped,
    TransformContext,
)
from chargebee_netsuite.transform.transactions import (
    chargeback_debit_posting,
    payment_reversal_posting,
    takes_from_payment,
    transaction_posting,
    transaction_ref_id,
    transaction_reversal_ref_id,
    unapplied_payment_posting,
)
from chargebee_netsuite.transform.withholding import tax_withheld_posting, withheld_entries

# Dependencies first: a phase only refers to records of earlier phases. Deletions (refunds
# voided after posting) come before payments, which may then re-apply what they freed.
PHASES = (
    "customers",
    "invoices",
    "credit memos",
    "deletions",
    "payments",
    "refunds",
    "reversals",
    "re-applications",
)
(
    CUSTOMERS,
    INVOICES,
    CREDIT_MEMOS,
    DELETIONS,
    PAYMENTS,
    REFUNDS,
    REVERSALS,
    REAPPLY,
) = range(len(PHASES))


@dataclass
class Work:
    """One ledger row's plan for this run."""

    key: LedgerKey
    phase: int
    resource_version: int | None
    posting: Posting | None = None
    outcome: NotPosted | None = None
    # A posted record that stays as it is (e.g. a voided invoice, cancelled by its reversal).
    note: str | None = None
    # Set: delete the record ``posting`` names (this NetSuite internal id) instead of upserting.
    delete_id: str | None = None


def _try(
    ctx: TransformContext,
    ledger: Mapping[LedgerKey, LedgerEntry],
    key: LedgerKey,
    phase: int,
    doc: SourceDocument,
    build: Callable[[TransformContext], Posting],
) -> Work:
    # A record NetSuite holds already is not subject to the closed-period policy again.
    if _posted(ledger, key) is not None:
        ctx = replace(ctx, already_posted=True)
    try:
        return Work(key, phase, doc.resource_version, posting=build(ctx))
    except NotPosted as outcome:
        return Work(key, phase, doc.resource_version, outcome=outcome)


def _posted(ledger: Mapping[LedgerKey, LedgerEntry], key: LedgerKey) -> LedgerEntry | None:
    entry = ledger.get(key)
    return entry if entry is not None and entry.netsuite_id else None


def _gone(doc: SourceDocument) -> bool:
    return doc.deleted or doc.raw.get("status") == "voided"


def _gone_words(doc: SourceDocument) -> str:
    return "voided" if doc.raw.get("status") == "voided" else "deleted"


def _gone_rows(table: Table) -> ColumnElement[bool]:
    return or_(table.c.deleted, table.c.status.is_(None), table.c.status == "voided")


def _unsuccessful(table: Table) -> ColumnElement[bool]:
    return or_(table.c.deleted, table.c.status.is_(None), table.c.status != "success")


def _settled_beyond_payments(table: Table) -> ColumnElement[bool]:
    # Invoices that withheld tax (or were adjusted) settle more than payments and credits:
    # a superset of those whose withheld tax posts in the payments phase.
    settled = [table.c.amount_paid, table.c.amount_due, table.c.credits_applied]
    return func.coalesce(table.c.total, 0) > sum(func.coalesce(c, 0) for c in settled)


def _not_plain_transactions(table: Table) -> ColumnElement[bool]:
    # Anything but a live, successful payment or refund (whose work is in its own phase).
    return or_(
        table.c.deleted,
        table.c.status.is_(None),
        table.c.status != "success",
        table.c.type.is_(None),
        table.c.type.not_in(("payment", "refund")),
    )


# Which staged documents the loader reads to find each phase's work: kind → a filter on its
# staging table that keeps every document whose plan has work in that phase (None: all of
# them). A filter may keep more (their other work is dropped), never fewer: a change to the
# _plan_* functions that moves work between phases must widen these filters with it.
PHASE_SOURCES: dict[int, dict[str, Where]] = {
    CUSTOMERS: {"customer": None},
    INVOICES: {"invoice": None},
    # A chargeback whose payment's period closed posts as a debit invoice before payments,
    # which may then pay it.
    CREDIT_MEMOS: {
        "credit_note": None,
        "transaction": lambda t: or_(
            t.c.type == "payment_reversal", t.c.payment_method == "chargeback"
        ),
    },
    PAYMENTS: {
        "invoice": lambda t: _settled_beyond_payments(t),
        "transaction": lambda t: or_(t.c.type.is_(None), t.c.type != "refund"),
    },
    DELETIONS: {"transaction": _unsuccessful},
    REFUNDS: {
        "transaction": lambda t: or_(t.c.type.is_(None), t.c.type != "payment"),
    },
    REVERSALS: {
        "invoice": _gone_rows,
        "credit_note": _gone_rows,
        "transaction": _not_plain_transactions,
    },
    REAPPLY: {"credit_note": _gone_rows},
}


def phase_sources(phase: int) -> dict[str, Where]:
    """The staged documents to read for ``phase`` (every kind, unfiltered, if not listed)."""
    return PHASE_SOURCES.get(phase, dict.fromkeys(KIND_RESOURCES))


def needs_posted_payload(doc: SourceDocument) -> bool:
    """Whether planning ``doc`` reads what NetSuite last accepted for it (a voided credit
    note unapplies what its memo was applied to; a charged-back payment's period and
    applications decide how its chargebacks post); the loader reads that payload only then."""
    if doc.kind == "credit_note":
        return _gone(doc)
    return doc.kind == "transaction" and bool(
        doc.raw.get("reversal_transaction_id") or doc.raw.get("linked_refunds")
    )


def related_ledger_keys(
    docs: Sequence[SourceDocument],
    against: Mapping[str, Sequence[Mapping[str, Any]]],
    links: Mapping[str, TransactionLink],
    related: Related | None = None,
) -> tuple[set[LedgerKey], set[str]]:
    """Ledger entries beyond the chunk's own that planning its transactions reads: the
    chargebacks of its payments, and the payments (with their posted payloads) and sibling
    chargebacks of its chargebacks. Returns ``(keys, ids whose payload to read)``."""
    keys: set[LedgerKey] = set()
    payloads: set[str] = set()
    for doc in docs:
        payment_id = links.get(doc.id, NO_LINK).payment_id
        if payment_id:
            keys.add(("transaction", payment_id, MAIN))
            payloads.add(payment_id)
        for raw in against.get(payment_id or doc.id, ()):
            keys.add(("transaction", str(raw.get("id")), MAIN))
    for payment_id in related.payments if related is not None else ():
        if against.get(payment_id):
            keys.add(("transaction", payment_id, MAIN))
            payloads.add(payment_id)
            keys.update(("transaction", str(raw.get("id")), MAIN) for raw in against[payment_id])
    return keys, payloads


def billed_currencies(documents: Mapping[str, list[SourceDocument]]) -> dict[str, set[str]]:
    """Every currency each customer has documents in (among ``documents``; the loader asks
    staging instead, see :func:`chargebee_netsuite.load.source.billed_currencies`)."""
    found: dict[str, set[str]] = {}
    for kind in ("invoice", "credit_note", "transaction"):
        for doc in documents.get(kind, []):
            customer, currency = doc.raw.get("customer_id"), doc.raw.get("currency_code")
            if customer and currency:
                found.setdefault(str(customer), set()).add(str(currency).upper())
    return found


def plan(
    ctx: TransformContext,
    documents: Mapping[str, list[SourceDocument]],
    ledger: Mapping[LedgerKey, LedgerEntry],
    currencies: Mapping[str, Collection[str]] | None = None,
    against: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    links: Mapping[str, TransactionLink] | None = None,
    related: Related | None = None,
) -> list[Work]:
    """The work for ``documents`` (all of a run, or one chunk), each with a posting or a reason.

    ``ledger`` holds at least the entries of these documents; ``currencies`` the currencies
    each customer among them is billed in, ``against`` the raw chargebacks and refunds
    staged against each payment among them (and their chargebacks' and ``related``
    payments'), ``links`` each transaction's payment and customer, and ``related`` the
    invoices their payments apply to and those invoices' other payments (all computed from
    ``documents`` when not given: a chunk must pass them, see
    :mod:`chargebee_netsuite.load.source`).
    """
    work: list[Work] = []
    if currencies is None:
        currencies = billed_currencies(documents)
    if against is None:
        against = transactions_against(documents)
    if links is None:
        links = transaction_links(documents)
    if related is None:
        related = _related(documents)
    reopened = reopened_by_debits(ctx, documents, related, against, ledger)
    for doc in documents.get("customer", []):
        key = ("customer", doc.id, MAIN)
        if doc.deleted and _posted(ledger, key) is None:
            reason = f"Chargebee customer {doc.id} was deleted before it was ever posted."
            work.append(Work(key, CUSTOMERS, doc.resource_version, outcome=Skipped(reason)))
            continue
        quarantined = _quarantined(doc, CUSTOMERS)
        if quarantined is not None:
            work.append(quarantined)
            continue
        billed = sorted(currencies.get(doc.id, ()))
        work.append(
            _try(
                ctx,
                ledger,
                key,
                CUSTOMERS,
                doc,
                partial(customer_posting, doc=doc.raw, billed_currencies=billed),
            )
        )
    for doc in documents.get("invoice", []):
        work.extend(_plan_invoice(ctx, doc, ledger))
    for doc in documents.get("credit_note", []):
        work.extend(_plan_credit_note(ctx, doc, ledger))
    for doc in documents.get("transaction", []):
        link = links.get(doc.id, NO_LINK)
        # A payment's chargebacks and refunds; for a chargeback or refund, its payment's.
        taken = against.get(link.payment_id or doc.id, ())
        redirect = debit_redirects(doc.raw, related, reopened) if reopened else {}
        work.extend(_plan_transaction(ctx, doc, ledger, taken, link, redirect))
    return work


def _related(documents: Mapping[str, list[SourceDocument]]) -> Related:
    return Related(
        {doc.id: doc.raw for doc in documents.get("invoice", [])},
        {
            doc.id: doc.raw
            for doc in documents.get("transaction", [])
            if doc.raw.get("type") == "payment"
        },
    )


NO_LINK = TransactionLink()


def _reversed_by(documents: Mapping[str, list[SourceDocument]]) -> dict[str, str]:
    """Online chargeback id → the payment that names it (``reversal_transaction_id``)."""
    return {
        str(doc.raw["reversal_transaction_id"]): doc.id
        for doc in documents.get("transaction", [])
        if doc.raw.get("type") == "payment" and doc.raw.get("reversal_transaction_id")
    }


def against_payment(
    raw: Mapping[str, Any], reversed_by: Mapping[str, str] | None = None
) -> str | None:
    """The payment a chargeback reverses or a refund refunds (None for anything else).

    An online ``payment_reversal`` names no payment: ``reference_transaction_id`` is "the id
    of the offline transaction being refunded or reversed"; the payment names the reversal in
    ``reversal_transaction_id`` (``reversed_by`` maps it back).
    """
    kind = str(raw.get("type"))
    if kind == "payment_reversal":
        found = (reversed_by or {}).get(str(raw.get("id"))) or raw.get("reference_transaction_id")
    elif kind == "refund":
        found = raw.get("refunded_txn_id")
    else:
        found = None
    return str(found) if found else None


def transactions_against(
    documents: Mapping[str, list[SourceDocument]],
) -> dict[str, list[dict[str, Any]]]:
    """The chargebacks and refunds among ``documents``, by the payment they take money from."""
    reversed_by = _reversed_by(documents)
    found: dict[str, list[dict[str, Any]]] = {}
    for doc in documents.get("transaction", []):
        payment = against_payment(doc.raw, reversed_by)
        if payment is not None:
            found.setdefault(payment, []).append(doc.raw)
    return found


def transaction_links(documents: Mapping[str, list[SourceDocument]]) -> dict[str, TransactionLink]:
    """Each transaction's :class:`TransactionLink` from ``documents`` alone (a whole run)."""
    transactions = [doc.raw for doc in documents.get("transaction", [])]

    def customers(kind: str) -> dict[str, str]:
        return {
            doc.id: str(doc.raw["customer_id"])
            for doc in documents.get(kind, [])
            if doc.raw.get("customer_id")
        }

    payments = {str(r["id"]): r for r in transactions if r.get("type") == "payment"}
    return link_transactions(
        transactions,
        _reversed_by(documents),
        payments,
        customers("invoice"),
        customers("credit_note"),
    )


def _quarantined(doc: SourceDocument, phase: int) -> Work | None:
    # A voided or deleted document is exempt: it posts nothing new, at most its reversal.
    if doc.quarantine_reason is None or _gone(doc):
        return None
    outcome = Quarantined(doc.quarantine_reason, "DATA_QUALITY")
    return Work((doc.kind, doc.id, MAIN), phase, doc.resource_version, outcome=outcome)


def _incomplete(doc: SourceDocument, label: str, key: LedgerKey, phase: int) -> Work | None:
    quarantined = _quarantined(doc, phase)
    if quarantined is not None:
        return quarantined
    if doc.lines_complete:
        return None
    reason = (
        f"{label} has more lines than staging holds yet (line_items_next_offset); it posts once "
        "the extraction has fetched them all, never with partial lines."
    )
    return Work(key, phase, doc.resource_version, outcome=Held(reason, "LINES_INCOMPLETE"))


def _plan_invoice(
    ctx: TransformContext, doc: SourceDocument, ledger: Mapping[LedgerKey, LedgerEntry]
) -> list[Work]:
    key, label = ("invoice", doc.id, MAIN), f"Chargebee invoice {doc.id}"
    held = _incomplete(doc, label, key, INVOICES)
    if held is not None:
        return [held]
    if not _gone(doc):
        work = [_try(ctx, ledger, key, INVOICES, doc, lambda c: invoice_posting(c, doc.raw))]
        if withheld_entries(doc.raw):
            withheld = (*key[:2], WITHHELD)
            work.append(
                _try(
                    ctx, ledger, withheld, PAYMENTS, doc, lambda c: tax_withheld_posting(c, doc.raw)
                )
            )
        return work
    posted = _posted(ledger, key)
    words = _gone_words(doc)
    if posted is None:
        reason = f"{label} was {words} in Chargebee before it was ever posted; it never will be."
        return [Work(key, INVOICES, doc.resource_version, outcome=Skipped(reason, "VOIDED"))]
    note = f"{label} was {words} in Chargebee after posting; a credit memo reverses it."
    reversal = _try(
        ctx,
        ledger,
        (*key[:2], REVERSAL),
        REVERSALS,
        doc,
        lambda c: invoice_reversal_posting(c, doc.raw),
    )
    return [Work(key, INVOICES, doc.resource_version, note=note), reversal]


def _plan_credit_note(
    ctx: TransformContext, doc: SourceDocument, ledger: Mapping[LedgerKey, LedgerEntry]
) -> list[Work]:
    key, label = ("credit_note", doc.id, MAIN), f"Chargebee credit note {doc.id}"
    held = _incomplete(doc, label, key, CREDIT_MEMOS)
    if held is not None:
        return [held]
    if not _gone(doc):
        return [
            _try(ctx, ledger, key, CREDIT_MEMOS, doc, lambda c: credit_memo_posting(c, doc.raw))
        ]
    posted = _posted(ledger, key)
    if posted is None:
        words = _gone_words(doc)
        reason = f"{label} was {words} in Chargebee before it was ever posted; it never will be."
        return [Work(key, CREDIT_MEMOS, doc.resource_version, outcome=Skipped(reason, "VOIDED"))]
    reversal_key = (*key[:2], REVERSAL)
    reversal_id = _posted(ledger, reversal_key)
    unapply = _applied_ids(posted.posted_payload, reversal_id.netsuite_id if reversal_id else None)
    reversal = _try(
        ctx,
        ledger,
        reversal_key,
        REVERSALS,
        doc,
        lambda c: credit_note_reversal_posting(c, doc.raw),
    )
    reapply = _try(
        ctx,
        ledger,
        key,
        REAPPLY,
        doc,
        lambda c: credit_memo_posting(c, doc.raw, unapply_ids=unapply),
    )
    return [reversal, reapply]


def _applied_ids(payload: Any, keep: str | None) -> list[str]:
    """Internal ids a posted credit memo was applied to (bar its reversal invoice), in order."""
    if not isinstance(payload, dict):
        return []
    items = (payload.get("apply") or {}).get("items") or []
    ids = [str(item["doc"]["id"]) for item in items if isinstance(item.get("doc"), dict)]
    return [i for i in dict.fromkeys(ids) if i != keep]


def _deleted(entry: LedgerEntry | None) -> bool:
    """Whether the ledger says this record was posted and has since been deleted from NetSuite."""
    return (
        entry is not None
        and entry.state == SKIPPED
        and entry.netsuite_id is None
        and entry.posted_hash is not None
    )


def _taken_back(against: Sequence[Mapping[str, Any]]) -> int:
    """What live chargebacks and refunds already took back from a payment in NetSuite (refunds
    that pay out a credit note apply to the credit memo instead, so they do not count)."""
    total = 0
    for raw in against:
        if raw.get("status") != "success" or raw.get("deleted"):
            continue
        links = raw.get("linked_credit_notes") or []
        if takes_from_payment(raw) or not any(
            int(link.get("applied_amount") or 0) for link in links
        ):
            total += int(raw.get("amount") or 0)
    return total


def _plan_transaction(
    ctx: TransformContext,
    doc: SourceDocument,
    ledger: Mapping[LedgerKey, LedgerEntry],
    against: Sequence[Mapping[str, Any]] = (),
    link: TransactionLink = NO_LINK,
    redirect: Mapping[str, Sequence[tuple[str, int]]] | None = None,
) -> list[Work]:
    key = ("transaction", doc.id, MAIN)
    kind = doc.raw.get("type")
    phase = REFUNDS if kind in ("refund", "payment_reversal") else PAYMENTS
    gone = doc.deleted or doc.raw.get("status") != "success"
    entry = ledger.get(key)
    if gone and _deleted(entry):
        assert entry is not None
        reason = entry.reason or f"Chargebee transaction {doc.id} was deleted from NetSuite."
        return [Work(key, DELETIONS, doc.resource_version, outcome=Skipped(reason, "DELETED"))]
    posted = _posted(ledger, key)
    if posted is not None and gone:
        return _plan_undo(ctx, ledger, doc, posted, phase, against, link.customer_id)
    if doc.deleted:
        reason = f"Chargebee transaction {doc.id} was deleted before it was ever posted."
        return [Work(key, phase, doc.resource_version, outcome=Skipped(reason))]
    quarantined = _quarantined(doc, phase)
    if quarantined is not None:
        return [quarantined]
    if takes_from_payment(doc.raw) and link.payment_id and link.payment is not None:
        siblings = (
            [*against, doc.raw] if doc.id not in {str(r.get("id")) for r in against} else against
        )
        payment_entry = ledger.get(("transaction", link.payment_id, MAIN))
        period = posted_period(ctx, payment_entry)
        routes, _ = chargeback_routes(link.payment, period, payment_entry, siblings, ledger)
        route = routes.get(doc.id)
        if route is not None and route.kind == DEBIT_ROUTE:
            payment_id, closed = link.payment_id, str(route.closed_period)

            def debit(c: TransformContext) -> Posting:
                return chargeback_debit_posting(
                    c, doc.raw, payment_id, closed, route.reopened, link.customer_id
                )

            # Before payments, which may pay it (see _redirect).
            return [_try(ctx, ledger, key, CREDIT_MEMOS, doc, debit)]
    chargebacks: Sequence[Mapping[str, Any]] = [raw for raw in against if takes_from_payment(raw)]
    if kind == "payment":
        # Only the chargebacks that may shrink it (not those posted as debit invoices).
        entry = _posted(ledger, key)
        period = posted_period(ctx, entry)
        chargebacks = chargeback_routes(doc.raw, period, entry, against, ledger)[1]

    def build(c: TransformContext) -> Posting:
        return transaction_posting(
            c,
            doc.raw,
            chargebacks,
            payment_id=link.payment_id,
            customer_id=link.customer_id,
            customers=link.customers,
            redirect=redirect,
        )

    return [_try(ctx, ledger, key, phase, doc, build)]


_NOUNS = {"payment": "payment", "refund": "refund", "payment_reversal": "chargeback"}


def _plan_undo(
    ctx: TransformContext,
    ledger: Mapping[LedgerKey, LedgerEntry],
    doc: SourceDocument,
    posted: LedgerEntry,
    phase: int,
    against: Sequence[Mapping[str, Any]],
    customer_id: str | None = None,
) -> list[Work]:
    """A transaction Chargebee voided or deleted after it was posted: undo it in NetSuite.

    A payment keeps its record but loses its invoice applications, and a reversing refund
    takes back what is still on it; a refund or chargeback is deleted, so it stops counting.
    """
    key, kind, rv = ("transaction", doc.id, MAIN), doc.raw.get("type"), doc.resource_version
    label = f"Chargebee {_NOUNS.get(str(kind), 'transaction')} {doc.id}"
    status = doc.raw.get("status")
    words = "deleted" if doc.deleted else ("voided" if status == "voided" else f"marked {status}")
    was = f"{label} was {words} in Chargebee after it was posted as {posted.netsuite_type} "
    was += str(posted.netsuite_id)
    if kind == "payment":
        left = int(doc.raw.get("amount") or 0) - _taken_back(against)
        eid = transaction_reversal_ref_id(ctx, doc.id)
        note = f"{was}; its invoice applications are removed"
        note += f" and customerRefund {eid} takes back the rest." if left > 0 else "."
        main = _try(
            ctx,
            ledger,
            key,
            PAYMENTS,
            doc,
            lambda c: unapplied_payment_posting(c, doc.raw, customer_id),
        )
        main.note = note
        if left <= 0:
            return [main]

        def build(c: TransformContext) -> Posting:
            return payment_reversal_posting(c, doc.raw, left, customer_id)

        return [main, _try(ctx, ledger, (*key[:2], REVERSAL), REVERSALS, doc, build)]
    if kind in ("refund", "payment_reversal"):
        record = posted.netsuite_type or "customerRefund"
        eid = posted.external_id or transaction_ref_id(ctx, doc.id)
        posting = Posting(
            record, eid, {}, f"the deletion of {record} {posted.netsuite_id} ({label})"
        )
        return [Work(key, DELETIONS, rv, posting=posting, note=was, delete_id=posted.netsuite_id)]
    reason = f"{was}. Reverse that record in NetSuite by hand."
    failed = NotPosted(reason, "MANUAL_REVERSAL")
    return [
        Work(key, phase, rv, note=reason),
        Work((*key[:2], REVERSAL), REVERSALS, rv, outcome=failed),
    ]
