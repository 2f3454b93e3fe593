"""Client-side limiter keeping requests under a Chargebee plan's per-minute and concurrency caps."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from chargebee_netsuite.http_core import Limiter as SlotLimiter

# Chargebee's published per-minute limits by plan (test sites get the Starter limit).
PLAN_LIMITS_PER_MINUTE: dict[str, int] = {"starter": 150, "performance": 1000, "enterprise": 3500}


class Limiter(SlotLimiter, Protocol):
    """What a client needs of a limiter: the core's request slot, and a way to release it all.

    :class:`RateLimiter` serves the threads of one process; extraction tasks running as
    separate processes share one site budget through ``extract.budget.SharedRateLimiter``.
    """

    def close(self) -> None:
        """Release what the limiter holds (called when its client closes)."""
        ...


class RateLimiter:
    """A sliding-window request counter plus a concurrency cap, shared by threads of one client.

    Chargebee blocks a site for about a minute once it sees more than the plan's requests in any
    60 s, so the limiter counts a request from the moment its *response* has arrived: the server
    received it earlier than that, hence any window the server looks at contains at most
    ``requests_per_window`` of our requests. In-flight requests count against the window too.
    """

    def __init__(
        self,
        requests_per_window: int,
        window_seconds: float = 60.0,
        max_concurrency: int = 8,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests_per_window < 1 or max_concurrency < 1 or window_seconds <= 0:
            raise ValueError("rate limit, window and concurrency must be positive")
        self.requests_per_window = requests_per_window
        self.window_seconds = window_seconds
        self.max_concurrency = max_concurrency
        self._clock = clock
        self._done: deque[float] = deque()
        self._in_flight = 0
        self._cond = threading.Condition()

    def _wait_time(self, now: float) -> float | None:
        """Seconds to wait before a new request may start, or ``None`` if it may start now."""
        while self._done and self._done[0] <= now - self.window_seconds:
            self._done.popleft()
        if self._in_flight >= self.max_concurrency:
            return self.window_seconds  # woken by notify when a request completes
        if len(self._done) + self._in_flight < self.requests_per_window:
            return None
        if not self._done:
            return self.window_seconds  # all slots in flight; wait for one to finish
        return max(self._done[0] + self.window_seconds - now, 0.001)

    def close(self) -> None:
        """Nothing to release: the limiter lives in memory."""

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one request slot for the duration of the ``with`` block."""
        with self._cond:
            while (wait := self._wait_time(self._clock())) is not None:
                self._cond.wait(wait)
            self._in_flight += 1
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._done.append(self._clock())
                self._cond.notify_all()
