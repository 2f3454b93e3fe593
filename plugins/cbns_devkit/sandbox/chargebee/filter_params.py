"""Bracket filters (``attr[op]=value``): parsing, validation and matching."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .api_errors import param_wrong_value
from .resources import Field, Resource

_BRACKET = re.compile(r"^([a-z_0-9]+)\[([a-z_]+)\]$")
_TIMESTAMP = re.compile(r"^\d{10}$")
_INTEGER = re.compile(r"^-?\d+$")


@dataclass(frozen=True)
class Condition:
    """One parsed filter: ``attr op value`` (value already typed)."""

    attr: str
    op: str
    value: Any
    field: Field


def parse_list(raw: str, param: str) -> list[str]:
    """Parse an ``in``/``not_in``/``between`` value.

    Accepts the JSON form (chargebee-node: ``["a","b"]``, ``[1,2]``) and the Python-repr
    form the official Python SDK sends (``['a', 'b']``); whether the real server accepts the
    latter is unconfirmed, the reference tells simulators to accept both.
    """
    raw = raw.strip()
    if not (raw.startswith("[") and raw.endswith("]")):
        raise param_wrong_value(param, f"invalid value {raw!r}, expected [value,...]")
    parsed: Any
    try:
        parsed = json.loads(raw)
    except ValueError:
        try:
            parsed = ast.literal_eval(raw)
        except (ValueError, SyntaxError):
            # Unquoted members, e.g. the SPEC's own pattern ``[paid,posted]``.
            inner = raw[1:-1].strip()
            parsed = [part.strip() for part in inner.split(",")] if inner else []
    if not isinstance(parsed, list | tuple) or not parsed:
        raise param_wrong_value(param, f"invalid value {raw!r}, expected [value,...]")
    if any(isinstance(v, list | tuple | dict) or v is None for v in parsed):
        raise param_wrong_value(param, f"invalid value {raw!r}")
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in parsed]


def parse_bool(raw: str, param: str) -> bool:
    """A boolean query value, in any letter case.

    singer-io/tap-chargebee (tap_chargebee/client.py ``get_params``) sends ``include_deleted``
    as a Python bool through ``requests``, i.e. ``True``, and fails on any 4xx: real Chargebee
    accepts capitalised booleans.
    """
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise param_wrong_value(param, "must be true or false")
    return value == "true"


def _typed(field: Field, op: str, raw: str, param: str) -> Any:
    if op == "is_present":
        return parse_bool(raw, param)
    if op in ("in", "not_in", "between"):
        values = parse_list(raw, param)
        if op == "between" and len(values) != 2:
            raise param_wrong_value(param, "between needs exactly two values")
        return [_scalar(field, v, param) for v in values]
    return _scalar(field, raw, param)


def _scalar(field: Field, raw: str, param: str) -> Any:
    if field.kind == "timestamp":
        # SPEC patterns: ^\d{10}$ and ^\[\d{10},\d{10}\]$ (Unix seconds).
        if not _TIMESTAMP.match(raw):
            raise param_wrong_value(param, f"invalid timestamp {raw!r}")
        return int(raw)
    if field.kind == "number":
        if not _INTEGER.match(raw):
            raise param_wrong_value(param, f"invalid number {raw!r}")
        return int(raw)
    if field.kind == "boolean":
        return parse_bool(raw, param)
    if field.kind == "enum" and field.values and raw not in field.values:
        raise param_wrong_value(param, f"invalid value {raw!r}")
    if raw == "":
        raise param_wrong_value(param, "cannot be blank")
    return raw


def parse_filters(resource: Resource, params: list[tuple[str, str]]) -> list[Condition]:
    """Parse every ``attr[op]`` parameter; unknown attributes or operators are 400s.

    Rejecting filters the endpoint does not support is an assumption (the SPEC's
    deepObject schemas list the allowed ones); silently ignoring them would make a
    connector believe it read a filtered window when it read everything.
    """
    conditions: list[Condition] = []
    for name, raw in params:
        match = _BRACKET.match(name)
        if match is None or match.group(1) == "sort_by":
            continue
        attr, op = match.groups()
        field = resource.fields.get(attr)
        if field is None:
            raise param_wrong_value(name, f"{attr} is not a supported filter")
        if op not in field.operators:
            raise param_wrong_value(name, f"operator {op} is not supported for {attr}")
        conditions.append(Condition(attr, op, _typed(field, op, raw, name), field))
    return conditions


def _compare(op: str, actual: Any, wanted: Any) -> bool:
    ops: dict[str, Callable[[Any, Any], bool]] = {
        "is": lambda a, w: a == w,
        "is_not": lambda a, w: a != w,
        "starts_with": lambda a, w: str(a).startswith(w),
        "in": lambda a, w: a in w,
        "not_in": lambda a, w: a not in w,
        "lt": lambda a, w: a < w,
        "lte": lambda a, w: a <= w,
        "gt": lambda a, w: a > w,
        "gte": lambda a, w: a >= w,
        # ``after``/``before`` taken as strict and ``between`` as inclusive [unconfirmed].
        "after": lambda a, w: a > w,
        "before": lambda a, w: a < w,
        "on": lambda a, w: a == w,
        "between": lambda a, w: w[0] <= a <= w[1],
    }
    return ops[op](actual, wanted)


def matches(record: dict[str, Any], conditions: list[Condition]) -> bool:
    """True when ``record`` satisfies every condition.

    A record without the attribute never matches (so records lacking ``updated_at`` are
    excluded by any ``updated_at`` filter, as on the real API), except ``is_not``/``not_in``
    on strings and ``is_present=false``.
    """
    for cond in conditions:
        present = cond.attr in record
        if cond.op == "is_present":
            if present != cond.value:
                return False
            continue
        if not present:
            if cond.op in ("is_not", "not_in") and cond.field.kind in ("string", "enum"):
                continue
            return False
        actual = record[cond.attr]
        if cond.field.kind == "boolean":
            actual = bool(actual)
        if not _compare(cond.op, actual, cond.value):
            return False
    return True
