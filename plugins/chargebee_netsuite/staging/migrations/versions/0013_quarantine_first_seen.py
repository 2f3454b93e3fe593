"""Keep when a document first entered quarantine (``dq_quarantine.first_seen_at``).

Every validation replaces a document's quarantine rows, so ``quarantined_at`` is when it was
last checked; the exception queue's age must count from the first failure instead. Rows
already quarantined start from their ``quarantined_at`` (the oldest time known).

Revision ID: 0013_quarantine_first_seen
Revises: 0012_load_queue (and needs 0005_quality)
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_quarantine_first_seen"
down_revision: str | Sequence[str] | None = "0012_load_queue"
branch_labels: str | Sequence[str] | None = None
# The quarantine table comes from the quality branch.
depends_on: str | Sequence[str] | None = "0005_quality"


def upgrade() -> None:
    """Add the column and fill it from ``quarantined_at``."""
    op.add_column("dq_quarantine", sa.Column("first_seen_at", sa.DateTime(timezone=True)))
    op.execute("UPDATE dq_quarantine SET first_seen_at = quarantined_at")


def downgrade() -> None:
    """Drop it."""
    op.drop_column("dq_quarantine", "first_seen_at")
