"""In an account with NetSuite's own tax engine on, Chargebee's tax lines stay the only tax."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import StartEnv, mapping, mapping_text
from tests.builders.tieout import netsuite_external_ids_of_type

from chargebee_netsuite.mapping import parse_mapping, validate_mapping
from chargebee_netsuite.staging.ledger_tables import ns_ledger

from .test_tieout import assert_tied_out

# The example mapping's netsuite_tax section, to take out or replace.
NETSUITE_TAX = re.compile(r"^netsuite_tax:\n(?:[ #].*\n|\n)*", re.MULTILINE)


def _without_netsuite_tax() -> str:
    text, count = NETSUITE_TAX.subn("", mapping_text())
    assert count == 1
    return text


@pytest.mark.parametrize("method", ["exempt_code", "override"])
def test_netsuite_adds_no_tax_of_its_own(start_env: StartEnv, method: str) -> None:
    env = start_env(scale=6, tax_engine=True)
    env.extract()
    text = mapping_text()
    if method == "override":
        text = NETSUITE_TAX.sub("netsuite_tax:\n  method: override\n\n", text)
    summary = env.sync("run-1", config=parse_mapping(text))
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert summary.counts.get("quarantined", 0) == 0, summary.counts
    assert_tied_out(env)


def test_tax_left_undecided_holds_invoices_and_credit_memos(start_env: StartEnv) -> None:
    env = start_env(scale=2, tax_engine=True)
    env.extract()
    config = parse_mapping(_without_netsuite_tax())
    report = validate_mapping(config, env.reference())
    assert [p.rule for p in report.problems] == ["netsuite_tax"]
    assert "tax features on" in report.problems[0].message
    env.sync("run-1", config=config)
    with env.engine.connect() as conn:
        rows = conn.execute(select(ns_ledger)).mappings().all()
    # The invoices and credit memos themselves (an invoice's withheld-tax payment waits for it).
    held = [
        r for r in rows if r["source_kind"] in ("invoice", "credit_note") and r["role"] == "main"
    ]
    assert held and {r["state"] for r in held} == {"quarantined"}
    assert all("netsuite_tax" in r["reason"] for r in held)
    assert netsuite_external_ids_of_type(env.netsuite_client(), "CustInvc") == set()


def test_without_tax_features_no_tax_field_is_sent(start_env: StartEnv) -> None:
    # The connector asks NetSuite to refuse unknown fields, which taxCode is without SuiteTax.
    env = start_env(scale=6, tax_engine=False)
    env.extract()
    summary = env.sync("run-1", config=mapping())
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert_tied_out(env)
