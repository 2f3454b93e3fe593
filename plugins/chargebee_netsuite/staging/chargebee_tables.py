"""Staging tables for Chargebee documents, events, the webhook inbox and per-resource sync state.

Every table is keyed by ``site`` first, so two Chargebee sites can share one staging database.
Each document keeps Chargebee's raw JSON next to the typed columns later stages query. Amounts
are Chargebee's integers (minor units, or whole units for zero-decimal currencies) beside their
currency; turning them into Decimal belongs to the transform stage. Timestamps from Chargebee
stay Unix seconds, exactly as the API sends them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    true,
)
from sqlalchemy.dialects.postgresql import JSONB

from chargebee_netsuite.staging.schema import metadata

RawJSON = JSON().with_variant(JSONB(), "postgresql")

SITE = 63  # a DNS label
ID = 100  # Chargebee ids are at most 50 characters; leave room


def _document_columns() -> list[Column[object]]:
    """Columns every staged Chargebee document has."""
    return [
        Column("site", String(SITE), primary_key=True),
        Column("id", String(ID), primary_key=True),
        Column("deleted", Boolean, nullable=False, server_default=false()),
        # Absent on records untouched since 2016-09-28; such a row loses to any versioned one.
        Column("resource_version", BigInteger),
        Column("updated_at", BigInteger),
        Column("extracted_at", DateTime(timezone=True), nullable=False),
        Column("run_id", String(250)),
        Column("raw", RawJSON, nullable=False),
    ]


def _lines_columns() -> list[Column[object]]:
    """Columns of documents whose line items may need extra requests to complete."""
    return [
        Column("line_count", Integer, nullable=False, server_default="0"),
        # False while some lines are still missing (list truncation not yet resolved); such a
        # document must never be treated as ready.
        Column("lines_complete", Boolean, nullable=False, server_default=true()),
    ]


cb_customers = Table(
    "cb_customers",
    metadata,
    *_document_columns(),
    # What validation finds a run's documents by (revision 0012).
    Index("ix_cb_customers_site_run", "site", "run_id"),
    Column("email", String(320)),
    Column("company", String(250)),
    Column("first_name", String(150)),
    Column("last_name", String(150)),
    Column("preferred_currency_code", String(3)),
    Column("created_at", BigInteger),
)

cb_items = Table(
    "cb_items",
    metadata,
    *_document_columns(),
    Column("name", String(250)),
    Column("item_type", String(20)),
    Column("item_family_id", String(ID)),
    Column("status", String(20)),
)

cb_item_prices = Table(
    "cb_item_prices",
    metadata,
    *_document_columns(),
    Column("item_id", String(ID)),
    Column("item_type", String(20)),
    Column("name", String(250)),
    Column("currency_code", String(3)),
    Column("price", BigInteger),
    Column("pricing_model", String(20)),
    Column("period", Integer),
    Column("period_unit", String(10)),
    Column("status", String(20)),
)

cb_invoices = Table(
    "cb_invoices",
    metadata,
    *_document_columns(),
    # What validation finds a run's documents by (revision 0012).
    Index("ix_cb_invoices_site_run", "site", "run_id"),
    *_lines_columns(),
    Column("customer_id", String(ID)),
    Column("subscription_id", String(ID)),
    Column("currency_code", String(3)),
    Column("status", String(20)),
    Column("price_type", String(20)),
    Column("date", BigInteger),
    Column("due_date", BigInteger),
    Column("paid_at", BigInteger),
    Column("voided_at", BigInteger),
    Column("sub_total", BigInteger),
    Column("tax", BigInteger),
    Column("total", BigInteger),
    Column("amount_paid", BigInteger),
    Column("amount_due", BigInteger),
    Column("credits_applied", BigInteger),
    Column("round_off_amount", BigInteger),
    Index("ix_cb_invoices_site_customer", "site", "customer_id"),
)

cb_credit_notes = Table(
    "cb_credit_notes",
    metadata,
    *_document_columns(),
    # What validation finds a run's documents by (revision 0012).
    Index("ix_cb_credit_notes_site_run", "site", "run_id"),
    *_lines_columns(),
    Column("customer_id", String(ID)),
    Column("reference_invoice_id", String(ID)),
    Column("type", String(20)),
    Column("reason_code", String(50)),
    Column("currency_code", String(3)),
    Column("status", String(20)),
    Column("price_type", String(20)),
    Column("date", BigInteger),
    Column("voided_at", BigInteger),
    Column("sub_total", BigInteger),
    Column("total", BigInteger),
    Column("amount_allocated", BigInteger),
    Column("amount_refunded", BigInteger),
    Column("amount_available", BigInteger),
    Column("round_off_amount", BigInteger),
    Index("ix_cb_credit_notes_site_customer", "site", "customer_id"),
)

cb_transactions = Table(
    "cb_transactions",
    metadata,
    *_document_columns(),
    # What validation finds a run's documents by (revision 0012).
    Index("ix_cb_transactions_site_run", "site", "run_id"),
    Column("customer_id", String(ID)),
    Column("subscription_id", String(ID)),
    Column("type", String(30)),
    Column("status", String(30)),
    Column("payment_method", String(50)),
    Column("gateway", String(50)),
    Column("currency_code", String(3)),
    Column("amount", BigInteger),
    Column("date", BigInteger),
    Column("reference_transaction_id", String(ID)),
    Column("refunded_txn_id", String(ID)),
    # A payment's online chargeback, which names no payment itself (revision 0008).
    Column("reversal_transaction_id", String(ID)),
    # Only successful payments, refunds and chargebacks become NetSuite records; failed,
    # voided and in-progress transactions are staged for the record but never posted.
    Column("postable", Boolean, nullable=False, server_default=false()),
    Index("ix_cb_transactions_site_customer", "site", "customer_id"),
    # What the loader looks up a payment's chargebacks and refunds by (revision 0007).
    Index("ix_cb_transactions_site_reference_txn", "site", "reference_transaction_id"),
    Index("ix_cb_transactions_site_refunded_txn", "site", "refunded_txn_id"),
    Index("ix_cb_transactions_site_reversal_txn", "site", "reversal_transaction_id"),
)

cb_events = Table(
    "cb_events",
    metadata,
    Column("site", String(SITE), primary_key=True),
    Column("id", String(ID), primary_key=True),
    Column("event_type", String(100)),
    Column("occurred_at", BigInteger),
    Column("source", String(50)),
    Column("extracted_at", DateTime(timezone=True), nullable=False),
    Column("run_id", String(250)),
    Column("raw", RawJSON, nullable=False),
)

# Filled by the webhook receiver (event id only, since a pushed body is never trusted) and
# drained by the extraction, which fetches each event from the API.
cb_webhook_inbox = Table(
    "cb_webhook_inbox",
    metadata,
    Column("site", String(SITE), primary_key=True),
    Column("event_id", String(ID), primary_key=True),
    Column("event_type", String(100)),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # pending → processed | rejected (unknown to the API, or failed too often)
    Column("state", String(20), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("processed_at", DateTime(timezone=True)),
    Column("last_error", Text),
    Index("ix_cb_webhook_inbox_site_state", "site", "state"),
)

cb_sync_state = Table(
    "cb_sync_state",
    metadata,
    Column("site", String(SITE), primary_key=True),
    Column("resource", String(50), primary_key=True),
    # Set once an unfiltered full listing finished; until then windows run as full syncs.
    Column("full_synced_at", DateTime(timezone=True)),
    Column("last_window_start", BigInteger),
    Column("last_window_end", BigInteger),
    Column("last_run_id", String(250)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

DOCUMENT_TABLES: dict[str, Table] = {
    "customers": cb_customers,
    "items": cb_items,
    "item_prices": cb_item_prices,
    "invoices": cb_invoices,
    "credit_notes": cb_credit_notes,
    "transactions": cb_transactions,
}
