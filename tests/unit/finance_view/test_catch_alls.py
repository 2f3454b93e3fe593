"""Item prices that post through a catch-all rule are named, with their amounts."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert

from chargebee_netsuite.finance_view.catch_alls import catch_alls
from chargebee_netsuite.mapping import parse_mapping
from chargebee_netsuite.staging.chargebee_tables import cb_invoices, cb_item_prices, cb_items
from chargebee_netsuite.staging.db import create_staging_engine, migrate

MAPPING = """
version: 1
ar_account: 6
subsidiaries: {default: 1}
currencies: {USD: 1, JPY: 4}
items:
  by_item: {pro: {item: 2, revenue_account: 10}}
  by_entity_type: {charge: {item: 6, revenue_account: 12}}
  default: {item: 5, revenue_account: 11}
"""
AT = datetime(2026, 1, 1, tzinfo=UTC)


def _invoice(number: str, currency: str, lines: list[tuple[str, int]], day: int) -> dict[str, Any]:
    return {
        "site": "acme",
        "id": number,
        "currency_code": currency,
        "date": int(datetime(2026, 10, day, tzinfo=UTC).timestamp()),
        "extracted_at": AT,
        "raw": {
            "line_items": [
                {"entity_type": "plan_item_price", "entity_id": price, "amount": amount}
                for price, amount in lines
            ]
        },
    }


def test_catch_alls_by_rule_currency_and_amount(sqlite_url: str) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(cb_items),
            [
                {"site": "acme", "id": i, "item_type": t, "raw": {}, "extracted_at": AT}
                for i, t in (("pro", "plan"), ("training", "charge"), ("api", "addon"))
            ],
        )
        conn.execute(
            insert(cb_item_prices),
            [
                {"site": "acme", "id": p, "item_id": i, "item_type": t, "raw": {},
                 "extracted_at": AT}
                for p, i, t in (("pro-USD", "pro", "plan"), ("training-USD", "training", "charge"),
                                ("api-JPY", "api", "addon"))
            ],
        )  # fmt: skip
        conn.execute(
            insert(cb_invoices),
            [
                _invoice("1", "USD", [("pro-USD", 10000), ("training-USD", 150000)], 3),
                _invoice("2", "USD", [("training-USD", 50)], 4),
                _invoice("3", "JPY", [("api-JPY", 1500)], 5),
                _invoice("4", "USD", [("training-USD", 99999)], 28),  # outside the window
            ],
        )
    window = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 20, tzinfo=UTC))
    with engine.connect() as conn:
        found = catch_alls(conn, "acme", parse_mapping(MAPPING), window)
    assert [(c["item_price_id"], c["rule"], c["currency"], c["amount"]) for c in found] == [
        ("api-JPY", "items.default", "JPY", "1500"),
        ("training-USD", "items.by_entity_type.charge", "USD", "1500.50"),
    ]
    assert found[1]["documents"] == ["invoice 1", "invoice 2"]
    assert found[1]["document_count"] == 2
    engine.dispose()
