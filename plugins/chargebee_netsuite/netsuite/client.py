"""The NetSuite REST client: authenticated, governed and retried requests to one account."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from chargebee_netsuite.http_core import HttpCore, RetryPolicy, parse_retry_after
from chargebee_netsuite.netsuite.auth import BearerTokenAuth, TokenManager
from chargebee_netsuite.netsuite.config import DEFAULT_CONCURRENCY, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.errors import (
    RequestError,
    RetriableAPIError,
    ServerError,
    TransportError,
    error_from_response,
)
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter, shared_limiter
from chargebee_netsuite.netsuite.records import RecordAPI
from chargebee_netsuite.netsuite.suiteql import SuiteQLAPI

log = logging.getLogger(__name__)

GOVERNANCE_PATH = "/system/v1/governanceLimits"
TOKEN_PATH = "/auth/oauth2/v1/token"
# Idle connections kept open, at least: above most accounts' concurrency limit.
KEEPALIVE_CONNECTIONS = 50


class NetSuiteClient:
    """Talks to one NetSuite account as one integration.

    ``records`` upserts, reads and deletes records; ``suiteql`` runs queries. Every request
    carries a bearer token (:class:`BearerTokenAuth`, one re-mint on 401), holds a slot of the
    account's :class:`ConcurrencyLimiter`, and is retried by the shared ``HttpCore`` with
    backoff on 429, 5xx and timeouts only; ``_read`` is NetSuite's classification.
    """

    def __init__(
        self,
        config: NetSuiteConfig,
        *,
        transport: httpx.BaseTransport | None = None,
        limiter: ConcurrencyLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_mint: Callable[[Secret], None] | None = None,
    ) -> None:
        self.config = config
        initial = config.concurrency if isinstance(config.concurrency, int) else DEFAULT_CONCURRENCY
        self.limiter = limiter or shared_limiter(config.rest_url, initial)
        self._governance_resolved = config.concurrency != "governance"
        self._governance_lock = threading.Lock()
        self.tokens = TokenManager(config, self._post_token, clock=clock, on_mint=on_mint)
        self._core = HttpCore(
            httpx.Client(
                timeout=config.timeout,
                transport=transport,
                headers={"Accept": "application/json", "User-Agent": "chargebee-netsuite/0.1"},
                # The limiter caps requests in flight; the pool must keep a connection alive for
                # each of them (httpx keeps 20 by default), or every request over that count
                # pays for a new TCP and TLS handshake. governanceLimits can raise the limit.
                limits=httpx.Limits(
                    max_connections=None,
                    max_keepalive_connections=max(initial, KEEPALIVE_CONNECTIONS),
                ),
            ),
            # Every retriable failure, 429 included, counts against max_attempts.
            RetryPolicy(
                max_attempts=config.max_attempts,
                backoff_base=config.backoff_base,
                backoff_cap=config.backoff_cap,
            ),
            auth=BearerTokenAuth(self.tokens),
            limiter=self.limiter,
            transport_error=_transport_error,
            sleep=sleep,
            clock=clock,
            rng=rng,
        )
        self.records = RecordAPI(self)
        self.suiteql = SuiteQLAPI(self)

    def __repr__(self) -> str:
        return f"NetSuiteClient({self.config.describe()}, {self.config.rest_url})"

    def close(self) -> None:
        """Close pooled connections."""
        self._core.http.close()

    def __enter__(self) -> NetSuiteClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        """Send ``method`` to ``/services/rest{path}`` and return the 2xx response.

        Raises a :class:`RetriableAPIError` once the bounded attempts are used up, a
        :class:`FatalAPIError` at once for any other 4xx, and an authentication error when a
        freshly minted token is refused as well.
        """
        if not self._governance_resolved:
            self._resolve_governance()
        # Built (the body encoded) before taking a slot: a slot is for a request in flight.
        request = self._core.http.build_request(
            method, f"{self.config.rest_url}{path}", params=params, json=json, headers=headers
        )
        return self._send(request, path)

    def governance_limits(self) -> dict[str, Any]:
        """``GET /system/v1/governanceLimits`` (needs an administrator role in NetSuite)."""
        # Not through request(): this is the call that resolves the governance it waits for.
        request = self._core.http.build_request("GET", f"{self.config.rest_url}{GOVERNANCE_PATH}")
        body: dict[str, Any] = self._send(request, GOVERNANCE_PATH).json()
        return body

    def _send(self, request: httpx.Request, path: str) -> httpx.Response:
        """Send a built REST request through the core; ``path`` names it in errors and logs."""
        method = request.method
        label = f"NetSuite {method} {path}"
        return self._core.send(
            request, lambda response: self._read(response, method, path), label=label
        )

    def _read(self, response: httpx.Response, method: str, path: str) -> httpx.Response:
        """A 2xx answer as it is; anything else as NetSuite's typed error (``o:errorDetails``)."""
        if response.is_success:
            return response
        try:
            body = response.json()
        except ValueError:
            body = None
        context = None
        if response.status_code == 401:
            # The auth flow has already re-minted once; this 401 is to a fresh token.
            context = (
                f"A freshly minted access token was refused too, for {self.config.describe()}: "
                "check that the integration record, role and certificate are still enabled, "
                "and the Login Audit Trail in NetSuite"
            )
        error = error_from_response(
            method, path, response.status_code, body, response.text, context=context
        )
        if isinstance(error, RetriableAPIError):
            # NetSuite documents no Retry-After, but it is honoured when one is sent.
            error.retry_after = parse_retry_after(response.headers.get("Retry-After"))
        raise error

    def _post_token(self, url: str, form: dict[str, str]) -> httpx.Response:
        """POST to the token endpoint, retrying only transport failures and 5xx.

        The answer to anything else goes back to the :class:`TokenManager`, which reads it.
        A token request is not a REST call: it takes no slot of the REST limiter.
        """
        request = self._core.http.build_request("POST", url, data=form)
        return self._core.send(
            request,
            _read_token_answer,
            label="NetSuite token request",
            limited=False,
            authenticated=False,
        )

    def _resolve_governance(self) -> None:
        with self._governance_lock:
            if self._governance_resolved:
                return
            try:
                limits = self.governance_limits()
            except RequestError as exc:
                # governanceLimits is for administrator roles only; an integration role gets a
                # 4xx, which must not stop the work it was only meant to tune.
                log.warning(
                    "Could not read NetSuite governanceLimits (%s); keeping %d concurrent requests",
                    exc.status,
                    self.limiter.limit,
                )
                limits = {}
            limit = concurrency_from_governance(limits)
            if limit is not None:
                self.limiter.resize(limit)
                log.info("NetSuite concurrency limit from governanceLimits: %d", limit)
            self._governance_resolved = True


def concurrency_from_governance(limits: Mapping[str, Any]) -> int | None:
    """The slots this integration may use, from a ``governanceLimits`` answer.

    An integration-specific allocation is ours alone; otherwise we share the account's
    unallocated slots with every other integration.
    """
    for key in (
        "integrationConcurrencyLimit",
        "accountUnallocatedConcurrencyLimit",
        "accountConcurrencyLimit",
    ):
        value = limits.get(key)
        if isinstance(value, int | str) and str(value).isdigit() and int(value) > 0:
            return int(value)
    return None


def _read_token_answer(response: httpx.Response) -> httpx.Response:
    if response.status_code >= 500:
        raise ServerError(
            method="POST",
            path=TOKEN_PATH,
            status=response.status_code,
            body_text=response.text[:200],
        )
    return response


def _transport_error(exc: httpx.TransportError, label: str) -> TransportError:
    # The request may or may not have reached NetSuite; every write is an idempotent upsert.
    return TransportError(f"{label} did not complete: {type(exc).__name__}")
