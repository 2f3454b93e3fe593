"""Root of the staging migration tree; the Chargebee staging and NetSuite reference-data
branches both start here.

Revision ID: 0001_base
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

revision: str = "0001_base"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
