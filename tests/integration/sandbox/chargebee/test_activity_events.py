"""Admin operations change data like Chargebee does and emit the right events."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Sandbox, Schemas, schema_errors


@pytest.fixture
def site(start_sandbox: Any) -> Sandbox:
    sandbox: Sandbox = start_sandbox(scale=3, random_seed=5)
    return sandbox


def _events(sandbox: Sandbox, ids: list[str]) -> list[dict[str, Any]]:
    return [sandbox.api.get(f"/events/{eid}").json()["event"] for eid in ids]


def _new_invoice(site: Sandbox) -> dict[str, Any]:
    customer = site.admin.post(
        "/customers",
        json={
            "first_name": "Ada",
            "last_name": "Byron",
            "email": "ada@example.com",
            "company": "Engines Ltd",
            "currency_code": "GBP",
        },
    ).json()
    assert [e["event_type"] for e in _events(site, customer["events"])] == ["customer_created"]
    created = site.admin.post(
        "/invoices",
        json={
            "customer_id": customer["customer"]["id"],
            "currency_code": "GBP",
            "lines": [
                {"item_price_id": "platform-growth-GBP-monthly"},
                {"description": "Consulting", "unit_amount": 12345, "quantity": 2},
            ],
            "tax": {"name": "VAT", "rate": 20},
        },
    ).json()
    (event,) = _events(site, created["events"])
    assert event["event_type"] == "invoice_generated"
    assert event["content"]["invoice"]["id"] == created["invoice"]["id"]
    invoice: dict[str, Any] = created["invoice"]
    return invoice


def test_payment_refund_and_credit_note_events(site: Sandbox, schemas: Schemas) -> None:
    invoice = _new_invoice(site)
    price = site.api.get("/item_prices/platform-growth-GBP-monthly").json()["item_price"]
    assert price["price"] == 118421  # GBP 1184.21 in pence
    net = 118421 + 2 * 12345
    assert invoice["sub_total"] == net
    assert invoice["tax"] == 28622  # 20% of 143111 = 28622.2, rounded half-up
    assert invoice["total"] == net + 28622
    failed = site.admin.post(f"/invoices/{invoice['id']}/payments", json={"succeeded": False})
    types = [e["event_type"] for e in _events(site, failed.json()["events"])]
    assert types == ["payment_failed", "invoice_updated"]
    paid = site.admin.post(f"/invoices/{invoice['id']}/payments", json={}).json()
    succeeded, updated = _events(site, paid["events"])
    assert succeeded["event_type"] == "payment_succeeded"
    assert set(succeeded["content"]) >= {"transaction", "invoice", "customer"}
    assert updated["content"]["invoice"]["status"] == "paid"
    assert updated["content"]["invoice"]["amount_due"] == 0
    txn_id = paid["transaction"]["id"]
    refund = site.admin.post(f"/transactions/{txn_id}/refunds", json={"amount": 5000}).json()
    events = _events(site, refund["events"])
    assert [e["event_type"] for e in events] == [
        "credit_note_created",
        "payment_refunded",
        "transaction_updated",
        "invoice_updated",
    ]
    refunded = events[1]["content"]
    assert set(refunded) >= {"transaction", "invoice", "credit_note", "customer"}
    assert refunded["credit_note"]["amount_refunded"] == 5000
    assert refunded["credit_note"]["status"] == "refunded"
    for event in events:
        assert schema_errors(schemas("Event"), event) == []
    original = site.api.get(f"/transactions/{txn_id}").json()["transaction"]
    assert original["linked_refunds"][0]["txn_amount"] == 5000


def test_version_bumps_and_dunning_only_changes_keep_updated_at(site: Sandbox) -> None:
    invoice = _new_invoice(site)
    first = site.api.get(f"/invoices/{invoice['id']}").json()["invoice"]
    site.admin.post(f"/invoices/{invoice['id']}", json={"next_retry_at": first["date"] + 86400})
    second = site.api.get(f"/invoices/{invoice['id']}").json()["invoice"]
    assert second["resource_version"] > first["resource_version"]
    assert second["updated_at"] == first["updated_at"]
    site.admin.post(f"/invoices/{invoice['id']}", json={"po_number": "PO-7"})
    third = site.api.get(f"/invoices/{invoice['id']}").json()["invoice"]
    assert third["resource_version"] > second["resource_version"]
    assert third["po_number"] == "PO-7"


def test_adjustment_void_and_delete(site: Sandbox) -> None:
    invoice = _new_invoice(site)
    adjust = site.admin.post(
        f"/invoices/{invoice['id']}/credit_notes", json={"type": "adjustment", "amount": 1000}
    ).json()
    assert adjust["credit_note"]["status"] == "adjusted"
    after = site.api.get(f"/invoices/{invoice['id']}").json()["invoice"]
    assert after["amount_adjusted"] == 1000
    assert after["amount_due"] == after["total"] - 1000
    # An invoice with credits cannot be voided, as on Chargebee.
    assert site.admin.post(f"/invoices/{invoice['id']}/void").status_code == 409
    other = _new_invoice(site)
    voided = site.admin.post(f"/invoices/{other['id']}/void").json()
    assert voided["invoice"]["status"] == "voided"
    deleted = site.admin.delete(f"/invoices/{other['id']}").json()
    (event,) = _events(site, deleted["events"])
    assert event["event_type"] == "invoice_deleted"
    assert event["content"]["invoice"]["deleted"] is True
    assert event["content"]["invoice"]["updated_at"] == event["occurred_at"]
    assert site.api.get(f"/invoices/{other['id']}").status_code == 404
    rows = site.list_all("invoices", include_deleted="true", **{"id[is]": other["id"]})
    assert rows[0]["invoice"]["deleted"] is True


def test_customer_change_and_write_off(site: Sandbox) -> None:
    customer = site.list_all("customers")[0]["customer"]
    changed = site.admin.post(f"/customers/{customer['id']}", json={"email": "new@example.com"})
    (event,) = _events(site, changed.json()["events"])
    assert event["event_type"] == "customer_changed"
    assert event["content"]["customer"]["email"] == "new@example.com"
    invoice = _new_invoice(site)
    written = site.admin.post(f"/invoices/{invoice['id']}/write_off").json()
    assert written["credit_note"]["reason_code"] == "write_off"
    after = site.api.get(f"/invoices/{invoice['id']}").json()["invoice"]
    assert after["status"] == "paid" and after["write_off_amount"] == after["total"]


def test_unknown_event_is_404(site: Sandbox) -> None:
    response = site.api.get("/events/ev_nope")
    assert response.status_code == 404
    assert response.json()["api_error_code"] == "resource_not_found"
