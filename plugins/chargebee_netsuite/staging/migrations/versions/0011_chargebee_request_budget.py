"""The Chargebee request budget shared by extraction processes (``cb_request_budget``,
``cb_request_slots``), and on Postgres the two functions that take and release a slot.

Every Chargebee request takes a slot first, under the site's lock row. As statements sent one
by one, a worker that the OS deschedules mid-way keeps every other worker waiting for the
lock; as one function call the lock is held only while the server runs it. Each statement in
a PL/pgSQL function sees what committed before it started, so after waiting for the lock the
function counts every slot the previous holder took. ``extract/budget.py`` runs the same steps
as statements on SQLite.

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


TAKE_SLOT = """
CREATE OR REPLACE FUNCTION cb_take_request_slot(
    p_site text, p_budget integer, p_window double precision, p_concurrency integer,
    p_lease double precision, p_holder text,
    OUT slot_id bigint, OUT wait_seconds double precision, OUT for_budget boolean
) LANGUAGE plpgsql AS $$
DECLARE
    v_now double precision;
    v_counted integer;
    v_flying integer;
    v_oldest double precision;
BEGIN
    -- The log is worthless after a server crash (its rows age out within a window).
    PERFORM set_config('synchronous_commit', 'off', true);
    -- The site's lock row: acquisitions take turns from here to the end of this call.
    UPDATE cb_request_budget SET touched_at = date_part('epoch', clock_timestamp())
        WHERE site = p_site;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no Chargebee request budget row for site %', p_site;
    END IF;
    -- Read after the lock is held: the time the decision below is made at.
    v_now := date_part('epoch', clock_timestamp());
    DELETE FROM cb_request_slots
        WHERE site = p_site AND coalesce(done_at, expires_at) <= v_now - p_window;
    SELECT count(*), count(*) FILTER (WHERE done_at IS NULL AND expires_at > v_now),
           min(coalesce(done_at, expires_at))
        INTO v_counted, v_flying, v_oldest
        FROM cb_request_slots WHERE site = p_site;
    for_budget := false;
    IF v_flying >= p_concurrency THEN
        RETURN;
    END IF;
    IF v_counted >= p_budget THEN
        wait_seconds := v_oldest + p_window - v_now;
        for_budget := true;
        RETURN;
    END IF;
    INSERT INTO cb_request_slots (site, started_at, expires_at, holder)
        VALUES (p_site, v_now, v_now + p_lease, p_holder) RETURNING id INTO slot_id;
END $$
"""

RELEASE_SLOT = """
CREATE OR REPLACE FUNCTION cb_release_request_slot(p_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    UPDATE cb_request_slots SET done_at = date_part('epoch', clock_timestamp())
        WHERE id = p_id;
END $$
"""


def upgrade() -> None:
    """Create the lock row table, the request log and (Postgres) the slot functions."""
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
    if op.get_bind().dialect.name == "postgresql":
        op.execute(TAKE_SLOT)
        op.execute(RELEASE_SLOT)


def downgrade() -> None:
    """Drop the functions and both tables."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS cb_release_request_slot(bigint)")
        op.execute(
            "DROP FUNCTION IF EXISTS cb_take_request_slot("
            "text, integer, double precision, integer, double precision, text)"
        )
    op.drop_index("ix_cb_request_slots_site_done_at", table_name="cb_request_slots")
    op.drop_table("cb_request_slots")
    op.drop_table("cb_request_budget")
