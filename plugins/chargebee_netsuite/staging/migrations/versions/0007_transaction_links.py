"""Index the links from chargebacks and refunds to their payment, for the chunked loader.

The loader asks, one chunk of payments at a time, for the chargebacks
(``reference_transaction_id``) and refunds (``refunded_txn_id``) taken from them; without
these indexes each chunk scanned every staged transaction, so a load grew quadratically.

Revision ID: 0007_transaction_links
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_transaction_links"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
# The table comes from the staging branch.
depends_on: str | Sequence[str] | None = "0002_chargebee_staging"


def upgrade() -> None:
    """Create both indexes on ``cb_transactions``."""
    op.create_index(
        "ix_cb_transactions_site_reference_txn",
        "cb_transactions",
        ["site", "reference_transaction_id"],
    )
    op.create_index(
        "ix_cb_transactions_site_refunded_txn", "cb_transactions", ["site", "refunded_txn_id"]
    )


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_cb_transactions_site_refunded_txn", table_name="cb_transactions")
    op.drop_index("ix_cb_transactions_site_reference_txn", table_name="cb_transactions")
