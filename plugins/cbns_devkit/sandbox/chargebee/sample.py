"""The small sample seed shipped in ``include/chargebee/seed.sample.json``, and how it is built.

A site the demo catalog knows nothing of: Northwind Analytics, an analytics subscription
(plan, per-seat add-on, one-off training) billed in USD and CAD, with card payments through
Adyen, an offline bank transfer, a refund and a service credit. Built with the sandbox's own
operations, so every document is exactly what Chargebee's API would return. Regenerate with
``python -m cbns_devkit.sandbox.chargebee.sample > include/chargebee/seed.sample.json``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from . import objects, operations
from .objects import LineSpec, TaxSpec
from .seed import SITE_KEY, dump_seed
from .site_store import Store

SITE = "northwind-test"
FAMILY = "insight-suite"
# (item id, name, type, unit, {currency: price in minor units}, billing period)
CATALOG = (
    ("insight-team", "Insight Team", "plan", None, {"USD": 90000, "CAD": 122000}, "month"),
    ("analyst-seat", "Analyst Seat", "addon", "seat", {"USD": 4500, "CAD": 6100}, "month"),
    ("training-workshop", "Training Workshop", "charge", None, {"USD": 150000}, None),
)
WA_TAX = TaxSpec("WA Sales Tax", Decimal("10.25"), "state", "Washington", "WA")
DAY = 86400


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.t = start.timestamp()

    def __call__(self) -> float:
        return self.t

    def at(self, day: int, hour: int = 9) -> int:
        """Move to 2026-11-<day> <hour>:00 UTC; returns the timestamp."""
        self.t = datetime(2026, 11, day, hour, tzinfo=UTC).timestamp()
        return int(self.t)


def _line(store: Store, price_id: str, quantity: int, when: int) -> LineSpec:
    price = store.get("item_price", price_id)
    assert price is not None
    recurring = price.get("period_unit") is not None
    entity_type = {"plan": "plan_item_price", "addon": "addon_item_price"}.get(
        price["item_type"], "charge_item_price"
    )
    return LineSpec(
        description=price["external_name"],
        unit_amount=price["price"],
        quantity=quantity,
        entity_type=entity_type,
        entity_id=price_id,
        pricing_model=price["pricing_model"],
        date_from=when,
        date_to=when + 30 * DAY - 1 if recurring else when,
    )


def _customer(store: Store, customer_id: str, company: str, person: tuple[str, str],
              currency: str, address: dict[str, str], when: int) -> None:  # fmt: skip
    record = objects.customer(
        customer_id=customer_id,
        created_at=when,
        first_name=person[0],
        last_name=person[1],
        email=f"{person[0].lower()}@{company.split()[0].lower()}.example",
        company=company,
        phone=None,
        currency_code=currency,
        billing_address=address,
        auto_collection="on" if currency == "USD" else "off",
        net_term_days=0 if currency == "USD" else 30,
    )
    operations.create_customer(store, record)


def sample_seed() -> dict[str, Any]:
    """The sample: 3 customers, 3 items, 5 item prices, 4 invoices, 2 credit notes, and the
    payments and refund that go with them (all dated November 2026)."""
    clock = _Clock(datetime(2026, 11, 1, 8, tzinfo=UTC))
    store = Store(SITE, clock=clock, salt="northwind-sample", keep_events=False)
    for item_id, name, item_type, unit, prices, period in CATALOG:
        item = objects.item(
            item_id=item_id, name=name, item_type=item_type, family=FAMILY,
            description=f"{name} (Northwind Insight)", unit=unit,
        )  # fmt: skip
        operations.create_catalog_record(store, "item", item, source="admin_console")
        for currency, amount in prices.items():
            price_id = f"{item_id}-{currency}" + ("-monthly" if period else "")
            price = objects.item_price(
                price_id=price_id, source=item, currency_code=currency, price=amount,
                created_at=int(clock()), period_unit=period,
            )  # fmt: skip
            operations.create_catalog_record(store, "item_price", price, source="admin_console")
    seattle = {"line1": "400 Pine St", "city": "Seattle", "state_code": "WA", "zip": "98101",
               "country": "US"}  # fmt: skip
    toronto = {"line1": "100 King St W", "city": "Toronto", "state_code": "ON",
               "zip": "M5X 1A9", "country": "CA"}  # fmt: skip
    _customer(store, "harbor-labs", "Harbor Labs Inc.", ("Maya", "Chen"), "USD", seattle,
              clock.at(2))  # fmt: skip
    _customer(store, "pine-logistics", "Pine Logistics LLC", ("Omar", "Reyes"), "USD",
              seattle, clock.at(2, 10))  # fmt: skip
    _customer(store, "maple-health", "Maple Health Ltd.", ("Claire", "Roy"), "CAD", toronto,
              clock.at(3))  # fmt: skip

    # Harbor Labs: the plan and 3 seats, paid by card through Adyen; then part refunded.
    when = clock.at(5)
    first = operations.generate_invoice(
        store, "harbor-labs", currency_code="USD", tax=WA_TAX,
        lines=[_line(store, "insight-team-USD-monthly", 1, when),
               _line(store, "analyst-seat-USD-monthly", 3, when)],
    )  # fmt: skip
    clock.at(5, 11)
    paid = operations.record_payment(store, first["id"], gateway="adyen")
    clock.at(20)
    operations.refund_payment(store, paid["id"], amount=4500 + 461, reason_code="order_change")

    # Pine Logistics: the plan and the training workshop, half paid by bank transfer, then a
    # service credit for the rest of the workshop.
    when = clock.at(9)
    second = operations.generate_invoice(
        store, "pine-logistics", currency_code="USD", tax=WA_TAX,
        lines=[_line(store, "insight-team-USD-monthly", 1, when),
               _line(store, "training-workshop-USD", 1, when)],
    )  # fmt: skip
    clock.at(16)
    operations.record_payment(
        store, second["id"], amount=second["total"] // 2, payment_method="bank_transfer"
    )
    clock.at(18)
    operations.issue_credit_note(
        store, second["id"], amount=20000, reason_code="service_unsatisfactory",
        create_reason_code="Service Credit",
    )  # fmt: skip

    # Maple Health: two seats on the plan in CAD, on 30-day terms, not yet paid; then a
    # second month's invoice paid by bank transfer.
    when = clock.at(12)
    operations.generate_invoice(
        store, "maple-health", currency_code="CAD", tax=None, net_term_days=30,
        lines=[_line(store, "insight-team-CAD-monthly", 1, when),
               _line(store, "analyst-seat-CAD-monthly", 2, when)],
    )  # fmt: skip
    when = clock.at(26)
    fourth = operations.generate_invoice(
        store, "maple-health", currency_code="CAD", tax=None, net_term_days=30,
        lines=[_line(store, "analyst-seat-CAD-monthly", 1, when)],
    )  # fmt: skip
    clock.at(27)
    operations.record_payment(store, fourth["id"], payment_method="bank_transfer")
    return {SITE_KEY: SITE, **dump_seed(store)}


if __name__ == "__main__":
    json.dump(sample_seed(), sys.stdout, indent=1, sort_keys=False)
    sys.stdout.write("\n")
