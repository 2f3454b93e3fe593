"""What finance names a document by: its customer (name, e-mail), amount, currency and date."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from chargebee_netsuite.staging.chargebee_tables import (
    cb_credit_notes,
    cb_customers,
    cb_invoices,
    cb_transactions,
)
from chargebee_netsuite.transform.money import to_money

# Ledger source kind → (staging table, its amount column).
_AMOUNTS = {
    "invoice": (cb_invoices, "total"),
    "credit_note": (cb_credit_notes, "total"),
    "transaction": (cb_transactions, "amount"),
}
_NOUNS = {"invoice": "Invoice", "credit_note": "Credit note", "customer": "Customer"}


@dataclass(frozen=True)
class DocumentFacts:
    """A staged document as finance reads it."""

    kind: str
    id: str
    customer_id: str | None = None
    currency: str | None = None
    amount: Decimal | None = None
    date: str | None = None  # ISO date (UTC) of the document
    type: str | None = None  # a transaction's type: payment, refund, payment_reversal

    @property
    def label(self) -> str:
        """``Invoice 1042``, ``Payment txn_9``, ``Credit note CN-7``."""
        return f"{document_noun(self.kind, self.type)} {self.id}"


def document_noun(kind: str, txn_type: str | None = None) -> str:
    """``Invoice``, ``Credit note``, ``Payment``, ``Refund``, ``Chargeback``."""
    if kind == "transaction":
        return {"payment_reversal": "Chargeback"}.get(
            txn_type or "", (txn_type or "transaction").replace("_", " ").capitalize()
        )
    return _NOUNS.get(kind, kind.replace("_", " ").capitalize())


def _chunks(ids: Collection[str]) -> Iterable[list[str]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        yield ordered[start : start + 500]


def _day(seconds: Any) -> str | None:
    if seconds is None:
        return None
    return datetime.fromtimestamp(int(seconds), UTC).date().isoformat()


def document_facts(
    conn: Connection, site: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], DocumentFacts]:
    """Facts of the staged documents ``keys`` ((kind, id)); customers name themselves."""
    by_kind: dict[str, set[str]] = {}
    for kind, source_id in keys:
        by_kind.setdefault(kind, set()).add(source_id)
    found: dict[tuple[str, str], DocumentFacts] = {}
    for kind, ids in by_kind.items():
        if kind == "customer":
            for source_id in ids:
                found[(kind, source_id)] = DocumentFacts(kind, source_id, customer_id=source_id)
            continue
        if kind not in _AMOUNTS:
            continue
        table, amount = _AMOUNTS[kind]
        columns = [table.c.id, table.c.customer_id, table.c.currency_code, table.c[amount]]
        columns.append(table.c.date)
        if kind == "transaction":
            columns.append(table.c.type)
        for chunk in _chunks(ids):
            query = select(*columns).where(table.c.site == site, table.c.id.in_(chunk))
            for row in conn.execute(query).mappings():
                code = str(row["currency_code"] or "").upper() or None
                value = row[amount]
                found[(kind, str(row["id"]))] = DocumentFacts(
                    kind=kind,
                    id=str(row["id"]),
                    customer_id=row["customer_id"],
                    currency=code,
                    amount=None if value is None or code is None else to_money(int(value), code),
                    date=_day(row["date"]),
                    type=row.get("type"),
                )
    return found


def customer_names(conn: Connection, site: str, ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """``{customer id: {"name": …, "email": …}}``: the company, else the person's name."""
    cu = cb_customers
    wanted = {i for i in ids if i}
    names: dict[str, dict[str, str]] = {}
    for chunk in _chunks(wanted):
        query = select(cu.c.id, cu.c.company, cu.c.first_name, cu.c.last_name, cu.c.email).where(
            cu.c.site == site, cu.c.id.in_(chunk)
        )
        for row in conn.execute(query):
            person = " ".join(p for p in (row.first_name, row.last_name) if p)
            names[str(row.id)] = {
                "name": row.company or person or str(row.id),
                "email": row.email or "",
            }
    return names
