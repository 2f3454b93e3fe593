"""Chargebee credit note -> NetSuite ``creditMemo`` (applied to its invoices), and its reversal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chargebee_netsuite.mapping.resolve import credit_note_codes, resolve_credit_note
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.checks import keep_netsuite_tax_off, local_date
from chargebee_netsuite.transform.invoice import invoice_ref_id, transaction_header
from chargebee_netsuite.transform.lines import document_lines
from chargebee_netsuite.transform.model import Posting, Quarantined, Ref, TransformContext
from chargebee_netsuite.transform.money import to_money


def credit_memo_ref_id(ctx: TransformContext, cn_id: str) -> str:
    """The external id of a Chargebee credit note in NetSuite."""
    return identity.external_id(ctx.site, identity.CREDIT_NOTE, cn_id)


def credit_note_reversal_ref_id(ctx: TransformContext, cn_id: str) -> str:
    """The external id of the invoice that reverses a voided credit note."""
    return identity.external_id(ctx.site, identity.CREDIT_NOTE_REVERSAL, cn_id)


def _override_item(ctx: TransformContext, doc: Mapping[str, Any], label: str) -> str | None:
    """The item of the credit note's reason rule: ``create_reason_code`` first, then the
    deprecated ``reason_code``; None when neither has a rule (its lines follow the items)."""
    codes = credit_note_codes(doc)
    resolution = resolve_credit_note(ctx.mapping, *codes)
    if resolution is None:
        return None
    reason = " / ".join(code for code in codes if code is not None) or "none"
    problems = " ".join(
        p.message
        for p in ctx.report.problems
        if p.rule == resolution.rule or p.rule.startswith(resolution.rule + ".")
    )
    if problems:
        raise Quarantined(f"{label} (reason {reason}): {problems}", "MAPPING_RULE")
    if resolution.value.item is None:
        raise Quarantined(
            f"{label} has reason {reason}, which {resolution.rule} maps to account "
            f"{resolution.value.account} only. A NetSuite credit memo posts through items, so it "
            f"could not be applied to its invoice. Add `item: <id>` to {resolution.rule}: an "
            f"Other Charge item whose income account is {resolution.value.account}.",
            "UNMAPPED_REASON",
        )
    return resolution.value.item


def _memo(doc: Mapping[str, Any]) -> str:
    kind = "store credit note" if doc.get("type") == "store" else "credit note"
    memo = f"Chargebee {kind} {doc['id']}"
    reason = doc.get("reason_code") or doc.get("create_reason_code")
    if reason:
        memo += f" ({reason})"
    if doc.get("reference_invoice_id"):
        memo += f" for invoice {doc['reference_invoice_id']}"
    return memo


def credit_memo_posting(
    ctx: TransformContext,
    doc: Mapping[str, Any],
    *,
    unapply_ids: Iterable[str] = (),
) -> Posting:
    """The credit memo, applied to the invoices in ``allocations`` for the allocated amounts.

    A store credit note (no tax, kept for later invoices, which take it before tax) posts the
    same way: a credit memo that stays open until an invoice uses it. A voided credit note
    that was posted keeps its lines but is applied to its reversal invoice instead;
    ``unapply_ids`` are the internal ids it was applied to before.
    """
    label = f"Chargebee credit note {doc['id']}"
    currency = str(doc["currency_code"])
    eid = credit_memo_ref_id(ctx, str(doc["id"]))
    body = transaction_header(ctx, doc, label, int(doc["date"]), _memo(doc))
    body["externalId"] = eid
    body["item"] = {
        "items": document_lines(ctx, doc, label, override_item=_override_item(ctx, doc, label))
    }
    apply: list[dict[str, Any]] = [{"doc": {"id": i}, "apply": False} for i in unapply_ids]
    if doc.get("status") == "voided" or doc.get("deleted"):
        apply.append(
            {
                "doc": Ref("invoice", credit_note_reversal_ref_id(ctx, str(doc["id"]))),
                "apply": True,
                "amount": to_money(int(doc["total"]), currency),
            }
        )
    else:
        for allocation in doc.get("allocations", []):
            amount = int(allocation.get("allocated_amount", 0))
            if amount:
                apply.append(
                    {
                        "doc": Ref("invoice", invoice_ref_id(ctx, str(allocation["invoice_id"]))),
                        "apply": True,
                        "amount": to_money(amount, currency),
                    }
                )
    if apply:
        body["apply"] = {"items": apply}
    # Unallocated credit stays unapplied, as in Chargebee: never auto-applied to old invoices.
    body["autoApply"] = False
    keep_netsuite_tax_off(ctx, body, label)
    return Posting("creditMemo", eid, body, label)


def credit_note_reversal_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """An invoice cancelling a posted credit note that Chargebee voided or deleted.

    The credit memo is then re-applied to this invoice, which frees the invoices it credited.
    """
    label = f"Reversal of Chargebee credit note {doc['id']}"
    when = int(doc.get("voided_at") or doc.get("updated_at") or doc["date"])
    verb = "voided" if doc.get("status") == "voided" else "deleted"
    memo = (
        f"Reverses Chargebee credit note {doc['id']}, {verb} on "
        f"{local_date(when, ctx).isoformat()} in Chargebee."
    )
    eid = credit_note_reversal_ref_id(ctx, str(doc["id"]))
    body = transaction_header(ctx, doc, label, when, memo)
    body["externalId"] = eid
    body["item"] = {
        "items": document_lines(ctx, doc, label, override_item=_override_item(ctx, doc, label))
    }
    keep_netsuite_tax_off(ctx, body, label)
    return Posting("invoice", eid, body, label)
