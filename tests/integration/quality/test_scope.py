"""What a validation covers, and the outcomes around the edges: all failing, ledger references."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from sqlalchemy import Engine, func, select

from cbns_devkit.sandbox.chargebee.generator import generate
from chargebee_netsuite.quality import docs, run
from chargebee_netsuite.quality.quarantine import quarantined_ids
from chargebee_netsuite.quality.run import validate_staged
from chargebee_netsuite.staging.ledger_queries import now_columns, upsert_entries
from chargebee_netsuite.staging.quality_tables import dq_facts, dq_refs, dq_rows

from .conftest import KNOWN_CURRENCIES, SITE, stage

MONEY_KINDS = ("invoice", "credit_note", "transaction")


def test_a_run_where_every_document_fails_reports_all_failed(
    engine: Engine, tmp_path: Path
) -> None:
    data = generate(5, 7)
    stage(engine, {k: data[k] for k in ("invoices", "credit_notes", "transactions")}, "run-1")

    summary = validate_staged(engine, SITE, "run-1", [], tmp_path, kinds=MONEY_KINDS)

    expected = len(data["invoices"]) + len(data["credit_notes"]) + len(data["transactions"])
    assert expected > 20, "more failures than GX lists in a partial result"
    assert summary.all_failed
    assert summary.checked == summary.quarantined_documents == expected
    assert {e.check.split(".")[1] for e in summary.quarantined} >= {"currency_known"}
    as_dict = summary.as_dict(max_entries=3)
    assert as_dict["all_failed"] is True and len(as_dict["quarantined"]) == 3
    # The scratch rows of the batch are gone.
    with engine.connect() as conn:
        for table in (dq_facts, dq_refs, dq_rows):
            assert conn.scalar(select(func.count()).select_from(table)) == 0
    # A later run that staged nothing re-checks only that quarantine: nothing new is broken,
    # so the run is not failed for it (the documents stay quarantined and are reported).
    later = validate_staged(engine, SITE, "run-2", [], tmp_path, kinds=MONEY_KINDS)
    assert later.checked == later.quarantined_documents == later.carried_over == expected
    assert not later.all_failed


def test_only_the_given_documents_are_validated(engine: Engine, tmp_path: Path) -> None:
    data = generate(2, 7)
    stage(engine, data, "run-1")
    invoice = data["invoices"][0]["id"]

    run_id = "manual__2026-11-28T06:00:00+00:00"  # an Airflow run id, not the staging run's

    summary = validate_staged(
        engine, SITE, run_id, ["XXX"], tmp_path, document_ids={"invoice": [invoice]}
    )

    assert {k: c.checked for k, c in summary.counts.items() if c.checked} == {"invoice": 1}
    assert [(e.id, e.check) for e in summary.quarantined] == [(invoice, "invoice.currency_known")]
    index = summary.data_docs_index
    assert index == tmp_path / "data_docs" / docs.run_folder(run_id) / "index.html"
    assert index.parent.name.startswith("manual__2026-11-28T06_00_00_00_00-")
    # Every page the index links to exists (GX names folders after the run id).
    links = re.findall(r"validations/[^\"'\s]+\.html", index.read_text(encoding="utf-8"))
    assert links
    for link in links:
        assert (index.parent / unquote(link)).is_file(), link


def test_nothing_to_validate_skips_great_expectations(engine: Engine, tmp_path: Path) -> None:
    summary = validate_staged(engine, SITE, "empty-run", KNOWN_CURRENCIES, tmp_path)
    assert summary.checked == 0 and not summary.all_failed
    assert summary.data_docs_index is None


def test_references_resolve_against_the_ledger_and_incomplete_lines_hold(
    engine: Engine, tmp_path: Path
) -> None:
    data = generate(2, 7)
    payment = next(
        t for t in data["transactions"] if t["type"] == "payment" and t["status"] == "success"
    )
    paid = payment["linked_invoices"][0]["invoice_id"]
    # The invoice was posted long ago and is no longer staged; the ledger remembers it.
    data["invoices"] = [i for i in data["invoices"] if i["id"] != paid]
    stage(engine, {"customers": data["customers"], "transactions": [payment]}, "run-1")
    truncated = data["invoices"][0]
    stage(engine, {"invoices": [truncated]}, "run-1", lines_complete=False)
    with engine.begin() as conn:
        upsert_entries(
            conn,
            [
                {
                    "site": SITE,
                    "source_kind": "invoice",
                    "source_id": paid,
                    "role": "main",
                    "state": "posted",
                    **now_columns(datetime.now(UTC)),
                }
            ],
        )

    summary = validate_staged(engine, SITE, "run-1", KNOWN_CURRENCIES, tmp_path)

    assert [(e.kind, e.id, e.check) for e in summary.quarantined] == [
        ("invoice", truncated["id"], "invoice.lines_complete")
    ]
    assert "Re-run the extraction" in summary.quarantined[0].reason
    with engine.connect() as conn:
        assert quarantined_ids(conn, SITE, "transaction") == set()


def test_a_document_re_extracted_during_validation_is_held_until_validated_again(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = generate(2, 7)
    stage(engine, data, "run-1")
    changed = next(i for i in data["invoices"] if "resource_version" in i)
    newer = {**changed, "resource_version": changed["resource_version"] + 1}
    real = run.run_checkpoint

    def checkpoint_then_concurrent_extraction(*args: Any, **kwargs: Any) -> Any:
        outcome = real(*args, **kwargs)
        stage(engine, {"invoices": [newer]}, "run-2")  # another run, mid-validation
        return outcome

    monkeypatch.setattr(run, "run_checkpoint", checkpoint_then_concurrent_extraction)
    summary = validate_staged(engine, SITE, "run-1", KNOWN_CURRENCIES, tmp_path)

    assert [(e.id, e.check) for e in summary.quarantined] == [
        (changed["id"], "invoice.changed_during_validation")
    ]
    assert summary.counts["invoice"].quarantined == 1
    monkeypatch.undo()

    again = validate_staged(engine, SITE, "run-3", KNOWN_CURRENCIES, tmp_path)
    assert again.counts["invoice"].checked == 1 and not again.quarantined
    with engine.connect() as conn:
        assert quarantined_ids(conn, SITE, "invoice") == set()
