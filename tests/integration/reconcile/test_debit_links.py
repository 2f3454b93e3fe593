"""The report explains a chargeback posted as a debit invoice, and still ties out."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders.netsuite_env import SITE, StartEnv, card_payments, netsuite_record
from tests.builders.reconcile import run_reconcile

from chargebee_netsuite.transform.identity import external_id


def test_a_chargeback_after_its_payments_period_closed_is_explained_and_ties_out(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=10)
    env.extract()
    env.sync("run-1")
    assert run_reconcile(env, "rec-0", tmp_path).clean
    payment = next(p for p in card_payments(env) if len(p["linked_invoices"]) == 1)
    posted = netsuite_record(env, "customerPayment", external_id(SITE, "txn", payment["id"]))
    period = posted["postingPeriod"]["id"]
    env.ns_admin("PATCH", f"/accountingperiod/{period}", {"closed": True})
    chargeback = env.cb_admin(
        "POST", f"/transactions/{payment['id']}/chargeback", {"amount": payment["amount"] // 2}
    )["transaction"]
    env.extract("extract-2")
    assert env.sync("run-2").counts.get("failed", 0) == 0
    summary = run_reconcile(env, "rec-1", tmp_path)
    assert summary.clean, summary.as_dict()
    assert summary.report_dir is not None
    report = json.loads((Path(summary.report_dir) / "report.json").read_text())
    [link] = report["links"]
    invoice_id = payment["linked_invoices"][0]["invoice_id"]
    for words in (chargeback["id"], payment["id"], invoice_id, "closed"):
        assert words in link
    html = (Path(summary.report_dir) / "index.html").read_text()
    assert "Document links" in html and chargeback["id"] in html
