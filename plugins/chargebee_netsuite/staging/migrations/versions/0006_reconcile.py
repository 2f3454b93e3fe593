"""Reconciliation: one row per run (with its report) and the findings of each run.

Revision ID: 0006_reconcile
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_reconcile"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns are spelled out (not imported from reconcile_tables) so this revision keeps creating
# exactly this schema after the module moves on.


def upgrade() -> None:
    """Create ``recon_runs`` and ``recon_findings``."""
    op.create_table(
        "recon_runs",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_dir", sa.Text()),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("site", "run_id", name=op.f("pk_recon_runs")),
    )
    op.create_index("ix_recon_runs_site_created", "recon_runs", ["site", "created_at"])
    op.create_table(
        "recon_findings",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("check_name", sa.String(20), nullable=False),
        sa.Column("source_kind", sa.String(20)),
        sa.Column("source_id", sa.String(100)),
        sa.Column("role", sa.String(10)),
        sa.Column("external_id", sa.String(255)),
        sa.Column("netsuite_type", sa.String(40)),
        sa.Column("netsuite_id", sa.String(32)),
        sa.Column("field", sa.String(40)),
        sa.Column("chargebee_value", sa.Text()),
        sa.Column("netsuite_value", sa.Text()),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("site", "run_id", "seq", name=op.f("pk_recon_findings")),
    )
    op.create_index("ix_recon_findings_doc", "recon_findings", ["site", "source_kind", "source_id"])


def downgrade() -> None:
    """Drop the reconciliation tables."""
    op.drop_index("ix_recon_findings_doc", table_name="recon_findings")
    op.drop_table("recon_findings")
    op.drop_index("ix_recon_runs_site_created", table_name="recon_runs")
    op.drop_table("recon_runs")
