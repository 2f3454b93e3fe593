"""Reconciliation against SuiteQL as it really answers: no bound parameters, dates in the
integration user's format, and credit memos and refunds signed either way."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.builders.netsuite_env import StartEnv
from tests.builders.reconcile import run_reconcile


@pytest.mark.parametrize(
    ("date_format", "memo_sign", "refund_sign"),
    [("D/M/YYYY", "negative", "negative"), ("M/D/YYYY", "positive", "positive")],
)
def test_a_synced_site_reconciles_clean_however_suiteql_prints_dates_and_signs(
    start_env: StartEnv, tmp_path: Path, date_format: str, memo_sign: str, refund_sign: str
) -> None:
    env = start_env(
        scale=10,
        suiteql_date_format=date_format,
        suiteql_credit_memo_sign=memo_sign,
        suiteql_refund_sign=refund_sign,
    )
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    result = run_reconcile(env, "rec-1", tmp_path)
    assert result.clean, (result.counts, result.differences)
    # The site has every kind whose sign is in question, so "clean" means something.
    page = env.netsuite_client().request(
        "POST",
        "/query/v1/suiteql",
        json={"q": "SELECT DISTINCT type FROM transaction"},
        headers={"Prefer": "transient"},
    )
    kinds = {str(row["type"]) for row in page.json()["items"]}
    assert {"CustInvc", "CustCred", "CustPymt", "CustRfnd"} <= kinds
