"""The Chargebee client against a mock transport: auth header, errors, retries, pagination."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable

import httpx
import pytest

from chargebee_netsuite.chargebee import (
    AuthenticationError,
    AuthorizationError,
    ChargebeeClient,
    ChargebeeSettings,
    FatalAPIError,
    NotFoundError,
    RetriesExhaustedError,
)

KEY = "test_sEcReTkEy123"

Handler = Callable[[httpx.Request], httpx.Response]


def error(status: int, code: str, message: str, **headers: str) -> httpx.Response:
    body = {"message": message, "api_error_code": code, "http_status_code": status}
    return httpx.Response(status, json=body, headers=headers)


def make_client(
    handler: Handler, sleeps: list[float] | None = None, **settings: object
) -> ChargebeeClient:
    """A client whose clock is the time it has slept (no test waits for real)."""
    config = ChargebeeSettings(site="acme", api_key=KEY, environment="test", **settings)  # type: ignore[arg-type]
    slept = sleeps if sleeps is not None else []
    return ChargebeeClient(
        config,
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        clock=lambda: sum(slept),
    )


def test_basic_auth_header_is_the_key_with_an_empty_password() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"list": []})

    make_client(handler).get("/customers")
    expected = "Basic " + base64.b64encode(b"test_sEcReTkEy123:").decode()
    assert seen[0].headers["Authorization"] == expected
    assert base64.b64decode(expected.split()[1]).endswith(b":")  # nothing after the colon
    assert str(seen[0].url) == "https://acme-test.chargebee.com/api/v2/customers"
    assert seen[0].method == "GET"


def test_401_names_site_environment_and_region_but_never_the_key(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(
        lambda r: error(401, "api_authentication_failed", "Sorry, authentication failed."),
        region="eu",
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(AuthenticationError) as caught:
        client.get("/invoices")
    message = str(caught.value)
    assert "site 'acme'" in message and "test environment" in message
    assert "region 'eu'" in message and "acme-test.chargebee.com" in message
    assert "must belong to that site, environment and region" in message
    assert "an EU or AU key fails against the US host" in message
    assert caught.value.status == 401
    assert caught.value.api_error_code == "api_authentication_failed"
    for text in (message, repr(caught.value), caplog.text, repr(client), repr(client.settings)):
        assert KEY not in text


def test_403_is_fatal_and_says_the_key_lacks_permission() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return error(403, "api_authorization_failed", "Sorry, authorization failed.")

    with pytest.raises(AuthorizationError, match="lacks permission for GET /transactions"):
        make_client(handler).get("/transactions")
    assert len(calls) == 1


@pytest.mark.parametrize("status", [400, 404, 405, 409, 422])
def test_other_4xx_are_never_retried(status: int) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return error(status, "param_wrong_value", "nope")

    with pytest.raises(FatalAPIError) as caught:
        make_client(handler).get("/invoices")
    assert len(calls) == 1
    assert caught.value.status == status
    if status == 404:
        assert isinstance(caught.value, NotFoundError)


def test_429_honours_retry_after() -> None:
    responses = iter(
        [
            error(429, "api_request_limit_exceeded", "blocked", **{"Retry-After": "7"}),
            httpx.Response(200, json={"customer": {"id": "c1"}}),
        ]
    )
    sleeps: list[float] = []
    client = make_client(lambda r: next(responses), sleeps)
    assert client.get("/customers/c1") == {"customer": {"id": "c1"}}
    assert len(sleeps) == 1 and 7.0 <= sleeps[0] <= 7.1
    assert client.rate_limited == 1


def test_429_without_retry_after_waits_out_the_window_until_the_budget_is_spent() -> None:
    attempts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        attempts.append(request)
        return error(429, "api_request_limit_exceeded", "blocked")

    sleeps: list[float] = []
    client = make_client(handler, sleeps, max_attempts=2, rate_limit_budget_seconds=300)
    with pytest.raises(RetriesExhaustedError, match="still rate-limited") as caught:
        client.get("/invoices")
    # Chargebee blocks the site until its minute resets: every wait is a window plus jitter,
    # and the attempts are bounded by the time budget, not by max_attempts.
    assert all(60 <= delay <= 90 for delay in sleeps)
    assert sum(sleeps) <= 300 < sum(sleeps) + 90
    assert len(attempts) == len(sleeps) + 1 > 2
    assert caught.value.status == 429
    assert caught.value.api_error_code == "api_request_limit_exceeded"
    message = str(caught.value)
    assert "rate_limit_budget_seconds" in message and "shared" in message and KEY not in message
    assert [r.headers.get("X-CB-Retry-Attempt") for r in attempts][:3] == [None, "1", "2"]


def test_429s_do_not_use_up_the_attempts_left_for_server_errors() -> None:
    answers = iter(
        [error(429, "api_request_limit_exceeded", "blocked")] * 6
        + [error(500, "internal_error", "oops"), httpx.Response(200, json={"list": []})]
    )
    sleeps: list[float] = []
    client = make_client(lambda r: next(answers), sleeps, max_attempts=2)
    assert client.get("/invoices") == {"list": []}
    assert client.rate_limited == 6
    assert len(sleeps) == 7 and all(delay >= 60 for delay in sleeps[:6])


def test_the_window_and_budget_come_from_the_settings() -> None:
    sleeps: list[float] = []
    client = make_client(
        lambda r: error(429, "api_request_limit_exceeded", "blocked"),
        sleeps,
        rate_limit_window_seconds=1.0,
        rate_limit_budget_seconds=5.0,
    )
    with pytest.raises(RetriesExhaustedError):
        client.get("/invoices")
    assert all(1.0 <= delay <= 1.5 for delay in sleeps) and 3 <= len(sleeps) <= 5


def test_timeouts_are_retried() -> None:
    outcomes: list[object] = [httpx.ReadTimeout("slow"), httpx.Response(200, json={"list": []})]

    def handler(request: httpx.Request) -> httpx.Response:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        assert isinstance(outcome, httpx.Response)
        return outcome

    sleeps: list[float] = []
    assert make_client(handler, sleeps).get("/invoices") == {"list": []}
    assert len(sleeps) == 1


def test_pagination_follows_next_offset_with_limit_100_and_keeps_filters() -> None:
    pages = {
        None: {"list": [{"invoice": {"id": "1"}}], "next_offset": '["10","1"]'},
        '["10","1"]': {"list": [{"invoice": {"id": "2"}}], "next_offset": '["20","2"]'},
        '["20","2"]': {"list": [{"invoice": {"id": "3"}}]},
    }
    seen: list[httpx.QueryParams] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.params)
        return httpx.Response(200, json=pages[request.url.params.get("offset")])

    client = make_client(handler)
    params = {"updated_at[between]": "[1,2]", "sort_by[asc]": "updated_at"}
    ids = [e["invoice"]["id"] for page in client.list_pages("/invoices", params) for e in page]
    assert ids == ["1", "2", "3"]
    assert all(p["limit"] == "100" and p["updated_at[between]"] == "[1,2]" for p in seen)
    assert "updated_at%5Bbetween%5D" in str(
        httpx.Request("GET", "http://x", params=params).url
    )  # bracket syntax is sent URL-encoded, as any HTTP client would


def test_5xx_on_page_n_is_retried_and_the_listing_resumes_at_that_page() -> None:
    calls: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        offset = request.url.params.get("offset")
        calls.append(offset)
        if offset == "p3" and calls.count("p3") == 1:
            return error(500, "internal_error", "Sorry,Something went wrong")
        nxt = {None: "p2", "p2": "p3", "p3": None}[offset]
        body: dict[str, object] = {"list": [{"invoice": {"id": offset or "p1"}}]}
        if nxt:
            body["next_offset"] = nxt
        return httpx.Response(200, json=body)

    client = make_client(handler)
    ids = [e["invoice"]["id"] for page in client.list_pages("/invoices") for e in page]
    assert ids == ["p1", "p2", "p3"]
    assert calls == [None, "p2", "p3", "p3"]


def test_html_502_from_a_load_balancer_is_retried() -> None:
    responses = iter(
        [httpx.Response(502, text="<html>Bad Gateway</html>"), httpx.Response(200, json={})]
    )
    assert make_client(lambda r: next(responses)).get("/events/ev_1") == {}


def test_the_client_has_no_write_methods() -> None:
    public = {name for name in dir(ChargebeeClient) if not name.startswith("_")}
    assert not public & {"post", "put", "patch", "delete", "request", "create", "update"}


def test_5xx_retry_after_is_honoured_up_to_the_backoff_cap() -> None:
    responses = iter(
        [
            error(503, "site_not_ready", "later", **{"Retry-After": "500"}),
            httpx.Response(200, json={"list": []}),
        ]
    )
    sleeps: list[float] = []
    assert make_client(lambda r: next(responses), sleeps).get("/invoices") == {"list": []}
    assert 60.0 <= sleeps[0] <= 60.1


def test_a_request_that_cannot_be_sent_is_fatal_and_not_retried() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("no scheme")

    sleeps: list[float] = []
    with pytest.raises(FatalAPIError, match="GET /invoices could not be sent"):
        make_client(handler, sleeps).get("/invoices")
    assert sleeps == []


def test_error_bodies_do_not_need_to_be_json() -> None:
    client = make_client(lambda r: httpx.Response(400, text="plain failure"))
    with pytest.raises(FatalAPIError, match="plain failure"):
        client.get("/items")


def test_json_body_is_returned() -> None:
    payload = {"event": {"id": "ev_1", "content": {}}}
    client = make_client(lambda r: httpx.Response(200, content=json.dumps(payload)))
    assert client.retrieve("events", "ev_1") == payload
