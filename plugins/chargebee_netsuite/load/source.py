"""The one adapter between the Chargebee staging tables and the loader: raw documents by kind."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, Row, Select, Table, select, union

from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.quality.quarantine import quarantine_reasons
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

# Ledger source kinds, and the staging resource each is read from.
KIND_RESOURCES = {
    "customer": "customers",
    "invoice": "invoices",
    "credit_note": "credit_notes",
    "transaction": "transactions",
}


@dataclass(frozen=True)
class SourceDocument:
    """A staged Chargebee document in API shape, with what staging knows about it."""

    kind: str
    id: str
    raw: dict[str, Any]
    resource_version: int | None
    deleted: bool
    lines_complete: bool = True
    # Why the data-quality stage holds it back (None when it passed or was never checked).
    quarantine_reason: str | None = None


@dataclass(frozen=True)
class TransactionLink:
    """What a transaction's own fields do not say: the payment an online chargeback reverses
    (only the payment names it, in ``reversal_transaction_id``) and the customer whose
    documents it settles (a hierarchy's payment owner pays its children's invoices)."""

    payment_id: str | None = None
    customer_id: str | None = None
    # Every customer whose documents it settles (more than one: no single NetSuite customer).
    customers: tuple[str, ...] = ()
    # The raw payment ``payment_id`` names, when staged (a chargeback's route depends on it).
    payment: Mapping[str, Any] | None = field(default=None, compare=False)


# A filter on a kind's staging table that narrows a read (None: every document).
Where = Callable[[Table], ColumnElement[bool]] | None


FIRST_CHUNK = 25


def _select(table: Table, site: str, where: Where) -> Select[Any]:
    columns = [table.c.id, table.c.raw, table.c.resource_version, table.c.deleted]
    if "lines_complete" in table.c:
        columns.append(table.c.lines_complete)
    query = select(*columns).where(table.c.site == site).order_by(table.c.id)
    return query if where is None else query.where(where(table))


def _document(kind: str, row: Row[Any], quarantined: Mapping[str, str]) -> SourceDocument:
    values = row._mapping
    raw = dict(values["raw"])
    deleted = bool(values["deleted"])
    if deleted:
        raw["deleted"] = True
    return SourceDocument(
        kind=kind,
        id=str(values["id"]),
        raw=raw,
        resource_version=values["resource_version"],
        deleted=deleted,
        lines_complete=bool(values.get("lines_complete", True)),
        quarantine_reason=quarantined.get(str(values["id"])),
    )


def read_documents(
    conn: Connection, site: str, kind: str, quarantined: Mapping[str, str] | None = None
) -> Iterator[SourceDocument]:
    """Every staged document of ``kind`` (a ledger source kind) for ``site``, in id order.

    ``quarantined`` maps document ids to the data-quality stage's reasons for holding them.
    For many documents prefer :func:`document_chunks`, which never holds a cursor open.
    """
    quarantined = quarantined or {}
    table = DOCUMENT_TABLES[KIND_RESOURCES[kind]]
    for row in conn.execute(_select(table, site, None)):
        yield _document(kind, row, quarantined)


def document_chunks(
    engine: Engine,
    site: str,
    kind: str,
    size: int,
    where: Where = None,
    *,
    quarantine: bool = True,
    ids: Collection[str] | None = None,
) -> Iterator[list[SourceDocument]]:
    """The staged documents of ``kind`` for ``site`` in id order, ``size`` at a time.

    Keyset paging: each chunk is one short query (``id > last``) on its own connection, so
    memory holds one chunk and no read transaction stays open while the caller writes.
    Each document carries its data-quality quarantine reason (unless ``quarantine`` is
    false), read for that chunk only.
    ``where`` narrows the read to documents a caller can use; ``ids`` to those documents (the
    ones a load plans, see ``load/changes.py``), read by primary key ``size`` at a time.
    """
    if size < 1:
        raise ValueError("a chunk holds at least one document")
    table = DOCUMENT_TABLES[KIND_RESOURCES[kind]]
    query = _select(table, site, where)
    if ids is not None:
        yield from _chunks_of(engine, site, kind, query, table, sorted(set(ids)), size, quarantine)
        return
    last: str | None = None
    # Small first chunks, doubling up to ``size``: the sender starts writing after a few
    # documents are planned instead of idling while a whole chunk is.
    step = min(size, FIRST_CHUNK)
    while True:
        with engine.connect() as conn:
            page = query if last is None else query.where(table.c.id > last)
            limit, step = step, min(size, step * 2)
            rows = conn.execute(page.limit(limit)).all()
            if not rows:
                return
            ids = [str(row.id) for row in rows]
            quarantined = quarantine_reasons(conn, site, kind, ids) if quarantine else {}
        yield [_document(kind, row, quarantined) for row in rows]
        if len(rows) < limit:
            return
        last = ids[-1]


def _chunks_of(
    engine: Engine,
    site: str,
    kind: str,
    query: Select[Any],
    table: Table,
    ids: list[str],
    size: int,
    quarantine: bool,
) -> Iterator[list[SourceDocument]]:
    for start in range(0, len(ids), size):
        with engine.connect() as conn:
            rows = conn.execute(query.where(table.c.id.in_(ids[start : start + size]))).all()
            if not rows:
                continue
            found = [str(row.id) for row in rows]
            quarantined = quarantine_reasons(conn, site, kind, found) if quarantine else {}
        yield [_document(kind, row, quarantined) for row in rows]


def billed_currencies(
    conn: Connection, site: str, customer_ids: Collection[str]
) -> dict[str, set[str]]:
    """Every currency each of ``customer_ids`` has staged invoices, credit notes or
    transactions in (upper case), whatever their state."""
    found: dict[str, set[str]] = {}
    ordered = sorted(set(customer_ids))
    tables = [DOCUMENT_TABLES[name] for name in ("invoices", "credit_notes", "transactions")]
    for start in range(0, len(ordered), 500):
        ids = ordered[start : start + 500]
        query = union(
            *(
                select(t.c.customer_id, t.c.currency_code).where(
                    t.c.site == site,
                    t.c.customer_id.in_(ids),
                    t.c.currency_code.is_not(None),
                )
                for t in tables
            )
        )
        for customer, currency in conn.execute(query):
            if customer and currency:
                found.setdefault(str(customer), set()).add(str(currency).upper())
    return found


def read_item_prices(conn: Connection, site: str) -> dict[str, ItemPriceRef]:
    """What the staged catalog says about each item price: its item, family and type."""
    prices = DOCUMENT_TABLES["item_prices"]
    items = DOCUMENT_TABLES["items"]
    families = {
        str(row.id): row.item_family_id
        for row in conn.execute(
            select(items.c.id, items.c.item_family_id).where(items.c.site == site)
        )
    }
    query = select(prices.c.id, prices.c.item_id, prices.c.item_type).where(prices.c.site == site)
    return {
        str(row.id): ItemPriceRef(
            id=str(row.id),
            item_id=row.item_id,
            item_family_id=families.get(str(row.item_id)),
            entity_type=row.item_type,
        )
        for row in conn.execute(query)
    }


def transactions_against(
    conn: Connection, site: str, payment_ids: Collection[str]
) -> dict[str, list[dict[str, Any]]]:
    """The staged chargebacks and refunds of each of ``payment_ids``, raw, whatever their
    state: refunds (automated chargebacks among them) by ``refunded_txn_id``, offline
    reversals by ``reference_transaction_id``, online ones by the payment's
    ``reversal_transaction_id``.

    A payment's NetSuite applications shrink by its chargebacks, and what a voided payment
    still has to give back depends on both, wherever in staging those documents sit.
    """
    table = DOCUMENT_TABLES["transactions"]
    found: dict[str, list[dict[str, Any]]] = {}
    seen: set[tuple[str, str]] = set()

    def keep(payment_id: Any, raw: Any, deleted: Any) -> None:
        doc = dict(raw)
        if (str(payment_id), str(doc.get("id"))) in seen:
            return
        seen.add((str(payment_id), str(doc.get("id"))))
        if deleted:
            doc["deleted"] = True
        found.setdefault(str(payment_id), []).append(doc)

    ordered = sorted(set(payment_ids))
    links = (
        ("payment_reversal", table.c.reference_transaction_id),
        ("refund", table.c.refunded_txn_id),
    )
    for start in range(0, len(ordered), 500):
        ids = ordered[start : start + 500]
        for kind, column in links:
            # Ordered by the link first: by id alone, SQLite would walk the primary key (every
            # staged transaction) instead of the link's index (revision 0007).
            query = (
                select(column, table.c.raw, table.c.deleted)
                .where(table.c.site == site, table.c.type == kind, column.in_(ids))
                .order_by(column, table.c.id)
            )
            for payment_id, raw, deleted in conn.execute(query):
                keep(payment_id, raw, deleted)
        named = select(table.c.reversal_transaction_id, table.c.id).where(
            table.c.site == site,
            table.c.id.in_(ids),
            table.c.reversal_transaction_id.is_not(None),
        )
        reversals = {str(row[0]): str(row[1]) for row in conn.execute(named)}
        if reversals:
            query = select(table.c.id, table.c.raw, table.c.deleted).where(
                table.c.site == site, table.c.id.in_(sorted(reversals))
            )
            for reversal_id, raw, deleted in conn.execute(query):
                keep(reversals[reversal_id], raw, deleted)
    return found


def _customers_of(conn: Connection, site: str, resource: str, ids: set[str]) -> dict[str, str]:
    table = DOCUMENT_TABLES[resource]
    found: dict[str, str] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        query = select(table.c.id, table.c.customer_id).where(
            table.c.site == site, table.c.id.in_(ordered[start : start + 500])
        )
        found.update({str(i): str(c) for i, c in conn.execute(query) if c})
    return found


def _applied_ids(raw: Mapping[str, Any], key: str, field: str) -> list[str]:
    return [
        str(link[field])
        for link in raw.get(key) or []
        if int(link.get("applied_amount") or 0) and link.get(field)
    ]


def link_transactions(
    raws: Sequence[Mapping[str, Any]],
    reversed_by: Mapping[str, str],
    payments: Mapping[str, Mapping[str, Any]],
    invoice_customers: Mapping[str, str],
    note_customers: Mapping[str, str],
) -> dict[str, TransactionLink]:
    """The :class:`TransactionLink` of each of ``raws`` from what is known about the documents
    around them: ``reversed_by`` (online chargeback id → payment id), ``payments`` (raw, by
    id) and the customers of invoices and credit notes by id."""

    def settles(raw: Mapping[str, Any], depth: int = 0) -> list[str]:
        kind = raw.get("type")
        if kind == "payment":
            return [
                invoice_customers[i]
                for i in _applied_ids(raw, "linked_invoices", "invoice_id")
                if i in invoice_customers
            ]
        notes = _applied_ids(raw, "linked_credit_notes", "cn_id")
        if kind == "refund" and notes:
            return [note_customers[n] for n in notes if n in note_customers]
        payment = payments.get(paid_by(raw) or "")
        return settles(payment, depth + 1) if payment is not None and depth == 0 else []

    def paid_by(raw: Mapping[str, Any]) -> str | None:
        if raw.get("type") == "payment_reversal":
            found = reversed_by.get(str(raw["id"])) or raw.get("reference_transaction_id")
        else:
            found = raw.get("refunded_txn_id")
        return str(found) if found else None

    links: dict[str, TransactionLink] = {}
    for raw in raws:
        customers = sorted(set(settles(raw)))
        payment_id = paid_by(raw) if raw.get("type") != "payment" else None
        links[str(raw["id"])] = TransactionLink(
            payment_id=payment_id,
            customer_id=customers[0] if len(customers) == 1 else None,
            customers=tuple(customers),
            payment=payments.get(payment_id) if payment_id else None,
        )
    return links


def transaction_links(
    conn: Connection, site: str, raws: Sequence[Mapping[str, Any]]
) -> dict[str, TransactionLink]:
    """The links of staged transactions (raw; a loader chunk, or a reconciliation window),
    read from staging (see :class:`TransactionLink`): a few batched queries per link kind."""
    table = DOCUMENT_TABLES["transactions"]
    raws = list(raws)
    reversal_ids = sorted({str(r["id"]) for r in raws if r.get("type") == "payment_reversal"})
    reversed_by: dict[str, str] = {}
    for start in range(0, len(reversal_ids), 500):
        query = select(table.c.reversal_transaction_id, table.c.id).where(
            table.c.site == site,
            table.c.reversal_transaction_id.in_(reversal_ids[start : start + 500]),
        )
        reversed_by.update({str(r): str(p) for r, p in conn.execute(query)})
    wanted = {str(p) for p in reversed_by.values()} | {
        str(r["refunded_txn_id"]) for r in raws if r.get("refunded_txn_id")
    }
    payments = {str(r["id"]): r for r in raws if r.get("type") == "payment"}
    wanted -= set(payments)
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):
        query = select(table.c.id, table.c.raw).where(
            table.c.site == site, table.c.id.in_(ordered[start : start + 500])
        )
        payments.update({str(i): dict(raw) for i, raw in conn.execute(query)})
    invoices = {
        i for p in payments.values() for i in _applied_ids(p, "linked_invoices", "invoice_id")
    }
    notes = {n for r in raws for n in _applied_ids(r, "linked_credit_notes", "cn_id")}
    return link_transactions(
        raws,
        reversed_by,
        payments,
        _customers_of(conn, site, "invoices", invoices),
        _customers_of(conn, site, "credit_notes", notes),
    )


@dataclass(frozen=True)
class Related:
    """Raw documents around a chunk of payments, for the re-opened invoices they may pay:
    the invoices they apply to, and those invoices' other payments (by id)."""

    invoices: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    payments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def raw_documents(
    conn: Connection, site: str, resource: str, ids: Collection[str]
) -> dict[str, dict[str, Any]]:
    """The raw staged documents of ``resource`` with ``ids`` (those staged), by id."""
    table = DOCUMENT_TABLES[resource]
    found: dict[str, dict[str, Any]] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        query = select(table.c.id, table.c.raw).where(
            table.c.site == site, table.c.id.in_(ordered[start : start + 500])
        )
        found.update({str(i): dict(raw) for i, raw in conn.execute(query)})
    return found


def related_documents(conn: Connection, site: str, raws: Sequence[Mapping[str, Any]]) -> Related:
    """The :class:`Related` documents of the payments among ``raws``, read from staging."""
    payments = [r for r in raws if r.get("type") == "payment"]
    invoice_ids = {i for p in payments for i in _applied_ids(p, "linked_invoices", "invoice_id")}
    if not invoice_ids:
        return Related()
    invoices = raw_documents(conn, site, "invoices", invoice_ids)
    mine = {str(p["id"]) for p in payments}
    others = {
        str(lp["txn_id"])
        for inv in invoices.values()
        for lp in inv.get("linked_payments") or []
        if lp.get("txn_status") == "success" and str(lp.get("txn_id")) not in mine
    }
    return Related(invoices, raw_documents(conn, site, "transactions", others))
