"""Chargebee offset pagination: ``limit`` and the opaque ``next_offset`` until it is absent."""

from __future__ import annotations

from typing import Any

MAX_PAGE_SIZE = 100


class OffsetPaginator:
    """Tracks ``next_offset`` across pages; ``update_state`` is fed each response body.

    Chargebee's offset is an opaque string (in practice ``["<sort key ms>","<id>"]``) and is
    present only when more rows exist, so its absence — not a short page — ends the listing.
    """

    def __init__(self, limit: int = MAX_PAGE_SIZE) -> None:
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"Chargebee page size must be 1..{MAX_PAGE_SIZE}, got {limit}")
        self.limit = limit
        self.offset: str | None = None
        self.has_next = True
        self.pages = 0

    def update_state(self, body: dict[str, Any]) -> None:
        """Record the offset for the next page from a list response body."""
        self.pages += 1
        offset = body.get("next_offset")
        self.offset = str(offset) if offset else None
        self.has_next = self.offset is not None

    def page_params(self) -> dict[str, str]:
        """Query parameters selecting the next page."""
        params = {"limit": str(self.limit)}
        if self.offset is not None:
            params["offset"] = self.offset
        return params
