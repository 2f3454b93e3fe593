"""The receiver over real HTTP: only an authenticated, well-formed event reaches the inbox."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, SITE, USER, Receiver, event


def test_an_event_lands_in_the_inbox_as_pending(receiver: Receiver) -> None:
    response = receiver.post(event("ev_new_1", "invoice_generated"))
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "queued", "event_id": "ev_new_1"}
    [row] = receiver.inbox()
    assert (row["site"], row["event_id"], row["event_type"], row["state"]) == (
        SITE,
        "ev_new_1",
        "invoice_generated",
        "pending",
    )
    assert row["attempts"] == 0 and row["received_at"] is not None
    # The first delivery also creates the schema; a second one is a plain insert.
    started = time.monotonic()
    assert receiver.post(event("ev_new_2")).status_code == 200
    assert time.monotonic() - started < 0.5


def test_duplicates_answer_200_and_store_nothing_new(start_receiver: Any, staging_url: str) -> None:
    receiver = start_receiver(staging_url)
    assert receiver.post(event("ev_dup")).json()["status"] == "queued"
    before = receiver.inbox()
    for _ in range(3):
        response = receiver.post(event("ev_dup", "a_different_type"))
        assert response.status_code == 200
        assert response.json() == {"status": "duplicate", "event_id": "ev_dup"}
    assert receiver.inbox() == before


@pytest.mark.parametrize(
    "auth",
    [None, (USER, "wrong"), ("someone", PASSWORD), (USER, "")],
    ids=["missing", "wrong-password", "wrong-user", "empty-password"],
)
def test_wrong_or_missing_credentials_get_401_and_store_nothing(
    receiver: Receiver, auth: Any
) -> None:
    response = receiver.post(event("ev_unauth"), auth=auth)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert PASSWORD not in response.text
    assert receiver.inbox() == []


@pytest.mark.parametrize(
    "content",
    [b"", b"{", b"[]", b'{"id": "ev_1", "event_type": "x", "object": "customer"}'],
    ids=["empty", "broken-json", "array", "not-an-event"],
)
def test_malformed_bodies_get_400_and_store_nothing(receiver: Receiver, content: bytes) -> None:
    response = receiver.post(content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert receiver.inbox() == []


def test_an_oversized_body_gets_413_even_without_content_length(
    start_receiver: Any, sqlite_url: str
) -> None:
    receiver = start_receiver(sqlite_url, max_body_bytes=2048)
    padded = event("ev_big")
    padded["content"] = {"padding": "x" * 4096}
    # Declared length over the limit: refused before reading.
    assert receiver.post(padded).status_code == 413

    # Chunked transfer, no Content-Length: the limit is enforced while streaming.
    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * 512
        yield b'{"id": "ev_big", "event_type": "x", "object": "event"}'

    response = httpx.post(receiver.url, auth=(USER, PASSWORD), content=chunks(), timeout=10)
    assert response.status_code == 413
    assert receiver.inbox() == []
    # Within the limit, chunked works.
    small = httpx.post(
        receiver.url,
        auth=(USER, PASSWORD),
        content=iter([b'{"id": "ev_small", ', b'"event_type": "x", "object": "event"}']),
        timeout=10,
    )
    assert small.status_code == 200
    assert [row["event_id"] for row in receiver.inbox()] == ["ev_small"]


def test_an_unconfigured_receiver_answers_503_without_details(sqlite_url: str) -> None:
    from cbns_devkit.sandbox.server import serve_in_thread
    from chargebee_netsuite.webhooks.config import ReceiverNotConfigured
    from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

    def missing() -> Any:
        raise ReceiverNotConfigured("define the Airflow connection 'chargebee_webhook'")

    with serve_in_thread(create_app(missing)) as server:
        response = httpx.post(f"{server.base_url}{WEBHOOK_PATH}", json=event("ev_x"), timeout=10)
    assert response.status_code == 503
