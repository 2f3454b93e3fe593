"""reconcile() step by step: compare without I/O, re-queue what is missing, write the run."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import Engine, select

from chargebee_netsuite.reconcile.compare import LedgerRow
from chargebee_netsuite.reconcile.model import (
    FLAGGED,
    MISSING,
    REQUEUED,
    ChargebeeDoc,
    Finding,
    NetSuiteDoc,
    ReconcileSummary,
)
from chargebee_netsuite.reconcile.netsuite_side import NetSuiteSnapshot
from chargebee_netsuite.reconcile.run import (
    Sides,
    compare_sides,
    requeue_missing_documents,
    write_results,
)
from chargebee_netsuite.staging.ledger_tables import ns_ledger
from chargebee_netsuite.staging.reconcile_tables import recon_runs
from chargebee_netsuite.transform.identity import external_id

from .conftest import SITE

START, END = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
NOW = datetime(2026, 11, 3, tzinfo=UTC)


def posted_but_deleted_in_netsuite() -> Sides:
    """``inv_1`` (100.00 USD) is posted in the ledger, and NetSuite no longer has it."""
    customer = NetSuiteDoc(external_id(SITE, "cust", "cus_1"), "7", "customer", subsidiary="1")
    invoice = ChargebeeDoc(
        kind="invoice",
        id="inv_1",
        external_id=external_id(SITE, "inv", "inv_1"),
        customer_id="cus_1",
        currency="USD",
        doc_date=date(2026, 11, 2),
        measure="billed",
        total=Decimal("100.00"),
        outstanding=Decimal("100.00"),
        expected_status="A",
    )
    return Sides(
        site=SITE,
        start=START,
        end=END,
        documents=[invoice],
        debits=[],
        ledger={("invoice", "inv_1", "main"): LedgerRow("posted", None, "invoice", "101")},
        quarantined=set(),
        snapshot=NetSuiteSnapshot(
            customers={customer.external_id: customer},
            currencies={"1": "USD"},
            subsidiaries={"1": "Parent"},
        ),
        known={("invoice", "inv_1"), ("customer", "cus_1")},
    )


def ledger_row(engine: Engine, source_id: str) -> tuple[str, str | None]:
    with engine.connect() as conn:
        state, posted_hash = conn.execute(
            select(ns_ledger.c.state, ns_ledger.c.posted_hash).where(
                ns_ledger.c.source_id == source_id
            )
        ).one()
    return state, posted_hash


def test_compare_finds_the_deleted_invoice_and_counts_it_short_in_the_figures() -> None:
    comparison = compare_sides(posted_but_deleted_in_netsuite())
    [finding] = comparison.findings
    assert (finding.check, finding.action, finding.source_id) == (MISSING, REQUEUED, "inv_1")
    assert comparison.counts() == {MISSING: 1}
    billed = next(r for r in comparison.figures["totals"] if r["measure"] == "billed")
    assert (billed["chargebee"], billed["netsuite"], billed["difference"]) == (
        "100.00",
        "0.00",
        "100.00",
    )


def test_requeue_puts_back_only_what_a_finding_requeues(seeded: Engine) -> None:
    findings = [
        Finding(MISSING, REQUEUED, "gone", source_kind="invoice", source_id="inv_1"),
        Finding(MISSING, FLAGGED, "failed", source_kind="transaction", source_id="txn_9"),
    ]
    assert requeue_missing_documents(seeded, SITE, findings, run_id="rec-1", now=NOW) == 1
    assert ledger_row(seeded, "inv_1") == ("ready", None)
    assert ledger_row(seeded, "txn_9")[0] == "failed"


def test_write_stores_the_run_and_the_files_with_the_exception_queue(
    seeded: Engine, tmp_path: Path
) -> None:
    sides = posted_but_deleted_in_netsuite()
    comparison = compare_sides(sides)
    summary = ReconcileSummary("rec-1", SITE, START, END, counts=comparison.counts())
    target = write_results(
        seeded, tmp_path, sides, comparison, summary, now=NOW, started=time.monotonic()
    )
    assert (summary.exceptions, summary.report_dir) == (3, str(target))
    assert summary.differences == {"Parent/USD": "200.00"}  # billed and outstanding
    report = json.loads((target / "report.json").read_text())
    assert [t["id"] for t in report["audit"]] == ["inv_1", "inv_7", "cn_4", "txn_9"]
    assert report["summary"]["report_dir"] is None  # written before the folder was known
    with seeded.connect() as conn:
        stored = conn.execute(select(recon_runs.c.report_dir, recon_runs.c.report)).one()
    assert stored.report_dir == str(target)
    assert stored.report["summary"] == summary.as_dict()
    assert "inv_1" in (target / "index.html").read_text()
