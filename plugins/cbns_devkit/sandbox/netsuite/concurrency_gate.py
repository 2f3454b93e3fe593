"""Account-wide concurrency governance: a limit on requests in flight, and its report."""

from __future__ import annotations

import threading
from typing import Any


class Governor:
    """Counts NetSuite requests in flight; over the limit a request is refused, not queued."""

    def __init__(self, limit: int = 5, integration_limit: int | None = None) -> None:
        self.limit = limit
        # A limit allocated to this integration out of the account limit (None: not set).
        self.integration_limit = integration_limit
        self.in_flight = 0
        self.peak = 0
        self.rejected = 0
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        """Take a slot; False means the caller must answer 429."""
        with self._lock:
            if self.in_flight >= self.effective_limit:
                self.rejected += 1
                return False
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            return True

    @property
    def effective_limit(self) -> int:
        """The limit this (single) integration actually runs under."""
        if self.integration_limit is None:
            return self.limit
        return min(self.limit, self.integration_limit)

    def release(self) -> None:
        """Give a slot back."""
        with self._lock:
            self.in_flight -= 1

    def limits_body(self) -> dict[str, Any]:
        """The ``GET /system/v1/governanceLimits`` body."""
        if self.integration_limit is None:
            return {
                "accountConcurrencyLimit": self.limit,
                "accountUnallocatedConcurrencyLimit": self.limit,
                "integrationLimitType": "accountLimit",
            }
        return {
            "accountConcurrencyLimit": self.limit,
            "accountUnallocatedConcurrencyLimit": self.limit - self.integration_limit,
            "integrationConcurrencyLimit": self.integration_limit,
            "integrationLimitType": "integrationSpecific",
        }

    def snapshot(self) -> dict[str, int]:
        """Counters for the admin API."""
        return {
            "limit": self.limit,
            "integration_limit": -1 if self.integration_limit is None else self.integration_limit,
            "in_flight": self.in_flight,
            "peak": self.peak,
            "rejected": self.rejected,
        }
