"""Request handling: one re-mint on 401, bounded backoff on 429/5xx/timeouts, no other retries."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite import (
    AuthenticationError,
    ConcurrencyLimitError,
    FatalAPIError,
    RequestError,
    RetriableAPIError,
    ServerError,
    TransportError,
)
from chargebee_netsuite.netsuite.client import concurrency_from_governance
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter

PATH = "/record/v1/customer/7"


def _sequence(*responses: Any) -> Any:
    """A REST handler answering with ``responses`` in order (an exception is raised)."""
    remaining = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        item = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(item, Exception):
            raise item
        return item

    return handler


def test_a_401_re_mints_once_and_retries(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    fake = fake_netsuite(
        _sequence(
            error_response(401, "INVALID_LOGIN", "Invalid login attempt."),
            httpx.Response(200, json={"id": "7"}),
        )
    )
    client = make_client(fake)
    assert client.request("GET", PATH).json() == {"id": "7"}
    assert len(fake.token_requests) == 2
    auth = [r.headers["Authorization"] for r in fake.rest_requests]
    assert auth == ["Bearer token-1", "Bearer token-2"]
    assert make_client.sleeps == []  # a re-mint is not a backoff


def test_a_second_401_is_an_authentication_failure(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    fake = fake_netsuite(_sequence(error_response(401, "INVALID_LOGIN", "Invalid login attempt.")))
    client = make_client(fake)
    with pytest.raises(AuthenticationError) as raised:
        client.request("GET", PATH)
    message = str(raised.value)
    for expected in ("1234567_SB1", "client-abc", "cert-xyz", "INVALID_LOGIN"):
        assert expected in message
    assert "token-" not in message
    assert len(fake.token_requests) == 2
    assert len(fake.rest_requests) == 2


def test_429_is_retried_with_growing_jittered_backoff(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    busy = error_response(
        429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded. Request blocked."
    )
    fake = fake_netsuite(_sequence(busy, busy, httpx.Response(200, json={})))
    client = make_client(fake, backoff_base=0.5, backoff_cap=30)
    client.request("GET", PATH)
    assert len(fake.rest_requests) == 3
    assert len(make_client.sleeps) == 2
    assert all(0.5 <= delay <= 30 for delay in make_client.sleeps)


def test_429_storm_gives_up_after_the_bounded_attempts(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    busy = error_response(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded.")
    fake = fake_netsuite(_sequence(busy))
    client = make_client(fake, max_attempts=4)
    with pytest.raises(ConcurrencyLimitError) as raised:
        client.request("GET", PATH)
    assert isinstance(raised.value, RetriableAPIError)
    assert raised.value.attempts == 4
    assert len(fake.rest_requests) == 4
    assert len(make_client.sleeps) == 3


def test_5xx_and_timeouts_are_retried(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    fake = fake_netsuite(
        _sequence(
            error_response(500, "UNEXPECTED_ERROR", "An unexpected error occurred. Error ID: x"),
            httpx.ReadTimeout("slow"),
            httpx.Response(200, json={"ok": True}),
        )
    )
    client = make_client(fake)
    assert client.request("GET", PATH).json() == {"ok": True}
    assert len(fake.rest_requests) == 3


def test_exhausted_5xx_and_timeouts_raise_retriable_errors(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    client = make_client(fake_netsuite(_sequence(error_response(503, "UNEXPECTED_ERROR", "down"))))
    with pytest.raises(ServerError):
        client.request("GET", PATH)
    client = make_client(fake_netsuite(_sequence(httpx.ConnectTimeout("no"))))
    with pytest.raises(TransportError):
        client.request("GET", PATH)


@pytest.mark.parametrize("status", [400, 403, 404, 405, 409])
def test_other_4xx_fail_at_once_with_netsuite_details_verbatim(
    make_client: Any, fake_netsuite: Any, error_response: Any, status: int
) -> None:
    detail = (
        "Error while accessing a resource. You have entered an Invalid Field Value 9999 "
        "for the following field: item"
    )
    fake = fake_netsuite(
        _sequence(
            error_response(
                status, "INVALID_CONTENT", detail, **{"o:errorPath": "item.items[0].item"}
            )
        )
    )
    client = make_client(fake)
    with pytest.raises(RequestError) as raised:
        client.request("PUT", PATH, json={})
    error = raised.value
    assert isinstance(error, FatalAPIError)
    assert (error.status, error.error_code, error.error_path) == (
        status,
        "INVALID_CONTENT",
        "item.items[0].item",
    )
    assert error.detail == detail
    assert detail in str(error)
    assert len(fake.rest_requests) == 1
    assert make_client.sleeps == []


def test_a_non_json_error_body_is_kept_as_text(make_client: Any, fake_netsuite: Any) -> None:
    fake = fake_netsuite(_sequence(httpx.Response(400, text="<html>bad gateway config</html>")))
    with pytest.raises(RequestError, match="bad gateway config"):
        make_client(fake).request("GET", PATH)


def test_in_flight_requests_never_exceed_the_limit(make_client: Any, fake_netsuite: Any) -> None:
    lock = threading.Lock()
    state = {"now": 0, "peak": 0}

    def slow(_request: httpx.Request) -> httpx.Response:
        with lock:
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
        time.sleep(0.02)
        with lock:
            state["now"] -= 1
        return httpx.Response(200, json={})

    client = make_client(fake_netsuite(slow), concurrency=3)
    threads = [threading.Thread(target=client.request, args=("GET", PATH)) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert state["peak"] == 3
    assert client.limiter.peak == 3


def test_concurrency_can_come_from_governance_limits(make_client: Any, fake_netsuite: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/system/v1/governanceLimits"):
            return httpx.Response(
                200,
                json={
                    "accountConcurrencyLimit": 15,
                    "accountUnallocatedConcurrencyLimit": 12,
                    "integrationLimitType": "accountLimit",
                },
            )
        return httpx.Response(200, json={})

    fake = fake_netsuite(handler)
    client = make_client(fake, concurrency="governance")
    client.request("GET", PATH)
    client.request("GET", PATH)
    assert client.limiter.limit == 12
    paths = [request.url.path for request in fake.rest_requests]
    assert paths.count("/services/rest/system/v1/governanceLimits") == 1
    assert concurrency_from_governance({"integrationConcurrencyLimit": 4}) == 4
    assert concurrency_from_governance({}) is None


def test_limiter_resize_lets_waiters_in() -> None:
    limiter = ConcurrencyLimiter(1)
    entered = threading.Event()

    def wait_for_slot() -> None:
        with limiter.slot():
            entered.set()

    with limiter.slot():
        waiter = threading.Thread(target=wait_for_slot)
        waiter.start()
        assert not entered.wait(0.05)
        limiter.resize(2)
        assert entered.wait(1)
        waiter.join(1)


def test_retries_and_failures_log_no_secrets(
    make_client: Any, fake_netsuite: Any, error_response: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fake = fake_netsuite(
        _sequence(
            error_response(401, "INVALID_LOGIN", "Invalid login attempt."),
            error_response(500, "UNEXPECTED_ERROR", "oops"),
            httpx.Response(200, json={}),
        )
    )
    client = make_client(fake)
    client.request("GET", PATH)
    text = caplog.text + repr(client) + repr(client.tokens)
    assert "token-1" not in text and "token-2" not in text
    assert fake.token_requests[0]["client_assertion"] not in text
    assert make_client.rsa_pem.splitlines()[1] not in text
    assert "retrying" in caplog.text


def test_governance_limits_refused_keeps_the_configured_default(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/system/v1/governanceLimits"):
            return error_response(403, "INSUFFICIENT_PERMISSION", "Permission denied.")
        return httpx.Response(200, json={})

    client = make_client(fake_netsuite(handler), concurrency="governance")
    client.request("GET", PATH)
    assert client.limiter.limit == 5


def test_a_retry_after_sent_with_a_429_is_honoured(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    busy = error_response(429, "CONCURRENCY_LIMIT_EXCEEDED", "Concurrent request limit exceeded.")
    busy.headers["Retry-After"] = "3"
    fake = fake_netsuite(_sequence(busy, httpx.Response(200, json={})))
    make_client(fake).request("GET", PATH)
    assert len(make_client.sleeps) == 1 and 3.0 <= make_client.sleeps[0] <= 3.1


def test_token_endpoint_5xx_is_retried_then_the_token_is_used(
    make_client: Any, fake_netsuite: Any
) -> None:
    fake = fake_netsuite(_sequence(httpx.Response(200, json={})))
    fake.token_status = 503
    client = make_client(fake, max_attempts=2)
    with pytest.raises(ServerError):
        client.request("GET", PATH)
    assert len(fake.token_requests) == 2 and fake.rest_requests == []
    fake.token_status = 200
    client.request("GET", PATH)
    assert fake.rest_requests[0].headers["Authorization"] == "Bearer token-3"
