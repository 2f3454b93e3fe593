"""AR semantics: totals, payments, credit memos, refunds, transforms, journals, periods."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import Sandbox, assert_ns_error, make_customer, make_invoice, new_id


def _invoice(api: httpx.Client, inv: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/record/v1/invoice/{inv}").json()
    return body


def _pay(
    api: httpx.Client, cid: str, amount: Any, applies: list[tuple[str, Any]], eid: str = "pay-1"
) -> httpx.Response:
    return api.put(
        f"/record/v1/customerPayment/eid:{eid}",
        json={
            "customer": {"id": cid},
            "payment": amount,
            "tranDate": "2024-03-20",
            "apply": {
                "items": [{"doc": {"id": d}, "apply": True, "amount": a} for d, a in applies]
            },
        },
    )


def test_invoice_total_is_the_exact_sum_of_lines(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = new_id(
        api.post(
            "/record/v1/invoice",
            # Raw JSON so the decimals reach the server exactly as written.
            content=(
                f'{{"entity":{{"id":"{cid}"}},"tranDate":"2024-03-15","item":{{"items":['
                '{"item":{"id":"1"},"amount":0.1},{"item":{"id":"4"},"amount":0.2},'
                '{"item":{"id":"8"},"amount":-0.05},'
                '{"item":{"id":"6"},"quantity":3,"rate":33.335}]}}'
            ).encode(),
            headers={"Content-Type": "application/json"},
        )
    )
    raw = api.get(f"/record/v1/invoice/{inv}").text
    # 0.1 + 0.2 - 0.05 + 100.01 (3 x 33.335 rounded half-up) == 100.26 exactly; no float noise.
    assert '"total":100.26' in raw
    assert '"amountRemaining":100.26' in raw
    body = _invoice(api, inv)
    assert body["status"] == {"id": "A", "refName": "Open"}


def test_payment_application_moves_remaining_and_status(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    assert new_id(_pay(api, cid, 40, [(inv, 40)]))
    body = _invoice(api, inv)
    assert (body["amountRemaining"], body["amountPaid"], body["status"]["id"]) == (60, 40, "A")
    assert new_id(_pay(api, cid, 60, [(inv, 60)], eid="pay-2"))
    body = _invoice(api, inv)
    assert body["amountRemaining"] == 0
    assert body["status"] == {"id": "B", "refName": "Paid In Full"}
    # Unapply through the eid: upsert (apply false) reopens the invoice.
    api.put(
        "/record/v1/customerPayment/eid:pay-2",
        json={"apply": {"items": [{"doc": {"id": inv}, "apply": False}]}},
    )
    body = _invoice(api, inv)
    assert body["amountRemaining"] == 60 and body["status"]["id"] == "A"
    payment = api.get("/record/v1/customerPayment/eid:pay-2").json()
    assert payment["unapplied"] == 60 and payment["applied"] == 0


def test_unapply_with_amount_zero(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid)
    pay = new_id(_pay(api, cid, 100, [(inv, 100)]))
    api.patch(
        f"/record/v1/customerPayment/{pay}",
        json={"apply": {"items": [{"doc": {"id": inv}, "amount": 0}]}},
    )
    assert _invoice(api, inv)["amountRemaining"] == 100


def test_over_application_is_rejected(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    # More than the payment.
    assert_ns_error(_pay(api, cid, 50, [(inv, 80)]), 400, "USER_ERROR")
    # More than the invoice has left, across two payments.
    new_id(_pay(api, cid, 70, [(inv, 70)]))
    detail = assert_ns_error(
        _pay(api, cid, 50, [(inv, 50)], eid="pay-2"), 400, "USER_ERROR", "apply.items[0].amount"
    )
    assert "Links sum to more than" in detail["detail"]
    assert _invoice(api, inv)["amountRemaining"] == 30  # nothing half-applied
    assert_ns_error(api.get("/record/v1/customerPayment/eid:pay-2"), 404, "NONEXISTENT_ID")


def test_invoice_cannot_shrink_below_what_was_applied(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    new_id(_pay(api, cid, 80, [(inv, 80)]))
    shrink = {"item": {"items": [{"item": {"id": "1"}, "amount": 50}]}}
    assert_ns_error(
        api.patch(f"/record/v1/invoice/{inv}?replace=item", json=shrink), 400, "USER_ERROR"
    )
    assert _invoice(api, inv)["total"] == 100


def test_applied_invoice_cannot_be_deleted(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid)
    pay = new_id(_pay(api, cid, 100, [(inv, 100)]))
    assert_ns_error(api.delete(f"/record/v1/invoice/{inv}"), 400, "USER_ERROR")
    assert api.delete(f"/record/v1/customerPayment/{pay}").status_code == 204
    assert _invoice(api, inv)["amountRemaining"] == 100
    assert api.delete(f"/record/v1/invoice/{inv}").status_code == 204


def test_apply_to_another_customers_invoice_is_rejected(api: httpx.Client) -> None:
    mine = make_customer(api, eid="me")
    theirs = make_customer(api, eid="them")
    inv = make_invoice(api, theirs)
    assert_ns_error(_pay(api, mine, 10, [(inv, 10)]), 400, "USER_ERROR", "apply.items[0].doc")
    assert_ns_error(
        _pay(api, mine, 10, [("424242", 10)]), 400, "INVALID_CONTENT", "apply.items[0].doc"
    )


def test_credit_memo_applies_and_refund_consumes_credit(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    cm = new_id(
        api.put(
            "/record/v1/creditMemo/eid:cm-1",
            json={
                "entity": {"id": cid},
                "tranDate": "2024-03-18",
                "item": {"items": [{"item": {"id": "1"}, "amount": 30}]},
                "apply": {"items": [{"doc": {"id": inv}, "apply": True, "amount": 25}]},
            },
        )
    )
    assert _invoice(api, inv)["amountRemaining"] == 75
    memo = api.get(f"/record/v1/creditMemo/{cm}").json()
    assert (memo["total"], memo["applied"], memo["unapplied"]) == (30, 25, 5)
    assert memo["status"]["id"] == "A"
    refund = new_id(
        api.put(
            "/record/v1/customerRefund/eid:rf-1",
            json={
                "customer": {"id": cid},
                "tranDate": "2024-03-19",
                "account": {"id": "1"},
                "apply": {"items": [{"doc": {"id": cm}, "apply": True, "amount": 5}]},
            },
        )
    )
    assert api.get(f"/record/v1/customerRefund/{refund}").json()["total"] == 5
    memo = api.get(f"/record/v1/creditMemo/{cm}").json()
    assert memo["unapplied"] == 0 and memo["status"] == {"id": "B", "refName": "Fully Applied"}
    over = api.put(
        "/record/v1/customerRefund/eid:rf-2",
        json={
            "customer": {"id": cid},
            "tranDate": "2024-03-19",
            "apply": {"items": [{"doc": {"id": cm}, "apply": True, "amount": 1}]},
        },
    )
    assert_ns_error(over, 400, "USER_ERROR")
    # A refund cannot apply to an invoice.
    to_invoice = api.put(
        "/record/v1/customerRefund/eid:rf-3",
        json={"customer": {"id": cid}, "apply": {"items": [{"doc": {"id": inv}, "amount": 1}]}},
    )
    assert_ns_error(to_invoice, 400, "INVALID_CONTENT", "apply.items[0].doc")


def test_transforms_create_payment_and_credit_memo_from_an_invoice(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="90.00")
    cm = new_id(
        api.post(
            f"/record/v1/invoice/{inv}/!transform/creditMemo",
            json={
                "tranDate": "2024-03-16",
                "item": {"items": [{"item": {"id": "1"}, "amount": 10}]},
            },
        )
    )
    assert api.get(f"/record/v1/creditMemo/{cm}").json()["applied"] == 10
    assert _invoice(api, inv)["amountRemaining"] == 80
    pay = new_id(
        api.post(
            f"/record/v1/invoice/{inv}/!transform/customerPayment", json={"tranDate": "2024-03-17"}
        )
    )
    payment = api.get(f"/record/v1/customerPayment/{pay}?expandSubResources=true").json()
    assert payment["payment"] == 80 and payment["customer"]["id"] == cid
    assert payment["apply"]["items"][0]["doc"]["id"] == inv
    assert _invoice(api, inv)["status"]["id"] == "B"


def test_auto_apply_pays_oldest_invoices_first(api: httpx.Client) -> None:
    cid = make_customer(api)
    old = make_invoice(api, cid, eid="old", amount="50", tranDate="2024-03-01")
    new = make_invoice(api, cid, eid="new", amount="50", tranDate="2024-03-10")
    new_id(
        api.post(
            "/record/v1/customerPayment",
            json={
                "customer": {"id": cid},
                "payment": 70,
                "autoApply": True,
                "tranDate": "2024-03-20",
            },
        )
    )
    assert _invoice(api, old)["amountRemaining"] == 0
    assert _invoice(api, new)["amountRemaining"] == 30


def test_journal_entries_must_balance(api: httpx.Client) -> None:
    balanced = {
        "subsidiary": {"id": "1"},
        "tranDate": "2024-03-31",
        "line": {
            "items": [
                {"account": {"id": "16"}, "debit": 187},
                {"account": {"id": "6"}, "credit": 187},
            ]
        },
    }
    je = new_id(api.post("/record/v1/journalEntry", json=balanced))
    assert api.get(f"/record/v1/journalEntry/{je}").json()["total"] == 187
    unbalanced = {
        **balanced,
        "line": {
            "items": [
                {"account": {"id": "16"}, "debit": 187},
                {"account": {"id": "6"}, "credit": 180},
            ]
        },
    }
    assert_ns_error(api.post("/record/v1/journalEntry", json=unbalanced), 400, "USER_ERROR", "line")
    assert_ns_error(
        api.post(
            "/record/v1/journalEntry", json={"tranDate": "2024-03-31", "line": balanced["line"]}
        ),
        400,
        "USER_ERROR",
        "subsidiary",
    )


def test_customer_without_subsidiary_cannot_transact(api: httpx.Client) -> None:
    cid = new_id(api.post("/record/v1/customer", json={"companyName": "No Sub"}))
    detail = assert_ns_error(
        api.post(
            "/record/v1/invoice",
            json={
                "entity": {"id": cid},
                "tranDate": "2024-03-15",
                "item": {"items": [{"item": {"id": "1"}, "amount": 1}]},
            },
        ),
        400,
        "USER_ERROR",
        "entity",
    )
    assert "subsidiary" in detail["detail"]


def test_transaction_subsidiary_must_match_the_customer(api: httpx.Client) -> None:
    cid = make_customer(api)
    assert_ns_error(
        api.post(
            "/record/v1/invoice",
            json={
                "entity": {"id": cid},
                "subsidiary": {"id": "2"},
                "tranDate": "2024-03-15",
                "item": {"items": [{"item": {"id": "1"}, "amount": 1}]},
            },
        ),
        400,
        "USER_ERROR",
        "subsidiary",
    )
    # Once it has transactions, the customer's subsidiary is fixed.
    make_invoice(api, cid)
    assert_ns_error(
        api.patch(f"/record/v1/customer/{cid}", json={"subsidiary": {"id": "2"}}),
        400,
        "USER_ERROR",
        "subsidiary",
    )


def test_currency_must_be_known_and_one_of_the_customers(api: httpx.Client) -> None:
    cid = make_customer(api)
    line = {"item": {"items": [{"item": {"id": "1"}, "amount": 1000}]}}
    assert_ns_error(
        api.post(
            "/record/v1/invoice",
            json={
                "entity": {"id": cid},
                "currency": {"id": "99"},
                "tranDate": "2024-03-15",
                **line,
            },
        ),
        400,
        "INVALID_CONTENT",
        "currency",
    )
    assert_ns_error(
        api.post(
            "/record/v1/invoice",
            json={"entity": {"id": cid}, "currency": {"id": "4"}, "tranDate": "2024-03-15", **line},
        ),
        400,
        "USER_ERROR",
        "currency",
    )
    api.patch(
        f"/record/v1/customer/{cid}", json={"currencyList": {"items": [{"currency": {"id": "4"}}]}}
    )
    inv = new_id(
        api.post(
            "/record/v1/invoice",
            json={
                "entity": {"id": cid},
                "currency": {"id": "4"},
                "tranDate": "2024-03-15",
                "item": {"items": [{"item": {"id": "1"}, "amount": 1000.6}]},
            },
        )
    )
    body = _invoice(api, inv)
    assert body["currency"]["refName"] == "Japanese Yen"
    assert body["total"] == 1001  # JPY has no minor unit
    assert str(body["exchangeRate"]) == "0.0067"  # defaulted from the rate table


def test_closed_and_ar_locked_periods_reject_postings(api: httpx.Client) -> None:
    cid = make_customer(api)
    line = {"item": {"items": [{"item": {"id": "1"}, "amount": 10}]}}
    closed = {"entity": {"id": cid}, "tranDate": "2015-06-10", **line}
    detail = assert_ns_error(api.post("/record/v1/invoice", json=closed), 400, "USER_ERROR")
    assert "Jun 2015 is closed" in detail["detail"]
    locked = {"entity": {"id": cid}, "tranDate": "2016-01-10", **line}
    detail = assert_ns_error(api.post("/record/v1/invoice", json=locked), 400, "USER_ERROR")
    assert "locked" in detail["detail"]
    explicit = {
        "entity": {"id": cid},
        "tranDate": "2024-03-10",
        "postingPeriod": {"id": "1"},
        **line,
    }
    assert_ns_error(
        api.post("/record/v1/invoice", json=explicit), 400, "USER_ERROR", "postingPeriod"
    )
    inv = new_id(api.post("/record/v1/invoice", json={**locked, "tranDate": "2016-02-10"}))
    assert _invoice(api, inv)["postingPeriod"]["refName"] == "Feb 2016"


def test_admin_can_close_a_period(ns: Sandbox, api: httpx.Client) -> None:
    cid = make_customer(api)
    ns.admin("PATCH", "/accountingperiod/111", {"closed": True})  # Mar 2024
    response = api.post(
        "/record/v1/invoice",
        json={
            "entity": {"id": cid},
            "tranDate": "2024-03-10",
            "item": {"items": [{"item": {"id": "1"}, "amount": 10}]},
        },
    )
    assert_ns_error(response, 400, "USER_ERROR")


def test_closing_a_period_applies_to_the_next_write(ns: Sandbox, api: httpx.Client) -> None:
    cid = make_customer(api)
    body = {
        "entity": {"id": cid},
        "tranDate": "2024-03-10",
        "item": {"items": [{"item": {"id": "1"}, "amount": 10}]},
    }
    assert api.put("/record/v1/invoice/eid:before-close", json=body).status_code == 204
    ns.admin("PATCH", "/accountingperiod/111", {"closed": True})  # Mar 2024
    closed = api.put("/record/v1/invoice/eid:after-close", json=body)
    assert "closed" in assert_ns_error(closed, 400, "USER_ERROR")["detail"]
    ns.admin("PATCH", "/accountingperiod/111", {"closed": False})
    assert api.put("/record/v1/invoice/eid:after-close", json=body).status_code == 204


def test_period_preferences(ns: Sandbox, api: httpx.Client) -> None:
    cid = make_customer(api)
    line = {"item": {"items": [{"item": {"id": "1"}, "amount": 10}]}}
    mismatch = {
        "entity": {"id": cid},
        "tranDate": "2024-03-10",
        "postingPeriod": {"id": "112"},
        **line,
    }
    assert_ns_error(api.post("/record/v1/invoice", json=mismatch), 400, "USER_ERROR", "tranDate")
    ns.admin("PUT", "/preferences", {"DATEPERIODMISMATCH": "warn"})
    warned = api.post("/record/v1/invoice", json=mismatch)
    assert warned.status_code == 204 and "not within" in warned.headers["x-netsuite-warning"]
    ns.admin("PUT", "/preferences", {"DEFAULTPERIODIFCLOSED": "first_open"})
    moved = new_id(
        api.post(
            "/record/v1/invoice", json={"entity": {"id": cid}, "tranDate": "2015-06-10", **line}
        )
    )
    assert _invoice(api, moved)["postingPeriod"]["refName"] == "Feb 2016"


def test_apply_lines_read_back_can_be_sent_again(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid)
    pay = new_id(_pay(api, cid, 100, [(inv, 100)]))
    read = api.get(f"/record/v1/customerPayment/{pay}?expandSubResources=true").json()
    line = read["apply"]["items"][0]
    assert (line["refNum"], line["total"], line["due"]) == ("INV" + inv, 100, 0)
    strict = {"X-NetSuite-PropertyNameValidation": "error"}
    again = api.patch(
        f"/record/v1/customerPayment/{pay}", json={"apply": read["apply"]}, headers=strict
    )
    assert again.status_code == 204, again.text
    assert _invoice(api, inv)["amountRemaining"] == 0
