"""JSON in and out with exact decimals: amounts parse to Decimal and print as JSON numbers."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

_string = json.encoder.encode_basestring_ascii  # what json.dumps uses for str, in C

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"


def loads(raw: bytes) -> Any:
    """Parse a request body; non-integer numbers become ``Decimal`` (never float)."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: Any) -> str:
    """Serialise, writing ``Decimal`` as a plain JSON number (no float round trip)."""
    parts: list[str] = []
    _write(value, parts.append)
    return "".join(parts)


def _write(value: Any, out: Callable[[str], None]) -> None:
    # Every stored record and every response goes through here, so the common types are
    # matched by exact type first (the json module's C encoder cannot print a Decimal).
    kind = type(value)
    if kind is str:
        out(_string(value))
    elif kind is dict:
        sep = "{"
        for key, item in value.items():
            out(sep)
            out(_string(key if type(key) is str else str(key)))
            out(":")
            _write(item, out)
            sep = ","
        out("}" if sep == "," else "{}")
    elif kind is list or kind is tuple:
        sep = "["
        for item in value:
            out(sep)
            _write(item, out)
            sep = ","
        out("]" if sep == "," else "[]")
    elif kind is Decimal:
        if not value.is_finite():
            raise ValueError("non-finite decimal")
        out(format(value, "f"))
    elif value is None:
        out("null")
    elif value is True:
        out("true")
    elif value is False:
        out("false")
    elif isinstance(value, Decimal):
        _write(Decimal(value), out)
    elif isinstance(value, Mapping):
        _write(dict(value), out)
    elif isinstance(value, list | tuple):
        _write(list(value), out)
    else:
        out(json.dumps(value))


def json_response(
    value: Any,
    status: int = 200,
    media_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A response whose body is ``dumps(value)``."""
    return Response(dumps(value), status_code=status, media_type=media_type, headers=headers)
