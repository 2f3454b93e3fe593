"""In-memory records of one Chargebee site, its clock, ids, versions and event log."""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

Record = dict[str, Any]

KINDS: tuple[str, ...] = (
    "customer",
    "item",
    "item_price",
    "invoice",
    "credit_note",
    "transaction",
)
# ``updated_at``/``resource_version`` are "present only if the resource has been updated
# after 2016-09-28" (SPEC Invoice/CreditNote); changes before then leave them absent.
LEGACY_CUTOFF = 1475020800
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class Store:
    """Records keyed by kind and id, in insertion order, plus the site's events.

    All mutation goes through :meth:`insert`, :meth:`touch` and :meth:`emit`, so versions,
    timestamps and events stay consistent. Listeners (the webhook sender) see every event.
    """

    def __init__(
        self, site: str, *, clock: Callable[[], float] = time.time, salt: str = ""
    ) -> None:
        self.site = site
        self.clock = clock
        self.salt = salt or site
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
        self.sequence: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        self.events: dict[str, Record] = {}
        self.event_sequence: dict[str, int] = {}
        self.listeners: list[Callable[[Record], None]] = []
        self.webhooks_configured = False
        self._counter = 0
        self._last_version_ms = 0

    # -- time and ids -------------------------------------------------------------------

    def now(self) -> int:
        """Current Unix time in whole seconds."""
        return int(self.clock())

    def next_version(self) -> int:
        """A ``resource_version``: the clock in ms, strictly increasing within this site."""
        now_ms = int(self.clock() * 1000)
        self._last_version_ms = max(now_ms, self._last_version_ms + 1)
        return self._last_version_ms

    def observe_version(self, version: int) -> None:
        """Keep later versions above ``version`` (a seeded record's ``resource_version``)."""
        self._last_version_ms = max(self._last_version_ms, version)

    def token(self, length: int = 16) -> str:
        """A deterministic opaque token (ids look random but repeat for the same salt)."""
        self._counter += 1
        digest = hashlib.sha256(f"{self.salt}:{self._counter}".encode()).digest()
        number = int.from_bytes(digest, "big")
        chars = []
        for _ in range(length):
            number, rest = divmod(number, len(_ALPHABET))
            chars.append(_ALPHABET[rest])
        return "".join(chars)

    def new_id(self, kind: str, prefix: str = "") -> str:
        """A fresh id for ``kind``; numbered kinds (invoices, credit notes) count up."""
        if kind in ("invoice", "credit_note"):
            numbers = [
                int(rid[len(prefix) :])
                for rid in self.records[kind]
                if rid.startswith(prefix) and rid[len(prefix) :].isdigit()
            ]
            return f"{prefix}{max(numbers, default=0) + 1}"
        while True:
            candidate = f"{prefix}{self.token()}"
            if candidate not in self.records.get(kind, {}) and candidate not in self.events:
                return candidate

    # -- records ------------------------------------------------------------------------

    def insert(self, kind: str, record: Record) -> Record:
        """Add a new record (its id must be unused) and return it."""
        with self.lock:
            if record["id"] in self.records[kind]:
                raise ValueError(f"duplicate {kind} id {record['id']!r}")
            self.records[kind][record["id"]] = record
            self.sequence[kind][record["id"]] = len(self.sequence[kind]) + 1
            return record

    def get(self, kind: str, record_id: str) -> Record | None:
        """The stored record (not a copy), or None."""
        return self.records[kind].get(record_id)

    def all(self, kind: str) -> list[Record]:
        """Every record of ``kind`` in insertion order (including deleted ones)."""
        return list(self.records[kind].values())

    def seq(self, kind: str, record_id: str) -> int:
        """The record's internal insertion number (the tie-breaker in list offsets)."""
        return self.sequence[kind][record_id]

    def touch(self, record: Record, *, bump_updated_at: bool = True) -> None:
        """Mark ``record`` changed now: new ``resource_version`` and (usually) ``updated_at``."""
        now = self.now()
        if now < LEGACY_CUTOFF:
            return
        record["resource_version"] = self.next_version()
        if bump_updated_at or "updated_at" not in record:
            record["updated_at"] = now

    # -- events -------------------------------------------------------------------------

    def emit(
        self,
        event_type: str,
        content: dict[str, Any],
        *,
        source: str = "admin_console",
        occurred_at: int | None = None,
        deliver: bool = True,
    ) -> Record:
        """Record an event whose ``content`` is a snapshot of the given objects."""
        with self.lock:
            event_id = self.new_id("event", "ev_")
            event: Record = {
                "id": event_id,
                "occurred_at": occurred_at if occurred_at is not None else self.now(),
                "source": source,
                "object": "event",
                "api_version": "v2",
                "event_type": event_type,
                "webhook_status": _initial_webhook_status(deliver, self.webhooks_configured),
                "content": copy.deepcopy(content),
            }
            if source == "admin_console":
                event["user"] = "sandbox@example.com"
            self.events[event_id] = event
            self.event_sequence[event_id] = len(self.event_sequence) + 1
            listeners = list(self.listeners) if deliver else []
        for listener in listeners:
            listener(event)
        return event


def _initial_webhook_status(deliver: bool, configured: bool) -> str:
    if not configured:
        return "not_configured"
    return "scheduled" if deliver else "skipped"
