"""The webhook endpoint stores nothing for a caller without the right Basic credentials."""

from __future__ import annotations

import base64
import contextlib
import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.builders.webhook_receiver import PASSWORD, USER, Receiver, event, running_receiver


@pytest.fixture
def receiver(sqlite_url: str) -> Iterator[Receiver]:
    with running_receiver(sqlite_url, max_body_bytes=64 * 1024) as running:
        yield running


def basic(raw: bytes) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


BAD_AUTH: list[dict[str, str]] = [
    {},
    basic(f"{USER}:wrong".encode()),
    basic(f"{USER}:".encode()),
    basic(f"{USER}:{PASSWORD[:-1]}".encode()),
    basic(f"{USER}:{PASSWORD}x".encode()),
    basic(f"other:{PASSWORD}".encode()),
    basic(f"{USER}{PASSWORD}".encode()),  # no separator
    basic(PASSWORD.encode()),
    {"Authorization": f"Bearer {PASSWORD}"},
    {"Authorization": "Basic"},
    {"Authorization": "Basic !!!not-base64!!!"},
    {"Authorization": "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()[:-2]},
    {"Authorization": "Basic " + base64.b64encode(f"{USER.upper()}:{PASSWORD}".encode()).decode()},
]


@pytest.mark.parametrize("headers", BAD_AUTH, ids=[str(n) for n in range(len(BAD_AUTH))])
def test_missing_or_wrong_credentials_get_401_and_nothing_is_stored(
    receiver: Receiver, headers: dict[str, str]
) -> None:
    response = httpx.post(receiver.url, json=event("ev_forged"), headers=headers, timeout=10)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Basic")
    assert PASSWORD not in response.text
    assert receiver.inbox() == []


def test_an_unauthenticated_oversized_body_is_refused_before_it_is_read(
    receiver: Receiver,
) -> None:
    response = httpx.post(receiver.url, content=b"x" * (1024 * 1024), timeout=10)
    assert response.status_code == 401
    assert receiver.inbox() == []


def chunks(total: int) -> Iterator[bytes]:
    body = json.dumps(event("ev_big") | {"content": {"pad": "x" * total}}).encode()
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


BAD_BODIES: list[tuple[Any, int]] = [
    (b"", 400),
    (b"not json", 400),
    (b"\xff\xfe\x00garbage", 400),
    (b"[1, 2]", 400),
    (b'"event"', 400),
    (json.dumps({"id": "ev_1", "event_type": "x"}).encode(), 400),  # not an event object
    (json.dumps({"object": "event", "event_type": "x"}).encode(), 400),
    (json.dumps({"object": "event", "id": 5, "event_type": "x"}).encode(), 400),
    (json.dumps({"object": "event", "id": "  ", "event_type": "x"}).encode(), 400),
    (json.dumps(event("e" * 101)).encode(), 400),
    (json.dumps(event("ev_1", "t" * 101)).encode(), 400),
    (b'{"object": "event", "id": "ev_1", "event_type": "x"', 400),  # truncated
    (b"x" * (64 * 1024 + 1), 413),
]


@pytest.mark.parametrize(("body", "status"), BAD_BODIES, ids=[str(n) for n in range(13)])
def test_malformed_and_oversized_bodies_are_rejected(
    receiver: Receiver, body: bytes, status: int
) -> None:
    response = httpx.post(receiver.url, content=body, auth=(USER, PASSWORD), timeout=10)
    assert response.status_code == status, response.text
    assert receiver.inbox() == []


def test_a_chunked_body_that_grows_past_the_limit_is_cut_off(receiver: Receiver) -> None:
    # No Content-Length: only counting while streaming can stop it.
    response = httpx.post(
        receiver.url, content=chunks(200 * 1024), auth=(USER, PASSWORD), timeout=10
    )
    assert response.status_code == 413
    assert receiver.inbox() == []


def test_a_lying_content_length_does_not_bypass_the_limit(receiver: Receiver) -> None:
    # A raw socket: HTTP clients refuse to send more than the Content-Length they declare.
    body = json.dumps(event("ev_liar") | {"content": {"pad": "x" * 100_000}}).encode()
    token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    head = (
        f"POST /webhooks/chargebee HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Basic {token}\r\nContent-Type: application/json\r\n"
        "Content-Length: 10\r\nConnection: close\r\n\r\n"
    ).encode()
    port = receiver.server.port
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        # The server may close the connection while we still write.
        with contextlib.suppress(OSError):
            sock.sendall(head + body)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.1") else b""
    assert status in (b"", b"400", b"413"), answer[:200]
    assert receiver.inbox() == []


def test_the_right_credentials_store_the_event_id_only(receiver: Receiver) -> None:
    forged = event("ev_ok") | {"content": {"invoice": {"id": "inv_1", "total": 1}}}
    response = httpx.post(receiver.url, json=forged, auth=(USER, PASSWORD), timeout=10)
    assert response.status_code == 200
    rows = receiver.inbox()
    assert [r["event_id"] for r in rows] == ["ev_ok"]
    # The body is not kept: nothing of the (possibly forged) content reaches staging.
    assert "inv_1" not in json.dumps(rows, default=str)
