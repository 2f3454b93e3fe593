"""Settings of one Chargebee sandbox instance (sites, keys, limits, faults, webhooks)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cbns_devkit.sandbox.profile import choose

from .conventions import Conventions
from .currencies import USD_PER_UNIT, SiteCurrencies

# The real schedule after a failed delivery: +2 m, +6 m, +30 m, +1 h, +5 h, +1 d, +2 d
# (support.chargebee.com article 257941); seconds, before compression.
WEBHOOK_RETRY_SCHEDULE_SECONDS: tuple[int, ...] = (120, 360, 1800, 3600, 18000, 86400, 172800)


def default_key(prefix: str, site: str) -> str:
    """A stable, obviously fake API key for ``site`` (``test_…`` or ``live_…``)."""
    digest = hashlib.sha256(f"{prefix}:{site}".encode()).hexdigest()[:32]
    return f"{prefix}_{digest}"


@dataclass
class ChargebeeSandboxSettings:
    """Everything that shapes a sandbox: the site pair, data, limits, faults and webhooks.

    ``site`` is the test site (``<name>-test``); the live site is the same name without the
    ``-test`` suffix. Each site has its own key, data, rate limiter and event log.
    """

    site: str = "acme-test"
    api_key: str | None = None
    live_api_key: str | None = None
    # A syntactically valid key that has no read permissions: every API call gets 403.
    restricted_api_key: str | None = None
    # Data: a seeding-contract dict, a JSON file in that shape, or the generator.
    seed_data: dict[str, Any] | None = None
    seed_file: Path | None = None
    scale: int = 0
    random_seed: int = 7
    # Requests per sliding window and concurrent requests, per site.
    rate_limit_per_minute: int = 150
    rate_limit_window_seconds: float = 60.0
    # Older KB revisions: test sites allow <= 50 concurrent GETs [unconfirmed for today's sites].
    concurrency_limit: int = 50
    # Retry-After on a 429 is undocumented; the official Python SDK (chargebee 3.29
    # http_request.parse_retry_after) honours it when present and falls back to its own delay.
    retry_after: bool = field(default_factory=choose(True, False))
    latency_ms: int = 0
    fail_nth: int | None = None
    fail_kind: str = "internal_error"
    # Webhooks.
    webhook_urls: list[str] = field(default_factory=list)
    webhook_user: str | None = None
    webhook_password: str | None = None
    webhook_time_factor: float = 1.0
    webhook_timeout_seconds: float = 10.0
    # Line-item truncation: lists return at most this many lines per document [unconfirmed;
    # the real threshold is undocumented], retrieve defaults to the documented maximum.
    list_line_items_limit: int = 100
    retrieve_line_items_default: int = 300
    # The site's base currency and its rate table (US dollars per unit of each currency):
    # documents carry ``exchange_rate`` to the base currency and ``base_currency_code``.
    base_currency: str = "USD"
    usd_per_unit: dict[str, Decimal] = field(default_factory=lambda: dict(USD_PER_UNIT))

    @property
    def currencies(self) -> SiteCurrencies:
        """The base currency and rates every site of this sandbox stamps on new documents."""
        return SiteCurrencies(self.base_currency, self.usd_per_unit)

    # Which customer a parent's payment of a child's invoice belongs to: the payment owner
    # (parent) or the invoice's customer (child); Chargebee's docs say the parent pays but
    # not whose customer_id the transaction carries [unconfirmed].
    hierarchy_payment_customer: str = field(
        default_factory=choose("payment_owner", "invoice_owner")
    )
    # How invoice and credit-note fields the public sources leave open are filled (profile).
    conventions: Conventions = field(default_factory=Conventions)

    @property
    def live_site(self) -> str:
        """The live site's name: the test site's name without ``-test``."""
        return self.site[: -len("-test")] if self.site.endswith("-test") else f"{self.site}-live"

    @property
    def test_key(self) -> str:
        """The test site's API key."""
        return self.api_key or default_key("test", self.site)

    @property
    def live_key(self) -> str:
        """The live site's API key (distinct from the test key)."""
        return self.live_api_key or default_key("live", self.live_site)

    @property
    def no_rights_key(self) -> str:
        """A test-site key without permissions (answers 403)."""
        return self.restricted_api_key or default_key("test_restricted", self.site)
