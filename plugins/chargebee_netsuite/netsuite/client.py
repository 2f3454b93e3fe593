"""The NetSuite REST client: authenticated, governed and retried requests to one account."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from chargebee_netsuite.netsuite.auth import TokenManager
from chargebee_netsuite.netsuite.config import DEFAULT_CONCURRENCY, NetSuiteConfig
from chargebee_netsuite.netsuite.errors import (
    NetSuiteAPIError,
    RequestError,
    RetriableAPIError,
    ServerError,
    TransportError,
    error_from_response,
)
from chargebee_netsuite.netsuite.governance import (
    ConcurrencyLimiter,
    DecorrelatedJitter,
    shared_limiter,
)
from chargebee_netsuite.netsuite.records import RecordAPI
from chargebee_netsuite.netsuite.suiteql import SuiteQLAPI

log = logging.getLogger(__name__)

GOVERNANCE_PATH = "/system/v1/governanceLimits"
# Idle connections kept open, at least: above most accounts' concurrency limit.
KEEPALIVE_CONNECTIONS = 50


class NetSuiteClient:
    """Talks to one NetSuite account as one integration.

    ``records`` upserts, reads and deletes records; ``suiteql`` runs queries. Every request
    gets a bearer token from the shared :class:`TokenManager`, holds a slot of the account's
    :class:`ConcurrencyLimiter`, and is retried with backoff on 429, 5xx and timeouts only.
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
    ) -> None:
        self.config = config
        initial = config.concurrency if isinstance(config.concurrency, int) else DEFAULT_CONCURRENCY
        self._http = httpx.Client(
            timeout=config.timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "chargebee-netsuite/0.1"},
            # The limiter caps requests in flight; the pool must keep a connection alive for
            # each of them (httpx keeps 20 by default), or every request over that count pays
            # for a new TCP and TLS handshake. governanceLimits can raise the limit later.
            limits=httpx.Limits(
                max_connections=None, max_keepalive_connections=max(initial, KEEPALIVE_CONNECTIONS)
            ),
        )
        self.limiter = limiter or shared_limiter(config.rest_url, initial)
        self._governance_resolved = config.concurrency != "governance"
        self._governance_lock = threading.Lock()
        self._sleep = sleep
        self._rng = rng or random.Random()
        self.tokens = TokenManager(config, self._post_token, clock=clock)
        self.records = RecordAPI(self)
        self.suiteql = SuiteQLAPI(self)

    def __repr__(self) -> str:
        return f"NetSuiteClient({self.config.describe()}, {self.config.rest_url})"

    def close(self) -> None:
        """Close pooled connections."""
        self._http.close()

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
        return self._send(method, path, params=params, json=json, headers=headers)

    def governance_limits(self) -> dict[str, Any]:
        """``GET /system/v1/governanceLimits`` (needs an administrator role in NetSuite)."""
        body: dict[str, Any] = self._send("GET", GOVERNANCE_PATH).json()
        return body

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        url = f"{self.config.rest_url}{path}"
        backoff = DecorrelatedJitter(self.config.backoff_base, self.config.backoff_cap, self._rng)
        attempt = 0
        reminted = False
        while True:
            attempt += 1
            token = self.tokens.token()
            request_headers = dict(headers or {})
            request_headers["Authorization"] = f"Bearer {token.reveal()}"
            # Built (the body encoded) before taking a slot: a slot is for a request in flight.
            request = self._http.build_request(
                method, url, params=params, json=json, headers=request_headers
            )
            error: RetriableAPIError
            try:
                with self.limiter.slot():
                    response = self._http.send(request)
            except httpx.TransportError as exc:
                error = TransportError(
                    f"NetSuite {method} {path} did not complete: {type(exc).__name__}"
                )
            else:
                if response.is_success:
                    return response
                if response.status_code == 401 and not reminted:
                    # Tokens can be revoked or expire early (NetSuite's clock is the one that
                    # counts): mint one new token and try once more, outside the retry budget.
                    reminted = True
                    attempt -= 1
                    self.tokens.invalidate(token)
                    log.info("NetSuite answered 401 to %s %s; minting a new token", method, path)
                    continue
                api_error = self._error(method, path, response)
                if not isinstance(api_error, RetriableAPIError):
                    raise api_error
                error = api_error
            if attempt >= self.config.max_attempts:
                error.attempts = attempt
                log.warning("Giving up on NetSuite %s %s after %d attempts", method, path, attempt)
                raise error
            delay = backoff.next_delay()
            log.warning(
                "NetSuite %s %s: %s; retrying in %.2fs (attempt %d of %d)",
                method,
                path,
                _short(error),
                delay,
                attempt + 1,
                self.config.max_attempts,
            )
            self._sleep(delay)

    def _error(self, method: str, path: str, response: httpx.Response) -> NetSuiteAPIError:
        try:
            body = response.json()
        except ValueError:
            body = None
        context = None
        if response.status_code == 401:
            context = (
                f"A freshly minted access token was refused too, for {self.config.describe()}: "
                "check that the integration record, role and certificate are still enabled, "
                "and the Login Audit Trail in NetSuite"
            )
        return error_from_response(
            method, path, response.status_code, body, response.text, context=context
        )

    def _post_token(self, url: str, form: dict[str, str]) -> httpx.Response:
        """POST to the token endpoint, retrying only transport failures and 5xx."""
        backoff = DecorrelatedJitter(self.config.backoff_base, self.config.backoff_cap, self._rng)
        for attempt in range(1, self.config.max_attempts + 1):
            error: RetriableAPIError
            try:
                response = self._http.post(url, data=form)
            except httpx.TransportError as exc:
                error = TransportError(
                    f"NetSuite token request did not complete: {type(exc).__name__}"
                )
            else:
                if response.status_code < 500:
                    return response
                error = ServerError(
                    method="POST",
                    path="/auth/oauth2/v1/token",
                    status=response.status_code,
                    body_text=response.text[:200],
                )
            if attempt == self.config.max_attempts:
                error.attempts = attempt
                raise error
            self._sleep(backoff.next_delay())
        raise AssertionError("unreachable")

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


def _short(error: Exception) -> str:
    if isinstance(error, NetSuiteAPIError):
        return f"{error.status} {error.error_code or ''}".strip()
    return str(error)
