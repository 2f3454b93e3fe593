"""Chargebee list filters in bracket syntax: ``attr[op]=value``."""

from __future__ import annotations

import json
from collections.abc import Sequence


def between(attr: str, low: int, high: int) -> dict[str, str]:
    """``attr[between]=[low,high]`` for a timestamp or number attribute (bounds inclusive)."""
    return {f"{attr}[between]": f"[{int(low)},{int(high)}]"}


def is_in(attr: str, values: Sequence[str]) -> dict[str, str]:
    """``attr[in]=["a","b"]`` (JSON-encoded, as the official Node SDK sends it)."""
    return {f"{attr}[in]": json.dumps(list(values), separators=(",", ":"))}


def is_(attr: str, value: str) -> dict[str, str]:
    """``attr[is]=value``."""
    return {f"{attr}[is]": value}


def sort_asc(attr: str) -> dict[str, str]:
    """``sort_by[asc]=attr``."""
    return {"sort_by[asc]": attr}
