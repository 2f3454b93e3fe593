"""Typed Chargebee API errors: retriable (429, 5xx, timeouts) versus fatal (every other failure)."""

from __future__ import annotations

from chargebee_netsuite.errors import ConnectorError, FatalError, RetriableError


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
        parts = [p for p in (str(self.status or ""), self.api_error_code or "") if p]
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
