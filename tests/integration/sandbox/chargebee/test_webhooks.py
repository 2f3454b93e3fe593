"""Webhook delivery: JSON event bodies, Basic auth, retries on a compressed schedule,
duplicates and out-of-order on demand."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI, Request, Response

from cbns_devkit.sandbox.server import RunningServer, serve_in_thread


class Receiver:
    """A real HTTP receiver that can fail the first N deliveries of each event."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.bodies: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self.times: list[float] = []
        self.lock = threading.Lock()
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.json()
            with self.lock:
                self.bodies.append(body)
                self.auth.append(request.headers.get("authorization"))
                self.times.append(time.monotonic())
                count = sum(1 for b in self.bodies if b["id"] == body["id"])
            return Response(status_code=500 if count <= self.fail_first else 202)

        self.app = app


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    servers: list[RunningServer] = []

    def make(fail_first: int = 0) -> tuple[Receiver, str]:
        receiver = Receiver(fail_first)
        server = serve_in_thread(receiver.app)
        servers.append(server)
        return receiver, f"{server.base_url}/hook"

    yield make
    for server in servers:
        server.stop()


def _wait(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def _customer(sandbox: Any) -> dict[str, Any]:
    body = sandbox.admin.post(
        "/customers",
        json={"first_name": "Grace", "last_name": "Hopper", "email": "g@example.com"},
    ).json()
    event = sandbox.api.get(f"/events/{body['events'][0]}").json()["event"]
    return event


def test_delivers_event_json_with_basic_auth(start_sandbox: Any, receiver_factory: Any) -> None:
    receiver, url = receiver_factory()
    sandbox = start_sandbox(
        scale=1, webhook_urls=[url], webhook_user="hook", webhook_password="s3cret"
    )
    event = _customer(sandbox)
    _wait(lambda: len(receiver.bodies) == 1)
    body = receiver.bodies[0]
    assert body["id"] == event["id"] and body["event_type"] == "customer_created"
    assert body["object"] == "event" and "customer" in body["content"]
    assert receiver.auth[0] == "Basic aG9vazpzM2NyZXQ="  # hook:s3cret
    _wait(
        lambda: (
            sandbox.api.get(f"/events/{event['id']}").json()["event"]["webhook_status"]
            == "succeeded"
        )
    )
    stored = sandbox.api.get(f"/events/{event['id']}").json()["event"]
    assert stored["webhooks"] == [
        {"id": "whv2_sandbox1", "webhook_status": "succeeded", "object": "webhook"}
    ]


def test_retries_follow_the_compressed_schedule(start_sandbox: Any, receiver_factory: Any) -> None:
    receiver, url = receiver_factory(fail_first=2)
    sandbox = start_sandbox(scale=1, webhook_urls=[url], webhook_time_factor=0.002)
    event = _customer(sandbox)
    _wait(lambda: len(receiver.bodies) == 3)
    gaps = [b - a for a, b in zip(receiver.times, receiver.times[1:], strict=False)]
    # +2 min and +6 min, times 0.002: 0.24 s and 0.72 s.
    assert gaps[0] >= 0.24 * 0.9 and gaps[1] >= 0.72 * 0.9
    assert gaps[1] > gaps[0]
    _wait(
        lambda: (
            sandbox.api.get(f"/events/{event['id']}").json()["event"]["webhook_status"]
            == "succeeded"
        )
    )


def test_gives_up_after_the_last_retry(start_sandbox: Any, receiver_factory: Any) -> None:
    receiver, url = receiver_factory(fail_first=100)
    sandbox = start_sandbox(scale=1, webhook_urls=[url], webhook_time_factor=0.00001)
    event = _customer(sandbox)
    _wait(lambda: len(receiver.bodies) == 8)  # first attempt + 7 retries
    _wait(
        lambda: (
            sandbox.api.get(f"/events/{event['id']}").json()["event"]["webhook_status"] == "failed"
        )
    )
    time.sleep(0.2)
    assert len(receiver.bodies) == 8


def test_duplicates_and_out_of_order_on_demand(start_sandbox: Any, receiver_factory: Any) -> None:
    receiver, url = receiver_factory()
    sandbox = start_sandbox(scale=2, random_seed=1, webhook_urls=[url])
    first = _customer(sandbox)
    second = _customer(sandbox)
    _wait(lambda: len(receiver.bodies) == 2)
    response = sandbox.admin.post(
        "/webhooks/deliver",
        json={"event_ids": [first["id"], second["id"]], "copies": 2, "order": "reverse"},
    )
    assert response.status_code == 200
    _wait(lambda: len(receiver.bodies) == 6)
    replayed = [b["id"] for b in receiver.bodies[2:]]
    assert replayed == [second["id"], second["id"], first["id"], first["id"]]


def test_seeded_history_is_not_pushed(start_sandbox: Any, receiver_factory: Any) -> None:
    receiver, url = receiver_factory()
    sandbox = start_sandbox(scale=2, webhook_urls=[url])
    events = sandbox.list_all("events")
    assert events and {e["event"]["webhook_status"] for e in events} == {"skipped"}
    time.sleep(0.2)
    assert receiver.bodies == []
