"""NetSuite REST error bodies (type, title, status, o:errorDetails) and OAuth errors."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

_RFC2616 = "https://www.w3.org/Protocols/rfc2616/rfc2616-sec10.html"
_TYPES = {
    400: f"{_RFC2616}#sec10.4.1",
    401: f"{_RFC2616}#sec10.4.2",
    403: f"{_RFC2616}#sec10.4.4",
    404: f"{_RFC2616}#sec10.4.5",
    405: f"{_RFC2616}#sec10.4.6",
    409: f"{_RFC2616}#sec10.4.10",
    415: f"{_RFC2616}#sec10.4.16",
    429: "https://tools.ietf.org/html/rfc6585#section-4",
    500: f"{_RFC2616}#sec10.5.1",
}
_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    415: "Unsupported Media Type",
    # NetSuite documents the 429 body with this title.
    429: "Bad Request",
    500: "Internal Server Error",
}

LOGIN_DETAIL = (
    "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
    "Setup > Users/Roles > User Management > View Login Audit Trail."
)


@dataclass
class NetSuiteError(Exception):
    """An error the simulator answers with the NetSuite error body."""

    status: int
    code: str
    detail: str
    path: str | None = None
    query_param: str | None = None
    title: str | None = None
    top_level_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.detail}"

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return error_body(
            self.status,
            self.code,
            self.detail,
            path=self.path,
            query_param=self.query_param,
            title=self.title,
            top_level_code=self.top_level_code,
        )


def error_body(
    status: int,
    code: str,
    detail: str,
    *,
    path: str | None = None,
    query_param: str | None = None,
    title: str | None = None,
    top_level_code: str | None = None,
) -> dict[str, Any]:
    """Build ``{"type","title","status","o:errorDetails":[...]}`` as NetSuite does."""
    item: dict[str, Any] = {"detail": detail, "o:errorCode": code}
    if path is not None:
        item["o:errorPath"] = path
    if query_param is not None:
        item["o:errorQueryParam"] = query_param
    body: dict[str, Any] = {
        "type": _TYPES.get(status, _RFC2616),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
    }
    if top_level_code is not None:
        body["o:errorCode"] = top_level_code
    body["o:errorDetails"] = [item]
    return body


def user_error(detail: str, path: str | None = None) -> NetSuiteError:
    """A 400 ``USER_ERROR`` (business-rule failure) with NetSuite's detail prefix."""
    return NetSuiteError(400, "USER_ERROR", f"Error while accessing a resource. {detail}", path)


def invalid_field_value(value: Any, field_name: str, path: str) -> NetSuiteError:
    """A 400 for a reference or value NetSuite does not know, pointing at the body path."""
    return NetSuiteError(
        400,
        "INVALID_CONTENT",
        "Error while accessing a resource. You have entered an Invalid Field Value "
        f"{value} for the following field: {field_name}",
        path,
    )


def not_found() -> NetSuiteError:
    """404 ``NONEXISTENT_ID``."""
    return NetSuiteError(404, "NONEXISTENT_ID", "Record does not exist.")


def invalid_login(account_id: str) -> NetSuiteError:
    """401 ``INVALID_LOGIN`` with the Bearer challenge NetSuite sends."""
    return NetSuiteError(
        401,
        "INVALID_LOGIN",
        LOGIN_DETAIL,
        headers={
            "WWW-Authenticate": f'Bearer realm="{account_id}", error="invalid_token", '
            'error_description="Invalid login attempt."'
        },
    )


def unexpected_error() -> NetSuiteError:
    """500 ``UNEXPECTED_ERROR`` with a fresh error id."""
    error_id = secrets.token_hex(8)
    return NetSuiteError(
        500, "UNEXPECTED_ERROR", f"An unexpected error occurred. Error ID: {error_id}"
    )


def record_changed(code: str = "USER_ERROR") -> NetSuiteError:
    """400 "Record has been changed": another write saved the record while this one ran.

    The message is SOAP's RCRD_HAS_BEEN_CHANGED (HC section_N3539978, Error Status Codes);
    REST clients match it in the detail (Trax.Effect's NetSuiteFailureClassifier example).
    """
    if code == "USER_ERROR":
        return user_error("Record has been changed")
    return NetSuiteError(400, code, "Record has been changed")


def concurrency_exceeded() -> NetSuiteError:
    """429 as documented: title "Bad Request", top-level USER_ERROR, detail code below."""
    return NetSuiteError(
        429,
        "CONCURRENCY_LIMIT_EXCEEDED",
        "Concurrent request limit exceeded. Request blocked.",
        top_level_code="USER_ERROR",
    )


@dataclass
class OAuthError(Exception):
    """An OAuth 2.0 token-endpoint error: body ``{"error": code}``."""

    status: int
    error: str

    def __str__(self) -> str:
        return f"{self.status} {self.error}"
