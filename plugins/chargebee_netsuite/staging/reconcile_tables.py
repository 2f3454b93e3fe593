"""Reconciliation tables: one row per reconciliation run, and the findings each run made."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, String, Table, Text

from chargebee_netsuite.staging.schema import metadata

# One row per run: the window it looked at, where its report files are, and the whole report
# as JSON (figures, exception queue, findings) so the Airflow view needs only the database.
recon_runs = Table(
    "recon_runs",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("run_id", String(250), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("report_dir", Text),
    Column("report", JSON, nullable=False),
    Index("ix_recon_runs_site_created", "site", "created_at"),
)

# What a run found: a document missing in NetSuite (and re-queued), a field that differs
# (both values kept as text, exactly as compared), an edit made in NetSuite by hand, or a
# NetSuite record with our external id that Chargebee does not know.
recon_findings = Table(
    "recon_findings",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("run_id", String(250), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("check_name", String(20), nullable=False),  # missing, mismatch, edited, unknown
    Column("source_kind", String(20)),
    Column("source_id", String(100)),
    Column("role", String(10)),
    Column("external_id", String(255)),
    Column("netsuite_type", String(40)),
    Column("netsuite_id", String(32)),
    Column("field", String(40)),
    Column("chargebee_value", Text),
    Column("netsuite_value", Text),
    Column("action", String(20), nullable=False),  # requeued, flagged, pending, exception
    Column("detail", Text, nullable=False),
    Index("ix_recon_findings_doc", "site", "source_kind", "source_id"),
)
