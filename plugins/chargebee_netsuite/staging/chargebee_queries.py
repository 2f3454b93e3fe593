"""Small query functions over the Chargebee staging tables: guarded upserts, inbox, sync state."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Table, and_, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert

from chargebee_netsuite.staging.chargebee_tables import cb_events, cb_sync_state, cb_webhook_inbox
from chargebee_netsuite.staging.ledger_tables import ns_load_queue

# Inbox states.
PENDING = "pending"
PROCESSED = "processed"
REJECTED = "rejected"


def dialect_insert(conn: Connection, table: Table) -> Any:
    """A dialect-specific INSERT that supports ON CONFLICT (SQLite and PostgreSQL)."""
    name = conn.dialect.name
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"staging supports SQLite and PostgreSQL, not {name}")


def _version(row: Mapping[str, Any]) -> int:
    version = row.get("resource_version")
    return -1 if version is None else int(version)


def newest_per_key(rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Keep one row per (site, id): the highest ``resource_version`` (complete lines on ties).

    PostgreSQL refuses an upsert batch that touches one key twice, and a window can list a
    document twice when it changed during the scan.
    """
    best: dict[tuple[str, str], Mapping[str, Any]] = {}
    for row in rows:
        key = (row["site"], row["id"])
        current = best.get(key)
        rank = (_version(row), bool(row.get("lines_complete", True)))
        if current is None or rank > (_version(current), bool(current.get("lines_complete", True))):
            best[key] = row
    return list(best.values())


def upsert_documents(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or replace staged documents in one batched statement; newest version wins.

    The guard lives in SQL (``ON CONFLICT … DO UPDATE … WHERE``) so concurrent writers and
    out-of-order deliveries cannot overwrite a newer row: a stored row is replaced only by a
    higher ``resource_version``, or by the same version whose lines are now complete. Rows
    without a version (legacy records) rank below every versioned one. Returns rows sent.
    """
    batch = newest_per_key(rows)
    if not batch:
        return 0
    stmt: Insert = dialect_insert(conn, table)
    excluded = stmt.excluded  # type: ignore[attr-defined]
    new_version = func.coalesce(excluded.resource_version, -1)
    old_version = func.coalesce(table.c.resource_version, -1)
    guard = new_version > old_version
    if "lines_complete" in table.c:
        guard = or_(
            guard,
            and_(
                new_version == old_version,
                excluded.lines_complete,
                not_(table.c.lines_complete),
            ),
        )
    keys = [c.name for c in table.primary_key.columns]
    stmt = stmt.on_conflict_do_update(  # type: ignore[attr-defined]
        index_elements=keys,
        set_={c.name: excluded[c.name] for c in table.columns if c.name not in keys},
        where=guard,
    )
    kind = LOADED_KINDS.get(table.name)
    changed = _replacing(conn, table, batch) if kind is not None else []
    conn.execute(stmt, [dict(r) for r in batch])
    if kind is not None:
        queue_for_load(conn, kind, changed)
    return len(batch)


# The staging tables whose documents the loader posts, and the ledger kind of each.
LOADED_KINDS = {
    "cb_customers": "customer",
    "cb_invoices": "invoice",
    "cb_credit_notes": "credit_note",
    "cb_transactions": "transaction",
}


def _replacing(
    conn: Connection, table: Table, batch: Sequence[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The rows of ``batch`` the guarded upsert will store: new, or newer than what is staged
    (the same test as its ``WHERE``, read before it runs)."""
    lines = "lines_complete" in table.c
    columns = [table.c.id, table.c.resource_version]
    if lines:
        columns.append(table.c.lines_complete)
    by_site: dict[str, list[Mapping[str, Any]]] = {}
    for row in batch:
        by_site.setdefault(row["site"], []).append(row)
    found: list[Mapping[str, Any]] = []
    for site, rows in by_site.items():
        stored: dict[str, tuple[int, bool]] = {}
        for start in range(0, len(rows), 500):
            ids = [r["id"] for r in rows[start : start + 500]]
            query = select(*columns).where(table.c.site == site, table.c.id.in_(ids))
            for got in conn.execute(query).mappings():
                complete = bool(got["lines_complete"]) if lines else True
                stored[str(got["id"])] = (_version(dict(got)), complete)
        for row in rows:
            old = stored.get(str(row["id"]))
            new = (_version(row), bool(row.get("lines_complete", True)))
            if old is None or new[0] > old[0] or (new[0] == old[0] and new[1] and not old[1]):
                found.append(row)
    return found


def queue_for_load(conn: Connection, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
    """Put staged documents (rows with ``site``, ``id``, ``resource_version``) of ``kind`` in
    the loader's queue: the next load plans them (see ``load/changes.py``)."""
    if not rows:
        return
    now = datetime.now(UTC)
    values = {
        (str(r["site"]), str(r["id"])): {
            "site": str(r["site"]),
            "source_kind": kind,
            "source_id": str(r["id"]),
            "resource_version": r.get("resource_version"),
            "queued_at": now,
        }
        for r in rows
    }
    stmt = dialect_insert(conn, ns_load_queue)
    stmt = stmt.on_conflict_do_update(
        index_elements=["site", "source_kind", "source_id"],
        set_={
            "resource_version": stmt.excluded.resource_version,
            "queued_at": stmt.excluded.queued_at,
        },
    )
    ordered = list(values.values())
    for start in range(0, len(ordered), 500):
        conn.execute(stmt, ordered[start : start + 500])


def insert_events(conn: Connection, rows: Sequence[Mapping[str, Any]]) -> int:
    """Stage events (immutable in Chargebee, so an existing event id is left as it is)."""
    unique = {(r["site"], r["id"]): dict(r) for r in rows}
    if not unique:
        return 0
    stmt = dialect_insert(conn, cb_events).on_conflict_do_nothing(index_elements=["site", "id"])
    conn.execute(stmt, list(unique.values()))
    return len(unique)


# -- webhook inbox ------------------------------------------------------------------------------


def enqueue_events(
    conn: Connection,
    site: str,
    event_ids: Iterable[str],
    received_at: datetime,
    event_type: str | None = None,
) -> int:
    """Add event ids to the inbox as pending; ids already there are left untouched (dedupe)."""
    rows = [
        {"site": site, "event_id": eid, "event_type": event_type, "received_at": received_at}
        for eid in dict.fromkeys(event_ids)
    ]
    if not rows:
        return 0
    stmt = dialect_insert(conn, cb_webhook_inbox).on_conflict_do_nothing(
        index_elements=["site", "event_id"]
    )
    conn.execute(stmt, rows)
    return len(rows)


def pending_event_ids(conn: Connection, site: str, limit: int = 1000) -> list[str]:
    """Ids of inbox events not yet processed or rejected, oldest first."""
    query = (
        select(cb_webhook_inbox.c.event_id)
        .where(cb_webhook_inbox.c.site == site, cb_webhook_inbox.c.state == PENDING)
        .order_by(cb_webhook_inbox.c.received_at, cb_webhook_inbox.c.event_id)
        .limit(limit)
    )
    return list(conn.scalars(query))


def event_states(conn: Connection, site: str, event_ids: Iterable[str]) -> dict[str, str]:
    """The inbox state of each of ``event_ids`` that the inbox knows."""
    ids = list(event_ids)
    if not ids:
        return {}
    query = select(cb_webhook_inbox.c.event_id, cb_webhook_inbox.c.state).where(
        cb_webhook_inbox.c.site == site, cb_webhook_inbox.c.event_id.in_(ids)
    )
    return {row.event_id: row.state for row in conn.execute(query)}


def mark_event(
    conn: Connection,
    site: str,
    event_id: str,
    state: str,
    at: datetime,
    *,
    event_type: str | None = None,
    error: str | None = None,
) -> None:
    """Record one processing attempt of an inbox event and its resulting state."""
    enqueue_events(conn, site, [event_id], at)
    values: dict[str, Any] = {
        "state": state,
        "attempts": cb_webhook_inbox.c.attempts + 1,
        "last_error": error,
        "processed_at": at if state != PENDING else None,
    }
    if event_type is not None:
        values["event_type"] = event_type
    conn.execute(
        update(cb_webhook_inbox)
        .where(cb_webhook_inbox.c.site == site, cb_webhook_inbox.c.event_id == event_id)
        .values(**values)
    )


def event_attempts(conn: Connection, site: str, event_id: str) -> int:
    """How many times processing of ``event_id`` has been attempted (0 if unknown)."""
    query = select(cb_webhook_inbox.c.attempts).where(
        cb_webhook_inbox.c.site == site, cb_webhook_inbox.c.event_id == event_id
    )
    return int(conn.scalar(query) or 0)


# -- sync state ---------------------------------------------------------------------------------


def full_synced_at(conn: Connection, site: str, resource: str) -> datetime | None:
    """When the last complete unfiltered listing of ``resource`` finished, if ever."""
    query = select(cb_sync_state.c.full_synced_at).where(
        cb_sync_state.c.site == site, cb_sync_state.c.resource == resource
    )
    return conn.scalar(query)


def record_sync(
    conn: Connection,
    site: str,
    resource: str,
    at: datetime,
    run_id: str | None,
    *,
    full: bool,
    window: tuple[int, int] | None = None,
) -> None:
    """Remember that a full listing or a window of ``resource`` completed."""
    values: dict[str, Any] = {"updated_at": at, "last_run_id": run_id}
    if full:
        values["full_synced_at"] = at
    if window is not None:
        values["last_window_start"], values["last_window_end"] = window
    stmt = dialect_insert(conn, cb_sync_state).values(site=site, resource=resource, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["site", "resource"], set_=values)
    conn.execute(stmt)


# -- reading back -------------------------------------------------------------------------------


def staged_ids(conn: Connection, table: Table, site: str) -> set[str]:
    """Ids of every staged row of ``table`` for ``site``."""
    return set(conn.scalars(select(table.c.id).where(table.c.site == site)))


def staged_versions(conn: Connection, table: Table, site: str) -> dict[str, int | None]:
    """``{id: resource_version}`` of every staged row of ``table`` for ``site``."""
    query = select(table.c.id, table.c.resource_version).where(table.c.site == site)
    return {row.id: row.resource_version for row in conn.execute(query)}
