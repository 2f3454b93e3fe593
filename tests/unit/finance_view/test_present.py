"""Catch-alls read the same whether the view found them or the run's report listed them."""

from __future__ import annotations

from chargebee_netsuite.finance_view.present import present_catch_alls


def test_catch_alls_with_a_document_list_or_a_count() -> None:
    listed, counted = present_catch_alls(
        [
            {
                "item_price_id": "training-USD",
                "rule": "items.by_entity_type.charge",
                "currency": "USD",
                "amount": "1500.00",
                "documents": ["invoice 1"],
            },
            {
                "item_price_id": "api-JPY",
                "rule": "items.default",
                "currency": "JPY",
                "amount": "1500",
                "documents": 3,
            },
        ]
    )
    assert (listed["amount_text"], listed["rule_text"], listed["document_count"]) == (
        "$1,500.00",
        "the general rule for every charge",
        1,
    )
    assert (counted["amount_text"], counted["rule_text"], counted["documents"]) == (
        "¥1,500",
        "the mapping's default item",
        [],
    )
    assert counted["document_count"] == 3
