"""Writes to the staging webhook inbox: one pending row per event id, duplicates ignored."""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import Engine

from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.webhooks.payload import WebhookEvent


def record_event(engine: Engine, site: str, event: WebhookEvent, received_at: datetime) -> bool:
    """Queue ``event`` for ``site``; True when it is new, False for a repeated delivery.

    The insert itself ignores a known id (ON CONFLICT DO NOTHING), so two concurrent
    deliveries of one event still leave one row; the lookup only tells the caller which
    case it was.
    """
    with engine.begin() as conn:
        if q.event_states(conn, site, [event.id]):
            return False
        q.enqueue_events(conn, site, [event.id], received_at, event_type=event.event_type)
    return True


class InboxEngines:
    """One engine per staging URL, migrated once before its first write.

    The receiver may be the first thing ever to touch a new staging database (a webhook can
    arrive before any DAG ran), so it brings the schema up to date itself.
    """

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> Engine:
        """The (migrated) engine for ``url``."""
        with self._lock:
            engine = self._engines.get(url)
            if engine is None:
                engine = create_staging_engine(url)
                migrate(engine)
                self._engines[url] = engine
            return engine

    def dispose(self) -> None:
        """Close every pooled connection."""
        with self._lock:
            for engine in self._engines.values():
                engine.dispose()
            self._engines.clear()
