"""A webhook body is accepted only as a Chargebee event object, and never beyond the limit."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator

import pytest

from chargebee_netsuite.webhooks.config import ReceiverConfig
from chargebee_netsuite.webhooks.payload import (
    BodyTooLarge,
    InvalidPayload,
    WebhookEvent,
    parse_event,
    read_limited,
)
from chargebee_netsuite.webhooks.receiver import credentials_match

CONFIG = ReceiverConfig(username="chargebee", password="s3cret-pass", site="acme", staging_url="")


def test_an_event_yields_its_id_and_type_only() -> None:
    body = {"id": "ev_1", "event_type": "invoice_generated", "object": "event", "content": {}}
    assert parse_event(json.dumps(body).encode()) == WebhookEvent("ev_1", "invoice_generated")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "JSON object"),
        (b'{"id": "ev_1", "event_type": "x"}', '"object" must be "event"'),
        (b'{"id": "ev_1", "event_type": "x", "object": "invoice"}', '"object" must be "event"'),
        (b'{"id": 7, "event_type": "x", "object": "event"}', 'string "id"'),
        (b'{"id": " ", "event_type": "x", "object": "event"}', 'string "id"'),
        (b'{"id": "ev_1", "object": "event"}', 'string "event_type"'),
        (json.dumps({"id": "e" * 101, "event_type": "x", "object": "event"}).encode(), "100"),
    ],
)
def test_anything_else_is_invalid_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(InvalidPayload, match=reason):
        parse_event(body)


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_the_size_limit_holds_while_streaming() -> None:
    assert asyncio.run(read_limited(_chunks(b"ab", b"cd"), 4)) == b"abcd"
    with pytest.raises(BodyTooLarge):
        asyncio.run(read_limited(_chunks(b"ab", b"cd", b"e"), 4))


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (_basic("chargebee", "s3cret-pass"), True),
        (_basic("chargebee", "wrong"), False),
        (_basic("other", "s3cret-pass"), False),
        (_basic("chargebee", ""), False),
        ("Bearer abc", False),
        ("Basic !!!", False),
        ("Basic " + base64.b64encode(b"no-colon").decode(), False),
        (None, False),
    ],
)
def test_credentials_must_match_exactly(header: str | None, ok: bool) -> None:
    assert credentials_match(header, CONFIG) is ok


def test_the_config_repr_hides_the_password() -> None:
    assert "s3cret-pass" not in repr(CONFIG)
