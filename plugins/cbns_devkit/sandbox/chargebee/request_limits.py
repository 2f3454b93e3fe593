"""Per-site request limits: requests per sliding window and concurrent requests."""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """Chargebee's two criteria: requests in the past window, and requests in flight.

    Breaching the per-window limit blocks *every* further request until the window has
    passed (KB: "HTTP 429 until the limit resets (~1 min)"); breaching concurrency rejects
    only that request.
    """

    def __init__(
        self,
        per_window: int,
        window_seconds: float,
        concurrency: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_window = per_window
        self.window_seconds = window_seconds
        self.concurrency = concurrency
        self.clock = clock
        self._times: deque[float] = deque()
        self._in_flight = 0
        self._blocked_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> int | None:
        """Admit a request (None) or return the whole seconds until it may retry."""
        with self._lock:
            now = self.clock()
            if now < self._blocked_until:
                return max(1, math.ceil(self._blocked_until - now))
            if self._blocked_until:
                self._blocked_until = 0.0
                self._times.clear()
            while self._times and self._times[0] <= now - self.window_seconds:
                self._times.popleft()
            if self._in_flight >= self.concurrency:
                return 1
            if len(self._times) >= self.per_window:
                self._blocked_until = now + self.window_seconds
                return max(1, math.ceil(self.window_seconds))
            self._times.append(now)
            self._in_flight += 1
            return None

    def release(self) -> None:
        """Mark an admitted request finished."""
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)

    def reconfigure(
        self,
        *,
        per_window: int | None = None,
        window_seconds: float | None = None,
        concurrency: int | None = None,
    ) -> None:
        """Change limits at runtime and forget past requests (admin endpoint)."""
        with self._lock:
            if per_window is not None:
                self.per_window = per_window
            if window_seconds is not None:
                self.window_seconds = window_seconds
            if concurrency is not None:
                self.concurrency = concurrency
            self._times.clear()
            self._blocked_until = 0.0
