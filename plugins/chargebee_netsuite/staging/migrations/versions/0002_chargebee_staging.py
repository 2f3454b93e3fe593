"""Chargebee staging: documents, events, webhook inbox and per-resource sync state.

Revision ID: 0002_chargebee_staging
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002_chargebee_staging"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of the columns at this revision (migrations must not import the live tables).
RAW = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _document(name: str, *columns: sa.Column[object], lines: bool = False) -> None:
    common: list[sa.Column[object]] = [
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("deleted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("resource_version", sa.BigInteger()),
        sa.Column("updated_at", sa.BigInteger()),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(250)),
        sa.Column("raw", RAW, nullable=False),
    ]
    if lines:
        common += [
            sa.Column("line_count", sa.Integer(), server_default="0", nullable=False),
            sa.Column("lines_complete", sa.Boolean(), server_default=sa.true(), nullable=False),
        ]
    op.create_table(
        name,
        *common,
        *columns,
        sa.PrimaryKeyConstraint("site", "id", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    _document(
        "cb_customers",
        sa.Column("email", sa.String(320)),
        sa.Column("company", sa.String(250)),
        sa.Column("first_name", sa.String(150)),
        sa.Column("last_name", sa.String(150)),
        sa.Column("preferred_currency_code", sa.String(3)),
        sa.Column("created_at", sa.BigInteger()),
    )
    _document(
        "cb_items",
        sa.Column("name", sa.String(250)),
        sa.Column("item_type", sa.String(20)),
        sa.Column("item_family_id", sa.String(100)),
        sa.Column("status", sa.String(20)),
    )
    _document(
        "cb_item_prices",
        sa.Column("item_id", sa.String(100)),
        sa.Column("item_type", sa.String(20)),
        sa.Column("name", sa.String(250)),
        sa.Column("currency_code", sa.String(3)),
        sa.Column("price", sa.BigInteger()),
        sa.Column("pricing_model", sa.String(20)),
        sa.Column("period", sa.Integer()),
        sa.Column("period_unit", sa.String(10)),
        sa.Column("status", sa.String(20)),
    )
    _document(
        "cb_invoices",
        sa.Column("customer_id", sa.String(100)),
        sa.Column("subscription_id", sa.String(100)),
        sa.Column("currency_code", sa.String(3)),
        sa.Column("status", sa.String(20)),
        sa.Column("price_type", sa.String(20)),
        sa.Column("date", sa.BigInteger()),
        sa.Column("due_date", sa.BigInteger()),
        sa.Column("paid_at", sa.BigInteger()),
        sa.Column("voided_at", sa.BigInteger()),
        sa.Column("sub_total", sa.BigInteger()),
        sa.Column("tax", sa.BigInteger()),
        sa.Column("total", sa.BigInteger()),
        sa.Column("amount_paid", sa.BigInteger()),
        sa.Column("amount_due", sa.BigInteger()),
        sa.Column("credits_applied", sa.BigInteger()),
        sa.Column("round_off_amount", sa.BigInteger()),
        lines=True,
    )
    op.create_index("ix_cb_invoices_site_customer", "cb_invoices", ["site", "customer_id"])
    _document(
        "cb_credit_notes",
        sa.Column("customer_id", sa.String(100)),
        sa.Column("reference_invoice_id", sa.String(100)),
        sa.Column("type", sa.String(20)),
        sa.Column("reason_code", sa.String(50)),
        sa.Column("currency_code", sa.String(3)),
        sa.Column("status", sa.String(20)),
        sa.Column("price_type", sa.String(20)),
        sa.Column("date", sa.BigInteger()),
        sa.Column("voided_at", sa.BigInteger()),
        sa.Column("sub_total", sa.BigInteger()),
        sa.Column("total", sa.BigInteger()),
        sa.Column("amount_allocated", sa.BigInteger()),
        sa.Column("amount_refunded", sa.BigInteger()),
        sa.Column("amount_available", sa.BigInteger()),
        sa.Column("round_off_amount", sa.BigInteger()),
        lines=True,
    )
    op.create_index("ix_cb_credit_notes_site_customer", "cb_credit_notes", ["site", "customer_id"])
    _document(
        "cb_transactions",
        sa.Column("customer_id", sa.String(100)),
        sa.Column("subscription_id", sa.String(100)),
        sa.Column("type", sa.String(30)),
        sa.Column("status", sa.String(30)),
        sa.Column("payment_method", sa.String(50)),
        sa.Column("gateway", sa.String(50)),
        sa.Column("currency_code", sa.String(3)),
        sa.Column("amount", sa.BigInteger()),
        sa.Column("date", sa.BigInteger()),
        sa.Column("reference_transaction_id", sa.String(100)),
        sa.Column("refunded_txn_id", sa.String(100)),
        sa.Column("postable", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.create_index("ix_cb_transactions_site_customer", "cb_transactions", ["site", "customer_id"])
    op.create_table(
        "cb_events",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100)),
        sa.Column("occurred_at", sa.BigInteger()),
        sa.Column("source", sa.String(50)),
        sa.Column("extracted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(250)),
        sa.Column("raw", RAW, nullable=False),
        sa.PrimaryKeyConstraint("site", "id", name=op.f("pk_cb_events")),
    )
    op.create_table(
        "cb_webhook_inbox",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(100)),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(20), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.Text()),
        sa.PrimaryKeyConstraint("site", "event_id", name=op.f("pk_cb_webhook_inbox")),
    )
    op.create_index("ix_cb_webhook_inbox_site_state", "cb_webhook_inbox", ["site", "state"])
    op.create_table(
        "cb_sync_state",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("resource", sa.String(50), nullable=False),
        sa.Column("full_synced_at", sa.DateTime(timezone=True)),
        sa.Column("last_window_start", sa.BigInteger()),
        sa.Column("last_window_end", sa.BigInteger()),
        sa.Column("last_run_id", sa.String(250)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("site", "resource", name=op.f("pk_cb_sync_state")),
    )


def downgrade() -> None:
    op.drop_table("cb_sync_state")
    op.drop_index("ix_cb_webhook_inbox_site_state", table_name="cb_webhook_inbox")
    op.drop_table("cb_webhook_inbox")
    op.drop_table("cb_events")
    op.drop_index("ix_cb_transactions_site_customer", table_name="cb_transactions")
    op.drop_table("cb_transactions")
    op.drop_index("ix_cb_credit_notes_site_customer", table_name="cb_credit_notes")
    op.drop_table("cb_credit_notes")
    op.drop_index("ix_cb_invoices_site_customer", table_name="cb_invoices")
    op.drop_table("cb_invoices")
    op.drop_table("cb_item_prices")
    op.drop_table("cb_items")
    op.drop_table("cb_customers")
