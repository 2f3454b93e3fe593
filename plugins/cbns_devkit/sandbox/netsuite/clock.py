"""A wall clock that admin calls can move forward, so token expiry is testable in seconds."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime


class Clock:
    """Real time plus an offset that only ever grows."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Seconds since the epoch, as the sandbox sees them."""
        return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move the sandbox clock forward; returns the new total offset."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._offset += seconds
            return self._offset

    @property
    def offset(self) -> float:
        """How far the sandbox clock is ahead of real time, in seconds."""
        return self._offset

    def utcnow(self) -> datetime:
        """The sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.now(), UTC)

    def today(self) -> date:
        """The sandbox date (UTC)."""
        return self.utcnow().date()

    def iso_timestamp(self) -> str:
        """The sandbox time as NetSuite writes datetimes: ISO 8601 in UTC."""
        return self.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
