"""Item lines of an invoice or credit memo: one per Chargebee line, discounts, taxes, rounding."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chargebee_netsuite.mapping.model import ItemTarget
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.transform.checks import (
    item_target,
    local_date,
    special_item,
)
from chargebee_netsuite.transform.model import Quarantined, TransformContext
from chargebee_netsuite.transform.money import to_money

ZERO = Decimal(0)
DESCRIPTION_LIMIT = 250


def _price_ref(ctx: TransformContext, line: Mapping[str, Any]) -> ItemPriceRef:
    entity_id = line.get("entity_id")
    if entity_id is not None and entity_id in ctx.item_prices:
        return ctx.item_prices[entity_id]
    return ItemPriceRef(id=entity_id, entity_type=line.get("entity_type"))


def _dimensions(target: ItemTarget | None) -> dict[str, Any]:
    if target is None:
        return {}
    dims = {"department": target.department, "class": target.class_, "location": target.location}
    return {key: {"id": value} for key, value in dims.items() if value is not None}


def _quantity(line: Mapping[str, Any]) -> Decimal:
    if line.get("quantity_in_decimal") is not None:
        return Decimal(str(line["quantity_in_decimal"]))
    return Decimal(int(line.get("quantity", 1)))


def _description(text: str) -> str:
    return text[:DESCRIPTION_LIMIT]


def _discount_parts(
    doc: Mapping[str, Any], line: Mapping[str, Any], total: int
) -> list[tuple[str, int]]:
    """The line's discount as (description, amount) parts; one part if they do not add up."""
    parts = [
        (
            str(d.get("coupon_id") or d.get("entity_id") or d.get("discount_type") or "discount"),
            int(d.get("discount_amount", 0)),
        )
        for d in doc.get("line_item_discounts", [])
        if d.get("line_item_id") == line.get("id") and int(d.get("discount_amount", 0))
    ]
    if sum(amount for _, amount in parts) != total:
        return [("discount", total)]
    return parts


def document_lines(
    ctx: TransformContext,
    doc: Mapping[str, Any],
    label: str,
    *,
    override_item: str | None = None,
) -> list[dict[str, Any]]:
    """The ``item.items`` of an invoice or credit memo; they sum exactly to the Chargebee total.

    ``override_item`` posts every product line on one item (a credit note reason rule).
    """
    currency = str(doc["currency_code"])
    settings = ctx.settings
    lines: list[dict[str, Any]] = []
    tax_total = 0
    for source in doc.get("line_items", []):
        if override_item is None:
            target: ItemTarget | None = item_target(ctx, _price_ref(ctx, source), label)
            item = target.item if target else ""
        else:
            target, item = None, override_item
        discount = int(source.get("discount_amount", 0))
        line_tax = int(source.get("tax_amount", 0))
        tax_total += line_tax
        # Tax-inclusive prices carry their tax inside the line amount: the line posts net of
        # it, and the tax posts once, on the tax line, so revenue is not overstated.
        inclusive_tax = line_tax if doc.get("price_type") == "tax_inclusive" else 0
        amount = int(source.get("amount", 0)) - inclusive_tax
        quantity = _quantity(source)
        line: dict[str, Any] = {
            "item": {"id": item},
            "description": _description(str(source.get("description", ""))),
            "quantity": quantity,
        }
        if settings.discounts == "net":
            line["amount"] = to_money(amount - discount, currency)
        else:
            line["amount"] = to_money(amount, currency)
            unit = source.get("unit_amount")
            if isinstance(unit, int) and unit * quantity == amount:
                line["rate"] = to_money(unit, currency)
        if settings.line_service_dates and source.get("date_from") is not None:
            line["revRecStartDate"] = local_date(int(source["date_from"]), ctx).isoformat()
            line["revRecEndDate"] = local_date(
                int(source.get("date_to", source["date_from"])), ctx
            ).isoformat()
        line.update(_dimensions(target))
        lines.append(line)
        if discount and settings.discounts == "separate":
            discount_item = special_item(
                ctx, "discount_item", ctx.mapping.discount_item, "a discount", label
            )
            for name, part in _discount_parts(doc, source, discount):
                lines.append(
                    {
                        "item": {"id": discount_item},
                        "description": _description(f"Discount {name}: {line['description']}"),
                        "amount": -to_money(part, currency),
                        **_dimensions(target),
                    }
                )
    lines.extend(_tax_lines(ctx, doc, tax_total, label))
    # A credit note's round_off_amount may be negative: it posts as a negative line.
    parts = [("a round-off", "Rounding (Chargebee round_off_amount)", "round_off_amount")]
    total = to_money(int(doc.get("total", 0)), currency)
    posted = sum((line["amount"] for line in lines), ZERO)
    fraction = to_money(int(doc.get("fractional_correction") or 0), currency)
    if fraction and posted + to_money(int(doc.get("round_off_amount") or 0), currency) != total:
        # Beside the prorated lines, not already in them (Chargebee leaves which one open).
        parts.append(
            (
                "a fractional correction",
                "Fractional correction (Chargebee fractional_correction)",
                "fractional_correction",
            )
        )
    for what, description, field in parts:
        amount = int(doc.get(field) or 0)
        if amount:
            rounding = special_item(ctx, "rounding_item", ctx.mapping.rounding_item, what, label)
            line = {"item": {"id": rounding}, "description": description}
            lines.append({**line, "amount": to_money(amount, currency)})
    posted = sum((line["amount"] for line in lines), ZERO)
    # Store credits the lines took before tax: a total net of them still posts the lines in
    # full, and the store credit memo, applied to the invoice, makes up the difference.
    credits = to_money(store_credits(doc), currency)
    if posted != total and not (credits and posted == total + credits):
        raise Quarantined(
            f"{label}: its lines, discounts, taxes and round-off (and any fractional correction "
            f"or store credit taken before tax) add up to {posted} {currency} but its total is "
            f"{total} {currency}. Check the document in Chargebee; nothing was posted.",
            "LINES_DO_NOT_SUM",
        )
    for number, line in enumerate(lines, 1):
        # Part of the payload hash only: the loader strips line numbers before sending, since
        # NetSuite assigns its own and replaces the whole sublist (load/sublists.py).
        line["line"] = number
    return lines


def store_credits(doc: Mapping[str, Any]) -> int:
    """Σ ``line_item_credits[].applied_amount``: store credit the lines took before tax."""
    return sum(int(entry.get("applied_amount") or 0) for entry in doc.get("line_item_credits", []))


def _tax_lines(
    ctx: TransformContext, doc: Mapping[str, Any], tax_total: int, label: str
) -> list[dict[str, Any]]:
    if not tax_total:
        return []
    currency = str(doc["currency_code"])
    tax = ctx.mapping.tax
    if tax is None or tax.item is None:
        hint = (
            f"tax maps to account {tax.account} only, and NetSuite invoice lines post through "
            "items. Set tax.item to a tax item whose account is that one"
            if tax is not None
            else "the mapping has no tax section. Add tax.item"
        )
        raise Quarantined(f"{label} charges tax, but {hint}.", "UNMAPPED_TAX")
    item = special_item(ctx, "tax.item", tax.item, "tax", label)
    groups: dict[str, int] = {}
    for entry in doc.get("line_item_taxes", []):
        rate = Decimal(str(entry.get("tax_rate", 0))).normalize()
        name = f"{entry.get('tax_name', 'Tax')} @ {rate:f}%"
        groups[name] = groups.get(name, 0) + int(entry.get("tax_amount", 0))
    if sum(groups.values()) != tax_total:
        groups = {"Tax": tax_total}
    return [
        {
            "item": {"id": item},
            "description": _description(name),
            "amount": to_money(amount, currency),
        }
        for name, amount in groups.items()
        if amount
    ]
