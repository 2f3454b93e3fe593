"""Per-document facts derived from raw Chargebee JSON: sums over nested arrays, references."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Facts:
    """What the SQL assets cannot easily compute portably from a document's JSON arrays."""

    lines_total: int | None = None
    settled_total: int | None = None
    applied_total: int | None = None
    # (ref_kind, ref_id) pairs this document needs to exist before it can post.
    refs: frozenset[tuple[str, str]] = field(default_factory=frozenset)


def _int(value: Any) -> int:
    """A Chargebee amount as int; absent (or malformed) counts as 0, so sums expose it."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 0
    return value


def _entries(doc: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    value = doc.get(key)
    if not isinstance(value, list):
        return ()
    return (entry for entry in value if isinstance(entry, Mapping))


def lines_total(doc: Mapping[str, Any]) -> int:
    """What an invoice's or credit note's lines say its total is, in Chargebee's units.

    Σ(amount - discount_amount) over the lines, plus each line's tax unless prices already
    include it (``price_type: tax_inclusive``), plus ``round_off_amount`` (negative on some
    credit notes). Two parts Chargebee leaves open are counted when they explain the total:
    a credit note's ``fractional_correction`` (beside the lines, or already in them) and the
    store credits an invoice's lines took before tax (``line_item_credits``: the total is net
    of them, or keeps them and ``applied_credits`` settles them).
    """
    inclusive = doc.get("price_type") == "tax_inclusive"
    total = 0
    for line in _entries(doc, "line_items"):
        total += _int(line.get("amount")) - _int(line.get("discount_amount"))
        if not inclusive:
            total += _int(line.get("tax_amount"))
    total += _int(doc.get("round_off_amount"))
    stated = doc.get("total")
    for part in (_int(doc.get("fractional_correction")), -store_credits(doc)):
        if part and total != stated and total + part == stated:
            return total + part
    return total


def store_credits(doc: Mapping[str, Any]) -> int:
    """Σ ``line_item_credits[].applied_amount``: store credits the lines took before tax.

    The spec types this amount as a double (unlike every other amount); a whole number sent
    as ``2000.0`` counts like ``2000``.
    """
    total = 0
    for entry in _entries(doc, "line_item_credits"):
        amount = entry.get("applied_amount")
        if isinstance(amount, float) and amount.is_integer():
            amount = int(amount)
        total += _int(amount)
    return total


def invoice_settled_total(doc: Mapping[str, Any]) -> int | None:
    """What settled the invoice plus what is still due (should equal the total).

    Chargebee's own formula over the arrays: ``amount_due = total - amount_paid - Σ
    applied_credits.applied_amount - Σ adjustment_credit_notes.cn_total - Σ
    linked_taxes_withheld.amount``. ``amount_adjusted`` is not used (whether it counts a
    write-off is undocumented), nor is ``write_off_amount``: the write-off's own adjustment
    credit note is in the array already. Voided invoices are left out (None): Chargebee
    stops maintaining their balances.
    """
    if doc.get("status") == "voided":
        return None
    if isinstance(doc.get("applied_credits"), list):
        credits = sum(_int(c.get("applied_amount")) for c in _entries(doc, "applied_credits"))
    else:  # a payload without the array: its sum is all there is
        credits = _int(doc.get("credits_applied"))
    adjusted = sum(
        _int(cn.get("cn_total"))
        for cn in _entries(doc, "adjustment_credit_notes")
        if cn.get("cn_status") != "voided"
    )
    withheld = sum(_int(t.get("amount")) for t in _entries(doc, "linked_taxes_withheld"))
    paid, due = _int(doc.get("amount_paid")), _int(doc.get("amount_due"))
    return paid + due + credits + adjusted + withheld


def credit_note_settled_total(doc: Mapping[str, Any]) -> int | None:
    """allocated + refunded + available (should equal the total); None for voided notes."""
    if doc.get("status") == "voided":
        return None
    return (
        _int(doc.get("amount_allocated"))
        + _int(doc.get("amount_refunded"))
        + _int(doc.get("amount_available"))
    )


def _applied(
    doc: Mapping[str, Any], key: str, ref_kind: str, id_key: str
) -> tuple[int, set[tuple[str, str]]]:
    total, refs = 0, set()
    for link in _entries(doc, key):
        amount = _int(link.get("applied_amount"))
        total += amount
        ref = link.get(id_key)
        if amount and isinstance(ref, str) and ref:
            refs.add((ref_kind, ref))
    return total, refs


def document_facts(kind: str, doc: Mapping[str, Any]) -> Facts:
    """The facts of one staged document of ``kind`` (``raw`` as Chargebee sent it)."""
    if kind == "invoice":
        return Facts(lines_total=lines_total(doc), settled_total=invoice_settled_total(doc))
    if kind == "credit_note":
        refs = set()
        reference = doc.get("reference_invoice_id")
        if isinstance(reference, str) and reference:
            refs.add(("invoice", reference))
        return Facts(
            lines_total=lines_total(doc),
            settled_total=credit_note_settled_total(doc),
            refs=frozenset(refs),
        )
    if kind == "transaction":
        invoiced, invoice_refs = _applied(doc, "linked_invoices", "invoice", "invoice_id")
        credited, note_refs = _applied(doc, "linked_credit_notes", "credit_note", "cn_id")
        refs = invoice_refs | note_refs
        refunded = doc.get("refunded_txn_id")
        if doc.get("type") == "refund" and isinstance(refunded, str) and refunded:
            refs.add(("transaction", refunded))
        return Facts(applied_total=invoiced + credited, refs=frozenset(refs))
    return Facts()
