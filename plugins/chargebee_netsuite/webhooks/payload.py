"""Reading and checking a webhook body: a size limit enforced while streaming, then the shape."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

# Inbox column widths (staging.chargebee_tables.cb_webhook_inbox).
MAX_EVENT_ID = 100
MAX_EVENT_TYPE = 100


class BodyTooLarge(Exception):
    """The body is longer than the receiver accepts."""


class InvalidPayload(ValueError):
    """The body is not a Chargebee event object; the message says what is wrong."""


@dataclass(frozen=True)
class WebhookEvent:
    """The only facts taken from a delivery: the rest is re-fetched from the API."""

    id: str
    event_type: str


async def read_limited(chunks: AsyncIterator[bytes], limit: int) -> bytes:
    """Collect ``chunks`` but stop with :class:`BodyTooLarge` as soon as ``limit`` is passed.

    Counting while streaming matters: Content-Length may be absent (chunked transfer) or
    wrong, and a client that lies about it must not make us buffer an unbounded body.
    """
    body = bytearray()
    async for chunk in chunks:
        body.extend(chunk)
        if len(body) > limit:
            raise BodyTooLarge(f"body exceeds {limit} bytes")
    return bytes(body)


def parse_event(body: bytes) -> WebhookEvent:
    """The event id and type of a Chargebee webhook body, or :class:`InvalidPayload`."""
    try:
        data: Any = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidPayload("the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise InvalidPayload("the body must be a JSON object (a Chargebee event)")
    if data.get("object") != "event":
        raise InvalidPayload('the body must be a Chargebee event: "object" must be "event"')
    event_id = data.get("id")
    event_type = data.get("event_type")
    if not isinstance(event_id, str) or not event_id.strip():
        raise InvalidPayload('the event needs a string "id"')
    if not isinstance(event_type, str) or not event_type.strip():
        raise InvalidPayload('the event needs a string "event_type"')
    if len(event_id) > MAX_EVENT_ID or len(event_type) > MAX_EVENT_TYPE:
        raise InvalidPayload('"id" and "event_type" must be at most 100 characters')
    return WebhookEvent(id=event_id, event_type=event_type)
