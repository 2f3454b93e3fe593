"""Webhook events → staging: fetch each event by id, then re-fetch and upsert what it names.

A pushed webhook body is never trusted (contract 3): only its event id is used. The event is
read with ``GET /events/{id}`` and every resource it names is read again by id, so duplicated,
forged or out-of-order deliveries cannot stage anything Chargebee does not currently say.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.chargebee.client import ChargebeeClient
from chargebee_netsuite.chargebee.endpoints import ENDPOINTS, EVENTS
from chargebee_netsuite.chargebee.errors import (
    AuthenticationError,
    AuthorizationError,
    ChargebeeError,
    NotFoundError,
)
from chargebee_netsuite.extract.lines import complete_lines, needs_lines
from chargebee_netsuite.extract.rows import document_row, event_row
from chargebee_netsuite.extract.windows import Window
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

log = logging.getLogger(__name__)

# Event content key → staged resource. Other keys (subscription, card, …) are not staged.
CONTENT_RESOURCES = {endpoint.wrapper: name for name, endpoint in ENDPOINTS.items()}
# After this many failed attempts (timeouts, 5xx) an event is rejected instead of retried.
MAX_ATTEMPTS = 5


@dataclass
class EventStats:
    """Outcome of one batch of event ids."""

    received: int = 0
    unique: int = 0
    already_done: int = 0
    processed: int = 0
    rejected: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    documents: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary."""
        return dict(self.__dict__)


class _Rejected(Exception):
    """The event can never be processed; the message says why."""


def _fetch_resource(
    client: ChargebeeClient, resource: str, copy: dict[str, Any]
) -> tuple[dict[str, Any], bool] | None:
    """The current version of the resource ``copy`` describes (lines complete), if it exists."""
    endpoint = ENDPOINTS[resource]
    try:
        doc = endpoint.unwrap(client.retrieve(resource, str(copy["id"])))
    except NotFoundError:
        # A deleted resource is no longer retrievable; the event itself was read from the API
        # and carries the deleted version, which is then the truth. A resource that is gone
        # while this (older) event shows it alive is skipped: its deletion event, or the next
        # window with include_deleted, stages the deletion.
        if not copy.get("deleted"):
            log.info("%s %s named by an event no longer exists", endpoint.wrapper, copy["id"])
            return None
        doc = copy
    if endpoint.has_line_items and needs_lines(doc):
        return complete_lines(client, endpoint, doc)
    return doc, True


def process_event(
    client: ChargebeeClient, engine: Engine, event_id: str, *, run_id: str | None = None
) -> int:
    """Fetch one event and stage the resources it names; returns documents staged.

    Raises ``_Rejected`` for an event the API does not know.
    """
    site = client.settings.site
    try:
        event = client.retrieve("events", event_id)["event"]
    except NotFoundError:
        raise _Rejected(f"Chargebee site '{site}' has no event {event_id}") from None
    now = datetime.now(UTC)
    content = event.get("content") or {}
    staged: list[tuple[str, dict[str, Any]]] = []
    for key, resource in CONTENT_RESOURCES.items():
        copy = content.get(key)
        if isinstance(copy, dict) and "id" in copy:
            fetched = _fetch_resource(client, resource, copy)
            if fetched is None:
                continue
            doc, complete = fetched
            row = document_row(
                resource, doc, site=site, run_id=run_id, extracted_at=now, lines_complete=complete
            )
            staged.append((resource, row))
    with engine.begin() as conn:
        q.insert_events(conn, [event_row(event, site=site, run_id=run_id, extracted_at=now)])
        for resource, row in staged:
            q.upsert_documents(conn, DOCUMENT_TABLES[resource], [row])
        q.mark_event(conn, site, event_id, q.PROCESSED, now, event_type=event.get("event_type"))
    return len(staged)


def process_events(
    client: ChargebeeClient,
    engine: Engine,
    event_ids: Iterable[str],
    *,
    run_id: str | None = None,
    max_attempts: int = MAX_ATTEMPTS,
) -> EventStats:
    """Process event ids (e.g. from the webhook inbox), each at most once.

    Ids are deduplicated, and ids the inbox already marks processed or rejected are skipped.
    An id Chargebee does not know is rejected at once rather than retried forever; a transient
    failure leaves the id pending until it has failed ``max_attempts`` times. Authentication
    and permission errors abort the batch, since no other event could succeed either.
    """
    ids = [str(i) for i in event_ids]
    site = client.settings.site
    stats = EventStats(received=len(ids))
    unique = list(dict.fromkeys(ids))
    stats.unique = len(unique)
    with engine.connect() as conn:
        states = q.event_states(conn, site, unique)
    for event_id in unique:
        if states.get(event_id) in (q.PROCESSED, q.REJECTED):
            stats.already_done += 1
            continue
        try:
            stats.documents += process_event(client, engine, event_id, run_id=run_id)
            stats.processed += 1
        except _Rejected as exc:
            log.warning("Chargebee event %s rejected: %s", event_id, exc)
            with engine.begin() as conn:
                q.mark_event(conn, site, event_id, q.REJECTED, datetime.now(UTC), error=str(exc))
            stats.rejected.append(event_id)
        except (AuthenticationError, AuthorizationError):
            raise
        except ChargebeeError as exc:
            with engine.begin() as conn:
                attempts = q.event_attempts(conn, site, event_id) + 1
                state = q.REJECTED if attempts >= max_attempts else q.PENDING
                q.mark_event(conn, site, event_id, state, datetime.now(UTC), error=str(exc))
            log.warning("Chargebee event %s failed (attempt %d): %s", event_id, attempts, exc)
            (stats.rejected if state == q.REJECTED else stats.failed).append(event_id)
    return stats


def extract_events(
    client: ChargebeeClient, engine: Engine, window: Window, *, run_id: str | None = None
) -> int:
    """Stage the events that occurred in ``window`` (``GET /events`` by ``occurred_at``).

    This is the change log for audit and for catching webhooks that never arrived; it does
    not process the events (their ids go through :func:`process_events` for that).
    """
    site = client.settings.site
    staged = 0
    for page in client.list_pages(EVENTS.path, EVENTS.window_params(*window.bounds())):
        now = datetime.now(UTC)
        rows = [
            event_row(EVENTS.unwrap(entry), site=site, run_id=run_id, extracted_at=now)
            for entry in page
        ]
        with engine.begin() as conn:
            staged += q.insert_events(conn, rows)
    return staged
