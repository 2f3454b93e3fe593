"""Data-quality tables: per-validation scratch facts and references, and the quarantine."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, String, Table, Text

from chargebee_netsuite.staging.schema import metadata

# Facts derived in Python from each document's raw JSON (sums over nested arrays), written
# once per validation under a fresh ``batch`` token so that the Great Expectations assets can
# join them to the typed staging columns in SQL; the batch's rows are deleted afterwards.
dq_facts = Table(
    "dq_facts",
    metadata,
    Column("batch", String(36), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("document_id", String(100), primary_key=True),
    Column("site", String(63), nullable=False),
    Column("resource_version", BigInteger),
    # Σ(line amount - line discount [+ line tax when tax-exclusive]) + round_off_amount
    # (+ fractional_correction, - line_item_credits, where that explains the total)
    Column("lines_total", BigInteger),
    # invoice: paid + due + Σ applied_credits + Σ adjustment notes + Σ taxes withheld;
    # credit note: allocated + refunded + available. Null when the rule does not apply.
    Column("settled_total", BigInteger),
    # transaction: Σ applied_amount over the invoices or credit notes it is applied to
    Column("applied_total", BigInteger),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The documents each validated document points at (a payment's invoices, a refund's credit
# notes and payment, a credit note's invoice); resolution happens in SQL.
dq_refs = Table(
    "dq_refs",
    metadata,
    Column("batch", String(36), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("document_id", String(100), primary_key=True),
    Column("ref_kind", String(20), primary_key=True),
    Column("ref_id", String(100), primary_key=True),
)

# The flattened row of each document in a validation batch, materialised in SQL (typed
# staging columns, the facts above, references resolved against staging and the ledger): the
# table Great Expectations validates. Materialising it once keeps GX's many metric queries
# cheap; the batch's rows are deleted afterwards. Columns are the union over all kinds.
dq_rows = Table(
    "dq_rows",
    metadata,
    Column("batch", String(36), primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("id", String(100), primary_key=True),
    Column("currency_code", String(10)),
    Column("customer_id", String(100)),
    Column("status", String(30)),
    Column("type", String(30)),
    Column("name", String(250)),
    Column("item_id", String(100)),
    Column("created_at", BigInteger),
    Column("date", BigInteger),
    Column("due_date", BigInteger),
    Column("total", BigInteger),
    Column("amount", BigInteger),
    Column("lines_total", BigInteger),
    Column("settled_total", BigInteger),
    Column("applied_total", BigInteger),
    Column("line_count", Integer),
    Column("lines_complete", Integer),
    Column("missing_customer_id", String(100)),
    Column("missing_item_id", String(100)),
    Column("missing_invoice_id", String(100)),
    Column("missing_credit_note_id", String(100)),
    Column("missing_transaction_id", String(100)),
)

# One row per failed check of a quarantined document; a document is quarantined while it has
# any row here. Re-validating a document replaces its rows (none when it passes).
dq_quarantine = Table(
    "dq_quarantine",
    metadata,
    Column("site", String(63), primary_key=True),
    Column("kind", String(20), primary_key=True),  # customer, invoice, credit_note, ...
    Column("document_id", String(100), primary_key=True),
    Column("check_name", String(60), primary_key=True),  # e.g. invoice.lines_sum_to_total
    Column("expectation", String(250), nullable=False),  # GX type and its columns
    Column("reason", Text, nullable=False),  # a sentence for finance naming the fix
    Column("resource_version", BigInteger),
    Column("run_id", String(250)),
    Column("quarantined_at", DateTime(timezone=True), nullable=False),  # the last validation
    # The first validation that quarantined the document (kept while it stays quarantined).
    Column("first_seen_at", DateTime(timezone=True)),
    Index("ix_dq_quarantine_site_kind", "site", "kind"),
)
