"""The document kinds the quality stage validates, and the staging table each lives in."""

from __future__ import annotations

from sqlalchemy import Table

from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

# Dependencies first, like the extraction: a reference is checked against what precedes it.
KINDS = ("customer", "item", "item_price", "invoice", "credit_note", "transaction")

# Kind (as the ledger names it) → staging resource.
KIND_RESOURCES = {
    "customer": "customers",
    "item": "items",
    "item_price": "item_prices",
    "invoice": "invoices",
    "credit_note": "credit_notes",
    "transaction": "transactions",
}


def table_of(kind: str) -> Table:
    """The staging table holding documents of ``kind``."""
    return DOCUMENT_TABLES[KIND_RESOURCES[kind]]
