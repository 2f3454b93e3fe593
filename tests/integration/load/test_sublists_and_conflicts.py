"""Re-posted documents replace their lines; "Record has been changed" is waited out, not failed."""

from __future__ import annotations

import logging
from decimal import Decimal

import pytest
from tests.builders.netsuite_env import SITE, TIME_ZONE, StartEnv, ledger, netsuite_record
from tests.builders.tieout import chargebee_list

from chargebee_netsuite.staging.ledger_queries import attempts_for
from chargebee_netsuite.transform.identity import external_id
from chargebee_netsuite.transform.model import TransformSettings

from .test_customers import assert_nothing_failed, new_customer, new_invoice
from .test_tieout import assert_tied_out


def test_an_invoice_re_posted_with_one_line_fewer_totals_what_chargebee_says(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2)
    new_customer(env, "lines", "Lines Ltd")
    invoice = new_invoice(env, "lines", coupon_id="TENOFF", discount_percent=10)
    env.extract()
    assert_nothing_failed(env.sync("run-1").counts)
    eid = external_id(SITE, "inv", invoice)
    assert len(netsuite_record(env, "invoice", eid)["item"]["items"]) == 2  # line + discount
    # Discounts netted into their lines: the same invoice, posted again with one line fewer.
    net = TransformSettings(TIME_ZONE, discounts="net")
    assert_nothing_failed(env.sync("run-2", transform=net).counts)
    posted = netsuite_record(env, "invoice", eid)
    [cb_invoice] = [
        i
        for i in chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
        if i["id"] == invoice
    ]
    assert len(posted["item"]["items"]) == 1
    assert Decimal(str(posted["total"])) == Decimal(cb_invoice["total"]) / 100
    assert_tied_out(env)


def test_record_changed_answers_are_retried_and_never_fail_the_document(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2)
    new_customer(env, "busy", "Busy Inc")
    invoice = new_invoice(env, "busy")
    payment = env.cb_admin("POST", f"/invoices/{invoice}/payments", {"amount": 5000})
    txn = payment["transaction"]["id"]
    # More "Record has been changed" answers than the client tries in a row (8 in these tests).
    fault = {"kind": "record_changed", "count": 10, "method": "PUT"}
    env.ns_admin("POST", "/faults", {**fault, "path_contains": external_id(SITE, "txn", txn)})
    env.extract()
    assert_nothing_failed(env.sync("run-1").counts)
    assert ledger(env, "transaction", txn)["state"] == "posted"
    assert env.ns_admin("GET", "/state")["faults"]["queued"] == []  # all 10 were answered
    with env.engine.connect() as conn:
        tries = [
            (a["outcome"], a["error_code"]) for a in attempts_for(conn, SITE, "transaction", txn)
        ]
    # Sent again after the phase's other writes, it went through.
    assert [outcome for outcome, _ in tries] == ["failed", "posted"]
    assert_tied_out(env)


def test_two_payments_applied_to_one_invoice_at_once_both_post(
    start_env: StartEnv, caplog: pytest.LogCaptureFixture
) -> None:
    # Each NetSuite answer takes 200 ms and every payment is in flight at once, so the two
    # payments' writes to the invoice overlap: NetSuite answers "Record has been changed".
    env = start_env(scale=2, latency_ms=200, concurrency_limit=60)
    new_customer(env, "split", "Split Pay")
    invoice = new_invoice(env, "split")
    paid = [
        env.cb_admin("POST", f"/invoices/{invoice}/payments", {"amount": amount})
        for amount in (5000, 4000)
    ]
    env.extract()
    client = env.netsuite_client(concurrency=50)
    with caplog.at_level(logging.WARNING, logger="chargebee_netsuite.netsuite.client"):
        assert_nothing_failed(env.sync("run-1", client=client, concurrency=50).counts)
    conflicts = [r for r in caplog.records if "customerPayment" in r.getMessage()]
    assert conflicts, "the two payments did not overlap"
    for answer in paid:
        assert ledger(env, "transaction", answer["transaction"]["id"])["state"] == "posted"
    left = netsuite_record(env, "invoice", external_id(SITE, "inv", invoice))["amountRemaining"]
    assert Decimal(str(left)) == Decimal("30.00")
    assert_tied_out(env)
