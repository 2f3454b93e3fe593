"""The loader's queue of changed documents and its per-site state; runs cost what changed.

``ns_load_queue`` holds the documents staged at a version the loader has not planned yet;
``ns_load_state`` the fingerprint of what posted payloads were built from. No site has a
state yet, so the first load after this revision plans everything, as before. The
``(site, run_id)`` indexes let validation find a run's documents without reading every
staged row.

Revision ID: 0012_load_queue
Revises: 0008_reversal_links
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_load_queue"
down_revision: str | Sequence[str] | None = "0008_reversal_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_RUN_INDEXED = ("cb_customers", "cb_invoices", "cb_credit_notes", "cb_transactions")


def upgrade() -> None:
    """Create the two tables and the run indexes."""
    op.create_table(
        "ns_load_queue",
        sa.Column("site", sa.String(63), primary_key=True),
        sa.Column("source_kind", sa.String(20), primary_key=True),
        sa.Column("source_id", sa.String(100), primary_key=True),
        sa.Column("resource_version", sa.BigInteger()),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "ns_load_state",
        sa.Column("site", sa.String(63), primary_key=True),
        sa.Column("fingerprint", sa.String(64)),
        sa.Column("usage", sa.JSON()),
        sa.Column("full_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    for table in _RUN_INDEXED:
        op.create_index(f"ix_{table}_site_run", table, ["site", "run_id"])


def downgrade() -> None:
    """Drop them."""
    for table in _RUN_INDEXED:
        op.drop_index(f"ix_{table}_site_run", table_name=table)
    op.drop_table("ns_load_state")
    op.drop_table("ns_load_queue")
