"""Payloads on the wire: Decimal amounts as exact JSON numbers, and the payload hash."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any


def to_json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number that prints back to exactly the same digits.

    The NetSuite client serialises with ``json``, which has no Decimal. Money here has at most
    two decimals and far fewer than 15 significant digits, for which a float's shortest repr
    is the decimal itself; anything else is refused rather than rounded.
    """
    if not value.is_finite():
        raise ValueError(f"{value} is not an amount")
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    if Decimal(repr(number)) != value:
        raise ValueError(f"{value} cannot travel as a JSON number without rounding")
    return number


def to_wire(value: Any) -> Any:
    """A payload with every Decimal replaced by an exact JSON number."""
    if isinstance(value, Decimal):
        return to_json_number(value)
    if isinstance(value, dict):
        return {key: to_wire(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_wire(item) for item in value]
    return value


def to_record(value: Any) -> Any:
    """A payload as plain JSON for the ledger, Decimals as strings (nothing is rounded)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {key: to_record(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_record(item) for item in value]
    return value


def payload_hash(record_type: str, external_id: str, body: Any) -> str:
    """SHA-256 of the record type, external id and canonical JSON of the body.

    The canonical JSON is that of :func:`to_record` (Decimals as strings), written by the json
    module's C encoder in one pass instead of copying the payload first.
    """
    canonical = json.dumps(
        {"type": record_type, "eid": external_id, "body": body},
        sort_keys=True,
        separators=(",", ":"),
        default=_decimal_text,
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _decimal_text(value: Any) -> str:
    if isinstance(value, Decimal):
        return format(value, "f")
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
