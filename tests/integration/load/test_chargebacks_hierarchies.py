"""Chargebacks in both of Chargebee's shapes and a parent paying its children's invoices."""

from __future__ import annotations

from typing import Any

from tests.builders.netsuite_env import SITE, Env, StartEnv
from tests.builders.tieout import chargebee_list

from chargebee_netsuite.transform.identity import external_id

from .test_tieout import assert_tied_out

CHARGEBACKS_ACCOUNT = "17"  # chargebacks.default in the example mapping


def _txns(env: Env) -> dict[str, dict[str, Any]]:
    rows = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "transactions")
    return {t["id"]: t for t in rows}


def _record(env: Env, record_type: str, source_id: str, kind: str = "txn") -> dict[str, Any]:
    eid = external_id(SITE, kind, source_id)
    return env.netsuite_client().records.get_by_external_id(
        record_type, eid, expand_sub_resources=True
    )


def test_both_chargeback_shapes_and_a_hierarchy_post_and_tie_out(start_env: StartEnv) -> None:
    env = start_env(scale=10)
    env.extract()
    first = env.sync("run-1")
    assert first.counts.get("failed", 0) == 0, first.counts
    assert first.counts.get("quarantined", 0) == 0, first.counts
    assert_tied_out(env)
    txns = _txns(env)
    automated = [t for t in txns.values() if t.get("payment_method") == "chargeback"]
    online = [t for t in txns.values() if t["type"] == "payment_reversal"]
    assert automated and online
    for chargeback in automated + online:
        refund = _record(env, "customerRefund", chargeback["id"])
        assert refund["account"]["id"] == CHARGEBACKS_ACCOUNT, chargeback
        assert "chargeback" in refund["memo"].lower()
    # An online reversal names no payment: its refund applies to the payment naming it.
    for chargeback in online:
        assert "reference_transaction_id" not in chargeback
        payment = next(
            t for t in txns.values() if t.get("reversal_transaction_id") == chargeback["id"]
        )
        refund = _record(env, "customerRefund", chargeback["id"])
        paid = _record(env, "customerPayment", payment["id"])
        applied = [line for line in refund["apply"]["items"] if line["apply"]]
        assert [line["doc"]["id"] for line in applied] == [paid["id"]]
    # A parent's payment of a child's invoice posts under the child, naming the parent.
    invoices = {
        i["id"]: i
        for i in chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    }
    owned = [i for i in invoices.values() if i.get("payment_owner")]
    assert owned
    for invoice in owned:
        for link in invoice["linked_payments"]:
            payment = txns[link["txn_id"]]
            posted = _record(env, "customerPayment", payment["id"])
            child = _record(env, "customer", invoice["customer_id"], "cust")
            assert posted["customer"]["id"] == child["id"]
            if payment["customer_id"] != invoice["customer_id"]:
                assert payment["customer_id"] == invoice["payment_owner"]
                assert invoice["payment_owner"] in posted["memo"]
    second = env.sync("run-2")
    assert second.writes == 0
