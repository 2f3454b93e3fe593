"""A chargeback whose payment sits in a period NetSuite has since closed: a debit document."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.builders.netsuite_env import (
    SITE,
    Env,
    StartEnv,
    card_payments,
    ledger,
    money,
    netsuite_record,
)

from chargebee_netsuite.transform.identity import external_id

from .test_tieout import assert_tied_out


def _applied(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines a payment or refund applies (NetSuite also lists the customer's other open
    documents on it, unapplied)."""
    return [line for line in record["apply"]["items"] if line["apply"]]


def _period_of(env: Env, record: dict[str, Any]) -> str:
    return str(record["postingPeriod"]["id"])


def _set_closed(env: Env, period_id: str, closed: bool) -> None:
    env.ns_admin("PATCH", f"/accountingperiod/{period_id}", {"closed": closed})


def test_a_chargeback_after_its_payments_period_closed_posts_a_debit_invoice(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=12)
    env.extract()
    assert env.sync("run-1").counts.get("failed", 0) == 0
    payment = next(p for p in card_payments(env) if len(p["linked_invoices"]) == 1)
    payment_eid = external_id(SITE, "txn", payment["id"])
    before = netsuite_record(env, "customerPayment", payment_eid)
    period = _period_of(env, before)
    _set_closed(env, period, True)
    chargeback = env.cb_admin(
        "POST", f"/transactions/{payment['id']}/chargeback", {"amount": payment["amount"] // 4}
    )["transaction"]
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert summary.counts.get("held", 0) == 0, summary.counts
    # The closed payment is left as it was ...
    after = netsuite_record(env, "customerPayment", payment_eid)
    assert _applied(after) == _applied(before)
    assert after["lastModifiedDate"] == before["lastModifiedDate"]
    # ... and an invoice in an open period re-opens the amount on the customer.
    debit = netsuite_record(env, "invoice", external_id(SITE, "txn", chargeback["id"]))
    assert _period_of(env, debit) != period
    assert Decimal(str(debit["total"])) == money(chargeback["amount"], payment["currency_code"])
    invoice_id = payment["linked_invoices"][0]["invoice_id"]
    for words in (chargeback["id"], payment["id"], invoice_id, "closed"):
        assert words in debit["memo"], debit["memo"]
    entry = ledger(env, "transaction", chargeback["id"])
    assert (entry["state"], entry["netsuite_type"]) == ("posted", "invoice")
    assert_tied_out(env)
    assert env.sync("run-3").writes == 0
    # Re-opening the period later does not turn the debit invoice into an edit of the payment.
    _set_closed(env, period, False)
    assert env.sync("run-4").writes == 0


def test_paying_the_re_opened_invoice_again_pays_the_debit_invoice(start_env: StartEnv) -> None:
    env = start_env(scale=12)
    env.extract()
    env.sync("run-1")
    payment = next(p for p in card_payments(env) if len(p["linked_invoices"]) == 1)
    before = netsuite_record(env, "customerPayment", external_id(SITE, "txn", payment["id"]))
    _set_closed(env, _period_of(env, before), True)
    chargeback = env.cb_admin("POST", f"/transactions/{payment['id']}/chargeback")["transaction"]
    env.extract("extract-2")
    assert env.sync("run-2").counts.get("failed", 0) == 0
    # The customer pays the re-opened invoice again, by bank transfer.
    invoice_id = payment["linked_invoices"][0]["invoice_id"]
    again = env.cb_admin(
        "POST", f"/invoices/{invoice_id}/payments", {"payment_method": "bank_transfer"}
    )["transaction"]
    env.extract("extract-3")
    summary = env.sync("run-3")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    paid = netsuite_record(env, "customerPayment", external_id(SITE, "txn", again["id"]))
    debit = netsuite_record(env, "invoice", external_id(SITE, "txn", chargeback["id"]))
    assert [line["doc"]["id"] for line in _applied(paid)] == [debit["id"]]
    assert chargeback["id"] in paid["memo"]
    assert_tied_out(env)
    assert env.sync("run-4").writes == 0
