"""Keyset pagination with Chargebee-style opaque offsets and the line-item sub-pagination."""

from __future__ import annotations

import json
from typing import Any

from .api_errors import param_wrong_value

MAX_OFFSET_LENGTH = 1000
STRING_SORTS = frozenset({"name", "id"})
SortKey = tuple[Any, int]


def sort_key(record: dict[str, Any], attr: str | None, seq: int) -> SortKey:
    """The (value, internal id) pair a record is ordered and paged by.

    Timestamps are carried in ms like the real offsets (``["1630848839000","42903379"]``);
    records without the attribute (legacy rows lacking ``updated_at``) sort first.
    """
    if attr is None:
        return (0, seq)
    if attr in STRING_SORTS:
        return (str(record.get(attr, "")), seq)
    return (int(record.get(attr, 0)) * 1000, seq)


def encode_offset(key: SortKey) -> str:
    """The opaque ``next_offset`` string for the last row of a page."""
    return json.dumps([str(key[0]), str(key[1])], separators=(",", ":"))


def decode_offset(raw: str, attr: str | None) -> SortKey:
    """Parse an ``offset`` from a previous ``next_offset``; anything else is a 400 (assumed)."""
    if len(raw) > MAX_OFFSET_LENGTH:
        raise param_wrong_value("offset", "length exceeds 1000 characters")
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = None
    if (
        not isinstance(parsed, list)
        or len(parsed) != 2
        or not all(isinstance(part, str) for part in parsed)
        or not parsed[1].isdigit()
    ):
        raise param_wrong_value("offset", "invalid offset")
    if attr in STRING_SORTS:
        return (parsed[0], int(parsed[1]))
    if not parsed[0].lstrip("-").isdigit():
        raise param_wrong_value("offset", "invalid offset")
    return (int(parsed[0]), int(parsed[1]))


def page(
    keyed: list[tuple[SortKey, dict[str, Any]]],
    *,
    descending: bool,
    limit: int,
    after: SortKey | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``keyed`` rows after ``after``, and the next offset if more rows exist."""
    ordered = sorted(keyed, key=lambda pair: pair[0], reverse=descending)
    if after is not None:
        if descending:
            ordered = [pair for pair in ordered if pair[0] < after]
        else:
            ordered = [pair for pair in ordered if pair[0] > after]
    chunk = ordered[:limit]
    next_offset = encode_offset(chunk[-1][0]) if len(ordered) > limit else None
    return [record for _, record in chunk], next_offset


def line_items_window(document: dict[str, Any], limit: int, offset: str | None) -> dict[str, Any]:
    """A copy of an invoice/credit note holding ``limit`` lines from ``offset`` on.

    The ``line_item_*`` arrays keep only entries for the returned lines;
    ``line_items_next_offset`` is set when more lines remain.
    """
    start = 0
    if offset is not None:
        try:
            parsed = json.loads(offset)
            start = int(parsed[0]) if isinstance(parsed, list) and len(parsed) == 1 else -1
        except (ValueError, TypeError):
            start = -1
        if start < 0 or len(offset) > MAX_OFFSET_LENGTH:
            raise param_wrong_value("line_items_offset", "invalid offset")
    lines = document.get("line_items", [])
    window = lines[start : start + limit]
    kept = {li["id"] for li in window}
    out = dict(document)
    out["line_items"] = window
    for key in ("line_item_discounts", "line_item_taxes", "line_item_tiers", "line_item_credits"):
        if key in document:
            out[key] = [entry for entry in document[key] if entry.get("line_item_id") in kept]
    out.pop("line_items_next_offset", None)
    if start + limit < len(lines):
        out["line_items_next_offset"] = json.dumps([str(start + limit)])
    return out
