"""Incremental extraction windows: ``[start - overlap, end)`` in Chargebee's Unix seconds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_OVERLAP = timedelta(minutes=10)
# Chargebee timestamp filters take exactly ten digits; earlier bounds are clamped to this
# (2001-09-09), which predates every Chargebee site.
MIN_TIMESTAMP = 1_000_000_000


@dataclass(frozen=True)
class Window:
    """A half-open extraction window ``[start, end)``, usually a DAG run's data interval.

    The window is an explicit argument, never "since the last run": re-running or backfilling
    the same window reads the same records, and the newest-wins upsert makes that idempotent.
    """

    start: datetime
    end: datetime
    overlap: timedelta = DEFAULT_OVERLAP

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("window bounds must be timezone-aware datetimes")
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} must be after its start {self.start}")
        if self.overlap < timedelta(0):
            raise ValueError("overlap must not be negative")

    def bounds(self) -> tuple[int, int]:
        """Inclusive ``(low, high)`` seconds for ``updated_at[between]``.

        ``low`` reaches ``overlap`` back so that records committed late, or under a clock that
        differs from Chargebee's, are read again; ``high`` is the last whole second before
        ``end``, which makes the inclusive ``between`` equal to the half-open window.
        """
        low = max(math.floor((self.start - self.overlap).timestamp()), MIN_TIMESTAMP)
        high = math.ceil(self.end.timestamp()) - 1
        return low, max(high, low)

    @classmethod
    def from_epochs(cls, start: int, end: int, overlap: timedelta = DEFAULT_OVERLAP) -> Window:
        """A window from Unix seconds."""
        return cls(datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC), overlap)
