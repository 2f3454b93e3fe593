"""A validation batch: which documents are validated, and their derived facts in staging."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, insert, select

from chargebee_netsuite.quality.assets import materialise
from chargebee_netsuite.quality.facts import document_facts
from chargebee_netsuite.quality.kinds import table_of
from chargebee_netsuite.staging.quality_tables import dq_facts, dq_quarantine, dq_refs, dq_rows

# Batches a crashed validation left behind are removed once they are this old.
STALE_AFTER = timedelta(days=1)

_INSERT_BATCH = 1000


@dataclass(frozen=True)
class Scope:
    """What a batch validates: how many documents of each kind.

    Their ids and staged versions are in ``dq_facts`` under ``batch``, not in memory, so a
    validation's memory does not grow with the number of documents it checks.
    """

    batch: str
    counts: dict[str, int]


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
    counts: dict[str, int] = {}
    for kind in kinds:
        table = table_of(kind)
        quarantined = table.c.id.in_(
            select(dq_quarantine.c.document_id).where(
                dq_quarantine.c.site == site, dq_quarantine.c.kind == kind
            )
        )
        if document_ids is None:
            chosen: Any = table.c.run_id == run_id
        else:
            chosen = table.c.id.in_(sorted(set(document_ids.get(kind, ()))))
        # Two disjoint reads rather than one ``OR``, so each uses its index (the run's, by
        # revision 0012; the quarantine's ids by primary key) instead of every staged row.
        columns = (table.c.id, table.c.resource_version, table.c.raw)
        queries = [
            select(*columns).where(table.c.site == site, chosen),
            select(*columns).where(table.c.site == site, quarantined, func.coalesce(~chosen, True)),
        ]
        facts: list[dict[str, Any]] = []
        refs: list[dict[str, Any]] = []
        counts[kind] = 0
        rows = (
            row for query in queries for row in conn.execute(query.execution_options(yield_per=500))
        )
        for row in rows:
            document_id = str(row.id)
            counts[kind] += 1
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
            if len(facts) >= _INSERT_BATCH:  # written as they come: memory holds one batch
                _insert_rows(conn, facts, refs)
        _insert_rows(conn, facts, refs)
    for kind in counts:
        # After every kind's facts and references exist: the rows resolve references in SQL.
        materialise(conn, kind, site, batch)
    return Scope(batch, counts)


def staged_versions(
    conn: Connection, batch: str, kind: str, ids: Collection[str]
) -> dict[str, int | None]:
    """The resource version each of ``ids`` (of ``kind``) had when ``batch`` staged it."""
    found: dict[str, int | None] = {}
    ordered = sorted(set(ids))
    for start in range(0, len(ordered), _INSERT_BATCH):
        query = select(dq_facts.c.document_id, dq_facts.c.resource_version).where(
            dq_facts.c.batch == batch,
            dq_facts.c.kind == kind,
            dq_facts.c.document_id.in_(ordered[start : start + _INSERT_BATCH]),
        )
        found.update((str(document_id), version) for document_id, version in conn.execute(query))
    return found


def release_batch(conn: Connection, site: str, scope: Scope) -> None:
    """Take every document the batch validated out of quarantine (in SQL: the ids never come
    into memory); the failures are put back in afterwards."""
    for kind in scope.counts:
        validated = select(dq_facts.c.document_id).where(
            dq_facts.c.batch == scope.batch, dq_facts.c.kind == kind
        )
        conn.execute(
            delete(dq_quarantine).where(
                dq_quarantine.c.site == site,
                dq_quarantine.c.kind == kind,
                dq_quarantine.c.document_id.in_(validated),
            )
        )


def _insert_rows(conn: Connection, facts: list[dict[str, Any]], refs: list[dict[str, Any]]) -> None:
    """Write and forget the facts and references gathered so far."""
    for rows, table in ((facts, dq_facts), (refs, dq_refs)):
        for start in range(0, len(rows), _INSERT_BATCH):
            conn.execute(insert(table), rows[start : start + _INSERT_BATCH])
        rows.clear()


def drop_batch(conn: Connection, batch: str) -> None:
    """Remove a batch's facts, references and rows (they only serve one validation)."""
    conn.execute(delete(dq_rows).where(dq_rows.c.batch == batch))
    conn.execute(delete(dq_refs).where(dq_refs.c.batch == batch))
    conn.execute(delete(dq_facts).where(dq_facts.c.batch == batch))


def changed_since_staged(
    conn: Connection, site: str, batch: str, kind: str
) -> dict[str, int | None]:
    """Ids of ``kind`` in ``batch`` whose staged version changed after the batch was staged
    (re-extracted by a concurrent run), with the version validated: what was validated is no
    longer what would post."""
    table = table_of(kind)
    query = (
        select(table.c.id, dq_facts.c.resource_version)
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
    return {str(document_id): version for document_id, version in conn.execute(query)}
