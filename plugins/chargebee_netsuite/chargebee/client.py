"""The Chargebee HTTP client: Basic auth with the API key, rate limits, read-only GETs."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any
from urllib.parse import quote

import httpx

from chargebee_netsuite.chargebee.errors import (
    FatalAPIError,
    RateLimitError,
    RetriableAPIError,
    RetriesExhaustedError,
    error_from_response,
    transport_error,
)
from chargebee_netsuite.chargebee.hosts import base_url_for
from chargebee_netsuite.chargebee.pagination import MAX_PAGE_SIZE, OffsetPaginator
from chargebee_netsuite.chargebee.ratelimit import Limiter, RateLimiter
from chargebee_netsuite.http_core import HttpCore, RetryPolicy

log = logging.getLogger(__name__)

USER_AGENT = "chargebee-netsuite/0.1 (+httpx)"
# Chargebee's SDKs tell the server which retry a request is.
RETRY_ATTEMPT_HEADER = "X-CB-Retry-Attempt"


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
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
    ) -> None:
        self.settings = settings
        self.limiter: Limiter = limiter or RateLimiter(
            settings.rate_limit_per_minute,
            settings.rate_limit_window_seconds,
            settings.max_concurrency,
        )
        self._clock = clock
        self._core = HttpCore(
            httpx.Client(
                base_url=settings.api_base,
                headers={"Accept": "application/json", "User-Agent": USER_AGENT},
                timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
                limits=httpx.Limits(max_connections=settings.max_concurrency),
                transport=transport,
            ),
            RetryPolicy(
                max_attempts=settings.max_attempts,
                rate_limited=(RateLimitError,),
                rate_limit_window=settings.rate_limit_window_seconds,
                rate_limit_budget=settings.rate_limit_budget_seconds,
                attempt_header=RETRY_ATTEMPT_HEADER,
            ),
            # HTTP Basic with the API key as user name and an empty password.
            auth=httpx.BasicAuth(settings.api_key, ""),
            limiter=self.limiter,
            transport_error=transport_error,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )

    @property
    def requests_sent(self) -> int:
        """Requests sent so far, retries included."""
        return self._core.requests_sent

    @property
    def rate_limited(self) -> int:
        """429 answers received so far."""
        return self._core.rate_limited

    def __repr__(self) -> str:
        settings = self.settings
        return (
            f"ChargebeeClient(site={settings.site!r}, env={settings.environment!r}, "
            f"url={settings.api_base!r})"
        )

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
        self._core.http.close()
        self.limiter.close()

    # -- requests ---------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """GET ``path`` (relative to ``/api/v2``) with retries; returns the decoded JSON body.

        429s are retried until ``rate_limit_budget_seconds`` have passed; every other
        retriable failure counts against ``max_attempts``.
        """
        started = self._clock()
        request = self._core.http.build_request("GET", path, params=params)
        try:
            return self._core.send(
                request, lambda response: self._read(response, path), label=f"GET {path}"
            )
        except RateLimitError as exc:
            budget = self.settings.rate_limit_budget_seconds
            raise RetriesExhaustedError(
                f"GET {path} on Chargebee site '{self.settings.site}' was still "
                f"rate-limited after {self._clock() - started:.0f}s ({exc.attempts} attempts, "
                f"budget {budget:.0f}s). The site's request limit is shared by every client of "
                "it: lower this connection's rate_limit_per_minute, pause the other tools using "
                f"the site, or raise rate_limit_budget_seconds; last error: {exc}",
                last_error=exc,
                attempts=exc.attempts,
            ) from exc
        except RetriableAPIError as exc:
            raise RetriesExhaustedError(
                f"GET {path} on Chargebee site '{self.settings.site}' still failing after "
                f"{exc.attempts} attempts; last error: {exc}",
                last_error=exc,
                attempts=exc.attempts,
            ) from exc

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

    def _read(self, response: httpx.Response, path: str) -> dict[str, Any]:
        """The JSON object of a 2xx answer, or Chargebee's error as a typed exception."""
        if response.status_code >= 400:
            settings = self.settings
            where = (
                f"site '{settings.site}' ({settings.environment} environment, "
                f"region '{settings.region}', {response.request.url.host})"
            )
            raise error_from_response(response, path, where)
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
