"""What a transform takes (settings, context) and gives back (a posting, or why there is none)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.mapping.validation import ValidationReport
from chargebee_netsuite.reference.model import ReferenceData

DiscountMode = Literal["separate", "net"]


@dataclass(frozen=True)
class TransformSettings:
    """Choices that are not part of the mapping file.

    ``time_zone`` is the NetSuite account's time zone (Setup > Company > General Preferences):
    Chargebee timestamps are instants, NetSuite dates are calendar days in that zone, so there
    is deliberately no default. ``discounts``: ``separate`` posts each discount as a negative
    line on the mapping's discount item; ``net`` nets it into the discounted line.
    ``line_service_dates`` sends each line's service period (``revRecStartDate``/
    ``revRecEndDate``) for revenue recognition.
    """

    time_zone: str
    discounts: DiscountMode = "separate"
    line_service_dates: bool = True

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"time_zone {self.time_zone!r} is not an IANA time zone such as "
                "'America/Los_Angeles'; use the NetSuite account's time zone"
            ) from None
        if self.discounts not in ("separate", "net"):
            raise ValueError("discounts must be 'separate' or 'net'")

    @property
    def zone(self) -> ZoneInfo:
        """The time zone as a ``ZoneInfo``."""
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class TransformContext:
    """Everything a transform needs besides the document: site, mapping, NetSuite facts."""

    site: str
    mapping: MappingConfig
    reference: ReferenceData
    settings: TransformSettings
    report: ValidationReport = field(default_factory=ValidationReport)
    # Chargebee item price id -> what is known about it (item, family, entity type).
    item_prices: Mapping[str, ItemPriceRef] = field(default_factory=dict)
    # The document is in NetSuite already: the closed-period policy is for first postings
    # only (the loader keeps the date and period NetSuite holds), so closing a period never
    # holds or re-dates what was posted in it.
    already_posted: bool = False


@dataclass(frozen=True)
class Ref:
    """A reference to another record this connector posts; the loader swaps in its internal id."""

    record_type: str
    external_id: str


@dataclass(frozen=True)
class Posting:
    """One NetSuite record to upsert: its type, external id and body (which may hold Refs)."""

    record_type: str
    external_id: str
    body: dict[str, Any]
    label: str  # e.g. "Chargebee invoice 1001", for messages

    def refs(self) -> list[Ref]:
        """Every record this one refers to, in body order."""
        found: list[Ref] = []
        _collect(self.body, found)
        return found


def _collect(value: Any, found: list[Ref]) -> None:
    if isinstance(value, Ref):
        found.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list):
        for item in value:
            _collect(item, found)


class NotPosted(Exception):
    """Base of the reasons a document yields no posting; ``reason`` is a sentence for a human."""

    state = "failed"

    def __init__(self, reason: str, code: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code or type(self).__name__.upper()


class Quarantined(NotPosted):
    """The document or the mapping must be fixed before it can post."""

    state = "quarantined"


class Held(NotPosted):
    """It will post later without anyone changing it (a closed period, a dependency)."""

    state = "held"


class Skipped(NotPosted):
    """It must never post (a failed payment, a void of something never posted)."""

    state = "skipped"
