"""SuiteTax on invoice lines, and what a customer payment does with undepFunds and autoApply."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx

from .conftest import SandboxFactory, assert_ns_error, make_customer, make_invoice, new_id

STRICT = {"X-NetSuite-PropertyNameValidation": "error"}


def _invoice(api: httpx.Client, invoice_id: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/record/v1/invoice/{invoice_id}").json()
    return body


def test_the_tax_engine_taxes_lines_unless_exempt_or_overridden(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(tax_engine=True).client()
    customer = make_customer(api)
    taxed = make_invoice(api, customer, "inv-taxed")
    assert Decimal(str(_invoice(api, taxed)["total"])) == Decimal("110.00")  # item's 10 %
    exempt = make_invoice(
        api,
        customer,
        "inv-exempt",
        item={"items": [{"item": {"id": "1"}, "amount": 100.0, "taxCode": {"id": "102"}}]},
    )
    assert Decimal(str(_invoice(api, exempt)["total"])) == Decimal("100.00")
    overridden = make_invoice(api, customer, "inv-override", taxDetailsOverride=True)
    assert Decimal(str(_invoice(api, overridden)["total"])) == Decimal("100.00")
    not_a_code = {"items": [{"item": {"id": "1"}, "amount": 1.0, "taxCode": {"id": "9"}}]}
    response = api.put(
        "/record/v1/invoice/eid:inv-bad",
        json={"entity": {"id": customer}, "tranDate": "2024-03-15", "item": not_a_code},
    )
    assert_ns_error(response, 400, "INVALID_CONTENT", "item.items[0].taxCode")


def test_without_suitetax_tax_fields_are_unknown(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(tax_engine=False)
    api = ns.client()
    customer = make_customer(api)
    body = {
        "entity": {"id": customer},
        "tranDate": "2024-03-15",
        "item": {"items": [{"item": {"id": "1"}, "amount": 100.0, "taxCode": {"id": "102"}}]},
    }
    strict = api.put("/record/v1/invoice/eid:inv-strict", json=body, headers=STRICT)
    assert_ns_error(strict, 400, "INVALID_CONTENT", "item.items[0].taxCode")
    lenient = api.put("/record/v1/invoice/eid:inv-lenient", json=body)
    assert Decimal(str(_invoice(api, new_id(lenient))["total"])) == Decimal("100.00")
    assert ns.admin("GET", "/state")  # the sandbox still answers


def _payment(api: httpx.Client, customer: str, eid: str, **fields: Any) -> httpx.Response:
    body = {"customer": {"id": customer}, "payment": 150.0, "tranDate": "2024-03-20", **fields}
    return api.put(f"/record/v1/customerPayment/eid:{eid}", json=body)


def test_undep_funds_is_an_id_and_decides_the_account(sandbox_factory: SandboxFactory) -> None:
    api = sandbox_factory(default_undep_funds=True, default_auto_apply=False).client()
    customer = make_customer(api)
    as_bool = _payment(api, customer, "p-bool", undepFunds=False, account={"id": "3"})
    assert_ns_error(as_bool, 400, "INVALID_CONTENT", "undepFunds")
    no_account = _payment(api, customer, "p-none", undepFunds={"id": "F"})
    assert_ns_error(no_account, 400, "USER_ERROR", "account")
    explicit = new_id(_payment(api, customer, "p-f", undepFunds={"id": "F"}, account={"id": "3"}))
    defaulted = new_id(_payment(api, customer, "p-default", account={"id": "3"}))
    got = {p: api.get(f"/record/v1/customerPayment/{p}").json() for p in (explicit, defaulted)}
    assert got[explicit]["account"]["id"] == "3"
    # The account's default (Undep. Funds) wins over the account the request named.
    assert got[defaulted]["account"]["id"] == "2"
    assert got[defaulted]["undepFunds"] == {"id": "T"}


def test_auto_apply_puts_what_is_left_on_the_oldest_open_invoices(
    sandbox_factory: SandboxFactory,
) -> None:
    api = sandbox_factory(default_auto_apply=True).client()
    remaining: dict[str, Decimal] = {}
    for eid, auto in (("default", {}), ("off", {"autoApply": False})):
        customer = make_customer(api, f"cust-{eid}")
        first = make_invoice(api, customer, f"inv-a-{eid}", tranDate="2024-03-01")
        second = make_invoice(api, customer, f"inv-b-{eid}", tranDate="2024-03-02")
        lines = {"items": [{"doc": {"id": second}, "apply": True, "amount": 100.0}]}
        new_id(_payment(api, customer, f"p-{eid}", apply=lines, **auto))
        remaining[eid] = Decimal(str(_invoice(api, first)["amountRemaining"]))
    # Omitted, Auto Apply (the account's default here) spends the unapplied 50.00.
    assert remaining == {"default": Decimal("50.00"), "off": Decimal("100.00")}
