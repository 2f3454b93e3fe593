"""Typed Chargebee API errors and the table that maps an answer onto them.

Retriable: 429, 5xx, timeouts. Fatal: every other failure.
"""

from __future__ import annotations

import httpx

from chargebee_netsuite.errors import ConnectorError, FatalError, RetriableError
from chargebee_netsuite.http_core import parse_retry_after


class ChargebeeError(ConnectorError):
    """A failed Chargebee request, carrying the HTTP status and Chargebee's ``api_error_code``.

    The message is built from the response body and our own context only, never from request
    headers, so the API key cannot leak into a traceback or a log line.
    """

    def __init__(
        self, message: str, *, status: int | None = None, api_error_code: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.api_error_code = api_error_code

    def __str__(self) -> str:
        parts = [part for part in (str(self.status or ""), self.api_error_code or "") if part]
        prefix = f"[{' '.join(parts)}] " if parts else ""
        return f"{prefix}{self.message}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, "
            f"api_error_code={self.api_error_code!r}, message={self.message!r})"
        )


class RetriableAPIError(ChargebeeError, RetriableError):
    """A failure worth retrying: HTTP 429, any 5xx, or a timeout / dropped connection."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        api_error_code: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, api_error_code=api_error_code)
        self.retry_after = retry_after


class RateLimitError(RetriableAPIError):
    """HTTP 429: the site's request-rate or concurrency limit was exceeded."""


class FatalAPIError(ChargebeeError, FatalError):
    """A failure that retrying cannot fix (every 4xx other than 429)."""


class AuthenticationError(FatalAPIError):
    """HTTP 401: the API key is not valid for the site, environment and region tried."""


class AuthorizationError(FatalAPIError):
    """HTTP 403: the API key is valid but lacks permission for the operation."""


class NotFoundError(FatalAPIError):
    """HTTP 404: the resource (or the site) does not exist."""


class RetriesExhaustedError(RetriableAPIError):
    """A retriable failure persisted through every allowed attempt."""

    def __init__(self, message: str, *, last_error: RetriableAPIError, attempts: int) -> None:
        super().__init__(
            message, status=last_error.status, api_error_code=last_error.api_error_code
        )
        self.last_error = last_error
        self.attempts = attempts


def error_from_response(response: httpx.Response, path: str, where: str) -> ChargebeeError:
    """The typed error for an error answer to ``GET path``; ``where`` names site and host.

    Chargebee's body carries ``api_error_code`` and ``message`` (``error_code`` and ``error_msg``
    in older answers); a load balancer's HTML page has neither, so its text is kept instead.
    """
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
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        return RateLimitError(
            f"GET {path} was rate-limited by {where}: {message}",
            status=status,
            api_error_code=code,
            retry_after=retry_after,
        )
    if status >= 500:
        return RetriableAPIError(
            f"GET {path}: {message}", status=status, api_error_code=code, retry_after=retry_after
        )
    return FatalAPIError(f"GET {path}: {message}", status=status, api_error_code=code)


def transport_error(exc: httpx.TransportError, label: str) -> ChargebeeError:
    """A request that got no answer: timeouts and dropped connections are transient like a 5xx."""
    if isinstance(exc, httpx.TimeoutException):
        return RetriableAPIError(
            f"{label} timed out ({type(exc).__name__})", api_error_code="timeout"
        )
    if isinstance(exc, httpx.NetworkError | httpx.RemoteProtocolError):
        return RetriableAPIError(
            f"{label} failed at the network level ({type(exc).__name__})",
            api_error_code="network_error",
        )
    # A URL without a scheme, a refused proxy, a request httpx cannot encode: fix, then rerun.
    return FatalAPIError(f"{label} could not be sent ({type(exc).__name__})")
