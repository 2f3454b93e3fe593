"""The posting ledger: one row per source document (and reversal), plus every write attempt.

This is the audit trail finance asks for: what each Chargebee document became in NetSuite,
its state and why, the payload hash that makes reruns free, and an append-only attempt log.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from chargebee_netsuite.staging.schema import metadata

# Ledger states.
STAGED = "staged"
QUARANTINED = "quarantined"
READY = "ready"
HELD = "held"
POSTED = "posted"
FAILED = "failed"
SKIPPED = "skipped"
STATES = (STAGED, QUARANTINED, READY, HELD, POSTED, FAILED, SKIPPED)

# Roles: the record a document becomes, and the record that reverses it after a void;
# an invoice's withheld tax posts as a record of its own.
MAIN = "main"
REVERSAL = "reversal"
WITHHELD = "withheld"
ROLES = (MAIN, REVERSAL, WITHHELD)

_AUTO_ID = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER only

ns_ledger = Table(
    "ns_ledger",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("source_kind", String(20), primary_key=True),  # customer, invoice, credit_note, ...
    Column("source_id", String(100), primary_key=True),
    Column("role", String(10), primary_key=True),
    Column("state", String(12), nullable=False),
    Column("reason", Text),  # a sentence for a human: why it is not posted, or what happened
    Column("netsuite_type", String(40)),
    Column("netsuite_id", String(32)),
    Column("external_id", String(255)),
    Column("payload_hash", String(64)),  # the payload built last
    Column("posted_hash", String(64)),  # the payload NetSuite last accepted
    Column("posted_payload", JSON),
    Column("resource_version", BigInteger),  # the staged version last looked at
    Column("posted_resource_version", BigInteger),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("posted_at", DateTime(timezone=True)),
    Column("last_run_id", String(250)),
    Column("last_error_code", String(100)),
    Column("last_error_detail", Text),  # NetSuite's words, verbatim
    Index("ix_ns_ledger_external_id", "external_id"),
    Index("ix_ns_ledger_site_state", "site", "state"),
)

ns_ledger_attempts = Table(
    "ns_ledger_attempts",
    metadata,
    Column("id", _AUTO_ID, primary_key=True, autoincrement=True),
    Column("site", String(63), nullable=False),
    Column("source_kind", String(20), nullable=False),
    Column("source_id", String(100), nullable=False),
    Column("role", String(10), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("netsuite_type", String(40), nullable=False),
    Column("run_id", String(250), nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(12), nullable=False),  # posted, failed
    Column("status_code", Integer),
    Column("http_attempts", Integer),  # requests the client sent, retries included
    Column("netsuite_id", String(32)),
    Column("error_code", String(100)),
    Column("error", Text),
    Column("duration_ms", Integer),
    Index("ix_ns_ledger_attempts_doc", "site", "source_kind", "source_id"),
)

# Documents whose staged version the loader has not planned yet (revision 0012). Staging a
# new or newer version of a customer, invoice, credit note or transaction puts it here; a
# load that planned it at that version (or a newer one) takes it out. The loader plans these,
# what depends on them and every document whose ledger row is not settled, so a run costs
# what changed, not what exists.
ns_load_queue = Table(
    "ns_load_queue",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("source_kind", String(20), primary_key=True),
    Column("source_id", String(100), primary_key=True),
    Column("resource_version", BigInteger),  # the staged version that queued it
    Column("queued_at", DateTime(timezone=True), nullable=False),
)

# Per site: the fingerprint of what every posted payload was built from (mapping, reference
# data, catalog, settings, the transform's version) and what staged documents use (for the
# mapping preflight), as of the last load that planned every document. A load whose
# fingerprint differs plans every document again.
ns_load_state = Table(
    "ns_load_state",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("fingerprint", String(64)),  # None: the next load plans everything
    Column("usage", JSON),  # what staged documents use, see load/changes.py
    Column("full_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
