"""A validation batch: which documents are validated, and their derived facts in staging."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, or_, select

from chargebee_netsuite.quality.assets import materialise
from chargebee_netsuite.quality.facts import document_facts
from chargebee_netsuite.quality.kinds import table_of
from chargebee_netsuite.staging.quality_tables import dq_facts, dq_quarantine, dq_refs, dq_rows

# Batches a crashed validation left behind are removed once they are this old.
STALE_AFTER = timedelta(days=1)

Scope = dict[str, dict[str, int | None]]  # kind → {id: resource_version}


def stage_batch(
    conn: Connection,
    site: str,
    batch: str,
    kinds: Iterable[str],
    *,
    run_id: str,
    document_ids: Mapping[str, Iterable[str]] | None,
    now: datetime,
) -> Scope:
    """Choose the documents to validate; write their facts, references and rows under ``batch``.

    In scope: the documents staged by ``run_id`` (or, when given, exactly ``document_ids`` by
    kind), plus every document still in quarantine, so that one fixed by the arrival of
    something else (its customer, its invoice) is released without being re-extracted.
    """
    conn.execute(delete(dq_facts).where(dq_facts.c.created_at < now - STALE_AFTER))
    for scratch in (dq_refs, dq_rows):
        conn.execute(delete(scratch).where(~exists().where(dq_facts.c.batch == scratch.c.batch)))
    scope: Scope = {}
    for kind in kinds:
        table = table_of(kind)
        quarantined = exists().where(
            dq_quarantine.c.site == site,
            dq_quarantine.c.kind == kind,
            dq_quarantine.c.document_id == table.c.id,
        )
        if document_ids is None:
            chosen: Any = table.c.run_id == run_id
        else:
            chosen = table.c.id.in_(sorted(set(document_ids.get(kind, ()))))
        query = (
            select(table.c.id, table.c.resource_version, table.c.raw)
            .where(table.c.site == site, or_(chosen, quarantined))
            .execution_options(yield_per=500)
        )
        facts: list[dict[str, Any]] = []
        refs: list[dict[str, Any]] = []
        versions: dict[str, int | None] = {}
        for row in conn.execute(query):
            document_id = str(row.id)
            versions[document_id] = row.resource_version
            derived = document_facts(kind, row.raw if isinstance(row.raw, dict) else {})
            facts.append(
                {
                    "batch": batch,
                    "kind": kind,
                    "document_id": document_id,
                    "site": site,
                    "resource_version": row.resource_version,
                    "lines_total": derived.lines_total,
                    "settled_total": derived.settled_total,
                    "applied_total": derived.applied_total,
                    "created_at": now,
                }
            )
            refs.extend(
                {
                    "batch": batch,
                    "kind": kind,
                    "document_id": document_id,
                    "ref_kind": ref_kind,
                    "ref_id": ref_id,
                }
                for ref_kind, ref_id in sorted(derived.refs)
            )
        for rows, table_ in ((facts, dq_facts), (refs, dq_refs)):
            for start in range(0, len(rows), 1000):
                conn.execute(insert(table_), rows[start : start + 1000])
        scope[kind] = versions
    for kind in scope:
        # After every kind's facts and references exist: the rows resolve references in SQL.
        materialise(conn, kind, site, batch)
    return scope


def drop_batch(conn: Connection, batch: str) -> None:
    """Remove a batch's facts, references and rows (they only serve one validation)."""
    conn.execute(delete(dq_rows).where(dq_rows.c.batch == batch))
    conn.execute(delete(dq_refs).where(dq_refs.c.batch == batch))
    conn.execute(delete(dq_facts).where(dq_facts.c.batch == batch))


def changed_since_staged(conn: Connection, site: str, batch: str, kind: str) -> set[str]:
    """Ids of ``kind`` in ``batch`` whose staged version changed after the batch was staged
    (re-extracted by a concurrent run): what was validated is no longer what would post."""
    table = table_of(kind)
    query = (
        select(table.c.id)
        .join(
            dq_facts,
            and_(
                dq_facts.c.batch == batch,
                dq_facts.c.kind == kind,
                dq_facts.c.document_id == table.c.id,
            ),
        )
        .where(
            table.c.site == site,
            func.coalesce(table.c.resource_version, -1)
            != func.coalesce(dq_facts.c.resource_version, -1),
        )
    )
    return {str(document_id) for document_id in conn.scalars(query)}
