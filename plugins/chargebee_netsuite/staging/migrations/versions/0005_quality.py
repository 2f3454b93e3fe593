"""Data quality: validation scratch tables (facts, references, flattened rows) and the quarantine.

Revision ID: 0005_quality
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_quality"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns are spelled out (not imported from quality_tables) so this revision keeps creating
# exactly this schema after the module moves on.


def upgrade() -> None:
    """Create ``dq_facts``, ``dq_refs``, ``dq_rows`` and ``dq_quarantine``."""
    op.create_table(
        "dq_facts",
        sa.Column("batch", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("resource_version", sa.BigInteger()),
        sa.Column("lines_total", sa.BigInteger()),
        sa.Column("settled_total", sa.BigInteger()),
        sa.Column("applied_total", sa.BigInteger()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("batch", "kind", "document_id", name=op.f("pk_dq_facts")),
    )
    op.create_table(
        "dq_refs",
        sa.Column("batch", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("ref_kind", sa.String(20), nullable=False),
        sa.Column("ref_id", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint(
            "batch", "kind", "document_id", "ref_kind", "ref_id", name=op.f("pk_dq_refs")
        ),
    )
    op.create_table(
        "dq_rows",
        sa.Column("batch", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("id", sa.String(100), nullable=False),
        sa.Column("currency_code", sa.String(10)),
        sa.Column("customer_id", sa.String(100)),
        sa.Column("status", sa.String(30)),
        sa.Column("type", sa.String(30)),
        sa.Column("name", sa.String(250)),
        sa.Column("item_id", sa.String(100)),
        sa.Column("created_at", sa.BigInteger()),
        sa.Column("date", sa.BigInteger()),
        sa.Column("due_date", sa.BigInteger()),
        sa.Column("total", sa.BigInteger()),
        sa.Column("amount", sa.BigInteger()),
        sa.Column("lines_total", sa.BigInteger()),
        sa.Column("settled_total", sa.BigInteger()),
        sa.Column("applied_total", sa.BigInteger()),
        sa.Column("line_count", sa.Integer()),
        sa.Column("lines_complete", sa.Integer()),
        sa.Column("missing_customer_id", sa.String(100)),
        sa.Column("missing_item_id", sa.String(100)),
        sa.Column("missing_invoice_id", sa.String(100)),
        sa.Column("missing_credit_note_id", sa.String(100)),
        sa.Column("missing_transaction_id", sa.String(100)),
        sa.PrimaryKeyConstraint("batch", "kind", "id", name=op.f("pk_dq_rows")),
    )
    op.create_table(
        "dq_quarantine",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("document_id", sa.String(100), nullable=False),
        sa.Column("check_name", sa.String(60), nullable=False),
        sa.Column("expectation", sa.String(250), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("resource_version", sa.BigInteger()),
        sa.Column("run_id", sa.String(250)),
        sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint(
            "site", "kind", "document_id", "check_name", name=op.f("pk_dq_quarantine")
        ),
    )
    op.create_index("ix_dq_quarantine_site_kind", "dq_quarantine", ["site", "kind"])


def downgrade() -> None:
    """Drop the data-quality tables."""
    op.drop_index("ix_dq_quarantine_site_kind", table_name="dq_quarantine")
    op.drop_table("dq_quarantine")
    op.drop_table("dq_rows")
    op.drop_table("dq_refs")
    op.drop_table("dq_facts")
