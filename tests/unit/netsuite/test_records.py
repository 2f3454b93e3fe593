"""Record API: upserts by external id, reads, deletes, internal ids from Location."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite import RecordNotFoundError
from chargebee_netsuite.netsuite.records import check_external_id, internal_id_from_location


def test_upsert_puts_to_the_external_id_and_reads_the_id_from_location(
    make_client: Any, fake_netsuite: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        location = "https://h/services/rest/record/v1/customer/647"
        return httpx.Response(204, headers={"Location": location})

    fake = fake_netsuite(handler)
    client = make_client(fake)
    internal_id = client.records.upsert("customer", "cb_site_cust_42", {"companyName": "Acme"})
    assert internal_id == "647"
    (request,) = fake.rest_requests
    assert request.method == "PUT"
    assert request.url.path == "/services/rest/record/v1/customer/eid:cb_site_cust_42"
    assert json.loads(request.content) == {"companyName": "Acme"}
    assert request.headers["X-NetSuite-PropertyNameValidation"] == "error"


def test_upsert_without_location_follows_up_with_a_get(
    make_client: Any, fake_netsuite: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(204)
        return httpx.Response(200, json={"id": "88", "links": []})

    fake = fake_netsuite(handler)
    assert make_client(fake).records.upsert("invoice", "inv-1", {}) == "88"
    get = fake.rest_requests[1]
    assert get.method == "GET"
    assert get.url.path.endswith("/record/v1/invoice/eid:inv-1")


@pytest.mark.parametrize("bad", ["RED|PO|1337", "a b", "", "x/y", "é"])
def test_unsafe_external_ids_are_refused_before_any_request(
    make_client: Any, fake_netsuite: Any, bad: str
) -> None:
    fake = fake_netsuite(lambda _r: httpx.Response(204))
    with pytest.raises(ValueError, match="letters, digits"):
        make_client(fake).records.upsert("customer", bad, {})
    assert fake.rest_requests == []
    assert check_external_id("cb-acme_inv_1") == "cb-acme_inv_1"


def test_get_by_id_or_external_id_and_not_found(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/999"):
            return error_response(404, "NONEXISTENT_ID", "Record does not exist.")
        return httpx.Response(200, json={"id": "5", "entityId": "Acme"})

    fake = fake_netsuite(handler)
    client = make_client(fake)
    assert client.records.get("customer", "5")["entityId"] == "Acme"
    client.records.get_by_external_id("customer", "c-1", expand_sub_resources=True)
    assert fake.rest_requests[1].url.params["expandSubResources"] == "true"
    with pytest.raises(RecordNotFoundError) as raised:
        client.records.get("customer", "999")
    assert raised.value.error_code == "NONEXISTENT_ID"
    assert raised.value.detail == "Record does not exist."
    with pytest.raises(ValueError):
        client.records.get("customer", "5; DROP")


def test_delete(make_client: Any, fake_netsuite: Any) -> None:
    fake = fake_netsuite(lambda _r: httpx.Response(204))
    make_client(fake).records.delete("customer", "eid:c-1")
    assert fake.rest_requests[0].method == "DELETE"
    assert fake.rest_requests[0].url.path.endswith("/record/v1/customer/eid:c-1")


def test_internal_id_from_location() -> None:
    assert internal_id_from_location("https://h/services/rest/record/v1/customer/647") == "647"
    assert internal_id_from_location("/record/v1/customer/eid:x") is None
    assert internal_id_from_location(None) is None
