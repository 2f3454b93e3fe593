"""Injected faults: an error on the Nth request, slow responses, rows changing mid-scan."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from fastapi.responses import HTMLResponse, Response

from . import api_errors as errors

FAIL_KINDS = (
    "internal_error",
    "internal_temporary_error",
    "site_not_ready",
    "lock_timeout",
    "html_502",
    "html_503",
    "html_504",
)


@dataclass
class Faults:
    """Fault settings of one site; ``fail_nth`` counts authenticated API requests from 1."""

    fail_nth: int | None = None
    fail_kind: str = "internal_error"
    latency_ms: int = 0
    # Records of the listed kind updated before each list page that has an ``offset``.
    mutate_on_page: int = 0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count_request(self) -> str | None:
        """Count one request; return the fault kind if this is the one that must fail."""
        with self._lock:
            self.requests += 1
            if self.fail_nth is not None and self.requests == self.fail_nth:
                self.fail_nth = None
                return self.fail_kind
            return None

    def fail_after(self, n: int, kind: str) -> None:
        """Make the ``n``-th request from now fail with ``kind``."""
        if kind not in FAIL_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {FAIL_KINDS}")
        with self._lock:
            self.fail_nth = self.requests + n
            self.fail_kind = kind


def fault_response(kind: str) -> Response:
    """The response a fault of ``kind`` produces (JSON API errors or load-balancer HTML)."""
    if kind.startswith("html_"):
        status = int(kind.removeprefix("html_"))
        text = {502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}[status]
        title = f"{status} {text}"
        body = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return HTMLResponse(body, status_code=status)
    err = {
        "internal_error": errors.internal_error,
        "lock_timeout": errors.lock_timeout,
    }.get(kind)
    if err is not None:
        return errors.error_response(err())
    return errors.error_response(errors.temporary_error(kind))
