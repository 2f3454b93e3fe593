"""Retry policy: bounded attempts, ``Retry-After`` when sent, else backoff with jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts of a retriable request.

    Chargebee keeps a rate-limited site blocked for about a minute, so the cap on one delay is a
    minute and the default attempt budget spans a few minutes in total — enough to ride out a
    block, short enough that a persistent outage fails the task instead of hanging for hours.
    """

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.5
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            # The server knows when the block lifts; add a little so we do not arrive early.
            return min(max(retry_after, 0.0), self.max_delay) + self.rng.uniform(0, 0.1)
        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return backoff * (1 + self.rng.uniform(0, self.jitter))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP date), or ``None``."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
