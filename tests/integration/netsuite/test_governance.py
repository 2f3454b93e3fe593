"""Governance against the sandbox: 429 storms, 5xx, timeouts, and 4xx that are never retried."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from chargebee_netsuite.netsuite import ConcurrencyLimitError, RequestError
from chargebee_netsuite.netsuite.suiteql_literals import build

QUERY = build("SELECT id FROM currency ORDER BY id")


def _run_threads(n: int, target: Any) -> list[BaseException]:
    errors: list[BaseException] = []

    def wrapped() -> None:
        try:
            target()
        except BaseException as exc:  # surfaced to the test
            errors.append(exc)

    threads = [threading.Thread(target=wrapped) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


def test_the_shared_limiter_keeps_requests_under_the_account_limit(start_sandbox: Any) -> None:
    sandbox = start_sandbox(concurrency_limit=5, latency_ms=30)
    client, transport = sandbox.client(concurrency=5)
    errors = _run_threads(20, lambda: client.suiteql.page(QUERY))
    assert errors == []
    assert transport.count("/suiteql", 429) == 0
    state = sandbox.admin("GET", "/state")["governance"]
    assert state["peak"] == 5 and state["rejected"] == 0
    assert client.limiter.peak == 5


def test_a_429_storm_is_recovered_within_bounded_attempts(start_sandbox: Any) -> None:
    # A client configured above the account's real limit provokes a storm of 429s.
    sandbox = start_sandbox(concurrency_limit=2, latency_ms=50)
    client, transport = sandbox.client(concurrency=10, max_attempts=10)
    started = time.monotonic()
    errors = _run_threads(10, lambda: client.suiteql.page(QUERY))
    elapsed = time.monotonic() - started
    assert errors == []
    rejected = transport.count("/suiteql", 429)
    assert rejected > 0
    assert transport.count("/suiteql", 200) == 10
    # Every request finished within its own bound of 10 attempts.
    assert rejected + 10 <= 10 * 10
    print(f"429 storm: 10 requests, {rejected} rejections, {elapsed:.2f}s")


def test_a_429_storm_longer_than_the_bound_fails_as_retriable(sandbox: Any) -> None:
    client, transport = sandbox.client(max_attempts=4)
    client.suiteql.page(QUERY)  # mint first, so the faults hit the query
    sandbox.admin(
        "POST", "/faults", {"kind": "concurrency", "count": 10, "path_contains": "suiteql"}
    )
    with pytest.raises(ConcurrencyLimitError) as raised:
        client.suiteql.page(QUERY)
    assert raised.value.attempts == 4
    assert raised.value.error_code == "CONCURRENCY_LIMIT_EXCEEDED"
    assert transport.count("/suiteql", 429) == 4


def test_5xx_is_retried_until_it_succeeds(sandbox: Any) -> None:
    client, transport = sandbox.client()
    client.suiteql.page(QUERY)
    sandbox.admin("POST", "/faults", {"kind": "error", "count": 2, "path_contains": "suiteql"})
    assert client.suiteql.page(QUERY)["count"] == 6
    assert transport.count("/suiteql", 500) == 2
    assert transport.count("/suiteql", 200) == 2


def test_a_timeout_is_retried(sandbox: Any) -> None:
    client, transport = sandbox.client(timeout=0.5)
    client.suiteql.page(QUERY)
    sandbox.admin(
        "POST", "/faults", {"kind": "timeout", "seconds": 2, "count": 1, "path_contains": "suiteql"}
    )
    assert client.suiteql.page(QUERY)["count"] == 6
    assert transport.count("/suiteql", 0) == 1  # the timed-out attempt


def test_400_is_surfaced_verbatim_and_not_retried(sandbox: Any) -> None:
    client, transport = sandbox.client()
    customer = client.records.upsert(
        "customer", "cb_demo_cust_1", {"companyName": "Acme", "subsidiary": {"id": "1"}}
    )
    body = {"entity": {"id": customer}, "item": {"items": [{"item": {"id": "9999"}, "amount": 10}]}}
    with pytest.raises(RequestError) as raised:
        client.records.upsert("invoice", "cb_demo_inv_1", body)
    error = raised.value
    assert error.status == 400
    assert error.error_code == "INVALID_CONTENT"
    assert error.error_path == "item.items[0].item"
    assert error.detail == (
        "Error while accessing a resource. You have entered an Invalid Field Value 9999 for the "
        "following field: item"
    )
    assert transport.count("/invoice/eid:cb_demo_inv_1") == 1


def test_a_user_error_is_not_retried(sandbox: Any) -> None:
    client, transport = sandbox.client()
    client.suiteql.page(QUERY)
    sandbox.admin("POST", "/faults", {"kind": "permission", "count": 1, "method": "PUT"})
    with pytest.raises(RequestError) as raised:
        client.records.upsert(
            "customer", "cb_demo_cust_2", {"companyName": "B", "subsidiary": {"id": "1"}}
        )
    assert raised.value.error_code == "USER_ERROR"
    assert "does not have permission" in (raised.value.detail or "")
    assert transport.count("/customer/eid:cb_demo_cust_2") == 1


def test_concurrency_read_from_governance_limits(start_sandbox: Any) -> None:
    sandbox = start_sandbox(concurrency_limit=3)
    client, transport = sandbox.client(concurrency="governance")
    client.suiteql.page(QUERY)
    assert client.limiter.limit == 3
    assert transport.count("/governanceLimits") == 1
