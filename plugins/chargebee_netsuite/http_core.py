"""One HTTP core for both API clients: send, classify, honour ``Retry-After``, back off.

A client brings three things: its auth (an ``httpx.Auth``), its classification (a ``read``
function that turns a response into a value or raises a typed error from
:mod:`chargebee_netsuite.errors`) and its :class:`RetryPolicy`. The core owns the one retry
loop: it holds a limiter slot around each send, retries :class:`RetriableError` only, waits
what ``Retry-After`` says or else a jittered backoff, and re-raises the last error with
``attempts`` set once the policy gives up. A :class:`FatalError` is raised at once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Protocol, TypeVar

import httpx

from chargebee_netsuite.errors import ConnectorError, RetriableError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Added to a server's Retry-After so that we do not arrive the instant the block lifts.
RETRY_AFTER_PAD = 0.1


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def copy_request(request: httpx.Request) -> httpx.Request:
    """A new request equal to ``request`` (its body already encoded), to send once more.

    Each attempt gets its own request, so headers set for a retry never rewrite the one
    already sent (transports and tests may keep it).
    """
    return httpx.Request(
        request.method,
        request.url,
        headers=request.headers,
        content=request.content,
        extensions=request.extensions,
    )


class Backoff:
    """Delays between retries: decorrelated jitter, ``min(cap, uniform(base, previous * 3))``.

    Oracle asks for increasing, de-synchronised retries after a 429; decorrelated jitter spreads
    threads of one shared limit apart better than full jitter (AWS Architecture Blog, 2015).
    """

    def __init__(self, base: float, cap: float, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._previous = base

    def next_delay(self) -> float:
        """The next delay in seconds."""
        delay = min(self.cap, self._rng.uniform(self.base, self._previous * 3))
        self._previous = max(delay, self.base)
        return delay


@dataclass(frozen=True)
class RetryPolicy:
    """How one client retries a request.

    Every retriable failure counts against ``max_attempts``, except the classes named in
    ``rate_limited``: a Chargebee 429 blocks the whole site until its window resets, whoever
    used the limit up, so it waits a whole window (plus jitter) when no ``Retry-After`` came and
    is retried for as long as ``rate_limit_budget`` seconds allow rather than a number of times.
    """

    max_attempts: int = 6
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    rate_limited: tuple[type[RetriableError], ...] = ()
    rate_limit_window: float = 60.0
    rate_limit_budget: float = 900.0
    # Share of a window added at random, so the clients of one site do not all come back at
    # the instant it resets and block it again.
    rate_limit_jitter: float = 0.5
    # A header telling the server which retry this is (Chargebee's SDKs send one).
    attempt_header: str | None = None


class Limiter(Protocol):
    """What the core needs of a limiter: a slot held for the duration of one request."""

    def slot(self) -> AbstractContextManager[None]:
        """Wait for a slot and hold it for the duration of the ``with`` block."""
        ...


TransportErrorMapper = Callable[[httpx.TransportError, str], ConnectorError]


class HttpCore:
    """The send-and-retry loop shared by the Chargebee and NetSuite clients.

    Thread-safe: one core serves every thread of its client; each :meth:`send` has its own
    attempt count and backoff.
    """

    def __init__(
        self,
        http: httpx.Client,
        policy: RetryPolicy,
        *,
        auth: httpx.Auth | None,
        limiter: Limiter | None,
        transport_error: TransportErrorMapper,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.http = http
        self.policy = policy
        self.limiter = limiter
        self._auth = auth
        self._transport_error = transport_error
        self._sleep = sleep
        self._clock = clock
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self.requests_sent = 0
        self.rate_limited = 0

    def send(
        self,
        request: httpx.Request,
        read: Callable[[httpx.Response], T],
        *,
        label: str,
        limited: bool = True,
        authenticated: bool = True,
    ) -> T:
        """Send ``request`` until ``read`` accepts its response or the policy gives up.

        ``read`` returns the value or raises the client's typed error; ``label`` (e.g.
        ``"GET /invoices"``) names the request in logs. ``limited=False`` skips the limiter
        (a token request is not an API call); ``authenticated=False`` skips the auth flow.
        """
        policy = self.policy
        backoff = Backoff(policy.backoff_base, policy.backoff_cap, self._rng)
        started = self._clock()
        attempt = failures = 0
        while True:
            attempt += 1
            if attempt > 1:
                request = copy_request(request)
                if policy.attempt_header:
                    request.headers[policy.attempt_header] = str(attempt - 1)
            outcome = self._attempt(request, read, label, limited, authenticated)
            if not isinstance(outcome, RetriableError):
                return outcome
            error = outcome
            if isinstance(error, policy.rate_limited):
                with self._lock:
                    self.rate_limited += 1
                delay = self._rate_limit_delay(error.retry_after)
                waited = self._clock() - started
                give_up = waited + delay > policy.rate_limit_budget
                progress = f"rate-limited, {waited:.0f}s of {policy.rate_limit_budget:.0f}s used"
            else:
                failures += 1
                delay = self._backoff_delay(error.retry_after, backoff)
                give_up = failures >= policy.max_attempts
                progress = f"attempt {failures + 1} of {policy.max_attempts}"
            if give_up:
                error.attempts = attempt
                log.warning("Giving up on %s after %d attempts: %s", label, attempt, error)
                raise error
            log.warning("%s failed (%s); retrying in %.2fs (%s)", label, error, delay, progress)
            self._sleep(delay)

    def _attempt(
        self,
        request: httpx.Request,
        read: Callable[[httpx.Response], T],
        label: str,
        limited: bool,
        authenticated: bool,
    ) -> T | RetriableError:
        """One send: the value, or the retriable error; a fatal error is raised.

        Errors raised by the auth flow itself (a token that cannot be minted) propagate: the
        token request has already had its own retries.
        """
        slot = self.limiter.slot() if limited and self.limiter is not None else nullcontext()
        error: ConnectorError
        try:
            with slot:
                with self._lock:
                    self.requests_sent += 1
                response = self.http.send(request, auth=self._auth if authenticated else None)
        except httpx.TransportError as exc:
            error = self._transport_error(exc, label)
        else:
            try:
                return read(response)
            except RetriableError as exc:
                error = exc
        if isinstance(error, RetriableError):
            return error
        raise error

    def _rate_limit_delay(self, retry_after: float | None) -> float:
        if retry_after is not None:
            return retry_after + self._rng.uniform(0, RETRY_AFTER_PAD)
        window = self.policy.rate_limit_window
        return window * (1 + self._rng.uniform(0, self.policy.rate_limit_jitter))

    def _backoff_delay(self, retry_after: float | None, backoff: Backoff) -> float:
        if retry_after is not None:
            # The server knows when it can take the request again; never wait past the cap.
            return min(retry_after, self.policy.backoff_cap) + self._rng.uniform(0, RETRY_AFTER_PAD)
        return backoff.next_delay()
