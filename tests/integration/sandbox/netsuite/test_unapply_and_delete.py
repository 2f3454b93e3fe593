"""Unapplying a payment on an upsert, refunding it, and deleting refunds (not in closed periods)."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Sandbox, assert_ns_error, make_customer, make_invoice, new_id


def _remaining(api: httpx.Client, record: str, record_id: str) -> Any:
    return api.get(f"/record/v1/{record}/{record_id}").json().get("amountRemaining")


def _upsert_payment(api: httpx.Client, cid: str, lines: list[dict[str, Any]]) -> httpx.Response:
    body = {
        "customer": {"id": cid},
        "payment": 100,
        "tranDate": "2024-03-20",
        "apply": {"items": lines},
    }
    return api.put("/record/v1/customerPayment/eid:pay-cb", json=body)


def test_an_upsert_unapplies_only_with_apply_false_and_a_refund_takes_the_cash(
    api: httpx.Client,
) -> None:
    cid = make_customer(api)
    first = make_invoice(api, cid, amount="60.00")
    second = make_invoice(api, cid, eid="inv-2", amount="40.00")
    apply_all = [
        {"doc": {"id": first}, "apply": True, "amount": 60},
        {"doc": {"id": second}, "apply": True, "amount": 40},
    ]
    pay = new_id(_upsert_payment(api, cid, apply_all))
    # Omitting a line on an upsert leaves it applied (sublists merge by doc) ...
    _upsert_payment(api, cid, [{"doc": {"id": first}, "apply": True, "amount": 60}])
    assert _remaining(api, "invoice", second) == 0
    # ... apply: false unapplies it, a lower amount shrinks it.
    reduced = [
        {"doc": {"id": first}, "apply": True, "amount": 45},
        {"doc": {"id": second}, "apply": False},
    ]
    assert _upsert_payment(api, cid, reduced).status_code == 204
    assert (_remaining(api, "invoice", first), _remaining(api, "invoice", second)) == (15, 40)
    refund = {
        "customer": {"id": cid},
        "tranDate": "2024-03-25",
        "apply": {"items": [{"doc": {"id": pay}, "apply": True, "amount": 55}]},
    }
    assert api.put("/record/v1/customerRefund/eid:cb-1", json=refund).status_code == 204
    # The payment is used up again: applied 45, refunded 55.
    over = {**refund, "apply": {"items": [{"doc": {"id": pay}, "apply": True, "amount": 1}]}}
    assert_ns_error(api.put("/record/v1/customerRefund/eid:cb-2", json=over), 400, "USER_ERROR")


def test_a_refund_deletes_by_external_id_but_not_in_a_closed_period(
    ns: Sandbox, api: httpx.Client
) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    pay = new_id(_upsert_payment(api, cid, [{"doc": {"id": inv}, "apply": True, "amount": 60}]))
    for eid, day in (("open-refund", "2024-04-10"), ("closed-refund", "2024-03-25")):
        refund = {
            "customer": {"id": cid},
            "tranDate": day,
            "apply": {"items": [{"doc": {"id": pay}, "apply": True, "amount": 10}]},
        }
        assert api.put(f"/record/v1/customerRefund/eid:{eid}", json=refund).status_code == 204
    ns.admin("PATCH", "/accountingperiod/111", {"closed": True})  # Mar 2024
    assert api.delete("/record/v1/customerRefund/eid:open-refund").status_code == 204
    assert_ns_error(api.delete("/record/v1/customerRefund/eid:open-refund"), 404, "NONEXISTENT_ID")
    detail = assert_ns_error(
        api.delete("/record/v1/customerRefund/eid:closed-refund"), 400, "USER_ERROR"
    )
    assert "You cannot delete this transaction" in detail["detail"]
    assert "Mar 2024 is closed" in detail["detail"]
    assert api.get("/record/v1/customerRefund/eid:closed-refund").status_code == 200
