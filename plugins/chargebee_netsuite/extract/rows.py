"""Chargebee objects → staging rows: typed columns beside the raw JSON."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table

from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

# Columns filled by the extractor rather than copied from a same-named Chargebee field.
_MANAGED = {"site", "deleted", "extracted_at", "run_id", "raw", "line_count", "lines_complete"}
# Staging column → Chargebee field where the names differ.
_RENAMED: dict[str, dict[str, str]] = {
    "items": {"item_type": "type"},
}
# Chargebacks (payment_reversal) post too, as customer refunds of the payment they reverse.
POSTABLE_TRANSACTION_TYPES = frozenset({"payment", "refund", "payment_reversal"})


def _is_deleted(resource: str, doc: dict[str, Any]) -> bool:
    # Catalog objects signal deletion through their status rather than (only) `deleted`.
    return bool(doc.get("deleted")) or (
        resource in ("items", "item_prices") and doc.get("status") == "deleted"
    )


def document_row(
    resource: str,
    doc: dict[str, Any],
    *,
    site: str,
    run_id: str | None,
    extracted_at: datetime,
    lines_complete: bool = True,
) -> dict[str, Any]:
    """The staging row of one Chargebee document of ``resource`` (e.g. ``"invoices"``)."""
    table: Table = DOCUMENT_TABLES[resource]
    renamed = _RENAMED.get(resource, {})
    row: dict[str, Any] = {
        "site": site,
        "deleted": _is_deleted(resource, doc),
        "extracted_at": extracted_at,
        "run_id": run_id,
        "raw": doc,
    }
    for column in table.columns:
        if column.name not in _MANAGED and column.name != "postable":
            row[column.name] = doc.get(renamed.get(column.name, column.name))
    if "lines_complete" in table.c:
        row["line_count"] = len(doc.get("line_items") or [])
        row["lines_complete"] = lines_complete and not doc.get("line_items_next_offset")
    if resource == "transactions":
        row["postable"] = (
            doc.get("type") in POSTABLE_TRANSACTION_TYPES
            and doc.get("status") == "success"
            and not row["deleted"]
        )
    return row


def event_row(
    event: dict[str, Any], *, site: str, run_id: str | None, extracted_at: datetime
) -> dict[str, Any]:
    """The staging row of one Chargebee event."""
    return {
        "site": site,
        "id": event["id"],
        "event_type": event.get("event_type"),
        "occurred_at": event.get("occurred_at"),
        "source": event.get("source"),
        "extracted_at": extracted_at,
        "run_id": run_id,
        "raw": event,
    }
