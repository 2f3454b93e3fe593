"""Transform inputs: a context on the example mapping, compact Chargebee documents."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from chargebee_netsuite.mapping import parse_mapping
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.reference.model import AccountingPeriod, ReferenceData
from chargebee_netsuite.transform.model import TransformContext, TransformSettings

REPO = Path(__file__).resolve().parents[2]
SITE = "acme-test"
JAN_15 = 1705320000  # 2024-01-15T12:00:00Z


def example_mapping(**replace: str) -> MappingConfig:
    """The example mapping, with text replacements."""
    text = (REPO / "include/mapping.example.yaml").read_text()
    for old, new in replace.items():
        text = text.replace(old, new)
    return parse_mapping(text)


def periods(closed: tuple[str, ...] = ()) -> list[AccountingPeriod]:
    """Monthly periods for 2023-2024; the named ones are closed."""
    found: list[AccountingPeriod] = []
    for year in (2023, 2024):
        for month in range(1, 13):
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            name = start.strftime("%b %Y")
            found.append(
                AccountingPeriod(str(len(found) + 1), name, start, end, closed=name in closed)
            )
    return found


def _price(price_id: str) -> ItemPriceRef:
    item, _currency, *_ = price_id.rsplit("-", 2)
    kind = "addon" if item == "extra-seats" else "plan"
    return ItemPriceRef(price_id, item, "cloud-platform", kind)


ITEM_PRICES = {
    p: _price(p)
    for p in (
        "platform-starter-USD-monthly",
        "platform-starter-JPY-monthly",
        "platform-enterprise-EUR-monthly",
        "extra-seats-USD-monthly",
    )
}


def context(
    mapping: MappingConfig | None = None,
    *,
    time_zone: str = "UTC",
    closed: tuple[str, ...] = (),
    **settings: Any,
) -> TransformContext:
    """A transform context on the example mapping and 2023-2024 periods."""
    return TransformContext(
        site=SITE,
        mapping=mapping or example_mapping(),
        reference=ReferenceData.build([], periods(closed)),
        settings=TransformSettings(time_zone, **settings),
        item_prices=ITEM_PRICES,
    )


def line(
    line_id: str,
    amount: int,
    *,
    price: str | None = "platform-starter-USD-monthly",
    entity_type: str = "plan_item_price",
    quantity: int = 1,
    discount: int = 0,
    tax: int = 0,
    date_from: int = JAN_15,
    date_to: int = JAN_15 + 30 * 86400 - 1,
) -> dict[str, Any]:
    """A Chargebee line item."""
    item: dict[str, Any] = {
        "id": line_id,
        "date_from": date_from,
        "date_to": date_to,
        "unit_amount": amount // quantity,
        "quantity": quantity,
        "amount": amount,
        "discount_amount": discount,
        "tax_amount": tax,
        "is_taxed": bool(tax),
        "description": f"Line {line_id}",
        "entity_type": entity_type,
        "object": "line_item",
    }
    if price is not None:
        item["entity_id"] = price
    return item


def invoice(
    lines: list[dict[str, Any]],
    *,
    invoice_id: str = "1001",
    currency: str = "USD",
    round_off: int = 0,
    taxes: list[dict[str, Any]] | None = None,
    discounts: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A Chargebee invoice whose total is what its lines say."""
    total = sum(li["amount"] - li["discount_amount"] + li["tax_amount"] for li in lines) + round_off
    doc: dict[str, Any] = {
        "id": invoice_id,
        "customer_id": "cust_1",
        "status": "posted",
        "currency_code": currency,
        "date": JAN_15,
        "due_date": JAN_15 + 30 * 86400,
        "total": total,
        "amount_due": total,
        "line_items": lines,
        "line_item_taxes": taxes or [],
        "line_item_discounts": discounts or [],
        "exchange_rate": 1.0,
        "object": "invoice",
    }
    if round_off:
        doc["round_off_amount"] = round_off
    doc.update(extra)
    return doc


def amounts(lines: list[dict[str, Any]]) -> list[Any]:
    """The amounts of payload lines, in order."""
    return [li["amount"] for li in lines]


def payment(**extra: Any) -> dict[str, Any]:
    """100.00 by card: 60.00 to invoice 1001, 25.00 to 1002, 15.00 unapplied."""
    doc = {
        "id": "txn_1",
        "customer_id": "cust_1",
        "type": "payment",
        "status": "success",
        "gateway": "stripe",
        "payment_method": "card",
        "id_at_gateway": "ch_123",
        "currency_code": "USD",
        "amount": 10000,
        "date": JAN_15,
        "linked_invoices": [
            {"invoice_id": "1001", "applied_amount": 6000},
            {"invoice_id": "1002", "applied_amount": 2500},
        ],
    }
    return {**doc, **extra}
