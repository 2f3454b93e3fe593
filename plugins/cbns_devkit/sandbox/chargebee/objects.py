"""Builders for Chargebee objects in the exact API shape, and their money math.

Money math (all integers in the currency's minor unit, whole units for JPY/KRW/XAF/XOF):
line ``amount = unit_amount * quantity``; ``sub_total = sum  amount``;
``total = sub_total - sum  discount_amount + tax + round_off_amount`` (less the store
credits of ``line_item_credits`` where they reduce the total);
``amount_due = total - amount_paid - sum applied_credits - sum adjustment_credit_notes.cn_total
- sum linked_taxes_withheld.amount`` (the documented formula over the arrays);
credit note ``total = sum lines + tax + round_off_amount (+ fractional_correction)`` and
``amount_available = total - amount_allocated - amount_refunded``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .conventions import is_write_off
from .minor_units import allocate, minor_units_per_major, percent_of, round_to_unit, tax_inside

Record = dict[str, Any]


def clean(value: Any) -> Any:
    """Drop ``None`` values recursively: the API omits absent values, never sends null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def address(kind: str, fields: dict[str, Any]) -> Record:
    """A ``billing_address``/``shipping_address`` nested object."""
    return clean({**fields, "validation_status": "not_validated", "object": kind})


def customer(
    *,
    customer_id: str,
    created_at: int,
    first_name: str,
    last_name: str,
    email: str,
    company: str | None,
    phone: str | None,
    currency_code: str,
    billing_address: dict[str, Any],
    auto_collection: str = "on",
    net_term_days: int = 0,
    taxability: str = "taxable",
    vat_number: str | None = None,
    locale: str | None = None,
) -> Record:
    """A customer (companies carry ``company`` and usually a VAT number)."""
    return clean(
        {
            "id": customer_id,
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "phone": phone,
            "company": company,
            "vat_number": vat_number,
            "auto_collection": auto_collection,
            "offline_payment_method": "bank_transfer" if auto_collection == "off" else None,
            "net_term_days": net_term_days,
            "allow_direct_debit": False,
            "created_at": created_at,
            "created_from_ip": "10.0.0.1",
            "taxability": taxability,
            "locale": locale,
            "pii_cleared": "active",
            "channel": "web",
            "card_status": "valid" if auto_collection == "on" else "no_card",
            "preferred_currency_code": currency_code,
            "promotional_credits": 0,
            "refundable_credits": 0,
            "excess_payments": 0,
            "unbilled_charges": 0,
            "billing_address": address("billing_address", billing_address),
            "deleted": False,
            "object": "customer",
        }
    )


def item(
    *, item_id: str, name: str, item_type: str, family: str, description: str, unit: str | None
) -> Record:
    """A Product Catalog 2.0 item (plan, addon or charge)."""
    return clean(
        {
            "id": item_id,
            "name": name,
            "external_name": name,
            "description": description,
            "status": "active",
            "item_family_id": family if item_type != "charge" else None,
            "type": item_type,
            "is_shippable": False,
            "is_giftable": False,
            "enabled_for_checkout": True,
            "enabled_in_portal": True,
            "included_in_mrr": item_type != "charge" or None,
            "item_applicability": "all" if item_type == "plan" else None,
            "unit": unit,
            "metered": False,
            "channel": "web",
            "deleted": False,
            "object": "item",
        }
    )


def item_price(
    *,
    price_id: str,
    source: Record,
    currency_code: str,
    price: int,
    created_at: int,
    period_unit: str | None,
) -> Record:
    """An item price in one currency (charges have no period)."""
    per_unit = source.get("unit") is not None
    return clean(
        {
            "id": price_id,
            "name": f"{source['name']} {currency_code}"
            + (f" {period_unit}ly" if period_unit else ""),
            "item_family_id": source.get("item_family_id"),
            "item_id": source["id"],
            "status": "active",
            "external_name": source["name"],
            "pricing_model": "per_unit" if per_unit else "flat_fee",
            "price": price,
            "period": 1 if period_unit else None,
            "period_unit": period_unit,
            "currency_code": currency_code,
            "free_quantity": 0,
            "channel": "web",
            "created_at": created_at,
            "is_taxable": True,
            "item_type": source["type"],
            "show_description_in_invoices": False,
            "show_description_in_quotes": False,
            "deleted": False,
            "object": "item_price",
        }
    )


@dataclass
class LineSpec:
    """One invoice line before money math: what is sold, how many, at what unit price."""

    description: str
    unit_amount: int
    quantity: int = 1
    entity_type: str = "adhoc"
    entity_id: str | None = None
    pricing_model: str | None = None
    date_from: int | None = None
    date_to: int | None = None
    coupon_id: str | None = None
    discount_percent: Decimal | None = None


@dataclass
class TaxSpec:
    """The tax a customer's lines are charged (None rate = not taxed)."""

    name: str
    rate: Decimal
    juris_type: str
    juris_name: str
    juris_code: str


def build_invoice(
    *,
    invoice_id: str,
    customer_record: Record,
    currency_code: str,
    date: int,
    due_date: int,
    lines: list[LineSpec],
    tax: TaxSpec | None,
    new_line_id: Callable[[], str],
    subscription_id: str | None = None,
    recurring: bool = True,
    document_coupon: tuple[str, int] | None = None,
    round_off: bool = False,
    first_invoice: bool = False,
    exempt_reason: str = "customer_exempt",
    store_credits: list[tuple[str, int]] | None = None,
    store_credits_reduce_total: bool = False,
) -> Record:
    """A new invoice with lines, discounts, taxes and totals; status set by :func:`refresh_invoice`.

    ``document_coupon`` is ``(coupon_id, amount)``: a fixed document-level discount spread
    over the lines in proportion to their discounted amounts. ``store_credits`` are
    ``(credit note id, amount)`` applied to the lines before tax (``line_item_credits``); with
    ``store_credits_reduce_total`` the total is net of them.
    """
    line_items: list[Record] = []
    line_discounts: list[Record] = []
    line_taxes: list[Record] = []
    discounts: list[Record] = []
    item_discount: list[int] = []
    for spec in lines:
        amount = spec.unit_amount * spec.quantity
        cut = percent_of(amount, spec.discount_percent) if spec.discount_percent else 0
        item_discount.append(cut)
    base = [
        spec.unit_amount * spec.quantity - cut
        for spec, cut in zip(lines, item_discount, strict=True)
    ]
    doc_shares = [0] * len(lines)
    if document_coupon is not None:
        doc_amount = min(document_coupon[1], sum(base))
        doc_shares = allocate(doc_amount, base)
    # Store credits come off each line's discounted amount, before tax.
    credited: list[list[tuple[str, int]]] = [[] for _ in lines]
    for cn_id, credit in store_credits or []:
        room = [
            b - d - sum(c for _, c in done)
            for b, d, done in zip(base, doc_shares, credited, strict=True)
        ]
        for index, part in enumerate(allocate(min(credit, sum(room)), room)):
            if part:
                credited[index].append((cn_id, part))
    line_ids: list[str] = []
    for index, spec in enumerate(lines):
        line_id = new_line_id()
        line_ids.append(line_id)
        amount = spec.unit_amount * spec.quantity
        discount_amount = item_discount[index] + doc_shares[index]
        taxable = amount - discount_amount - sum(part for _, part in credited[index])
        taxed = tax is not None
        tax_amount = percent_of(taxable, tax.rate) if tax is not None else 0
        line_items.append(
            clean(
                {
                    "id": line_id,
                    "subscription_id": subscription_id,
                    "date_from": spec.date_from if spec.date_from is not None else date,
                    "date_to": spec.date_to if spec.date_to is not None else date,
                    "unit_amount": spec.unit_amount,
                    "quantity": spec.quantity,
                    "amount": amount,
                    "pricing_model": spec.pricing_model,
                    "is_taxed": taxed,
                    "tax_amount": tax_amount,
                    "tax_rate": float(tax.rate) if tax is not None else None,
                    "discount_amount": discount_amount,
                    "item_level_discount_amount": item_discount[index],
                    "description": spec.description[:250],
                    "entity_type": spec.entity_type,
                    "entity_id": spec.entity_id,
                    "tax_exempt_reason": None if taxed else exempt_reason,
                    "customer_id": customer_record["id"],
                    "object": "line_item",
                }
            )
        )
        if item_discount[index]:
            line_discounts.append(
                {
                    "line_item_id": line_id,
                    "discount_type": "item_level_coupon",
                    "coupon_id": spec.coupon_id,
                    "entity_id": spec.coupon_id,
                    "discount_amount": item_discount[index],
                    "object": "line_item_discount",
                }
            )
            discounts.append(
                {
                    "amount": item_discount[index],
                    "description": f"{spec.coupon_id} ({spec.discount_percent}% off)",
                    "line_item_id": line_id,
                    "entity_type": "item_level_coupon",
                    "discount_type": "percentage",
                    "entity_id": spec.coupon_id,
                    "object": "discount",
                }
            )
        if doc_shares[index] and document_coupon is not None:
            line_discounts.append(
                {
                    "line_item_id": line_id,
                    "discount_type": "document_level_coupon",
                    "coupon_id": document_coupon[0],
                    "entity_id": document_coupon[0],
                    "discount_amount": doc_shares[index],
                    "object": "line_item_discount",
                }
            )
        if tax is not None:
            line_taxes.append(_line_tax(line_id, tax, taxable, tax_amount))
    doc_total: int = sum(doc_shares)
    if document_coupon is not None and doc_total > 0:
        discounts.append(
            {
                "amount": doc_total,
                "description": document_coupon[0],
                "entity_type": "document_level_coupon",
                "discount_type": "fixed_amount",
                "entity_id": document_coupon[0],
                "object": "discount",
            }
        )
    sub_total = sum(li["amount"] for li in line_items)
    total_discount = sum(li["discount_amount"] for li in line_items)
    tax_total = sum(li["tax_amount"] for li in line_items)
    total = sub_total - total_discount + tax_total
    line_credits: list[Record] = [
        {
            "cn_id": cn_id,
            "applied_amount": part,
            "line_item_id": line_id,
            "object": "line_item_credit",
        }
        for line_id, parts in zip(line_ids, credited, strict=True)
        for cn_id, part in parts
    ]
    if store_credits_reduce_total:
        total -= sum(part for parts in credited for _, part in parts)
    round_off_amount = 0
    per = minor_units_per_major(currency_code)
    if round_off and per > 1:
        round_off_amount = (-total) % per
        total += round_off_amount
    invoice = clean(
        {
            "id": invoice_id,
            "customer_id": customer_record["id"],
            "subscription_id": subscription_id,
            "recurring": recurring,
            "status": "posted",
            "price_type": "tax_exclusive",
            "date": date,
            "due_date": due_date,
            "net_term_days": customer_record.get("net_term_days", 0),
            "exchange_rate": 1.0,
            "currency_code": currency_code,
            "total": total,
            "amount_paid": 0,
            "amount_adjusted": 0,
            "write_off_amount": 0,
            "credits_applied": 0,
            "amount_due": total,
            "sub_total": sub_total,
            "tax": tax_total,
            "round_off_amount": round_off_amount or None,
            "first_invoice": first_invoice,
            "has_advance_charges": False,
            "term_finalized": True,
            "is_gifted": False,
            "generated_at": date,
            "amount_to_collect": total,
            "channel": "web",
            "deleted": False,
            "object": "invoice",
            "line_items": line_items,
            "discounts": discounts,
            "line_item_discounts": line_discounts,
            "taxes": _tax_summary(line_taxes),
            "line_item_taxes": line_taxes,
            "line_item_tiers": [],
            "line_item_credits": line_credits or None,
            "linked_payments": [],
            "dunning_attempts": [],
            "applied_credits": [],
            "adjustment_credit_notes": [],
            "issued_credit_notes": [],
            "linked_orders": [],
            "billing_address": _document_address(customer_record),
        }
    )
    return invoice


def _line_tax(line_id: str, tax: TaxSpec, taxable: int, tax_amount: int) -> Record:
    return {
        "line_item_id": line_id,
        "tax_name": tax.name,
        "tax_rate": float(tax.rate),
        "is_partial_tax_applied": False,
        "is_non_compliance_tax": False,
        "taxable_amount": taxable,
        "tax_amount": tax_amount,
        "tax_juris_type": tax.juris_type,
        "tax_juris_name": tax.juris_name,
        "tax_juris_code": tax.juris_code,
        "object": "line_item_tax",
    }


def _tax_summary(line_taxes: list[Record]) -> list[Record]:
    summary: dict[str, Record] = {}
    for lt in line_taxes:
        entry = summary.setdefault(
            lt["tax_name"],
            {
                "name": lt["tax_name"],
                "amount": 0,
                "description": f"{lt['tax_name']} @ {lt['tax_rate']:g}%",
                "object": "tax",
            },
        )
        entry["amount"] += lt["tax_amount"]
    return list(summary.values())


def _document_address(customer_record: Record) -> Record | None:
    source = customer_record.get("billing_address")
    if source is None:
        return None
    return {**copy.deepcopy(source), "object": "billing_address"}


def linked_credit_total(invoice: Record, link: str, *, write_offs_only: bool = False) -> int:
    """The ``cn_total`` sum of the invoice's credit notes in ``link`` that are not voided."""
    return sum(
        cn.get("cn_total", 0)
        for cn in invoice.get(link, [])
        if cn["cn_status"] != "voided" and (is_write_off(cn) or not write_offs_only)
    )


def refresh_invoice(invoice: Record, now: int) -> None:
    """Recompute the derived amounts and status of ``invoice`` from its linked arrays."""
    paid = sum(
        lp["applied_amount"]
        for lp in invoice.get("linked_payments", [])
        if lp.get("txn_status") == "success"
    )
    credits = sum(ac["applied_amount"] for ac in invoice.get("applied_credits", []))
    adjusted = linked_credit_total(invoice, "adjustment_credit_notes")
    written_off = linked_credit_total(invoice, "adjustment_credit_notes", write_offs_only=True)
    withheld = sum(int(t["amount"]) for t in invoice.get("linked_taxes_withheld", []))
    invoice["amount_paid"] = paid
    invoice["credits_applied"] = credits
    # With the write-off, whatever the site's convention (Store.touch applies it).
    invoice["amount_adjusted"] = adjusted
    invoice["write_off_amount"] = written_off
    due = invoice["total"] - paid - credits - adjusted - withheld
    if due < 0:
        raise ValueError(f"invoice {invoice['id']} would be over-settled by {-due}")
    invoice["amount_due"] = due
    invoice["amount_to_collect"] = due
    if due > 0:
        invoice.pop("paid_at", None)
    if invoice["status"] == "voided":
        return
    if due == 0:
        invoice["status"] = "paid"
        settled = [lp["applied_at"] for lp in invoice.get("linked_payments", [])]
        settled += [ac["applied_at"] for ac in invoice.get("applied_credits", [])]
        settled += [cn.get("cn_date", now) for cn in invoice.get("adjustment_credit_notes", [])]
        settled += [t.get("date", now) for t in invoice.get("linked_taxes_withheld", [])]
        invoice["paid_at"] = max(settled, default=now)
        if invoice.get("dunning_status") == "in_progress":
            invoice["dunning_status"] = "success"
            invoice.pop("next_retry_at", None)
    elif invoice.get("dunning_status") == "exhausted":
        invoice["status"] = "not_paid"
    elif invoice.get("dunning_status") == "in_progress" or now > invoice.get("due_date", now):
        invoice["status"] = "payment_due"
    else:
        invoice["status"] = "posted"


def line_gross(line: Record) -> int:
    """What the customer pays for one line: discounted amount plus its tax."""
    return (
        int(line["amount"]) - int(line.get("discount_amount", 0)) + int(line.get("tax_amount", 0))
    )


def credit_note_lines(
    invoice: Record,
    gross_total: int,
    new_line_id: Callable[[], str],
    description: str,
    *,
    taxed: bool = True,
    by_ratio: bool = False,
) -> tuple[list[Record], list[Record], int]:
    """Credit-note lines (and their taxes) worth ``gross_total`` including tax, and what is left.

    The gross is spread over the invoice's lines in proportion to what each line charged;
    each share is then split into net and tax at that line's rate (``taxed=False``: all net,
    as store credits carry no tax). Shares are exact (largest remainder), or with ``by_ratio``
    each rounded on its own, as Chargebee prorates credit notes; the cents that rounding
    leaves over (or takes) are the third value, Chargebee's ``fractional_correction``.
    """
    source = [li for li in invoice["line_items"] if line_gross(li) > 0]
    weights = [line_gross(li) for li in source]
    if by_ratio and weights:
        shares = [_rounded(Decimal(w) * gross_total / sum(weights)) for w in weights]
    else:
        shares = allocate(gross_total, weights)
    taxes_by_line = {lt["line_item_id"]: lt for lt in invoice.get("line_item_taxes", [])}
    lines: list[Record] = []
    line_taxes: list[Record] = []
    for li, share in zip(source, shares, strict=True):
        if share == 0:
            continue
        line_id = new_line_id()
        tax_line = taxes_by_line.get(li["id"]) if taxed else None
        rate = Decimal(str(tax_line["tax_rate"])) if tax_line else None
        tax_amount = tax_inside(share, rate) if rate is not None else 0
        net = share - tax_amount
        lines.append(
            clean(
                {
                    "id": line_id,
                    "subscription_id": li.get("subscription_id"),
                    "date_from": li["date_from"],
                    "date_to": li["date_to"],
                    "unit_amount": net,
                    "quantity": 1,
                    "amount": net,
                    "pricing_model": "flat_fee",
                    "is_taxed": li["is_taxed"] and taxed,
                    "tax_amount": tax_amount,
                    "tax_rate": li.get("tax_rate") if taxed else None,
                    "discount_amount": 0,
                    "item_level_discount_amount": 0,
                    "reference_line_item_id": li["id"],
                    "description": f"{description}: {li['description']}"[:250],
                    "entity_type": li["entity_type"],
                    "entity_id": li.get("entity_id"),
                    "tax_exempt_reason": li.get("tax_exempt_reason"),
                    "customer_id": li.get("customer_id"),
                    "object": "line_item",
                }
            )
        )
        if tax_line is not None:
            line_taxes.append(
                {
                    **{k: v for k, v in tax_line.items() if k not in ("line_item_id",)},
                    "line_item_id": line_id,
                    "taxable_amount": net,
                    "tax_amount": tax_amount,
                }
            )
    return lines, line_taxes, gross_total - sum(shares)


def _rounded(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def create_reason(reason_code: str) -> str:
    """The merchant-facing create_reason_code for a reason: ``write_off`` -> ``Write Off``.

    Chargebee's own samples pair them this way ("Product Unsatisfactory" with
    ``product_unsatisfactory``, apidocs credit_notes; "Write Off" for write-offs).
    """
    return reason_code.replace("_", " ").title()


def build_credit_note(
    *,
    cn_id: str,
    invoice: Record,
    cn_type: str,
    reason_code: str,
    gross_total: int,
    date: int,
    new_line_id: Callable[[], str],
    create_reason_code: str | None = None,
    keep_reason_code: bool = True,
    round_off: bool = False,
    by_ratio: bool = False,
    correction_in_total: bool = True,
) -> Record:
    """A credit note against ``invoice`` worth ``gross_total``, before allocation/refund.

    A ``store`` note carries no tax. ``round_off`` rounds the total to the nearest whole unit
    (``round_off_amount`` may then be negative); ``by_ratio`` prorates the lines as Chargebee
    does, leaving a ``fractional_correction`` that is part of the total beside the lines
    (``correction_in_total``) or already absorbed by the last line and only reported.
    """
    lines, line_taxes, residue = credit_note_lines(
        invoice,
        gross_total,
        new_line_id,
        reason_code.replace("_", " ").capitalize(),
        taxed=cn_type != "store",
        by_ratio=by_ratio,
    )
    if residue and not correction_in_total:
        last = lines[-1]
        last["amount"] += residue
        last["unit_amount"] += residue
        for entry in line_taxes:
            if entry["line_item_id"] == last["id"]:
                entry["taxable_amount"] += residue
    total = gross_total
    round_off_amount = 0
    if round_off:
        total = round_to_unit(gross_total, invoice["currency_code"])
        round_off_amount = total - gross_total
    return clean(
        {
            "id": cn_id,
            "customer_id": invoice["customer_id"],
            "subscription_id": invoice.get("subscription_id"),
            "reference_invoice_id": invoice["id"],
            "type": cn_type,
            "reason_code": reason_code if keep_reason_code else None,
            "create_reason_code": create_reason_code or create_reason(reason_code),
            "status": "refund_due",
            "date": date,
            "price_type": invoice["price_type"],
            "exchange_rate": 1.0,
            "currency_code": invoice["currency_code"],
            "total": total,
            "amount_allocated": 0,
            "amount_refunded": 0,
            "amount_available": total,
            "generated_at": date,
            "channel": "web",
            "sub_total": sum(li["amount"] for li in lines),
            "round_off_amount": round_off_amount,
            "fractional_correction": residue if by_ratio else None,
            "deleted": False,
            "object": "credit_note",
            "line_items": lines,
            "line_item_discounts": [],
            "line_item_taxes": line_taxes,
            "line_item_tiers": [],
            "discounts": [],
            "taxes": _tax_summary(line_taxes),
            "linked_refunds": [],
            "allocations": [],
            "billing_address": invoice.get("billing_address"),
        }
    )


def refresh_credit_note(cn: Record) -> None:
    """Recompute ``amount_*`` and status of a credit note from allocations and refunds."""
    allocated = sum(a["allocated_amount"] for a in cn.get("allocations", []))
    refunded = sum(r["applied_amount"] for r in cn.get("linked_refunds", []))
    available = cn["total"] - allocated - refunded
    if available < 0:
        raise ValueError(f"credit note {cn['id']} over-used by {-available}")
    cn["amount_allocated"] = allocated
    cn["amount_refunded"] = refunded
    cn["amount_available"] = available
    if cn["status"] == "voided":
        return
    if available > 0:
        cn["status"] = "refund_due"
    elif refunded > 0 and allocated == 0:
        cn["status"] = "refunded"
    else:
        cn["status"] = "adjusted"


def cn_reference(cn: Record, key: str) -> Record:
    """The invoice-side summary of a credit note (``applied_credits`` etc. share these keys)."""
    return clean(
        {
            "cn_id": cn["id"],
            "cn_reason_code": cn.get("reason_code"),
            "cn_create_reason_code": cn.get("create_reason_code"),
            "cn_date": cn.get("date"),
            "cn_total": cn["total"],
            "cn_status": cn["status"],
            "object": key,
        }
    )
