"""JSON in and out with exact decimals: amounts parse to Decimal and print as JSON numbers."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from starlette.responses import Response

SINGULAR = "application/vnd.oracle.resource+json; type=singular"
COLLECTION = "application/vnd.oracle.resource+json; type=collection"


def loads(raw: bytes) -> Any:
    """Parse a request body; non-integer numbers become ``Decimal`` (never float)."""
    return json.loads(raw, parse_float=Decimal)


def dumps(value: Any) -> str:
    """Serialise, writing ``Decimal`` as a plain JSON number (no float round trip)."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("non-finite decimal")
        text = format(value, "f")
        return text
    if isinstance(value, Mapping):
        parts = (f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items())
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    return json.dumps(value)


def json_response(
    value: Any,
    status: int = 200,
    media_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A response whose body is ``dumps(value)``."""
    return Response(dumps(value), status_code=status, media_type=media_type, headers=headers)
