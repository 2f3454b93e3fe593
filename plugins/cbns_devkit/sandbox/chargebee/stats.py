"""Request counters and log for ``/api/v2`` (to prove zero writes, or that no 429 was earned).

Every request whose path is under ``/api/v2`` is counted when it arrives, before the key,
rate limit or fault checks, so rejected attempts (a POST answered 405, a 401, a 429)
count too. ``GET /__admin/stats`` reads the counters and ``POST /__admin/stats/reset``
zeroes them (and the log); neither is itself counted. ``GET /__admin/requests`` is the
request log: each answered request's arrival time, path prefix and status, the count per
status, and the most requests that arrived within any window of a given length.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request

API_PREFIX = "/api/v2"

router = APIRouter(prefix="/__admin")


class RequestStats:
    """Thread-safe counts of ``/api/v2`` requests by method and by resource path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_method: Counter[str] = Counter()
        self._by_path: dict[str, Counter[str]] = {}

    def count(self, method: str, path: str) -> None:
        """Count one request if ``path`` is under ``/api/v2``."""
        if path != API_PREFIX and not path.startswith(API_PREFIX + "/"):
            return
        prefix = path_prefix(path)
        with self._lock:
            self._by_method[method] += 1
            self._by_path.setdefault(prefix, Counter())[method] += 1

    def snapshot(self) -> dict[str, Any]:
        """``{"total", "requests": {method: n}, "by_path_prefix": {prefix: {method: n}}}``."""
        with self._lock:
            return {
                "total": sum(self._by_method.values()),
                "requests": dict(sorted(self._by_method.items())),
                "by_path_prefix": {
                    prefix: dict(sorted(methods.items()))
                    for prefix, methods in sorted(self._by_path.items())
                },
            }

    def reset(self) -> None:
        """Forget every count."""
        with self._lock:
            self._by_method.clear()
            self._by_path.clear()


# Enough for a long benchmark; the oldest entries go first beyond it.
LOG_LIMIT = 1_000_000


class RequestLog:
    """Each answered ``/api/v2`` request: arrival (monotonic seconds), path prefix, status."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._entries: deque[tuple[float, str, int]] = deque(maxlen=LOG_LIMIT)

    def arrived(self) -> float:
        """The arrival time to hand to :meth:`answered` once the response exists."""
        return float(self._clock())

    def answered(self, arrived: float, path: str, status: int) -> None:
        """Log one request that arrived at ``arrived`` and was answered ``status``."""
        with self._lock:
            self._entries.append((arrived, path_prefix(path), status))

    def snapshot(self, window_seconds: float | None = None) -> dict[str, Any]:
        """The log (arrivals relative to the first), counts per status, and the peak per window."""
        with self._lock:
            entries = sorted(self._entries)
        first = entries[0][0] if entries else 0.0
        result: dict[str, Any] = {
            "total": len(entries),
            "by_status": {str(k): v for k, v in sorted(Counter(e[2] for e in entries).items())},
            "entries": [[round(t - first, 4), prefix, status] for t, prefix, status in entries],
        }
        if window_seconds is not None:
            result["window_seconds"] = window_seconds
            result["peak_in_window"] = peak_in_window([e[0] for e in entries], window_seconds)
        return result

    def reset(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def peak_in_window(arrivals: Sequence[float], window_seconds: float) -> int:
    """The most ``arrivals`` (sorted) within any half-open window ``(t - window, t]``."""
    peak = start = 0
    for end, t in enumerate(arrivals):
        while arrivals[start] <= t - window_seconds:
            start += 1
        peak = max(peak, end - start + 1)
    return peak


def path_prefix(path: str) -> str:
    """``/api/v2/<resource>`` for any path under it (ids and sub-paths are dropped)."""
    rest = path[len(API_PREFIX) :].strip("/")
    first = rest.split("/", 1)[0]
    return f"{API_PREFIX}/{first}" if first else API_PREFIX


def _stats(request: Request) -> RequestStats:
    stats: RequestStats = request.app.state.stats
    return stats


@router.get("/stats")
async def get_stats(request: Request) -> dict[str, Any]:
    """Counts of ``/api/v2`` requests since start (or the last reset)."""
    return _stats(request).snapshot()


@router.post("/stats/reset")
async def reset_stats(request: Request) -> dict[str, Any]:
    """Zero the counters and the request log; answers the (empty) counts."""
    stats = _stats(request)
    stats.reset()
    request.app.state.request_log.reset()
    return stats.snapshot()


@router.get("/requests")
async def get_request_log(request: Request, window_seconds: float | None = None) -> dict[str, Any]:
    """The request log; with ``window_seconds``, also the most arrivals within such a window."""
    log: RequestLog = request.app.state.request_log
    return log.snapshot(window_seconds)
