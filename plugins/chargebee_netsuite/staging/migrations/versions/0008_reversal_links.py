"""Stage each payment's ``reversal_transaction_id``: the only link to an online chargeback.

An online ``payment_reversal`` names no payment (``reference_transaction_id`` names offline
transactions only); the payment names it. The loader looks chargebacks up by this column.
Rows staged before this revision are filled from their raw JSON.

Revision ID: 0008_reversal_links
Revises: 0007_transaction_links
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_reversal_links"
down_revision: str | Sequence[str] | None = "0007_transaction_links"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column and its index, and fill it for payments already staged."""
    op.add_column("cb_transactions", sa.Column("reversal_transaction_id", sa.String(100)))
    op.create_index(
        "ix_cb_transactions_site_reversal_txn",
        "cb_transactions",
        ["site", "reversal_transaction_id"],
    )
    table = sa.table(
        "cb_transactions",
        sa.column("site", sa.String()),
        sa.column("id", sa.String()),
        sa.column("type", sa.String()),
        sa.column("raw", sa.JSON()),
        sa.column("reversal_transaction_id", sa.String()),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(table.c.site, table.c.id, table.c.raw).where(table.c.type == "payment")
    ).all()
    for site, txn_id, raw in rows:
        reversal = (raw or {}).get("reversal_transaction_id")
        if reversal:
            conn.execute(
                table.update()
                .where(table.c.site == site, table.c.id == txn_id)
                .values(reversal_transaction_id=str(reversal))
            )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_cb_transactions_site_reversal_txn", table_name="cb_transactions")
    op.drop_column("cb_transactions", "reversal_transaction_id")
