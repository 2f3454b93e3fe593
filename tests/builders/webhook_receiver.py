"""A webhook receiver on loopback for the security tests, and a way to read its inbox."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.staging.chargebee_tables import cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.webhooks.config import ReceiverConfig
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

USER = "chargebee"
PASSWORD = "hook-pass-9fQ!x:colon"  # a colon in the password must not confuse the parser
SITE = "acme-test"


@dataclass
class Receiver:
    """A running receiver."""

    server: RunningServer
    staging_url: str

    @property
    def url(self) -> str:
        return f"{self.server.base_url}{WEBHOOK_PATH}"

    def inbox(self) -> list[dict[str, Any]]:
        engine = create_staging_engine(self.staging_url)
        try:
            with engine.connect() as conn:
                if not engine.dialect.has_table(conn, "cb_webhook_inbox"):
                    return []
                return [dict(r._mapping) for r in conn.execute(select(cb_webhook_inbox))]
        finally:
            engine.dispose()


@contextmanager
def running_receiver(staging_url: str, **options: Any) -> Iterator[Receiver]:
    """Serve a receiver writing to ``staging_url`` until the block ends."""
    config = ReceiverConfig(USER, PASSWORD, SITE, staging_url)
    app = create_app(lambda: config, **options)
    server = serve_in_thread(app)
    try:
        yield Receiver(server, staging_url)
    finally:
        server.stop()
        app.state.engines.dispose()


def event(event_id: str, event_type: str = "invoice_generated") -> dict[str, Any]:
    """A minimal Chargebee event body."""
    return {"id": event_id, "event_type": event_type, "object": "event", "content": {}}
