"""Account preferences cannot re-route a payment's money or auto-apply its unapplied cash."""

from __future__ import annotations

from tests.builders.netsuite_env import StartEnv
from tests.builders.tieout import netsuite_rows

from .test_tieout import assert_tied_out

CLEARING = "3"  # the example mapping's account for Stripe payments in USD


def test_payments_deposit_where_the_mapping_says_and_apply_only_as_chargebee_did(
    start_env: StartEnv,
) -> None:
    # The worst account defaults: Undeposited Funds and Auto Apply on.
    env = start_env(scale=0, default_undep_funds=True, default_auto_apply=True)
    customer = env.cb_admin(
        "POST",
        "/customers",
        {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"},
    )["customer"]["id"]
    invoices = [
        env.cb_admin(
            "POST",
            "/invoices",
            {
                "customer_id": customer,
                "currency_code": "USD",
                "lines": [{"description": f"Consulting {n}", "unit_amount": amount}],
            },
        )["invoice"]["id"]
        for n, amount in ((1, 10000), (2, 5000))
    ]
    payment = env.cb_admin("POST", f"/invoices/{invoices[0]}/payments")["transaction"]["id"]
    # A partial chargeback re-opens part of the first invoice: the payment keeps 40.00 that
    # Chargebee applies to nothing (the chargeback takes it back out).
    env.cb_admin("POST", f"/transactions/{payment}/chargeback", {"amount": 4000})
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert_tied_out(env)
    client = env.netsuite_client()
    rows = netsuite_rows(client, "SELECT id FROM transaction WHERE type = 'CustPymt'")
    assert len(rows) == 1
    posted = client.records.get("customerPayment", str(rows[0]["id"]), expand_sub_resources=True)
    assert posted["account"]["id"] == CLEARING
    assert posted["undepFunds"]["id"] == "F"
    # NetSuite lists the customer's other open invoices on the payment, unapplied; Auto Apply
    # must not have applied the payment's spare cash to the second one.
    applied = [line for line in posted["apply"]["items"] if line["apply"]]
    assert len(applied) == 1  # the second invoice stays open
