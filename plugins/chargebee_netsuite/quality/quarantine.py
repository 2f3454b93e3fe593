"""The quarantine: which staged documents failed a check, and why (the loader's view too)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select

from chargebee_netsuite.staging.quality_tables import dq_quarantine


@dataclass(frozen=True)
class QuarantineEntry:
    """One failed check of one document."""

    kind: str
    id: str
    check: str  # e.g. "invoice.lines_sum_to_total"
    expectation: str  # e.g. "expect_column_pair_values_to_be_equal(lines_total, total)"
    reason: str
    resource_version: int | None = None


def quarantined_ids(conn: Connection, site: str, kind: str) -> set[str]:
    """Ids of the documents of ``kind`` (``invoice``, ``customer``, …) now in quarantine.

    A document stays here until a later validation passes it: after it is fixed in Chargebee
    and re-extracted, or after what it was missing (its customer, its invoice) arrives.
    """
    query = select(dq_quarantine.c.document_id).where(
        dq_quarantine.c.site == site, dq_quarantine.c.kind == kind
    )
    return set(conn.scalars(query))


def quarantine_reasons(
    conn: Connection, site: str, kind: str, ids: Collection[str] | None = None
) -> dict[str, str]:
    """``{id: reason}`` for the quarantined documents of ``kind``; several reasons are joined.

    ``ids`` limits the answer to those documents (the loader asks one chunk at a time).
    """
    query = (
        select(dq_quarantine.c.document_id, dq_quarantine.c.reason)
        .where(dq_quarantine.c.site == site, dq_quarantine.c.kind == kind)
        .order_by(dq_quarantine.c.document_id, dq_quarantine.c.check_name)
    )
    if ids is not None:
        query = query.where(dq_quarantine.c.document_id.in_(sorted(set(ids))))
    reasons: dict[str, list[str]] = {}
    for document_id, reason in conn.execute(query):
        reasons.setdefault(document_id, []).append(reason)
    return {document_id: " ".join(parts) for document_id, parts in reasons.items()}


def quarantine_entries(
    conn: Connection, site: str, kind: str | None = None
) -> list[QuarantineEntry]:
    """Every quarantine row of ``site`` (of one ``kind`` if given), by kind, id and check."""
    query = select(dq_quarantine).where(dq_quarantine.c.site == site)
    if kind is not None:
        query = query.where(dq_quarantine.c.kind == kind)
    query = query.order_by(
        dq_quarantine.c.kind, dq_quarantine.c.document_id, dq_quarantine.c.check_name
    )
    return [
        QuarantineEntry(
            kind=row.kind,
            id=row.document_id,
            check=row.check_name,
            expectation=row.expectation,
            reason=row.reason,
            resource_version=row.resource_version,
        )
        for row in conn.execute(query)
    ]


def replace_quarantine(
    conn: Connection,
    site: str,
    validated: Mapping[str, Iterable[str]],
    entries: Sequence[QuarantineEntry],
    *,
    run_id: str,
    at: datetime,
    first_seen: Mapping[tuple[str, str], datetime] | None = None,
) -> None:
    """Record a validation: the ``validated`` documents (by kind) leave quarantine unless
    ``entries`` put them (back) in.

    A document still quarantined keeps the time it first entered quarantine
    (``first_seen_at``), so the exception queue shows its true age; ``first_seen`` gives
    those times when the caller took the documents out of quarantine already.
    """
    first_seen = {
        **first_seen_times(conn, site, {(e.kind, e.id) for e in entries}),
        **(first_seen or {}),
    }
    for kind, ids in validated.items():
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 500):
            conn.execute(
                delete(dq_quarantine).where(
                    dq_quarantine.c.site == site,
                    dq_quarantine.c.kind == kind,
                    dq_quarantine.c.document_id.in_(wanted[start : start + 500]),
                )
            )
    rows = [
        {
            "site": site,
            "kind": e.kind,
            "document_id": e.id,
            "check_name": e.check,
            "expectation": e.expectation[:250],
            "reason": e.reason,
            "resource_version": e.resource_version,
            "run_id": run_id,
            "quarantined_at": at,
            "first_seen_at": first_seen.get((e.kind, e.id), at),
        }
        for e in entries
    ]
    for start in range(0, len(rows), 500):
        conn.execute(insert(dq_quarantine), rows[start : start + 500])


def first_seen_times(
    conn: Connection, site: str, keys: Collection[tuple[str, str]]
) -> dict[tuple[str, str], datetime]:
    """When each of ``keys`` (kind, id) first entered quarantine, for those in it now."""
    q = dq_quarantine
    found: dict[tuple[str, str], datetime] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, document_id in keys:
        by_kind.setdefault(kind, []).append(document_id)
    for kind, ids in by_kind.items():
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            query = (
                select(
                    q.c.document_id,
                    func.min(func.coalesce(q.c.first_seen_at, q.c.quarantined_at)),
                )
                .where(
                    q.c.site == site,
                    q.c.kind == kind,
                    q.c.document_id.in_(ordered[start : start + 500]),
                )
                .group_by(q.c.document_id)
            )
            for document_id, moment in conn.execute(query):
                if moment is not None:
                    found[(kind, document_id)] = moment
    return found
