"""The shared HTTP core: one retry loop, Retry-After, backoff, limiter slots, auth errors."""

from __future__ import annotations

import random
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest

from chargebee_netsuite.errors import ConnectorError, FatalError, RetriableError
from chargebee_netsuite.http_core import Backoff, HttpCore, RetryPolicy, parse_retry_after


class Busy(RetriableError):
    """A retriable answer, carrying the server's Retry-After."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__("busy")
        self.retry_after = retry_after


class Blocked(Busy):
    """A rate limit retried by time budget rather than by attempts."""


class Refused(FatalError):
    """A fatal answer."""


def read(response: httpx.Response) -> str:
    """The test classification: 200 is the body, 503 Busy, 429 Blocked, anything else Refused."""
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if response.status_code == 503:
        raise Busy(retry_after)
    if response.status_code == 429:
        raise Blocked(retry_after)
    if response.status_code != 200:
        raise Refused(f"status {response.status_code}")
    return response.text


def gone(exc: httpx.TransportError, label: str) -> ConnectorError:
    return Busy() if isinstance(exc, httpx.TimeoutException) else Refused(f"{label}: {exc}")


def answers(*outcomes: httpx.Response | Exception) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering with ``outcomes`` in order (an exception is raised), the last forever."""
    remaining = list(outcomes)

    def handler(request: httpx.Request) -> httpx.Response:
        outcome = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return handler


class Recorder:
    """A core over a mock transport whose clock is the time it has slept."""

    def __init__(
        self,
        handler: Callable[[httpx.Request], httpx.Response],
        auth: httpx.Auth | None = None,
        **policy: object,
    ) -> None:
        self.sleeps: list[float] = []
        self.requests: list[httpx.Request] = []
        self.slots = 0

        def recording(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        self.core = HttpCore(
            httpx.Client(transport=httpx.MockTransport(recording)),
            RetryPolicy(**policy),  # type: ignore[arg-type]
            auth=auth,
            limiter=self,
            transport_error=gone,
            sleep=self.sleeps.append,
            clock=lambda: sum(self.sleeps),
            rng=random.Random(3),
        )

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.slots += 1
        yield

    def get(self, **options: bool) -> str:
        request = self.core.http.build_request("GET", "http://api.test/things")
        return self.core.send(request, read, label="GET /things", **options)


def test_retry_after_parses_seconds_and_http_dates() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Thu, 01 Jan 2026 12:00:45 GMT", now) == 45.0
    assert parse_retry_after("Thu, 01 Jan 2026 11:00:00 GMT", now) == 0.0  # already past
    assert parse_retry_after("-5") == 0.0
    assert parse_retry_after("garbage") is None
    assert parse_retry_after(None) is None


def test_backoff_is_decorrelated_jitter_within_base_and_cap() -> None:
    backoff = Backoff(0.5, 4.0, random.Random(7))
    delays = [backoff.next_delay() for _ in range(50)]
    assert all(0.5 <= delay <= 4.0 for delay in delays)
    assert max(delays) == 4.0  # it does reach the cap
    assert len(set(delays)) > 10  # and it is not a fixed schedule


def test_retriable_answers_are_retried_with_backoff_until_success() -> None:
    busy = httpx.Response(503)
    core = Recorder(answers(busy, busy, httpx.Response(200, text="ok")))
    assert core.get() == "ok"
    assert len(core.requests) == 3 and len(core.sleeps) == 2
    assert all(1.0 <= delay <= 60.0 for delay in core.sleeps)
    assert core.core.requests_sent == 3 and core.slots == 3


def test_giving_up_raises_the_last_error_with_its_attempts() -> None:
    core = Recorder(answers(httpx.ReadTimeout("slow"), httpx.Response(503)), max_attempts=3)
    with pytest.raises(Busy) as raised:
        core.get()
    assert raised.value.attempts == 3
    assert len(core.requests) == 3 and len(core.sleeps) == 2


def test_fatal_answers_and_transport_failures_are_raised_at_once() -> None:
    core = Recorder(answers(httpx.Response(400)))
    with pytest.raises(Refused, match="status 400"):
        core.get()
    core = Recorder(answers(httpx.UnsupportedProtocol("ftp")))
    with pytest.raises(Refused, match="GET /things"):
        core.get()
    assert core.sleeps == [] and len(core.requests) == 1


def test_retry_after_is_honoured_and_capped_by_the_backoff_cap() -> None:
    slow = httpx.Response(503, headers={"Retry-After": "7"})
    core = Recorder(answers(slow, httpx.Response(200)))
    core.get()
    assert 7.0 <= core.sleeps[0] <= 7.1
    very_slow = httpx.Response(503, headers={"Retry-After": "600"})
    core = Recorder(answers(very_slow, httpx.Response(200)), backoff_cap=30.0)
    core.get()
    assert 30.0 <= core.sleeps[0] <= 30.1


def test_rate_limits_wait_a_window_and_are_bounded_by_time_not_attempts() -> None:
    core = Recorder(
        answers(httpx.Response(429)),
        max_attempts=2,
        rate_limited=(Blocked,),
        rate_limit_window=10.0,
        rate_limit_budget=100.0,
    )
    with pytest.raises(Blocked) as raised:
        core.get()
    assert all(10.0 <= delay <= 15.0 for delay in core.sleeps)
    assert sum(core.sleeps) <= 100.0 < sum(core.sleeps) + 15.0
    assert raised.value.attempts == len(core.requests) > 2
    assert core.core.rate_limited == len(core.requests)


def test_rate_limits_honour_retry_after_beyond_the_backoff_cap() -> None:
    blocked = httpx.Response(429, headers={"Retry-After": "90"})
    core = Recorder(answers(blocked, httpx.Response(200)), rate_limited=(Blocked,))
    core.get()
    assert 90.0 <= core.sleeps[0] <= 90.1


def test_the_attempt_header_numbers_the_retries() -> None:
    core = Recorder(answers(httpx.Response(503)), max_attempts=3, attempt_header="X-Retry")
    with pytest.raises(Busy):
        core.get()
    assert [r.headers.get("X-Retry") for r in core.requests] == [None, "1", "2"]


class RefusingAuth(httpx.Auth):
    """An auth flow that cannot get a credential (its own retries are already over)."""

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        raise Busy()
        yield request  # pragma: no cover


def test_errors_from_the_auth_flow_are_not_retried_again() -> None:
    core = Recorder(answers(httpx.Response(200)), auth=RefusingAuth())
    with pytest.raises(Busy):
        core.get()
    assert core.sleeps == [] and core.requests == []
    assert core.get(authenticated=False) == ""


def test_unlimited_sends_take_no_slot() -> None:
    core = Recorder(answers(httpx.Response(200)))
    core.get(limited=False)
    assert core.slots == 0 and core.core.requests_sent == 1
