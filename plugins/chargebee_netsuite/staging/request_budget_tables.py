"""The Chargebee request budget that extraction processes share: a lock row and a request log.

Chargebee limits a *site* (requests in the past minute, and requests in flight), while the
DAG extracts each resource in its own task process, possibly on several workers. Each process
records its requests here, so every one of them sees what all the others spend. Times are the
database server's clock in Unix seconds, so workers whose clocks differ still agree.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Double, Index, Integer, String, Table

from chargebee_netsuite.staging.chargebee_tables import SITE
from chargebee_netsuite.staging.schema import metadata

# One row per site; every acquisition updates it first, which serialises the site's
# acquisitions (a row lock on Postgres, the write lock on SQLite).
cb_request_budget = Table(
    "cb_request_budget",
    metadata,
    Column("site", String(SITE), primary_key=True),
    Column("touched_at", Double, nullable=False),
)

# The requests of the last window and those in flight; older rows are deleted as they age out.
cb_request_slots = Table(
    "cb_request_slots",
    metadata,
    # SQLite only auto-increments an INTEGER primary key.
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("site", String(SITE), nullable=False),
    Column("started_at", Double, nullable=False),
    # NULL while the request is in flight; set when its response arrived.
    Column("done_at", Double),
    # A holder that died never sets done_at: its request counts as done at this time.
    Column("expires_at", Double, nullable=False),
    Column("holder", String(120), nullable=False),
    Index("ix_cb_request_slots_site_done_at", "site", "done_at"),
)
