"""Account concurrency governance: one in-flight limiter shared by every client of an account."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ConcurrencyLimiter:
    """Caps requests in flight; resizable once the real limit is read from governanceLimits."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        self._limit = limit
        self._in_flight = 0
        self._cond = threading.Condition()
        self.peak = 0

    @property
    def limit(self) -> int:
        """The current cap."""
        return self._limit

    @property
    def in_flight(self) -> int:
        """Requests holding a slot right now."""
        return self._in_flight

    def resize(self, limit: int) -> None:
        """Change the cap; requests already in flight finish normally."""
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        with self._cond:
            self._limit = limit
            self._cond.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the slots for the duration of a request."""
        with self._cond:
            while self._in_flight >= self._limit:
                self._cond.wait()
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            yield
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify()


_registry: dict[str, ConcurrencyLimiter] = {}
_registry_lock = threading.Lock()


def shared_limiter(key: str, limit: int) -> ConcurrencyLimiter:
    """The process-wide limiter for ``key`` (an account's REST URL).

    NetSuite's limit is per account, so every client of one account in this process must draw
    from the same slots. The first caller's limit wins; a later one can :meth:`resize` it.
    """
    with _registry_lock:
        limiter = _registry.get(key)
        if limiter is None:
            limiter = _registry[key] = ConcurrencyLimiter(limit)
        return limiter
