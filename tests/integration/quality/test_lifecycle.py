"""A run over sandbox data: exactly the broken documents are quarantined, then released."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.quality.quarantine import quarantine_reasons, quarantined_ids
from chargebee_netsuite.quality.run import validate_staged
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES
from chargebee_netsuite.transform.money import to_money

from .conftest import BROKEN, KNOWN_CURRENCIES, SITE, Sandbox, broken_seed, stage


def _staged_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            resource: len(conn.execute(DOCUMENT_TABLES[resource].select()).all())
            for resource in DOCUMENT_TABLES
        }


def test_broken_documents_are_quarantined_and_released_once_fixed(
    start_sandbox: Callable[[dict[str, Any]], Sandbox], engine: Engine, tmp_path: Path
) -> None:
    data = broken_seed()
    sandbox = start_sandbox(data)
    extract_all(sandbox.client, engine, run_id="run-1")
    reports = tmp_path / "reports"

    summary = validate_staged(engine, SITE, "run-1", KNOWN_CURRENCIES, reports)

    # Exactly the broken documents, each for exactly its own defect.
    assert {(e.kind, e.id): e.check for e in summary.quarantined} == BROKEN
    assert len(summary.quarantined) == len(BROKEN)
    staged = _staged_counts(engine)
    assert summary.counts["invoice"].checked == staged["invoices"]
    assert summary.counts["invoice"].quarantined == 3
    assert summary.counts["transaction"].quarantined == 1
    assert summary.counts["customer"].quarantined == 0
    assert summary.counts["credit_note"].passed == staged["credit_notes"]
    assert summary.checked == sum(staged.values())
    assert not summary.all_failed

    by_id = {e.id: e for e in summary.quarantined}
    original = next(i for i in data["invoices"] if i["id"] == "9001")
    lines = to_money(original["total"] - 100, "USD")
    total = to_money(original["total"], "USD")
    assert by_id["9001"].expectation == "expect_column_pair_values_to_be_equal(lines_total, total)"
    assert by_id["9001"].reason == (
        f"invoice 9001: lines sum to {lines} USD but total is {total} USD (line amounts less "
        "discounts, plus taxes, round-off and any fractional correction or store credit taken "
        "before tax counted) — Chargebee data is inconsistent; fix the invoice in Chargebee or "
        "exclude it."
    )
    assert "is in CHF, which the mapping does not know" in by_id["9002"].reason
    assert "Add `CHF: <NetSuite currency id>` under currencies" in by_id["9002"].reason
    assert "belongs to customer cust-missing, which is not staged" in by_id["9003"].reason
    assert by_id["txn_orphan"].reason.startswith(
        "payment txn_orphan refers to invoice INV-MISSING, which is neither staged nor posted"
    )

    # The loader's view.
    with engine.connect() as conn:
        assert quarantined_ids(conn, SITE, "invoice") == {"9001", "9002", "9003"}
        assert quarantined_ids(conn, SITE, "transaction") == {"txn_orphan"}
        assert quarantined_ids(conn, SITE, "customer") == set()
        assert quarantine_reasons(conn, SITE, "invoice")["9001"] == by_id["9001"].reason

    # The finance report: GX Data Docs, with the quarantine on the index page.
    index = summary.data_docs_index
    assert index == reports / "data_docs" / "run-1" / "index.html"
    assert index.is_file()
    text = index.read_text(encoding="utf-8")
    assert "invoice.lines_sum_to_total" in text
    assert "expect_column_pair_values_to_be_equal(lines_total, total)" in text
    invoice_pages = list((index.parent / "validations" / "chargebee_invoice").rglob("*.html"))
    assert len(invoice_pages) == 1
    page = invoice_pages[0].read_text(encoding="utf-8")
    assert "lines_total" in page and "9001" in page and "cust-missing" in page

    # Fixes: the customer is created in Chargebee and extracted by the next run; invoice 9001
    # is corrected and re-extracted with a higher resource_version.
    sandbox.admin(
        "POST",
        "/customers",
        {"id": "cust-missing", "first_name": "Ada", "last_name": "L", "email": "ada@example.com"},
    )
    extract_all(sandbox.client, engine, run_id="run-2", resources=["customers"])
    fixed = copy.deepcopy(original)
    fixed["amount_due"] -= 100
    fixed["total"] -= 100
    fixed["resource_version"] = original["resource_version"] + 1000
    stage(engine, {"invoices": [fixed]}, "run-2")

    again = validate_staged(engine, SITE, "run-2", KNOWN_CURRENCIES, reports)

    assert {(e.kind, e.id) for e in again.quarantined} == {
        ("invoice", "9002"),
        ("transaction", "txn_orphan"),
    }
    # Run 2 saw its own documents plus every document that was still quarantined.
    assert again.counts["customer"].checked == 1
    assert again.counts["invoice"].checked == 3
    assert again.counts["invoice"].passed == 2
    with engine.connect() as conn:
        assert quarantined_ids(conn, SITE, "invoice") == {"9002"}
    assert again.data_docs_index == reports / "data_docs" / "run-2" / "index.html"
    assert index.is_file(), "each run keeps its own report"
