"""Documents that change after posting: voids and deletions are reversed, holds are released."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import (
    SITE,
    TIME_ZONE,
    StartEnv,
    ledger,
    mapping,
    netsuite_record,
    untouched_open_invoices,
)
from tests.builders.tieout import WHOLE_UNIT_CURRENCIES, chargebee_list

from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.staging.ledger_tables import ns_ledger
from chargebee_netsuite.transform.identity import external_id

from .test_tieout import assert_tied_out


def test_voided_and_deleted_invoices_are_reversed_by_an_applied_credit_memo(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=12)
    env.extract()
    env.sync("run-1")
    voided, deleted = untouched_open_invoices(env)[:2]
    env.cb_admin("POST", f"/invoices/{voided['id']}/void", {"reason_code": "Duplicate"})
    env.cb_admin("DELETE", f"/invoices/{deleted['id']}")
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    for invoice, words in ((voided, "voided on"), (deleted, "deleted on")):
        eid = external_id(SITE, "invrev", invoice["id"])
        memo = netsuite_record(env, "creditMemo", eid)
        assert words in memo["memo"]
        assert f"Chargebee invoice {invoice['id']}" in memo["memo"]
        original = netsuite_record(env, "invoice", external_id(SITE, "inv", invoice["id"]))
        assert Decimal(str(original["amountRemaining"])) == 0
        assert "reverses it" in ledger(env, "invoice", invoice["id"])["reason"]
    assert (
        "Duplicate"
        in netsuite_record(env, "creditMemo", external_id(SITE, "invrev", voided["id"]))["memo"]
    )
    assert_tied_out(env)


def test_a_voided_credit_note_is_reversed_and_its_invoice_reopens(start_env: StartEnv) -> None:
    env = start_env(scale=12)
    invoice = untouched_open_invoices(env)[0]
    credit = env.cb_admin(
        "POST", f"/invoices/{invoice['id']}/credit_notes", {"amount": invoice["total"] // 4}
    )
    cn_id = credit["credit_note"]["id"] if "credit_note" in credit else credit["id"]
    env.extract()
    env.sync("run-1")
    assert ledger(env, "credit_note", cn_id)["state"] == "posted"
    env.cb_admin("POST", f"/credit_notes/{cn_id}/void")
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    reversal = netsuite_record(env, "invoice", external_id(SITE, "cnrev", cn_id))
    assert f"Reverses Chargebee credit note {cn_id}, voided" in reversal["memo"]
    assert Decimal(str(reversal["amountRemaining"])) == 0
    assert_tied_out(env)
    before = env.netsuite_writes()
    env.sync("run-3")
    assert env.netsuite_writes() == before


def test_a_posted_payment_deleted_in_chargebee_is_unapplied_and_refunded(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=12)
    invoice = untouched_open_invoices(env)[0]
    txn = env.cb_admin("POST", f"/invoices/{invoice['id']}/payments", {"payment_method": "check"})
    txn_id = txn["transaction"]["id"] if "transaction" in txn else txn["id"]
    env.extract()
    env.sync("run-1")
    assert ledger(env, "transaction", txn_id)["state"] == "posted"
    env.cb_admin("DELETE", f"/transactions/{txn_id}")
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    row = ledger(env, "transaction", txn_id, "reversal")
    assert row["state"] == "posted"
    refund = netsuite_record(env, "customerRefund", external_id(SITE, "txnrev", txn_id))
    assert f"Reverses Chargebee payment {txn_id}" in refund["memo"]
    assert "deleted on" in refund["memo"]
    total = Decimal(invoice["total"]) / (
        1 if invoice["currency_code"] in WHOLE_UNIT_CURRENCIES else 100
    )
    assert Decimal(str(refund["total"])) == total
    # The payment stays, applied to nothing and used up by the refund; the invoice re-opens.
    payment = netsuite_record(env, "customerPayment", external_id(SITE, "txn", txn_id))
    # (NetSuite lists the customer's open invoices on it, none of them applied.)
    assert not [x for x in payment.get("apply", {}).get("items", []) if x.get("apply")]
    original = netsuite_record(env, "invoice", external_id(SITE, "inv", invoice["id"]))
    assert Decimal(str(original["amountRemaining"])) == total
    assert (
        "deleted in Chargebee after it was posted" in ledger(env, "transaction", txn_id)["reason"]
    )
    assert_tied_out(env)
    before = env.netsuite_writes()
    assert env.sync("run-3").writes == 0
    assert env.netsuite_writes() == before


def test_a_closed_period_holds_its_documents_until_it_reopens(start_env: StartEnv) -> None:
    env = start_env(scale=12)
    env.extract()
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    recent = max((i for i in invoices if i["status"] != "voided"), key=lambda i: i["date"])
    day = datetime.fromtimestamp(recent["date"], ZoneInfo(TIME_ZONE)).date()
    period = env.reference().period_for(day)
    assert period is not None
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": True})
    held = mapping(policy="hold")
    env.sync("run-1", config=held)
    row = ledger(env, "invoice", recent["id"])
    assert row["state"] == "held"
    assert period.name in row["reason"]
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": False})
    env.sync("run-2", config=held)
    assert ledger(env, "invoice", recent["id"])["state"] == "posted"


@pytest.mark.parametrize("policy", ["hold", "first_open_period"])
def test_closing_a_period_after_posting_leaves_its_records_alone(
    start_env: StartEnv, policy: str
) -> None:
    # Month-end close: what was posted in a period stays posted, neither held nor re-dated.
    env = start_env(scale=12)
    env.extract()
    config = mapping(policy=policy)
    first = env.sync("run-1", config=config)
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    recent = max((i for i in invoices if i["status"] != "voided"), key=lambda i: i["date"])
    posted = ledger(env, "invoice", recent["id"])
    assert posted["state"] == "posted"
    day = datetime.fromtimestamp(recent["date"], ZoneInfo(TIME_ZONE)).date()
    period = env.reference().period_for(day)
    assert period is not None
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": True})
    before = env.netsuite_writes()
    summary = env.sync("run-2", config=config)
    assert summary.writes == 0, summary.as_dict()
    assert env.netsuite_writes() == before
    after = ledger(env, "invoice", recent["id"])
    assert (after["state"], after["netsuite_id"]) == ("posted", posted["netsuite_id"])
    # Whatever waited before still waits (for its own reasons); nothing posted became held.
    assert summary.counts.get("held", 0) == first.counts.get("held", 0), summary.as_dict()


def test_a_redated_record_keeps_its_period_when_a_later_period_closes(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=12)
    env.extract()
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    recent = max((i for i in invoices if i["status"] != "voided"), key=lambda i: i["date"])
    day = datetime.fromtimestamp(recent["date"], ZoneInfo(TIME_ZONE)).date()
    first = env.reference().period_for(day)
    assert first is not None
    env.ns_admin("PATCH", f"/accountingperiod/{first.id}", {"closed": True})
    env.sync("run-1")  # first_open_period: re-dated into the next open period
    posted = netsuite_record(env, "invoice", external_id(SITE, "inv", recent["id"]))
    assert posted["tranDate"] > day.isoformat()
    # The period it was moved into closes too; the record must not move again.
    moved_to = env.reference().period_for(datetime.fromisoformat(posted["tranDate"]).date())
    assert moved_to is not None and moved_to.id != first.id
    env.ns_admin("PATCH", f"/accountingperiod/{moved_to.id}", {"closed": True})
    summary = env.sync("run-2")
    assert summary.writes == 0, summary.as_dict()
    again = netsuite_record(env, "invoice", external_id(SITE, "inv", recent["id"]))
    assert again["tranDate"] == posted["tranDate"]


def test_a_dry_run_builds_everything_and_posts_nothing(start_env: StartEnv) -> None:
    env = start_env(scale=5)
    env.extract()
    summary = env.sync("dry", dry_run=True)
    assert summary.writes == 0
    assert summary.counts["would_post"] > 0
    assert env.netsuite_writes() == 0
    with env.engine.connect() as conn:
        assert conn.execute(select(ns_ledger)).first() is None


def test_a_netsuite_4xx_fails_only_that_document_and_its_dependants_wait(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=8)
    env.extract()
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    ids = [inv["id"] for inv in invoices]
    # The fault matches by path substring: no other invoice's id may start with this one's.
    paid = next(
        inv
        for inv in invoices
        if inv["status"] == "paid"
        and inv.get("linked_payments")
        and not any(other != inv["id"] and other.startswith(inv["id"]) for other in ids)
    )
    eid = external_id(SITE, "inv", paid["id"])
    env.ns_admin("POST", "/faults", {"kind": "permission", "path_contains": f"eid:{eid}"})
    summary = env.sync("run-1")
    assert summary.counts["failed"] == 1
    row = ledger(env, "invoice", paid["id"])
    assert row["state"] == "failed"
    assert row["last_error_code"] == "USER_ERROR"
    assert "Your current role does not have permission" in row["last_error_detail"]
    assert row["reason"].startswith(f"NetSuite rejected Chargebee invoice {paid['id']} with 400")
    payment_id = next(p["txn_id"] for p in paid["linked_payments"] if p["txn_status"] == "success")
    waiting = ledger(env, "transaction", payment_id)
    assert waiting["state"] == "held"
    assert f"waits for Chargebee invoice {paid['id']}" in waiting["reason"]
    assert summary.counts["posted"] > 20
    env.sync("run-2")
    assert ledger(env, "invoice", paid["id"])["state"] == "posted"
    assert ledger(env, "transaction", payment_id)["state"] == "posted"
    assert_tied_out(env)


def test_a_quarantined_document_never_posts_and_posts_once_released(start_env: StartEnv) -> None:
    from chargebee_netsuite.quality.quarantine import QuarantineEntry, replace_quarantine

    env = start_env(scale=5)
    env.extract()
    invoice = next(
        inv
        for inv in chargebee_list(
            env.chargebee.base_url, env.chargebee_settings.test_key, "invoices"
        )
        if inv["status"] != "voided" and not inv.get("deleted")
    )
    reason = f"invoice {invoice['id']}: lines sum to 1.00 USD but total is 2.00 USD."
    entry = QuarantineEntry("invoice", invoice["id"], "invoice.lines_sum_to_total", "x", reason)
    now = datetime.now(ZoneInfo("UTC"))
    with env.engine.begin() as conn:
        replace_quarantine(conn, SITE, {}, [entry], run_id="dq-1", at=now)

    env.sync("run-1")
    row = ledger(env, "invoice", invoice["id"])
    assert (row["state"], row["reason"], row["netsuite_id"]) == ("quarantined", reason, None)
    eid = external_id(SITE, "inv", invoice["id"])
    query = build("SELECT id FROM transaction WHERE externalid = ?", eid)
    assert list(env.netsuite_client().suiteql.query(query)) == []

    with env.engine.begin() as conn:  # a later validation passes it
        replace_quarantine(conn, SITE, {"invoice": [invoice["id"]]}, [], run_id="dq-2", at=now)
    env.sync("run-2")
    assert ledger(env, "invoice", invoice["id"])["state"] == "posted"
    assert len(list(env.netsuite_client().suiteql.query(query))) == 1
