"""Concurrency governance, latency and fault injection, including commit-then-drop."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import Sandbox, SandboxFactory, assert_ns_error, new_id

CONCURRENCY_BODY = {
    "title": "Bad Request",
    "status": 429,
    "o:errorCode": "USER_ERROR",
    "o:errorDetails": [
        {
            "detail": "Concurrent request limit exceeded. Request blocked.",
            "o:errorCode": "CONCURRENCY_LIMIT_EXCEEDED",
        }
    ],
}


def _parallel(ns: Sandbox, token: str, n: int) -> list[httpx.Response]:
    barrier = threading.Barrier(n)

    def one(_: int) -> httpx.Response:
        with httpx.Client(
            base_url=ns.rest, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            barrier.wait()
            return client.get("/system/v1/governanceLimits")

    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(one, range(n)))


def test_governance_limits_report_the_account_limit(api: httpx.Client) -> None:
    body = api.get("/system/v1/governanceLimits").json()
    assert body["accountConcurrencyLimit"] == 5
    assert body["integrationLimitType"] == "accountLimit"


def test_requests_over_the_limit_get_429(ns: Sandbox) -> None:
    token = ns.mint()
    ns.admin("PUT", "/latency", {"ms": 600})
    responses = _parallel(ns, token, 8)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 5 + [429] * 3
    blocked = next(r for r in responses if r.status_code == 429).json()
    assert {k: v for k, v in blocked.items() if k != "type"} == CONCURRENCY_BODY
    # Slots come back: a later request goes through.
    ns.admin("PUT", "/latency", {"ms": 0})
    assert ns.client(token).get("/system/v1/governanceLimits").status_code == 200
    assert ns.admin("GET", "/state")["governance"]["peak"] == 5


def test_limit_is_configurable(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(concurrency_limit=2, latency_ms=600)
    token = ns.mint()
    assert sorted(r.status_code for r in _parallel(ns, token, 4)) == [200, 200, 429, 429]
    ns.admin("PUT", "/concurrency", {"limit": 3})
    limits = ns.client(token).get("/system/v1/governanceLimits").json()
    assert limits["accountConcurrencyLimit"] == 3


def test_latency_is_added_to_each_request(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(latency_ms=250)
    api = ns.client()
    started = time.monotonic()
    api.get("/system/v1/governanceLimits")
    assert time.monotonic() - started >= 0.25


def test_injected_500_then_recovery(ns: Sandbox, api: httpx.Client) -> None:
    ns.admin("POST", "/faults", {"kind": "error"})
    detail = assert_ns_error(api.get("/record/v1/customer"), 500, "UNEXPECTED_ERROR")
    assert detail["detail"].startswith("An unexpected error occurred. Error ID: ")
    assert api.get("/record/v1/customer").status_code == 200


def test_fail_every_nth_request(sandbox_factory: SandboxFactory) -> None:
    api = sandbox_factory(fail_nth=3).client()
    statuses = [api.get("/record/v1/customer").status_code for _ in range(6)]
    assert statuses == [200, 200, 500, 200, 200, 500]


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        ("workflow_lock", "locked by a user defined workflow"),
        ("permission", "does not have permission"),
    ],
)
def test_injected_user_errors(ns: Sandbox, api: httpx.Client, kind: str, text: str) -> None:
    ns.admin("POST", "/faults", {"kind": kind, "method": "PUT"})
    assert api.get("/record/v1/customer").status_code == 200  # not a PUT: unaffected
    body = {"companyName": "Locked", "subsidiary": {"id": "1"}}
    detail = assert_ns_error(api.put("/record/v1/customer/eid:l1", json=body), 400, "USER_ERROR")
    assert text in detail["detail"]
    assert_ns_error(api.get("/record/v1/customer/eid:l1"), 404, "NONEXISTENT_ID")


def test_timeout_the_write_still_lands(ns: Sandbox, api: httpx.Client) -> None:
    ns.admin("POST", "/faults", {"kind": "timeout", "seconds": 1.0})
    body = {"companyName": "Slow", "subsidiary": {"id": "1"}}
    with pytest.raises(httpx.TimeoutException):
        api.put("/record/v1/customer/eid:slow", json=body, timeout=0.3)
    deadline = time.monotonic() + 5
    while api.get("/record/v1/customer/eid:slow").status_code == 404:
        assert time.monotonic() < deadline, "the delayed write never landed"
        time.sleep(0.1)


def _count(api: httpx.Client, company: str) -> int:
    literal = "'" + company.replace("'", "''") + "'"
    q = {"q": f"SELECT COUNT(*) AS n FROM customer WHERE companyname = {literal}"}
    response = api.post("/query/v1/suiteql", json=q, headers={"Prefer": "transient"})
    return int(response.json()["items"][0]["n"])


def test_commit_then_drop_upsert_retry_ends_with_one_record(ns: Sandbox, api: httpx.Client) -> None:
    ns.admin("POST", "/faults", {"kind": "drop"})
    body = {"companyName": "Dropped Co", "subsidiary": {"id": "1"}}
    with pytest.raises(httpx.TransportError):
        api.put("/record/v1/customer/eid:drop-1", json=body)
    assert _count(api, "Dropped Co") == 1  # the write was committed before the drop
    retry = api.put("/record/v1/customer/eid:drop-1", json=body)
    assert retry.status_code == 204
    assert _count(api, "Dropped Co") == 1
    assert ns.admin("GET", "/state")["faults"]["dropped"] == 1


def test_commit_then_drop_naive_post_retry_creates_a_duplicate(
    ns: Sandbox, api: httpx.Client
) -> None:
    ns.admin("POST", "/faults", {"kind": "drop", "method": "POST"})
    body = {"companyName": "Naive Co", "subsidiary": {"id": "1"}}
    with pytest.raises(httpx.TransportError):
        api.post("/record/v1/customer", json=body)
    new_id(api.post("/record/v1/customer", json=body))
    assert _count(api, "Naive Co") == 2
    # With an externalId in the body, the blind retry is at least refused.
    ns.admin("POST", "/faults", {"kind": "drop", "method": "POST"})
    keyed = {**body, "companyName": "Keyed Co", "externalId": "keyed-1"}
    with pytest.raises(httpx.TransportError):
        api.post("/record/v1/customer", json=keyed)
    assert_ns_error(api.post("/record/v1/customer", json=keyed), 400, "USER_ERROR")
    assert _count(api, "Keyed Co") == 1


def test_drop_every_nth_write(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(drop_nth=2)
    api = ns.client()
    body = {"subsidiary": {"id": "1"}}
    assert (
        api.put("/record/v1/customer/eid:n1", json={**body, "companyName": "N1"}).status_code == 204
    )
    with pytest.raises(httpx.TransportError):
        api.put("/record/v1/customer/eid:n2", json={**body, "companyName": "N2"})
    assert api.get("/record/v1/customer/eid:n2").status_code == 200  # reads are never dropped
    assert api.get("/record/v1/customer/eid:n2").status_code == 200
    assert (
        api.put("/record/v1/customer/eid:n3", json={**body, "companyName": "N3"}).status_code == 204
    )
    # The 4th write fails validation: nothing was committed, so it is answered, not dropped.
    bad = api.put("/record/v1/customer/eid:n4", json={"subsidiary": {"id": "1"}})
    assert_ns_error(bad, 400, "USER_ERROR")


def test_per_integration_limit_is_allocated_from_the_account_limit(ns: Sandbox) -> None:
    token = ns.mint()
    refused = httpx.put(f"{ns.base}/__admin/concurrency", json={"integration_limit": 5})
    assert refused.status_code == 400  # one slot must stay unallocated
    ns.admin("PUT", "/concurrency", {"integration_limit": 2})
    limits = ns.client(token).get("/system/v1/governanceLimits").json()
    assert limits == {
        "accountConcurrencyLimit": 5,
        "accountUnallocatedConcurrencyLimit": 3,
        "integrationConcurrencyLimit": 2,
        "integrationLimitType": "integrationSpecific",
    }
    ns.admin("PUT", "/latency", {"ms": 600})
    assert sorted(r.status_code for r in _parallel(ns, token, 4)) == [200, 200, 429, 429]
