"""Request counters for ``/api/v2`` (e.g. to prove a run made zero writes to Chargebee).

Every request whose path is under ``/api/v2`` is counted when it arrives, before the key,
rate limit or fault checks, so rejected attempts (a POST answered 405, a 401, a 429)
count too. ``GET /__admin/stats`` reads the counters and ``POST /__admin/stats/reset``
zeroes them; neither is itself counted.
"""

from __future__ import annotations

import threading
from collections import Counter
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
    """Zero the counters; answers the (empty) counts."""
    stats = _stats(request)
    stats.reset()
    return stats.snapshot()
