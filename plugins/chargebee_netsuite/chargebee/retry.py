"""Retry policy: ``Retry-After`` when sent; 429s within a time budget, other failures by count."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait between attempts of a retriable request.

    5xx answers, timeouts and dropped connections get ``max_attempts`` tries with exponential
    backoff. A 429 is different: Chargebee blocks the whole site until its one-minute window
    resets, whichever client used the limit up (another tool on the same site counts too), so
    a 429 without ``Retry-After`` waits out a whole window plus jitter, and 429s are retried
    for as long as ``rate_limit_budget`` allows rather than a number of times.
    """

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 60.0
    jitter: float = 0.5
    # Chargebee's rate-limit window (a minute; tests and the sandbox shorten it).
    rate_limit_window: float = 60.0
    # How long one request may keep meeting 429s before the task fails (15 minutes).
    rate_limit_budget: float = 900.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to sleep after failed attempt number ``attempt`` (1-based)."""
        if retry_after is not None:
            # The server knows when the block lifts; add a little so we do not arrive early.
            return min(max(retry_after, 0.0), self.max_delay) + self.rng.uniform(0, 0.1)
        backoff = min(self.base_delay * 2 ** (attempt - 1), self.max_delay)
        return backoff * (1 + self.rng.uniform(0, self.jitter))

    def rate_limit_delay(self, retry_after: float | None) -> float:
        """Seconds to sleep after a 429: its ``Retry-After``, else a whole window plus jitter.

        The jitter spreads the clients of one site so they do not all return at the instant
        the window resets and block it again.
        """
        if retry_after is not None:
            return max(retry_after, 0.0) + self.rng.uniform(0, 0.1)
        return self.rate_limit_window * (1 + self.rng.uniform(0, self.jitter))


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
