"""A fast deep copy for the JSON-shaped records the sandbox stores and serves."""

from __future__ import annotations

import copy
from typing import Any

# Immutable leaves that are shared, not copied (exactly what ``copy.deepcopy`` does too).
_ATOMIC: frozenset[type] = frozenset({str, int, float, bool, type(None)})


def json_copy(value: Any) -> Any:
    """A deep copy of ``value``, several times faster than ``copy.deepcopy`` for JSON data.

    Plain dicts and lists are rebuilt recursively and JSON scalars are shared; anything
    else (tuples, Decimals, dict subclasses) falls back to ``copy.deepcopy``. Unlike
    ``deepcopy`` it keeps no memo, so a sub-object referenced twice comes out as two
    copies; the serialized form is identical and the store never relies on aliasing.
    """
    kind = type(value)
    if kind is dict:
        return {
            key: item if type(item) in _ATOMIC else json_copy(item) for key, item in value.items()
        }
    if kind is list:
        return [item if type(item) in _ATOMIC else json_copy(item) for item in value]
    if kind in _ATOMIC:
        return value
    return copy.deepcopy(value)
