"""One Chargebee site as served: name, keys, records, limiter and faults."""

from __future__ import annotations

from dataclasses import dataclass

from .faults import Faults
from .request_limits import RateLimiter
from .site_store import Store


@dataclass
class Site:
    """A test or live site; keys are only valid on their own site."""

    name: str
    api_key: str
    restricted_key: str | None
    live: bool
    store: Store
    limiter: RateLimiter
    faults: Faults
    retry_after: bool = True
