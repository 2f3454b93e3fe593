"""The Chargebee HTTP client: Basic auth with the API key, retries, rate limits, read-only GETs."""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from chargebee_netsuite.chargebee.errors import (
    AuthenticationError,
    AuthorizationError,
    ChargebeeError,
    FatalAPIError,
    NotFoundError,
    RateLimitError,
    RetriableAPIError,
    RetriesExhaustedError,
)
from chargebee_netsuite.chargebee.hosts import base_url_for
from chargebee_netsuite.chargebee.pagination import MAX_PAGE_SIZE, OffsetPaginator
from chargebee_netsuite.chargebee.ratelimit import Limiter, RateLimiter
from chargebee_netsuite.chargebee.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

USER_AGENT = "chargebee-netsuite/0.1 (+httpx)"


@dataclass(frozen=True)
class ChargebeeSettings:
    """Everything needed to reach one Chargebee site. ``api_key`` is kept out of ``repr``."""

    site: str
    api_key: str = field(repr=False)
    environment: str = "live"
    region: str = "us"
    base_url: str | None = None
    # Starter plan and every test site: 150 requests per minute.
    rate_limit_per_minute: int = 150
    # Only tests and the sandbox shorten this; Chargebee's window is a minute. A 429 without
    # Retry-After waits one window (plus jitter) before the request is tried again.
    rate_limit_window_seconds: float = 60.0
    # How long one request keeps retrying 429s (the site's limit is shared with every other
    # client of it) before it fails.
    rate_limit_budget_seconds: float = 900.0
    # Chargebee allows 50 concurrent GETs per site; stay well below so other tools fit too.
    max_concurrency: int = 8
    connect_timeout: float = 30.0
    read_timeout: float = 80.0
    max_attempts: int = 6

    @property
    def api_base(self) -> str:
        """The derived (or overridden) base URL ending in ``/api/v2``."""
        return base_url_for(self.site, self.environment, self.region, self.base_url)


class _ApiKeyAuth(httpx.Auth):
    """HTTP Basic with the API key as user name and an empty password: ``base64("<key>:")``."""

    def __init__(self, api_key: str) -> None:
        token = base64.b64encode(f"{api_key}:".encode()).decode("ascii")
        self._header = f"Basic {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "_ApiKeyAuth(<redacted>)"


class ChargebeeClient:
    """Read-only access to the Chargebee API v2 of one site.

    Only GET is exposed: Chargebee is the system of record and this connector never writes to it.
    One client may be shared by threads; its limiter keeps all of them under the plan's limits.
    """

    def __init__(
        self,
        settings: ChargebeeSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.retry = retry or RetryPolicy(
            max_attempts=settings.max_attempts,
            rate_limit_window=settings.rate_limit_window_seconds,
            rate_limit_budget=settings.rate_limit_budget_seconds,
        )
        self.limiter: Limiter = limiter or RateLimiter(
            settings.rate_limit_per_minute,
            settings.rate_limit_window_seconds,
            settings.max_concurrency,
        )
        self._sleep = sleep
        self._clock = clock
        self._lock = threading.Lock()
        self.requests_sent = 0
        self.rate_limited = 0
        self._http = httpx.Client(
            base_url=settings.api_base,
            auth=_ApiKeyAuth(settings.api_key),
            headers={"Accept": "application/json", "User-Agent": USER_AGENT},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            limits=httpx.Limits(max_connections=settings.max_concurrency),
            transport=transport,
        )

    def __repr__(self) -> str:
        s = self.settings
        return f"ChargebeeClient(site={s.site!r}, env={s.environment!r}, url={s.api_base!r})"

    def __enter__(self) -> ChargebeeClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release pooled connections (and what the limiter holds)."""
        self._http.close()
        self.limiter.close()

    # -- requests ---------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET ``path`` (relative to ``/api/v2``) with retries; returns the decoded JSON body.

        429s are retried until ``rate_limit_budget`` seconds have passed; every other
        retriable failure counts against ``max_attempts``.
        """
        started = self._clock()
        attempt = failures = 0
        while True:
            attempt += 1
            try:
                return self._get_once(path, params, attempt)
            except RateLimitError as exc:
                with self._lock:
                    self.rate_limited += 1
                delay = self.retry.rate_limit_delay(exc.retry_after)
                waited = self._clock() - started
                if waited + delay > self.retry.rate_limit_budget:
                    raise RetriesExhaustedError(
                        f"GET {path} on Chargebee site '{self.settings.site}' was still "
                        f"rate-limited after {waited:.0f}s ({attempt} attempts, budget "
                        f"{self.retry.rate_limit_budget:.0f}s). The site's request limit is "
                        "shared by every client of it: lower this connection's "
                        "rate_limit_per_minute, pause the other tools using the site, or raise "
                        f"rate_limit_budget_seconds; last error: {exc}",
                        last_error=exc,
                        attempts=attempt,
                    ) from exc
                self._wait(path, exc, delay, "rate-limited; waiting out the window")
            except RetriableAPIError as exc:
                failures += 1
                if failures >= self.retry.max_attempts:
                    raise RetriesExhaustedError(
                        f"GET {path} on Chargebee site '{self.settings.site}' still failing after "
                        f"{attempt} attempts; last error: {exc}",
                        last_error=exc,
                        attempts=attempt,
                    ) from exc
                delay = self.retry.delay(failures, exc.retry_after)
                self._wait(path, exc, delay, f"retry {failures}/{self.retry.max_attempts - 1}")

    def _wait(self, path: str, exc: RetriableAPIError, delay: float, what: str) -> None:
        log.warning("Chargebee GET %s failed (%s); %s, next try in %.1fs", path, exc, what, delay)
        self._sleep(delay)

    def retrieve(self, collection: str, resource_id: str, **params: str) -> dict[str, Any]:
        """``GET /{collection}/{id}`` — one resource by id (e.g. ``retrieve("invoices", "42")``)."""
        return self.get(f"/{collection}/{quote(resource_id, safe='')}", params or None)

    def list_pages(
        self, path: str, params: Mapping[str, str] | None = None, *, limit: int = MAX_PAGE_SIZE
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield each page's ``list`` of ``{"invoice": {...}}``-style entries, following offsets.

        Pages are fetched lazily, one at a time, so a caller that streams them to storage keeps
        memory flat however long the listing is.
        """
        paginator = OffsetPaginator(limit)
        base = dict(params or {})
        while paginator.has_next:
            body = self.get(path, {**base, **paginator.page_params()})
            paginator.update_state(body)
            yield list(body.get("list") or [])

    def _get_once(
        self, path: str, params: Mapping[str, str] | None, attempt: int
    ) -> dict[str, Any]:
        headers = {"X-CB-Retry-Attempt": str(attempt - 1)} if attempt > 1 else None
        with self.limiter.slot():
            with self._lock:
                self.requests_sent += 1
            try:
                response = self._http.get(path, params=params, headers=headers)
            except httpx.TimeoutException as exc:
                raise RetriableAPIError(
                    f"GET {path} timed out ({type(exc).__name__})", api_error_code="timeout"
                ) from None
            except (httpx.NetworkError, httpx.RemoteProtocolError) as exc:
                # A dropped or refused connection is transient in the same way a 5xx is.
                raise RetriableAPIError(
                    f"GET {path} failed at the network level ({type(exc).__name__})",
                    api_error_code="network_error",
                ) from None
        if response.status_code >= 400:
            raise self._error_for(response, path)
        try:
            body = response.json()
        except ValueError:
            raise RetriableAPIError(
                f"GET {path} returned a non-JSON body with status {response.status_code}",
                status=response.status_code,
            ) from None
        if not isinstance(body, dict):
            raise FatalAPIError(f"GET {path} returned JSON that is not an object")
        return body

    # -- errors -----------------------------------------------------------------------------

    def _error_for(self, response: httpx.Response, path: str) -> ChargebeeError:
        status = response.status_code
        code: str | None = None
        message = ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            code = body.get("api_error_code") or body.get("error_code")
            message = str(body.get("message") or body.get("error_msg") or "")
        if not message:
            message = (response.text or response.reason_phrase or "").strip()[:200]
        s = self.settings
        where = (
            f"site '{s.site}' ({s.environment} environment, region '{s.region}', "
            f"{response.request.url.host})"
        )
        if status == 401:
            return AuthenticationError(
                f"Chargebee rejected the API key for {where}: the key must belong to that site, "
                f"environment and region (a test-site key fails on the live site, and an EU or "
                f"AU key fails against the US host); Chargebee answered: {message}",
                status=status,
                api_error_code=code,
            )
        if status == 403:
            return AuthorizationError(
                f"The API key for {where} lacks permission for GET {path}; grant it read access "
                f"to this resource. Chargebee said: {message}",
                status=status,
                api_error_code=code,
            )
        if status == 404:
            if code == "site_not_found":
                message = f"Chargebee has no {where}; check the site name and environment"
            return NotFoundError(f"GET {path}: {message}", status=status, api_error_code=code)
        if status == 429:
            return RateLimitError(
                f"GET {path} was rate-limited by {where}: {message}",
                status=status,
                api_error_code=code,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if status >= 500:
            return RetriableAPIError(
                f"GET {path}: {message}",
                status=status,
                api_error_code=code,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        return FatalAPIError(f"GET {path}: {message}", status=status, api_error_code=code)
