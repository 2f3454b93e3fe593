"""Decide, per staged document, what NetSuite should hold: a posting, or why nothing posts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from chargebee_netsuite.load.source import SourceDocument
from chargebee_netsuite.staging.ledger_queries import LedgerEntry, LedgerKey
from chargebee_netsuite.staging.ledger_tables import MAIN, REVERSAL
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
from chargebee_netsuite.transform.transactions import transaction_posting

# Dependencies first: a phase only refers to records of earlier phases.
PHASES = (
    "customers",
    "invoices",
    "credit memos",
    "payments",
    "refunds",
    "reversals",
    "re-applications",
)
CUSTOMERS, INVOICES, CREDIT_MEMOS, PAYMENTS, REFUNDS, REVERSALS, REAPPLY = range(len(PHASES))


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


def _try(key: LedgerKey, phase: int, doc: SourceDocument, build: Callable[[], Posting]) -> Work:
    try:
        return Work(key, phase, doc.resource_version, posting=build())
    except NotPosted as outcome:
        return Work(key, phase, doc.resource_version, outcome=outcome)


def _posted(ledger: Mapping[LedgerKey, LedgerEntry], key: LedgerKey) -> LedgerEntry | None:
    entry = ledger.get(key)
    return entry if entry is not None and entry.netsuite_id else None


def _gone(doc: SourceDocument) -> bool:
    return doc.deleted or doc.raw.get("status") == "voided"


def _gone_words(doc: SourceDocument) -> str:
    return "voided" if doc.raw.get("status") == "voided" else "deleted"


def billed_currencies(documents: Mapping[str, list[SourceDocument]]) -> dict[str, set[str]]:
    """Every currency each customer has documents in."""
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
) -> list[Work]:
    """The work of one run: every staged document, each with a posting or a reason."""
    work: list[Work] = []
    currencies = billed_currencies(documents)
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
        work.append(_try(key, CUSTOMERS, doc, partial(customer_posting, ctx, doc.raw, billed)))
    for doc in documents.get("invoice", []):
        work.extend(_plan_invoice(ctx, doc, ledger))
    for doc in documents.get("credit_note", []):
        work.extend(_plan_credit_note(ctx, doc, ledger))
    for doc in documents.get("transaction", []):
        work.extend(_plan_transaction(ctx, doc, ledger))
    return work


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
        return [_try(key, INVOICES, doc, lambda: invoice_posting(ctx, doc.raw))]
    posted = _posted(ledger, key)
    words = _gone_words(doc)
    if posted is None:
        reason = f"{label} was {words} in Chargebee before it was ever posted; it never will be."
        return [Work(key, INVOICES, doc.resource_version, outcome=Skipped(reason, "VOIDED"))]
    note = f"{label} was {words} in Chargebee after posting; a credit memo reverses it."
    reversal = _try(
        (*key[:2], REVERSAL), REVERSALS, doc, lambda: invoice_reversal_posting(ctx, doc.raw)
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
        return [_try(key, CREDIT_MEMOS, doc, lambda: credit_memo_posting(ctx, doc.raw))]
    posted = _posted(ledger, key)
    if posted is None:
        words = _gone_words(doc)
        reason = f"{label} was {words} in Chargebee before it was ever posted; it never will be."
        return [Work(key, CREDIT_MEMOS, doc.resource_version, outcome=Skipped(reason, "VOIDED"))]
    reversal_key = (*key[:2], REVERSAL)
    reversal_id = _posted(ledger, reversal_key)
    unapply = _applied_ids(posted.posted_payload, reversal_id.netsuite_id if reversal_id else None)
    reversal = _try(
        reversal_key, REVERSALS, doc, lambda: credit_note_reversal_posting(ctx, doc.raw)
    )
    reapply = _try(
        key, REAPPLY, doc, lambda: credit_memo_posting(ctx, doc.raw, unapply_ids=unapply)
    )
    return [reversal, reapply]


def _applied_ids(payload: Any, keep: str | None) -> list[str]:
    """Internal ids a posted credit memo was applied to (bar its reversal invoice), in order."""
    if not isinstance(payload, dict):
        return []
    items = (payload.get("apply") or {}).get("items") or []
    ids = [str(item["doc"]["id"]) for item in items if isinstance(item.get("doc"), dict)]
    return [i for i in dict.fromkeys(ids) if i != keep]


def _plan_transaction(
    ctx: TransformContext, doc: SourceDocument, ledger: Mapping[LedgerKey, LedgerEntry]
) -> list[Work]:
    key = ("transaction", doc.id, MAIN)
    phase = REFUNDS if doc.raw.get("type") == "refund" else PAYMENTS
    posted = _posted(ledger, key)
    if posted is not None and (doc.deleted or doc.raw.get("status") != "success"):
        reason = (
            f"Chargebee transaction {doc.id} was posted as {posted.netsuite_type} "
            f"{posted.netsuite_id}, then {'deleted' if doc.deleted else doc.raw.get('status')} "
            "in Chargebee. Void that record in NetSuite by hand; the connector does not void "
            "payments or refunds."
        )
        failed = NotPosted(reason, "MANUAL_REVERSAL")
        return [
            Work(key, phase, doc.resource_version, note=reason),
            Work((*key[:2], REVERSAL), REVERSALS, doc.resource_version, outcome=failed),
        ]
    if doc.deleted:
        reason = f"Chargebee transaction {doc.id} was deleted before it was ever posted."
        return [Work(key, phase, doc.resource_version, outcome=Skipped(reason))]
    quarantined = _quarantined(doc, phase)
    if quarantined is not None:
        return [quarantined]
    return [_try(key, phase, doc, lambda: transaction_posting(ctx, doc.raw))]
