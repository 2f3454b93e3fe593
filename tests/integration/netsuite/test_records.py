"""Record API against the sandbox: upsert by external id, read, delete."""

from __future__ import annotations

from typing import Any

import pytest

from chargebee_netsuite.netsuite import RecordNotFoundError, RequestError
from chargebee_netsuite.netsuite.suiteql_literals import build


def test_upsert_is_idempotent_and_returns_the_internal_id(sandbox: Any) -> None:
    client, _ = sandbox.client()
    body = {
        "companyName": "Acme Analytics Inc.",
        "subsidiary": {"id": "1"},
        "currency": {"id": "1"},
    }
    first = client.records.upsert("customer", "cb_acme_customer_42", body)
    second = client.records.upsert(
        "customer", "cb_acme_customer_42", {**body, "email": "ap@acme.example"}
    )
    assert first == second and first.isdigit()
    by_eid = client.records.get_by_external_id("customer", "cb_acme_customer_42")
    by_id = client.records.get("customer", first)
    assert by_eid["id"] == by_id["id"] == first
    assert by_id["email"] == "ap@acme.example"
    rows = list(
        client.suiteql.query(
            build("SELECT id FROM customer WHERE externalid = ?", "cb_acme_customer_42")
        )
    )
    assert rows == [{"id": first}]


def test_delete_then_not_found(sandbox: Any) -> None:
    client, _ = sandbox.client()
    client.records.upsert("customer", "cb_gone", {"companyName": "Gone", "subsidiary": {"id": "1"}})
    client.records.delete("customer", "eid:cb_gone")
    with pytest.raises(RecordNotFoundError) as raised:
        client.records.get("customer", "eid:cb_gone")
    assert raised.value.error_code == "NONEXISTENT_ID"


def test_unknown_fields_are_rejected_not_ignored(sandbox: Any) -> None:
    client, transport = sandbox.client()
    with pytest.raises(RequestError) as raised:
        client.records.upsert(
            "customer", "cb_typo", {"companyNam": "Typo", "subsidiary": {"id": "1"}}
        )
    assert raised.value.status == 400
    assert transport.count("/customer/eid:cb_typo") == 1
