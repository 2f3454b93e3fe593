"""NetSuite reference data: accounts, items, subsidiaries, segments, currencies, periods.

Revision ID: 0003_netsuite_reference
Revises: 0001_base
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_netsuite_reference"
down_revision: str | Sequence[str] | None = "0001_base"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The columns are spelled out rather than imported from the table module, so this revision
# keeps creating exactly this schema after the module moves on.


def _id() -> sa.Column[str]:
    return sa.Column("id", sa.String(32), nullable=False)


def _inactive() -> sa.Column[bool]:
    return sa.Column("isinactive", sa.Boolean(), nullable=False)


def _pk(table: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint("id", name=f"pk_{table}")


def upgrade() -> None:
    op.create_table(
        "ns_ref_account",
        _id(),
        sa.Column("acctnumber", sa.String(60)),
        sa.Column("acctname", sa.String(400), nullable=False),
        sa.Column("fullname", sa.String(400)),
        sa.Column("accttype", sa.String(40), nullable=False),
        sa.Column("currency", sa.String(32)),
        sa.Column("subsidiary", sa.String(400)),
        _inactive(),
        _pk("ns_ref_account"),
    )
    op.create_table(
        "ns_ref_item",
        _id(),
        sa.Column("itemid", sa.String(400), nullable=False),
        sa.Column("displayname", sa.String(400)),
        sa.Column("itemtype", sa.String(40), nullable=False),
        sa.Column("incomeaccount", sa.String(32)),
        sa.Column("subsidiary", sa.String(400)),
        _inactive(),
        _pk("ns_ref_item"),
    )
    op.create_table(
        "ns_ref_subsidiary",
        _id(),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("fullname", sa.String(400)),
        sa.Column("parent", sa.String(32)),
        sa.Column("currency", sa.String(32)),
        sa.Column("country", sa.String(8)),
        sa.Column("iselimination", sa.Boolean(), nullable=False),
        _inactive(),
        _pk("ns_ref_subsidiary"),
    )
    for table in ("ns_ref_department", "ns_ref_classification", "ns_ref_location"):
        op.create_table(
            table,
            _id(),
            sa.Column("name", sa.String(400), nullable=False),
            sa.Column("fullname", sa.String(400)),
            sa.Column("parent", sa.String(32)),
            sa.Column("subsidiary", sa.String(400)),
            _inactive(),
            _pk(table),
        )
    op.create_table(
        "ns_ref_currency",
        _id(),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("symbol", sa.String(8), nullable=False),
        sa.Column("isbasecurrency", sa.Boolean(), nullable=False),
        sa.Column("currencyprecision", sa.Integer()),
        _inactive(),
        _pk("ns_ref_currency"),
    )
    op.create_table(
        "ns_ref_accountingperiod",
        _id(),
        sa.Column("periodname", sa.String(400), nullable=False),
        sa.Column("startdate", sa.Date(), nullable=False),
        sa.Column("enddate", sa.Date(), nullable=False),
        sa.Column("isposting", sa.Boolean(), nullable=False),
        sa.Column("isquarter", sa.Boolean(), nullable=False),
        sa.Column("isyear", sa.Boolean(), nullable=False),
        sa.Column("isadjust", sa.Boolean(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("arlocked", sa.Boolean(), nullable=False),
        sa.Column("alllocked", sa.Boolean(), nullable=False),
        _pk("ns_ref_accountingperiod"),
    )
    op.create_table(
        "ns_ref_snapshot",
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("pulled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_ns_ref_snapshot"),
    )


def downgrade() -> None:
    for table in (
        "ns_ref_snapshot",
        "ns_ref_accountingperiod",
        "ns_ref_currency",
        "ns_ref_location",
        "ns_ref_classification",
        "ns_ref_department",
        "ns_ref_subsidiary",
        "ns_ref_item",
        "ns_ref_account",
    ):
        op.drop_table(table)
