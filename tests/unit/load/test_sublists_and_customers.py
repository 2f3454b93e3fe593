"""What an upsert replaces and sends, and a customer's primary currency kept as NetSuite has it."""

from __future__ import annotations

from chargebee_netsuite.load.customers import keep_primary_currency, posted_inactive
from chargebee_netsuite.load.sublists import for_replace, replaced_sublists
from chargebee_netsuite.staging.ledger_queries import LedgerEntry


def test_owned_sublists_are_replaced_and_item_lines_lose_their_numbers() -> None:
    body = {
        "memo": "m",
        "item": {"items": [{"line": 1, "item": {"id": "6"}, "amount": 10}]},
    }
    assert replaced_sublists("invoice") == ("item",)
    assert for_replace("invoice", body) == {
        "memo": "m",
        "item": {"items": [{"item": {"id": "6"}, "amount": 10}]},
    }
    assert body["item"]["items"][0]["line"] == 1  # the caller's body is left alone


def test_an_owned_apply_sublist_left_out_is_sent_empty() -> None:
    assert for_replace("customerPayment", {"payment": 5})["apply"] == {"items": []}
    applied = {"apply": {"items": [{"doc": {"id": "7"}, "apply": False}]}}
    assert for_replace("creditMemo", applied)["apply"] == applied["apply"]


def test_a_customer_replaces_nothing() -> None:
    body = {"currencyList": {"items": [{"currency": {"id": "1"}}]}}
    assert replaced_sublists("customer") == ()
    assert for_replace("customer", body) == body


def test_a_new_primary_currency_joins_the_list_and_the_posted_one_stays() -> None:
    posted = {"currency": {"id": "1"}}
    body = {"currency": {"id": "3"}, "currencyList": {"items": [{"currency": {"id": "3"}}]}}
    kept = keep_primary_currency(posted, body)
    assert kept["currency"] == {"id": "1"}
    assert kept["currencyList"]["items"] == [{"currency": {"id": "1"}}, {"currency": {"id": "3"}}]
    assert keep_primary_currency(None, body) is body
    assert keep_primary_currency({"currency": {"id": "3"}}, body) is body


def test_a_customer_is_inactive_in_netsuite_when_its_posted_payload_says_so() -> None:
    entry = LedgerEntry("customer", "c1", "main", "posted", netsuite_id="101")
    assert not posted_inactive(entry)
    entry.posted_payload = {"isInactive": True}
    assert posted_inactive(entry)
    entry.netsuite_id = None
    assert not posted_inactive(entry)
