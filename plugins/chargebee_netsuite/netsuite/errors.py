"""NetSuite error taxonomy: retriable vs fatal, with NetSuite's error details kept verbatim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chargebee_netsuite.errors import ConnectorError, FatalError, RetriableError


@dataclass(frozen=True)
class ErrorDetail:
    """One entry of ``o:errorDetails``, exactly as NetSuite sent it."""

    detail: str
    error_code: str | None = None
    error_path: str | None = None
    error_query_param: str | None = None

    @classmethod
    def from_json(cls, raw: Any) -> ErrorDetail:
        """Parse one ``o:errorDetails`` item, tolerating missing keys."""
        if not isinstance(raw, dict):
            return cls(detail=str(raw))
        return cls(
            detail=str(raw.get("detail", "")),
            error_code=raw.get("o:errorCode"),
            error_path=raw.get("o:errorPath"),
            error_query_param=raw.get("o:errorQueryParam"),
        )


class NetSuiteError(ConnectorError):
    """Base of every error this client raises."""


class RetriableAPIError(NetSuiteError, RetriableError):
    """Worth retrying later: 429, 5xx, timeouts, dropped connections."""


class FatalAPIError(NetSuiteError, FatalError):
    """Retrying will not help: the request, the data or the credentials must change."""


class NetSuiteAPIError(NetSuiteError):
    """An HTTP error answer from NetSuite with its parsed error body."""

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        title: str | None = None,
        details: tuple[ErrorDetail, ...] = (),
        top_level_code: str | None = None,
        body_text: str | None = None,
        context: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.title = title
        self.details = details
        self.top_level_code = top_level_code
        # Kept only when the body was not NetSuite's JSON shape; never contains request data.
        self.body_text = body_text
        # Who was calling and what to do about it (never a secret).
        self.context = context
        super().__init__(self._message())

    @property
    def error_code(self) -> str | None:
        """The first detail's ``o:errorCode`` (the specific one), else the top-level code."""
        for item in self.details:
            if item.error_code:
                return item.error_code
        return self.top_level_code

    @property
    def error_path(self) -> str | None:
        """The first ``o:errorPath``: where in the request body NetSuite found the problem."""
        return next((item.error_path for item in self.details if item.error_path), None)

    @property
    def detail(self) -> str | None:
        """The first ``detail`` sentence, verbatim."""
        return self.details[0].detail if self.details else None

    def _message(self) -> str:
        head = f"NetSuite {self.method} {self.path} failed with {self.status}"
        if self.title:
            head += f" {self.title}"
        parts = []
        for item in self.details:
            text = f"[{item.error_code}] {item.detail}" if item.error_code else item.detail
            if item.error_path:
                text += f" (at {item.error_path})"
            if item.error_query_param:
                text += f" (query parameter {item.error_query_param})"
            parts.append(text)
        if not parts and self.body_text:
            parts.append(self.body_text[:500])
        message = f"{head}: {'; '.join(parts)}" if parts else head
        return f"{message}. {self.context}" if self.context else message


class RequestError(NetSuiteAPIError, FatalAPIError):
    """A 4xx answer: NetSuite rejected the request itself (``USER_ERROR``, ``INVALID_CONTENT``…)."""


class RecordNotFoundError(RequestError):
    """404 ``NONEXISTENT_ID``."""


class ServerError(NetSuiteAPIError, RetriableAPIError):
    """A 5xx answer such as ``UNEXPECTED_ERROR``."""


class ConcurrencyLimitError(NetSuiteAPIError, RetriableAPIError):
    """429 ``CONCURRENCY_LIMIT_EXCEEDED``: too many requests in flight for the account."""


class RecordChangedError(NetSuiteAPIError, RetriableAPIError):
    """A 4xx "Record has been changed": another write saved a record this one touches (two
    payments applied to one invoice at once). Sent again, it goes through."""


# SOAP's RCRD_HAS_BEEN_CHANGED "Record has been changed" (HC section_N3539978); REST may carry it
# as that code or as USER_ERROR with the message in the detail, so both are recognised.
RECORD_CHANGED_CODE = "RCRD_HAS_BEEN_CHANGED"
RECORD_CHANGED_TEXT = "record has been changed"


class TransportError(RetriableAPIError):
    """A timeout or a dropped connection; the request may or may not have reached NetSuite."""


class AuthenticationError(FatalAPIError):
    """NetSuite does not accept our credentials (after one fresh token was tried)."""


class TokenRequestError(AuthenticationError):
    """The token endpoint refused the client assertion (``invalid_client``, ``invalid_grant``…)."""

    def __init__(self, message: str, *, status: int, error: str | None) -> None:
        self.status = status
        self.error = error
        super().__init__(message)


def error_from_response(
    method: str, path: str, status: int, body: Any, text: str, context: str | None = None
) -> NetSuiteAPIError:
    """The typed exception for an error status and its (possibly non-JSON) body."""
    title = top_level = None
    details: tuple[ErrorDetail, ...] = ()
    if isinstance(body, dict):
        title = body.get("title")
        top_level = body.get("o:errorCode")
        raw_details = body.get("o:errorDetails") or []
        if isinstance(raw_details, list):
            details = tuple(ErrorDetail.from_json(item) for item in raw_details)
    kwargs: dict[str, Any] = {
        "method": method,
        "path": path,
        "status": status,
        "title": title,
        "details": details,
        "top_level_code": top_level,
        "body_text": None if details else text,
        "context": context,
    }
    codes = {item.error_code for item in details} | {top_level}
    if status == 429 or "CONCURRENCY_LIMIT_EXCEEDED" in codes:
        return ConcurrencyLimitError(**kwargs)
    changed = RECORD_CHANGED_CODE in codes or any(
        RECORD_CHANGED_TEXT in item.detail.lower() for item in details
    )
    if 400 <= status < 500 and status not in (401, 404) and changed:
        return RecordChangedError(**kwargs)
    if status >= 500:
        return ServerError(**kwargs)
    if status == 401:
        return UnauthorizedError(**kwargs)
    if status == 404:
        return RecordNotFoundError(**kwargs)
    return RequestError(**kwargs)


class UnauthorizedError(NetSuiteAPIError, AuthenticationError):
    """A REST call still answered 401 ``INVALID_LOGIN`` with a freshly minted token."""
