"""Customers: auto-numbered or unique Customer IDs, a frozen primary currency, inactivity."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import SandboxFactory, assert_ns_error, make_customer, make_invoice, new_id


def _customer(api: httpx.Client, cid: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/record/v1/customer/{cid}?expandSubResources=true").json()
    return body


def test_auto_numbering_numbers_customers_of_one_name_and_keeps_an_override(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(customer_auto_numbering=True).client()
    first = make_customer(api, eid="a", companyName="Acme")
    second = make_customer(api, eid="b", companyName="Acme", entityId="ignored")
    numbers = [_customer(api, cid)["entityId"] for cid in (first, second)]
    assert numbers[0] != numbers[1] and all(n.isdigit() for n in numbers)
    own = make_customer(api, eid="c", companyName="Acme", entityId="CB-c", autoName=False)
    assert _customer(api, own)["entityId"] == "CB-c"
    # An update keeps the number it was given.
    api.put("/record/v1/customer/eid:a", json={"email": "ap@acme.example"})
    assert _customer(api, first)["entityId"] == numbers[0]


def test_without_auto_numbering_a_second_customer_of_one_name_is_refused(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(customer_auto_numbering=False).client()
    make_customer(api, eid="a", companyName="Acme")
    twin = {"companyName": "Acme", "subsidiary": {"id": "1"}, "currency": {"id": "1"}}
    detail = assert_ns_error(
        api.put("/record/v1/customer/eid:b", json=twin), 400, "USER_ERROR", "entityId"
    )
    assert "This entity already exists." in detail["detail"]
    cid = new_id(api.put("/record/v1/customer/eid:b", json={**twin, "entityId": "cust-b"}))
    assert _customer(api, cid)["entityId"] == "cust-b"


def test_primary_currency_is_frozen_once_the_customer_has_transactions(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(customer_currency_change="frozen").client()
    cid = make_customer(api)
    euro = {"currency": {"id": "3"}}
    assert api.patch(f"/record/v1/customer/{cid}", json=euro).status_code == 204
    make_invoice(api, cid, currency={"id": "3"})
    moved = api.patch(f"/record/v1/customer/{cid}", json={"currency": {"id": "1"}})
    assert "primary currency" in assert_ns_error(moved, 400, "USER_ERROR", "currency")["detail"]
    # A new currency goes into the currency list, and transactions in it are accepted.
    added = {"currencyList": {"items": [{"currency": {"id": "1"}}]}}
    assert api.patch(f"/record/v1/customer/{cid}", json=added).status_code == 204
    make_invoice(api, cid, eid="inv-usd", currency={"id": "1"})
    assert _customer(api, cid)["currency"]["id"] == "3"


def test_a_changeable_primary_currency_moves_even_with_transactions(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(customer_currency_change="changeable").client()
    cid = make_customer(api)
    make_invoice(api, cid)
    moved = api.patch(f"/record/v1/customer/{cid}", json={"currency": {"id": "3"}})
    assert moved.status_code == 204


def test_an_inactive_customer_takes_no_transactions_until_reactivated(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory().client()
    cid = make_customer(api)
    inv = make_invoice(api, cid)
    api.patch(f"/record/v1/customer/{cid}", json={"isInactive": True})
    refused = api.put(
        "/record/v1/invoice/eid:inv-2",
        json={
            "entity": {"id": cid},
            "tranDate": "2024-03-15",
            "item": {"items": [{"item": {"id": "1"}, "amount": 10}]},
        },
    )
    assert cid in assert_ns_error(refused, 400, "INVALID_CONTENT", "entity")["detail"]
    edited = api.patch(f"/record/v1/invoice/{inv}", json={"memo": "still open"})
    assert_ns_error(edited, 400, "INVALID_CONTENT", "entity")
    api.patch(f"/record/v1/customer/{cid}", json={"isInactive": False})
    assert api.patch(f"/record/v1/invoice/{inv}", json={"memo": "again"}).status_code == 204
