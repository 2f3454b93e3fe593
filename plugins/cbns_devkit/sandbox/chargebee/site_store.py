"""In-memory records of one Chargebee site, its clock, ids, versions and event log."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from .conventions import Conventions
from .currencies import SiteCurrencies
from .jsoncopy import json_copy
from .listindex import SortedIndex

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
    timestamps, events and the sorted list indexes stay consistent. Listeners (the webhook
    sender) see every event.

    ``keep_events=False`` (the generator, which only dumps records) still spends an event
    id per :meth:`emit`, so ids stay the same as with events kept, but stores no event.
    ``conventions`` say how fields the public sources leave open are filled.
    """

    def __init__(
        self,
        site: str,
        *,
        clock: Callable[[], float] = time.time,
        salt: str = "",
        keep_events: bool = True,
        conventions: Conventions | None = None,
    ) -> None:
        self.site = site
        self.conventions = conventions or Conventions()
        self.clock = clock
        self.salt = salt or site
        self.keep_events = keep_events
        self.lock = threading.RLock()
        self.records: dict[str, dict[str, Record]] = {kind: {} for kind in KINDS}
        self.sequence: dict[str, dict[str, int]] = {kind: {} for kind in KINDS}
        self.events: dict[str, Record] = {}
        self.event_sequence: dict[str, int] = {}
        self.listeners: list[Callable[[Record], None]] = []
        self.webhooks_configured = False
        # Base currency and rates stamped on new documents (``exchange_rate``).
        self.currencies = SiteCurrencies()
        self._counter = 0
        self._last_version_ms = 0
        # Records by seq (row ``i`` has seq ``i + 1``), events included as kind "event".
        self._rows: dict[str, list[Record]] = {kind: [] for kind in (*KINDS, "event")}
        # Highest number used per (kind, prefix) of numbered ids, once first asked for.
        self._numbers: dict[tuple[str, str], int] = {}
        # Customer ids that have at least one record of the kind (deleted ones included).
        self._customers: dict[str, set[str]] = {kind: set() for kind in KINDS}
        # Lazily built sorted indexes per kind and sort attribute (see listindex.py).
        self._indexes: dict[str, dict[str | None, SortedIndex]] = {}

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
        """A fresh id for ``kind``; numbered kinds (invoices, credit notes) count up.

        A numbered id is one more than the highest ``<prefix><digits>`` id of the kind. The
        highest number is found by one scan on first use and then kept up to date by
        :meth:`insert` (records are never removed), so this is O(1) per id.
        """
        if kind in ("invoice", "credit_note"):
            with self.lock:
                if (kind, prefix) not in self._numbers:
                    self._numbers[kind, prefix] = max(
                        (_number(rid, prefix) for rid in self.records[kind]), default=0
                    )
                return f"{prefix}{self._numbers[kind, prefix] + 1}"
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
            seq = len(self.sequence[kind]) + 1
            self.sequence[kind][record["id"]] = seq
            self._rows[kind].append(record)
            for (numbered, prefix), highest in self._numbers.items():
                if numbered == kind:
                    self._numbers[numbered, prefix] = max(highest, _number(record["id"], prefix))
            if "customer_id" in record:
                self._customers[kind].add(record["customer_id"])
            for index in self._indexes.get(kind, {}).values():
                index.add(seq, record)
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

    def has_customer_record(self, kind: str, customer_id: str) -> bool:
        """Whether any record of ``kind`` (deleted or not) belongs to ``customer_id``."""
        return customer_id in self._customers[kind]

    def rows(self, kind: str) -> Sequence[Record]:
        """Records of ``kind`` (or ``"event"``) by seq: row ``i`` has seq ``i + 1``."""
        return self._rows[kind]

    def sorted_index(self, kind: str, attr: str | None) -> SortedIndex:
        """The sorted index of ``kind`` by ``attr``, built on first use (hold :attr:`lock`)."""
        by_attr = self._indexes.setdefault(kind, {})
        index = by_attr.get(attr)
        if index is None:
            index = by_attr[attr] = SortedIndex(attr, self._rows[kind])
        return index

    def touch(self, record: Record, *, bump_updated_at: bool = True) -> None:
        """Mark ``record`` changed now: new ``resource_version`` and (usually) ``updated_at``."""
        self.conventions.finish(record)
        now = self.now()
        if now < LEGACY_CUTOFF:
            return
        with self.lock:
            record["resource_version"] = self.next_version()
            if bump_updated_at or "updated_at" not in record:
                record["updated_at"] = now
            self._mark_dirty(record)

    def _mark_dirty(self, record: Record) -> None:
        # Its sort keys may have changed: the indexes re-check it before the next page.
        # A record touched before it is inserted is simply indexed on insert.
        if not self._indexes:
            return
        kind = record.get("object")
        if not isinstance(kind, str) or kind not in self._indexes:
            return
        record_id = record.get("id")
        seq = self.sequence[kind].get(record_id) if isinstance(record_id, str) else None
        if seq is None or self._rows[kind][seq - 1] is not record:
            return
        for index in self._indexes[kind].values():
            index.dirty.add(seq)

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
            if not self.keep_events:
                # The id is spent (later ids depend on the token counter); nothing is kept.
                return {"id": event_id, "event_type": event_type, "content": content}
            event: Record = {
                "id": event_id,
                "occurred_at": occurred_at if occurred_at is not None else self.now(),
                "source": source,
                "object": "event",
                "api_version": "v2",
                "event_type": event_type,
                "webhook_status": _initial_webhook_status(deliver, self.webhooks_configured),
                "content": json_copy(content),
            }
            if source == "admin_console":
                event["user"] = "sandbox@example.com"
            self.events[event_id] = event
            seq = len(self.event_sequence) + 1
            self.event_sequence[event_id] = seq
            self._rows["event"].append(event)
            for index in self._indexes.get("event", {}).values():
                index.add(seq, event)
            listeners = list(self.listeners) if deliver else []
        for listener in listeners:
            listener(event)
        return event


def _number(record_id: str, prefix: str) -> int:
    """The number of a ``<prefix><digits>`` id, or 0 for any other id."""
    rest = record_id[len(prefix) :]
    if not (record_id.startswith(prefix) and rest.isdigit()):
        return 0
    try:
        return int(rest)
    except ValueError:  # non-ASCII digits such as "²" pass isdigit() but are no number
        return 0


def _initial_webhook_status(deliver: bool, configured: bool) -> str:
    if not configured:
        return "not_configured"
    return "scheduled" if deliver else "skipped"
