"""Sublist updates merge, ``replace=`` replaces, line numbers are never reused; apply lists."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import make_customer, make_invoice


def _invoice(api: httpx.Client, inv: str) -> dict[str, Any]:
    body: dict[str, Any] = api.get(f"/record/v1/invoice/{inv}?expandSubResources=true").json()
    return body


def _lines(api: httpx.Client, inv: str) -> list[tuple[int, str, Any]]:
    items = _invoice(api, inv)["item"]["items"]
    return [(x["line"], x["item"]["id"], x["amount"]) for x in items]


def _items(*lines: tuple[str, int]) -> dict[str, Any]:
    return {"item": {"items": [{"item": {"id": i}, "amount": a} for i, a in lines]}}


def test_upsert_with_fewer_lines_merges_unless_it_replaces_and_numbers_are_not_reused(
    api: httpx.Client,
) -> None:
    cid = make_customer(api)
    base = {"entity": {"id": cid}, "tranDate": "2024-03-15"}
    inv = make_invoice(api, cid, **_items(("1", 10), ("2", 20), ("4", 30)))
    assert _lines(api, inv) == [(1, "1", 10), (2, "2", 20), (3, "4", 30)]
    # An upsert without replace merges: lines without a key are added, the others stay.
    api.put("/record/v1/invoice/eid:inv-1", json={**base, **_items(("1", 10), ("2", 20))})
    assert _invoice(api, inv)["total"] == 90
    # With replace the unmatched lines go; new lines get numbers never used before.
    replaced = api.put(
        "/record/v1/invoice/eid:inv-1?replace=item", json={**base, **_items(("1", 10), ("2", 20))}
    )
    assert replaced.status_code == 204
    assert _lines(api, inv) == [(6, "1", 10), (7, "2", 20)]
    assert _invoice(api, inv)["total"] == 30
    # A line key updates that line (not 1..N: line 2 is gone, so it is a new line 8).
    lines = [{"line": 7, "amount": 25}, {"line": 2, "item": {"id": "4"}, "amount": 5}]
    patched = api.patch(f"/record/v1/invoice/{inv}", json={"item": {"items": lines}})
    assert patched.status_code == 204, patched.text
    assert [(n, a) for n, _, a in _lines(api, inv)] == [(6, 10), (7, 25), (8, 5)]


def test_replace_keeps_matched_keyed_lines_and_their_fields(api: httpx.Client) -> None:
    cid = make_customer(api)
    inv = make_invoice(api, cid, **_items(("1", 10), ("2", 20)))
    first = {"line": 1, "description": "kept"}
    api.patch(f"/record/v1/invoice/{inv}?replace=item", json={"item": {"items": [first]}})
    [line] = _invoice(api, inv)["item"]["items"]
    assert (line["line"], line["item"]["id"], line["amount"]) == (1, "1", 10)
    assert line["description"] == "kept"


def _pay(api: httpx.Client, cid: str, applies: list[str], query: str = "") -> int:
    body = {
        "customer": {"id": cid},
        "payment": 100,
        "tranDate": "2024-03-20",
        "apply": {"items": [{"doc": {"id": d}, "apply": True, "amount": 40} for d in applies]},
    }
    return api.put(f"/record/v1/customerPayment/eid:pay-1{query}", json=body).status_code


def test_a_payment_lists_open_invoices_and_replace_unapplies_the_unnamed(
    api: httpx.Client,
) -> None:
    cid = make_customer(api)
    first, second = (make_invoice(api, cid, eid=e, amount="50.00") for e in ("a", "b"))
    assert _pay(api, cid, [first]) == 204
    read = api.get("/record/v1/customerPayment/eid:pay-1?expandSubResources=true").json()
    listed = {x["doc"]["id"]: x["apply"] for x in read["apply"]["items"]}
    assert listed == {first: True, second: False}
    # Without replace, naming the second invoice adds an application (the first stays).
    assert _pay(api, cid, [second]) == 204
    assert [_invoice(api, i)["amountRemaining"] for i in (first, second)] == [10, 10]
    # With replace=apply, the first invoice is no longer applied.
    assert _pay(api, cid, [second], "?replace=apply") == 204
    assert [_invoice(api, i)["amountRemaining"] for i in (first, second)] == [50, 10]
