"""Ledger reads and writes reconciliation needs: rows with timestamps, re-queue, re-drive."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from chargebee_netsuite.staging.ledger_queries import upsert_entries
from chargebee_netsuite.staging.ledger_tables import (
    FAILED,
    HELD,
    MAIN,
    POSTED,
    QUARANTINED,
    READY,
    ns_ledger,
)
from chargebee_netsuite.staging.quality_tables import dq_quarantine

from .compare import LedgerRow

Key = tuple[str, str, str]  # (source_kind, source_id, role)
REDRIVE_STATES = (FAILED, HELD)


def read_rows(conn: Connection, site: str) -> dict[Key, LedgerRow]:
    """Every ledger row of ``site`` with what comparison needs."""
    t = ns_ledger
    query = select(
        t.c.source_kind,
        t.c.source_id,
        t.c.role,
        t.c.state,
        t.c.reason,
        t.c.netsuite_type,
        t.c.netsuite_id,
        t.c.posted_at,
        t.c.last_attempt_at,
    ).where(t.c.site == site)
    return {
        (r.source_kind, r.source_id, r.role): LedgerRow(
            state=r.state,
            reason=r.reason,
            netsuite_type=r.netsuite_type,
            netsuite_id=r.netsuite_id,
            posted_at=_aware(r.posted_at),
            last_attempt_at=_aware(r.last_attempt_at),
        )
        for r in conn.execute(query)
    }


def _aware(moment: datetime | None) -> datetime | None:
    """SQLite hands timezone-aware columns back naive; they were written in UTC."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def requeue(
    conn: Connection,
    site: str,
    keys: Iterable[Key],
    reason: str,
    *,
    run_id: str,
    now: datetime,
) -> int:
    """Put documents back in the load queue: state ready, both hashes cleared.

    The loader skips a document only when NetSuite already accepted the same payload hash,
    so clearing ``posted_hash`` makes the next load upsert it again (by external id, so
    nothing is doubled). The NetSuite internal id is kept as history in the attempt log.
    """
    rows: list[dict[str, Any]] = [
        {
            "site": site,
            "source_kind": kind,
            "source_id": source_id,
            "role": role,
            "state": READY,
            "reason": reason,
            "payload_hash": None,
            "posted_hash": None,
            "last_run_id": run_id,
            "first_seen_at": now,
            "updated_at": now,
        }
        for kind, source_id, role in dict.fromkeys(keys)
    ]
    if rows:
        upsert_entries(conn, rows)
    return len(rows)


def redrive(
    conn: Connection,
    site: str,
    *,
    documents: Iterable[tuple[str, str]] | None = None,
    actor: str,
    now: datetime,
) -> list[Key]:
    """Re-queue failed and held documents (all, or just ``documents`` as ``(kind, id)``).

    Meant for after the cause was fixed (a mapping, reference data, a reopened period);
    returns the keys re-queued. Quarantined documents are re-validated by every sync, so
    they need no re-drive.
    """
    t = ns_ledger
    query = select(t.c.source_kind, t.c.source_id, t.c.role, t.c.state, t.c.reason).where(
        t.c.site == site, t.c.state.in_(REDRIVE_STATES)
    )
    wanted = set(documents) if documents is not None else None
    keys: list[Key] = []
    rows: list[dict[str, Any]] = []
    for row in conn.execute(query):
        if wanted is not None and (row.source_kind, row.source_id) not in wanted:
            continue
        keys.append((row.source_kind, row.source_id, row.role))
        rows.append(
            {
                "site": site,
                "source_kind": row.source_kind,
                "source_id": row.source_id,
                "role": row.role,
                "state": READY,
                "reason": f"Re-driven by {actor} at {now.isoformat(timespec='seconds')} "
                f"(was {row.state}: {row.reason or 'no reason recorded'})",
                "posted_hash": None,
                "first_seen_at": now,
                "updated_at": now,
            }
        )
    if rows:
        upsert_entries(conn, rows)
    return keys


def quarantined_documents(
    conn: Connection, site: str, documents: Iterable[tuple[str, str]] | None = None
) -> list[tuple[str, str]]:
    """Quarantined documents (all, or those of ``documents``): by the loader (the mapping,
    a currency) or by validation (a data check), as ``(kind, id)``.

    Re-driving one means validating, transforming and loading it again: every sync does that
    for each quarantined document, so a sync run after the fix (a mapping change, a correction
    in Chargebee) is what re-drives it.
    """
    wanted = set(documents) if documents is not None else None
    t = ns_ledger
    found = {
        (row.source_kind, row.source_id)
        for row in conn.execute(
            select(t.c.source_kind, t.c.source_id).where(t.c.site == site, t.c.state == QUARANTINED)
        )
    }
    q = dq_quarantine
    found |= {
        (row.kind, row.document_id)
        for row in conn.execute(select(q.c.kind, q.c.document_id).where(q.c.site == site))
    }
    return sorted(key for key in found if wanted is None or key in wanted)


def document_states(
    conn: Connection, site: str, documents: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], dict[str, Any]]:
    """The main ledger state of each of ``documents`` (``quarantined`` while validation holds
    it), its reason and when it last changed."""
    wanted = set(documents)
    t = ns_ledger
    states: dict[tuple[str, str], dict[str, Any]] = {}
    for kind in {k for k, _ in wanted}:
        ids = sorted(i for k, i in wanted if k == kind)
        for start in range(0, len(ids), 500):
            query = select(
                t.c.source_id, t.c.state, t.c.reason, t.c.updated_at, t.c.netsuite_id
            ).where(
                t.c.site == site,
                t.c.source_kind == kind,
                t.c.role == MAIN,
                t.c.source_id.in_(ids[start : start + 500]),
            )
            for row in conn.execute(query):
                states[(kind, row.source_id)] = {
                    "state": row.state,
                    "reason": row.reason,
                    "updated": _iso(row.updated_at),
                    "posted": row.state == POSTED,
                }
    q = dq_quarantine
    for kind, source_id in wanted:
        held = conn.scalar(
            select(q.c.reason)
            .where(q.c.site == site, q.c.kind == kind, q.c.document_id == source_id)
            .limit(1)
        )
        if held is not None:
            states[(kind, source_id)] = {
                **states.get((kind, source_id), {}),
                "state": QUARANTINED,
                "reason": held,
                "posted": False,
            }
    return states


def _iso(moment: datetime | None) -> str | None:
    aware = _aware(moment)
    return None if aware is None else aware.isoformat(timespec="seconds")
