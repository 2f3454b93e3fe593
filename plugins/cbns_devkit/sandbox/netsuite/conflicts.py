"""Optimistic locking: a write fails with "Record has been changed" when another write saved one
of its records while it ran.

NetSuite loads a record when a request starts and saves it when the request ends; a save that
finds the record saved by someone else in between fails with RCRD_HAS_BEEN_CHANGED "Record has
been changed" (HC section_N3539978; SuiteScript code retries on it, e.g. the public
``RCRD_HAS_BEEN_CHANGED`` retry loops of user-event scripts). The sandbox carries a write out at
once but answers it ``latency_ms`` later, so it takes that answer time as the save time: a
write conflicts when another write's save time of a record it touches falls within its own
request (after it arrived, no later than its own save).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

RecordKey = tuple[str, int]  # (id family: "entity" | "transaction", internal id)


@dataclass(frozen=True)
class Window:
    """When a write request arrived and when its answer is due (``time.monotonic``)."""

    arrived: float
    due: float


class SaveTimes:
    """The latest save time of every record written through the record API."""

    def __init__(self) -> None:
        self._saved: dict[RecordKey, float] = {}
        self._lock = threading.Lock()

    def conflicts(self, window: Window, records: Iterable[RecordKey]) -> bool:
        """Whether another write saved one of ``records`` during ``window``."""
        with self._lock:
            return any(self._saved.get(key, float("-inf")) > window.arrived for key in records)

    def saved(self, window: Window, records: Iterable[RecordKey]) -> None:
        """Note that a write saved ``records`` at the end of ``window``."""
        at = max(window.due, time.monotonic())
        with self._lock:
            for key in records:
                self._saved[key] = max(self._saved.get(key, at), at)

    def clear(self) -> None:
        """Forget every save (a reset)."""
        with self._lock:
            self._saved.clear()
