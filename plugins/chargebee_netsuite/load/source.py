"""The one adapter between the Chargebee staging tables and the loader: raw documents by kind."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from chargebee_netsuite.mapping.resolve import ItemPriceRef
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


def read_documents(
    conn: Connection, site: str, kind: str, quarantined: Mapping[str, str] | None = None
) -> Iterator[SourceDocument]:
    """Every staged document of ``kind`` (a ledger source kind) for ``site``, in id order.

    ``quarantined`` maps document ids to the data-quality stage's reasons for holding them.
    """
    quarantined = quarantined or {}
    table = DOCUMENT_TABLES[KIND_RESOURCES[kind]]
    columns = [table.c.id, table.c.raw, table.c.resource_version, table.c.deleted]
    has_lines = "lines_complete" in table.c
    if has_lines:
        columns.append(table.c.lines_complete)
    query = select(*columns).where(table.c.site == site).order_by(table.c.id)
    for row in conn.execute(query).mappings():
        raw = dict(row["raw"])
        deleted = bool(row["deleted"])
        if deleted:
            raw["deleted"] = True
        yield SourceDocument(
            kind=kind,
            id=str(row["id"]),
            raw=raw,
            resource_version=row["resource_version"],
            deleted=deleted,
            lines_complete=bool(row["lines_complete"]) if has_lines else True,
            quarantine_reason=quarantined.get(str(row["id"])),
        )


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
