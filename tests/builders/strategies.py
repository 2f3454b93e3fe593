"""Hypothesis strategies for Chargebee invoices and credit notes, and a transform context."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from chargebee_netsuite.mapping import parse_mapping
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.reference.model import AccountingPeriod, ReferenceData
from chargebee_netsuite.transform.model import TransformContext, TransformSettings

REPO = Path(__file__).resolve().parents[2]
JAN_15 = 1705320000  # 2024-01-15T12:00:00Z
# Every mapped currency of the context below (JPY, KRW, XOF and XAF are zero-decimal).
CURRENCIES = ("USD", "EUR", "GBP", "JPY", "KRW", "XOF", "XAF", "CHF", "BHD")
PRICES = ("platform-starter-USD-monthly", "extra-seats-USD-monthly", "onboarding-USD")


def _periods() -> list[AccountingPeriod]:
    found: list[AccountingPeriod] = []
    for year in (2023, 2024):
        for month in range(1, 13):
            start = date(year, month, 1)
            end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
            found.append(AccountingPeriod(str(len(found) + 1), start.strftime("%b %Y"), start, end))
    return found


def context(site: str = "acme-test", discounts: str = "separate") -> TransformContext:
    """The example mapping (plus more currencies) on 2023-2024 periods."""
    text = (REPO / "include/mapping.example.yaml").read_text()
    extra = "".join(f"  {code}: {n}\n" for n, code in enumerate(CURRENCIES[4:], 5))
    text = text.replace("  JPY: 4\n", "  JPY: 4\n" + extra)
    prices = {
        "platform-starter-USD-monthly": ItemPriceRef(
            "platform-starter-USD-monthly", "platform-starter", "cloud-platform", "plan"
        ),
        "extra-seats-USD-monthly": ItemPriceRef(
            "extra-seats-USD-monthly", "extra-seats", "cloud-platform", "addon"
        ),
        "onboarding-USD": ItemPriceRef("onboarding-USD", "onboarding", None, "charge"),
    }
    return TransformContext(
        site=site,
        mapping=parse_mapping(text),
        reference=ReferenceData.build([], _periods()),
        settings=TransformSettings("UTC", discounts=discounts),  # type: ignore[arg-type]
        item_prices=prices,
    )


@st.composite
def lines(draw: st.DrawFn, tax_inclusive: bool) -> list[dict[str, Any]]:
    """1-6 Chargebee line items with discounts and taxes that Chargebee could have billed."""
    found: list[dict[str, Any]] = []
    for number in range(draw(st.integers(1, 6))):
        quantity = draw(st.integers(1, 50))
        unit = draw(st.integers(-(10**6), 10**7))
        amount = unit * quantity
        discount = draw(st.integers(0, max(amount, 0)))
        tax = draw(st.integers(0, max(amount - discount, 0) // 4))
        found.append(
            {
                "id": f"li_{number}",
                "date_from": JAN_15,
                "date_to": JAN_15 + 30 * 86400 - 1,
                "unit_amount": unit,
                "quantity": quantity,
                "amount": amount,
                "discount_amount": discount,
                "tax_amount": tax,
                "is_taxed": bool(tax),
                "description": draw(st.text(max_size=300)),
                "entity_type": "plan_item_price",
                "entity_id": draw(st.sampled_from(PRICES)),
                "object": "line_item",
            }
        )
    return found


@st.composite
def invoices(draw: st.DrawFn) -> dict[str, Any]:
    """A finalised Chargebee invoice whose total is what Chargebee would compute."""
    inclusive = draw(st.booleans())
    items = draw(lines(inclusive))
    currency = draw(st.sampled_from(CURRENCIES))
    round_off = draw(st.integers(-99, 99)) if draw(st.booleans()) else 0
    taxes: list[dict[str, Any]] = []
    discounts: list[dict[str, Any]] = []
    for item in items:
        # Sometimes split over two tax authorities, sometimes the breakdown is missing.
        if item["tax_amount"] and draw(st.booleans()):
            half = draw(st.integers(0, item["tax_amount"]))
            taxes.append(
                {
                    "line_item_id": item["id"],
                    "tax_amount": half,
                    "tax_name": "GST",
                    "tax_rate": 5.0,
                }
            )
            taxes.append(
                {
                    "line_item_id": item["id"],
                    "tax_amount": item["tax_amount"] - half,
                    "tax_name": "PST",
                    "tax_rate": draw(st.sampled_from([7, 7.5, 9.975])),
                }
            )
        if item["discount_amount"] and draw(st.booleans()):
            cut = draw(st.integers(0, item["discount_amount"]))
            discounts.append(
                {"line_item_id": item["id"], "discount_amount": cut, "coupon_id": "A|B c/d"}
            )
            discounts.append(
                {
                    "line_item_id": item["id"],
                    "discount_amount": item["discount_amount"] - cut,
                    "entity_id": "loyalty'; DROP TABLE x;--",
                }
            )
    tax_part = 0 if inclusive else sum(i["tax_amount"] for i in items)
    total = sum(i["amount"] - i["discount_amount"] for i in items) + tax_part + round_off
    doc: dict[str, Any] = {
        "id": draw(st.text(min_size=1, max_size=40)),
        "customer_id": draw(st.text(min_size=1, max_size=40)),
        "status": draw(st.sampled_from(["paid", "posted", "payment_due", "not_paid"])),
        "price_type": "tax_inclusive" if inclusive else "tax_exclusive",
        "currency_code": currency,
        "date": JAN_15,
        "due_date": JAN_15 + 30 * 86400,
        "total": total,
        "amount_due": total,
        "line_items": items,
        "line_item_taxes": taxes,
        "line_item_discounts": discounts,
        "exchange_rate": draw(st.sampled_from([1.0, 0.0067, 1.2345678])),
        "object": "invoice",
    }
    if round_off:
        doc["round_off_amount"] = round_off
    return doc
