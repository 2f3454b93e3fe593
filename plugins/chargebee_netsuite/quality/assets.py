"""The flattened rows per document kind that Great Expectations validates (its assets).

A batch's rows join the typed staging columns of the documents in scope to the facts derived
from their JSON, with references resolved against staging (and the posting ledger, for
documents that were posted and are no longer re-extracted). They are materialised once into
``dq_rows`` by the database; each GX asset is a plain query over that kind's rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    func,
    insert,
    literal,
    not_,
    null,
    or_,
    select,
)
from sqlalchemy.engine import Dialect

from chargebee_netsuite.quality.kinds import table_of
from chargebee_netsuite.staging.ledger_tables import MAIN, POSTED, ns_ledger
from chargebee_netsuite.staging.quality_tables import dq_facts, dq_refs, dq_rows


def _flag(expression: Any) -> Any:
    """A boolean as 1/0 on both SQLite and Postgres (GX compares values, not truthiness)."""
    return cast(case((expression, 1), else_=0), Integer)


def _missing_ref(batch: str, site: str, kind: str, document_id: Any, ref_kind: str) -> Any:
    """The smallest id of ``ref_kind`` this document points at that is neither staged nor posted."""
    target = table_of(ref_kind)
    staged = exists().where(target.c.site == site, target.c.id == dq_refs.c.ref_id)
    # Posted once is enough: a later failed update or an unchanged skip leaves the NetSuite
    # record in place for a payment or credit to apply to.
    posted = exists().where(
        ns_ledger.c.site == site,
        ns_ledger.c.source_kind == ref_kind,
        ns_ledger.c.source_id == dq_refs.c.ref_id,
        ns_ledger.c.role == MAIN,
        or_(ns_ledger.c.state == POSTED, ns_ledger.c.netsuite_id.is_not(None)),
    )
    return (
        select(func.min(dq_refs.c.ref_id))
        .where(
            dq_refs.c.batch == batch,
            dq_refs.c.kind == kind,
            dq_refs.c.document_id == document_id,
            dq_refs.c.ref_kind == ref_kind,
            not_(staged),
            not_(posted),
        )
        .scalar_subquery()
    )


def _missing_customer(site: str, customer_id: Any) -> Any:
    customers = table_of("customer")
    staged = exists().where(customers.c.site == site, customers.c.id == customer_id)
    return case((and_(customer_id.is_not(None), not_(staged)), customer_id), else_=null())


def flattened_query(kind: str, site: str, batch: str) -> Select[Any]:
    """The flattened rows of ``kind`` in validation ``batch``, labelled as ``dq_rows`` columns."""
    doc = table_of(kind)
    joined = doc.join(
        dq_facts,
        and_(
            dq_facts.c.batch == batch,
            dq_facts.c.kind == kind,
            dq_facts.c.document_id == doc.c.id,
        ),
    )
    columns: list[Any] = [
        literal(batch).label("batch"),
        literal(kind).label("kind"),
        doc.c.id.label("id"),
    ]
    if kind == "customer":
        columns += [doc.c.preferred_currency_code.label("currency_code"), doc.c.created_at]
    elif kind == "item":
        columns += [doc.c.name]
    elif kind == "item_price":
        items = table_of("item")
        item_staged = exists().where(items.c.site == site, items.c.id == doc.c.item_id)
        columns += [
            doc.c.currency_code,
            doc.c.item_id,
            case(
                (and_(doc.c.item_id.is_not(None), not_(item_staged)), doc.c.item_id),
                else_=null(),
            ).label("missing_item_id"),
        ]
    elif kind in ("invoice", "credit_note"):
        columns += [
            doc.c.currency_code,
            doc.c.customer_id,
            doc.c.status,
            doc.c.date,
            doc.c.total,
            dq_facts.c.lines_total,
            dq_facts.c.settled_total,
            doc.c.line_count,
            _flag(doc.c.lines_complete).label("lines_complete"),
            _missing_customer(site, doc.c.customer_id).label("missing_customer_id"),
        ]
        if kind == "invoice":
            columns.append(doc.c.due_date)
        else:
            columns.append(
                _missing_ref(batch, site, kind, doc.c.id, "invoice").label("missing_invoice_id")
            )
    elif kind == "transaction":
        columns += [
            doc.c.currency_code,
            doc.c.customer_id,
            doc.c.type,
            doc.c.status,
            doc.c.date,
            doc.c.amount,
            dq_facts.c.applied_total,
            _missing_customer(site, doc.c.customer_id).label("missing_customer_id"),
            *(
                _missing_ref(batch, site, kind, doc.c.id, ref).label(f"missing_{ref}_id")
                for ref in ("invoice", "credit_note", "transaction")
            ),
        ]
    else:
        raise ValueError(f"no quality asset for document kind {kind!r}")
    return select(*columns).select_from(joined).where(doc.c.site == site)


def materialise(conn: Connection, kind: str, site: str, batch: str) -> None:
    """Write the flattened rows of ``kind`` into ``dq_rows`` (one INSERT … SELECT)."""
    query = flattened_query(kind, site, batch)
    names = [column.name for column in query.selected_columns]
    conn.execute(insert(dq_rows).from_select(names, query))


def asset_columns(kind: str) -> list[str]:
    """The ``dq_rows`` columns the asset of ``kind`` exposes (its flattened columns)."""
    query = flattened_query(kind, "site", "batch")
    return [c.name for c in query.selected_columns if c.name not in ("batch", "kind")]


def asset_query(kind: str, batch: str) -> Select[Any]:
    """The GX asset of ``kind``: that kind's materialised rows of ``batch``."""
    columns = [dq_rows.c[name] for name in asset_columns(kind)]
    return select(*columns).where(dq_rows.c.batch == batch, dq_rows.c.kind == kind)


def asset_sql(kind: str, batch: str, dialect: Dialect) -> str:
    """:func:`asset_query` as literal SQL for GX's query asset (GX takes no bind parameters)."""
    query = asset_query(kind, batch)
    return str(query.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def asset_rows(
    conn: Connection, kind: str, batch: str, ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The flattened rows of the given documents, for writing reasons."""
    wanted = sorted(set(ids))
    rows: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        query = asset_query(kind, batch).where(dq_rows.c.id.in_(wanted[start : start + 500]))
        for row in conn.execute(query).mappings():
            rows[str(row["id"])] = dict(row)
    return rows
