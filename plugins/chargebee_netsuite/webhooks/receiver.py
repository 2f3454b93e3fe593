"""The FastAPI app that receives Chargebee webhooks: Basic auth, size limit, event id to inbox.

Chargebee signs nothing; HTTP Basic auth on the webhook URL is the only proof a delivery
comes from Chargebee. Even so the body is never trusted: only the event id (and its type, for
operators) is kept, and the extraction fetches the event and its resource from the API.

Once a new id is committed to the inbox the receiver notifies an optional
:class:`~chargebee_netsuite.webhooks.signal.InboxSignal` (in Airflow: an asset event that starts
the webhook DAG). The signal runs after the answer is decided and never changes it: the inbox,
not the signal, is what guarantees that no id is lost.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from chargebee_netsuite.webhooks.config import ReceiverConfig, ReceiverNotConfigured
from chargebee_netsuite.webhooks.inbox import InboxEngines, record_event
from chargebee_netsuite.webhooks.payload import (
    BodyTooLarge,
    InvalidPayload,
    parse_event,
    read_limited,
)
from chargebee_netsuite.webhooks.signal import InboxSignal

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/chargebee"
MAX_BODY_BYTES = 1024 * 1024  # Chargebee events are a few KiB; 1 MiB leaves ample room.
CONFIG_TTL_SECONDS = 30.0  # a rotated password takes effect within this time


def _credentials(header: str | None) -> tuple[bytes, bytes] | None:
    """User name and password from an ``Authorization: Basic`` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic" or not token:
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(b":")
    return (user, password) if sep else None


def credentials_match(header: str | None, config: ReceiverConfig) -> bool:
    """Whether the header carries the configured user and password (constant-time compare)."""
    given = _credentials(header)
    if given is None:
        return False
    # Compare both parts every time, so timing says nothing about which one was wrong.
    user_ok = secrets.compare_digest(given[0], config.username.encode())
    password_ok = secrets.compare_digest(given[1], config.password.encode())
    return user_ok & password_ok


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"status": "error", "message": message}, status, headers=headers)


class _CachedConfig:
    """Loads the config at most every ``ttl`` seconds (a lookup may hit the metadata DB)."""

    def __init__(self, load: Callable[[], ReceiverConfig], ttl: float) -> None:
        self._load = load
        self._ttl = ttl
        self._lock = threading.Lock()
        self._value: ReceiverConfig | None = None
        self._loaded_at = 0.0

    def get(self) -> ReceiverConfig:
        with self._lock:
            now = time.monotonic()
            if self._value is None or now - self._loaded_at > self._ttl:
                self._value = self._load()
                self._loaded_at = now
            return self._value


def create_app(
    load_config: Callable[[], ReceiverConfig],
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    config_ttl: float = CONFIG_TTL_SECONDS,
    signal: InboxSignal | None = None,
) -> FastAPI:
    """The receiver app; ``load_config`` is called lazily (never at import) and cached.

    ``POST /webhooks/chargebee`` answers 200 for a new or repeated event, 401 for missing or
    wrong credentials, 400 for a body that is not a Chargebee event, 413 for a body over
    ``max_body_bytes`` and 503 when the receiver is not configured. Only a 200 stores anything.
    ``signal`` is notified after each new id is committed (a repeated delivery of an id already
    in the inbox was signalled the first time).
    """
    config = _CachedConfig(load_config, config_ttl)
    engines = InboxEngines()
    app = FastAPI(
        title="Chargebee → NetSuite webhook receiver",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.engines = engines
    app.state.signal = signal

    @app.post(WEBHOOK_PATH)
    async def chargebee_webhook(request: Request) -> JSONResponse:
        """Queue the delivered event's id in the staging inbox."""
        try:
            settings = await run_in_threadpool(config.get)
        except ReceiverNotConfigured as exc:
            log.error("Chargebee webhook refused: %s", exc)
            return _error(503, "the webhook receiver is not configured")
        # Authenticate before reading the body: an anonymous caller gets nothing buffered.
        if not credentials_match(request.headers.get("authorization"), settings):
            return _error(
                401,
                "missing or wrong credentials",
                {"WWW-Authenticate": 'Basic realm="chargebee-webhooks", charset="UTF-8"'},
            )
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_body_bytes:
            return _error(413, f"the body must be at most {max_body_bytes} bytes")
        try:
            body = await read_limited(request.stream(), max_body_bytes)
            event = parse_event(body)
        except BodyTooLarge:
            return _error(413, f"the body must be at most {max_body_bytes} bytes")
        except InvalidPayload as exc:
            return _error(400, str(exc))
        received_at = datetime.now(UTC)

        def store() -> bool:
            engine = engines.get(settings.staging_url)
            return record_event(engine, settings.site, event, received_at)

        new = await run_in_threadpool(store)
        if new and signal is not None:
            signal.notify()  # after the commit; never blocks nor fails the answer
        log.info(
            "Chargebee webhook: event %s (%s) for site %s %s",
            event.id,
            event.event_type,
            settings.site,
            "queued" if new else "already queued",
        )
        return JSONResponse({"status": "queued" if new else "duplicate", "event_id": event.id}, 200)

    return app
