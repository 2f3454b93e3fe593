"""Fixtures: the webhook receiver served by uvicorn on loopback, writing to a staging DB."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.staging.chargebee_tables import cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.webhooks.config import ReceiverConfig
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

USER = "chargebee"
PASSWORD = "hook-pass-Zq8w"
SITE = "acme-test"


@dataclass
class Receiver:
    """A running receiver and a way to read its inbox."""

    server: RunningServer
    staging_url: str

    @property
    def url(self) -> str:
        return f"{self.server.base_url}{WEBHOOK_PATH}"

    def post(self, body: Any = None, *, auth: Any = (USER, PASSWORD), **kwargs: Any) -> Any:
        if body is not None:
            kwargs["json"] = body
        return httpx.post(self.url, auth=auth, timeout=10, **kwargs)

    def inbox(self) -> list[dict[str, Any]]:
        engine = create_staging_engine(self.staging_url)
        try:
            with engine.connect() as conn:
                if not engine.dialect.has_table(conn, "cb_webhook_inbox"):
                    return []
                rows = conn.execute(select(cb_webhook_inbox).order_by("received_at"))
                return [dict(row._mapping) for row in rows]
        finally:
            engine.dispose()


def event(event_id: str, event_type: str = "customer_created") -> dict[str, Any]:
    """A minimal Chargebee event body."""
    return {"id": event_id, "event_type": event_type, "object": "event", "content": {}}


@pytest.fixture
def start_receiver() -> Iterator[Any]:
    """Start receivers for a staging URL (each stopped after the test)."""
    running: list[RunningServer] = []

    def start(staging_url: str, **options: Any) -> Receiver:
        config = ReceiverConfig(USER, PASSWORD, SITE, staging_url)
        server = serve_in_thread(create_app(lambda: config, **options))
        running.append(server)
        return Receiver(server, staging_url)

    yield start
    for server in running:
        server.stop()


@pytest.fixture
def receiver(start_receiver: Any, sqlite_url: str) -> Receiver:
    """A receiver writing to a fresh SQLite staging database."""
    receiver: Receiver = start_receiver(sqlite_url)
    return receiver
