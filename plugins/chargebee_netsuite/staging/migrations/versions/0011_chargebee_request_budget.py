"""The Chargebee request budget shared by extraction processes (``cb_request_budget``,
``cb_request_slots``).

Revision ID: 0011_chargebee_request_budget
Revises: 0001_base
Create Date: 2026-12-10
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_chargebee_request_budget"
# A branch of its own: the tables reference nothing else, so this merges with any other
# revision without a merge migration (``migrate`` upgrades every head).
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the lock row table and the request log."""
    op.create_table(
        "cb_request_budget",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("touched_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("site", name=op.f("pk_cb_request_budget")),
    )
    op.create_table(
        "cb_request_slots",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("started_at", sa.Double(), nullable=False),
        sa.Column("done_at", sa.Double(), nullable=True),
        sa.Column("expires_at", sa.Double(), nullable=False),
        sa.Column("holder", sa.String(120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cb_request_slots")),
    )
    op.create_index("ix_cb_request_slots_site_done_at", "cb_request_slots", ["site", "done_at"])


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index("ix_cb_request_slots_site_done_at", table_name="cb_request_slots")
    op.drop_table("cb_request_slots")
    op.drop_table("cb_request_budget")
