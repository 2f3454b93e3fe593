"""The posting ledger and its append-only attempt log.

Revision ID: 0004_ledger
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_ledger"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Columns are spelled out (not imported from ledger_tables) so this revision keeps creating
# exactly this schema after the module moves on.


def upgrade() -> None:
    """Create ``ns_ledger`` and ``ns_ledger_attempts``."""
    op.create_table(
        "ns_ledger",
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("reason", sa.Text()),
        sa.Column("netsuite_type", sa.String(40)),
        sa.Column("netsuite_id", sa.String(32)),
        sa.Column("external_id", sa.String(255)),
        sa.Column("payload_hash", sa.String(64)),
        sa.Column("posted_hash", sa.String(64)),
        sa.Column("posted_payload", sa.JSON()),
        sa.Column("resource_version", sa.BigInteger()),
        sa.Column("posted_resource_version", sa.BigInteger()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True)),
        sa.Column("posted_at", sa.DateTime(timezone=True)),
        sa.Column("last_run_id", sa.String(250)),
        sa.Column("last_error_code", sa.String(100)),
        sa.Column("last_error_detail", sa.Text()),
        sa.PrimaryKeyConstraint(
            "site", "source_kind", "source_id", "role", name=op.f("pk_ns_ledger")
        ),
    )
    op.create_index("ix_ns_ledger_external_id", "ns_ledger", ["external_id"])
    op.create_index("ix_ns_ledger_site_state", "ns_ledger", ["site", "state"])
    op.create_table(
        "ns_ledger_attempts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("site", sa.String(63), nullable=False),
        sa.Column("source_kind", sa.String(20), nullable=False),
        sa.Column("source_id", sa.String(100), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("netsuite_type", sa.String(40), nullable=False),
        sa.Column("run_id", sa.String(250), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("status_code", sa.Integer()),
        sa.Column("http_attempts", sa.Integer()),
        sa.Column("netsuite_id", sa.String(32)),
        sa.Column("error_code", sa.String(100)),
        sa.Column("error", sa.Text()),
        sa.Column("duration_ms", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ns_ledger_attempts")),
    )
    op.create_index(
        "ix_ns_ledger_attempts_doc", "ns_ledger_attempts", ["site", "source_kind", "source_id"]
    )


def downgrade() -> None:
    """Drop the ledger tables."""
    op.drop_index("ix_ns_ledger_attempts_doc", table_name="ns_ledger_attempts")
    op.drop_table("ns_ledger_attempts")
    op.drop_index("ix_ns_ledger_site_state", table_name="ns_ledger")
    op.drop_index("ix_ns_ledger_external_id", table_name="ns_ledger")
    op.drop_table("ns_ledger")
