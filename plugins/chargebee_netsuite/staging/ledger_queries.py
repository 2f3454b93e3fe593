"""Query functions over the posting ledger: read a site's rows, upsert states, log attempts."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from chargebee_netsuite.staging.ledger_tables import ns_ledger, ns_ledger_attempts

LedgerKey = tuple[str, str, str]  # (source_kind, source_id, role)


@dataclass
class LedgerEntry:
    """One ledger row as the loader uses it."""

    source_kind: str
    source_id: str
    role: str
    state: str
    reason: str | None = None
    netsuite_type: str | None = None
    netsuite_id: str | None = None
    external_id: str | None = None
    payload_hash: str | None = None
    posted_hash: str | None = None
    posted_payload: Any = None
    resource_version: int | None = None
    posted_resource_version: int | None = None
    attempts: int = 0

    @property
    def key(self) -> LedgerKey:
        """``(source_kind, source_id, role)``."""
        return (self.source_kind, self.source_id, self.role)


_ENTRY_COLUMNS = (
    "source_kind",
    "source_id",
    "role",
    "state",
    "reason",
    "netsuite_type",
    "netsuite_id",
    "external_id",
    "payload_hash",
    "posted_hash",
    "posted_payload",
    "resource_version",
    "posted_resource_version",
    "attempts",
)


def read_ledger(conn: Connection, site: str) -> dict[LedgerKey, LedgerEntry]:
    """Every ledger row of ``site`` by key (for tests and tools: the loader reads by chunk)."""
    columns = [ns_ledger.c[name] for name in _ENTRY_COLUMNS]
    rows = conn.execute(select(*columns).where(ns_ledger.c.site == site)).mappings()
    entries = (LedgerEntry(**dict(row)) for row in rows)
    return {entry.key: entry for entry in entries}


# Keys per ledger query: small enough for every backend's bound-parameter limit.
_IN_BATCH = 500


def read_entries(
    conn: Connection,
    site: str,
    keys: Iterable[LedgerKey],
    *,
    payload_ids: Collection[str] = (),
) -> dict[LedgerKey, LedgerEntry]:
    """The ledger rows of ``keys`` (those that exist), by key.

    ``posted_payload`` is large and rarely needed, so it is read only for rows whose
    ``source_id`` is in ``payload_ids``; every other entry has ``posted_payload=None``.
    """
    by_kind_role: dict[tuple[str, str], set[str]] = {}
    for kind, source_id, role in keys:
        by_kind_role.setdefault((kind, role), set()).add(source_id)
    columns = [ns_ledger.c[name] for name in _ENTRY_COLUMNS if name != "posted_payload"]
    found: dict[LedgerKey, LedgerEntry] = {}
    for (kind, role), id_set in by_kind_role.items():
        same = (ns_ledger.c.site == site, ns_ledger.c.source_kind == kind, ns_ledger.c.role == role)
        for ids in _batches(id_set):
            query = select(*columns).where(*same, ns_ledger.c.source_id.in_(ids))
            for row in conn.execute(query).mappings():
                entry = LedgerEntry(**dict(row))
                found[entry.key] = entry
        for ids in _batches(id_set.intersection(payload_ids)):
            query = select(ns_ledger.c.source_id, ns_ledger.c.posted_payload).where(
                *same, ns_ledger.c.source_id.in_(ids)
            )
            for source_id, payload in conn.execute(query):
                if (kind, source_id, role) in found:
                    found[(kind, source_id, role)].posted_payload = payload
    return found


def _batches(ids: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_BATCH):
        yield ordered[start : start + _IN_BATCH]


def _insert(conn: Connection) -> Any:
    if conn.dialect.name == "postgresql":
        return postgresql.insert(ns_ledger)
    if conn.dialect.name == "sqlite":
        return sqlite.insert(ns_ledger)
    raise NotImplementedError(f"staging supports SQLite and PostgreSQL, not {conn.dialect.name}")


def upsert_entries(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ledger rows or update the given columns of existing ones.

    Every row must carry the key columns, ``updated_at`` and ``first_seen_at``; columns a row
    does not mention keep their stored values. Rows are grouped by the columns they set.
    """
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    keys = ("site", "source_kind", "source_id", "role")
    for names, batch in groups.items():
        stmt = _insert(conn)
        updates = {
            name: stmt.excluded[name] for name in names if name not in (*keys, "first_seen_at")
        }
        for start in range(0, len(batch), 500):
            chunk = [dict(row) for row in batch[start : start + 500]]
            conn.execute(stmt.on_conflict_do_update(index_elements=list(keys), set_=updates), chunk)


def add_attempts(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Append write attempts to the attempt log (never updated, never deleted)."""
    if rows:
        conn.execute(insert(ns_ledger_attempts), [dict(row) for row in rows])


def attempts_for(
    conn: Connection, site: str, source_kind: str, source_id: str
) -> list[dict[str, Any]]:
    """The attempt log of one document, oldest first."""
    table = ns_ledger_attempts
    query = (
        select(table)
        .where(
            table.c.site == site, table.c.source_kind == source_kind, table.c.source_id == source_id
        )
        .order_by(table.c.id)
    )
    return [dict(row) for row in conn.execute(query).mappings()]


def state_counts(conn: Connection, site: str) -> dict[str, int]:
    """How many ledger rows of ``site`` are in each state."""
    query = (
        select(ns_ledger.c.state, func.count())
        .where(ns_ledger.c.site == site)
        .group_by(ns_ledger.c.state)
    )
    return {state: int(count) for state, count in conn.execute(query).all()}


def now_columns(now: datetime) -> dict[str, datetime]:
    """``first_seen_at`` and ``updated_at`` for a row written at ``now``."""
    return {"first_seen_at": now, "updated_at": now}
