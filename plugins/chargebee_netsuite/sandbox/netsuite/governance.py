"""Account-wide concurrency governance: a limit on requests in flight, and its report."""

from __future__ import annotations

import threading
from typing import Any


class Governor:
    """Counts NetSuite requests in flight; over the limit a request is refused, not queued."""

    def __init__(self, limit: int = 5) -> None:
        self.limit = limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a slot; False means the caller must answer 429."""
        with self._lock:
            if self.in_flight >= self.limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    def release(self) -> None:
        """Give a slot back."""
        with self._lock:
            self.in_flight -= 1

    def limits_body(self) -> dict[str, Any]:
        """The ``GET /system/v1/governanceLimits`` body (no per-integration limit is set)."""
        return {
            "accountConcurrencyLimit": self.limit,
            # At least one slot always stays unallocated; with no integration limits
            # allocated, all of them are.
            "accountUnallocatedConcurrencyLimit": self.limit,
            "integrationLimitType": "accountLimit",
        }

    def snapshot(self) -> dict[str, int]:
        """Counters for the admin API."""
        return {
            "limit": self.limit,
            "in_flight": self.in_flight,
            "peak": self.peak,
            "rejected": self.rejected,
        }
