"""The Chargebee side: staged documents dated in the window, as Decimal money, with their ids."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Connection, RowMapping, Table, or_, select

from chargebee_netsuite.load.source import transaction_links
from chargebee_netsuite.staging.chargebee_tables import (
    cb_credit_notes,
    cb_customers,
    cb_invoices,
    cb_transactions,
)
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.money import to_money

from .model import BILLED, COLLECTED, CREDITED, REFUNDED, ChargebeeDoc

# Ledger source kind → (staging table, external id kind).
KINDS = {
    "customer": (cb_customers, identity.CUSTOMER),
    "invoice": (cb_invoices, identity.INVOICE),
    "credit_note": (cb_credit_notes, identity.CREDIT_NOTE),
    "transaction": (cb_transactions, identity.TRANSACTION),
}
# External id kind → ledger (source kind, role).
EID_KINDS = {
    identity.CUSTOMER: ("customer", "main"),
    identity.INVOICE: ("invoice", "main"),
    identity.CREDIT_NOTE: ("credit_note", "main"),
    identity.TRANSACTION: ("transaction", "main"),
    identity.INVOICE_REVERSAL: ("invoice", "reversal"),
    identity.CREDIT_NOTE_REVERSAL: ("credit_note", "reversal"),
    identity.TRANSACTION_REVERSAL: ("transaction", "reversal"),
    identity.TAX_WITHHELD: ("invoice", "withheld"),
}


def _day(seconds: int | None) -> date | None:
    return None if seconds is None else datetime.fromtimestamp(int(seconds), UTC).date()


def _money(amount: int | None, currency: str) -> Decimal:
    return to_money(int(amount or 0), currency)


def _bounds(start: datetime, end: datetime) -> tuple[int, int]:
    return int(start.timestamp()), int(end.timestamp())


def _currency(row: RowMapping) -> str:
    return str(row["currency_code"] or "").upper()


def _dated_rows(
    conn: Connection, table: Table, site: str, low: int, high: int
) -> Sequence[RowMapping]:
    """Rows of ``table`` for ``site`` whose ``date`` is in ``[low, high)`` (epoch seconds)."""
    query = select(table).where(table.c.site == site, table.c.date >= low, table.c.date < high)
    return conn.execute(query).mappings().all()


def _sales_document(
    site: str,
    kind: str,
    measure: str,
    row: RowMapping,
    *,
    outstanding: Decimal = Decimal(0),
    expected_status: str | None = None,
) -> ChargebeeDoc:
    """An invoice or credit note row; a voided or deleted one is in scope but not postable."""
    code = _currency(row)
    return ChargebeeDoc(
        kind=kind,
        id=str(row["id"]),
        external_id=identity.external_id(site, KINDS[kind][1], str(row["id"])),
        customer_id=row["customer_id"],
        currency=code,
        doc_date=_day(row["date"]),
        measure=measure,
        total=_money(row["total"], code),
        outstanding=outstanding,
        expected_status=expected_status,
        postable=not row["deleted"] and row["status"] != "voided",
    )


def read_documents(
    conn: Connection, site: str, window_start: datetime, window_end: datetime
) -> list[ChargebeeDoc]:
    """Invoices, credit notes and transactions of ``site`` dated in ``[start, end)``, and the
    customers they belong to (or that were created in the window)."""
    low, high = _bounds(window_start, window_end)
    docs: list[ChargebeeDoc] = []
    for row in _dated_rows(conn, cb_invoices, site, low, high):
        due = _money(row["amount_due"], _currency(row))
        # NetSuite: A = Open, B = Paid In Full.
        status = "A" if due > 0 else "B"
        docs.append(
            _sales_document(site, "invoice", BILLED, row, outstanding=due, expected_status=status)
        )
    for row in _dated_rows(conn, cb_credit_notes, site, low, high):
        docs.append(_sales_document(site, "credit_note", CREDITED, row))
    rows = _dated_rows(conn, cb_transactions, site, low, high)
    # A transaction posts under the customer whose documents it settles (a hierarchy's
    # payment owner pays its children's invoices), so that is the customer NetSuite shows.
    links = transaction_links(conn, site, [row["raw"] for row in rows])
    for row in rows:
        code = _currency(row)
        link = links.get(str(row["id"]))
        # A chargeback is money given back too: it counts with the refunds.
        kind = {"payment": COLLECTED, "refund": REFUNDED, "payment_reversal": REFUNDED}.get(
            str(row["type"])
        )
        docs.append(
            ChargebeeDoc(
                kind="transaction",
                id=str(row["id"]),
                external_id=identity.external_id(site, identity.TRANSACTION, str(row["id"])),
                customer_id=(link.customer_id if link else None) or row["customer_id"],
                currency=code,
                doc_date=_day(row["date"]),
                measure=kind,
                total=_money(row["amount"], code),
                postable=bool(row["postable"]) and not row["deleted"] and kind is not None,
            )
        )
    wanted = {d.customer_id for d in docs if d.customer_id}
    cu = cb_customers
    query = select(cu.c.id, cu.c.deleted, cu.c.created_at).where(
        cu.c.site == site,
        or_(cu.c.id.in_(sorted(wanted)), (cu.c.created_at >= low) & (cu.c.created_at < high)),
    )
    for row in conn.execute(query).mappings():
        docs.append(
            ChargebeeDoc(
                kind="customer",
                id=str(row["id"]),
                external_id=identity.external_id(site, identity.CUSTOMER, str(row["id"])),
                customer_id=str(row["id"]),
                currency=None,
                doc_date=_day(row["created_at"]),
                measure=None,
                postable=not row["deleted"],
            )
        )
    return docs


def staged_ids(conn: Connection, site: str, kind: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` (documents of ledger kind ``kind``) staging holds, deleted or not."""
    table = KINDS[kind][0]
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found |= set(
            conn.scalars(select(table.c.id).where(table.c.site == site, table.c.id.in_(chunk)))
        )
    return found
