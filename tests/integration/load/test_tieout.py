"""After one sync, NetSuite's open AR equals Chargebee's, per customer and currency, to the cent."""

from __future__ import annotations

from sqlalchemy import select
from tests.builders.netsuite_env import SITE, Env, StartEnv
from tests.builders.tieout import (
    chargebee_list,
    chargebee_open_ar,
    netsuite_external_ids,
    netsuite_external_ids_of_type,
    netsuite_open_ar,
)

from chargebee_netsuite.staging.ledger_tables import POSTED, ns_ledger
from chargebee_netsuite.transform.identity import external_id


def assert_tied_out(env: Env) -> None:
    """Open AR ties out, every posted document exists once, every other one has a reason."""
    client = env.netsuite_client()
    chargebee = chargebee_open_ar(env.chargebee.base_url, env.chargebee_settings.test_key)
    netsuite = netsuite_open_ar(client)
    assert chargebee, "the generated data has open invoices"
    assert netsuite == chargebee
    with env.engine.connect() as conn:
        rows = conn.execute(select(ns_ledger).where(ns_ledger.c.site == SITE)).mappings().all()
    posted = {r["external_id"] for r in rows if r["state"] == POSTED}
    in_netsuite = netsuite_external_ids(client)
    assert set(in_netsuite) == posted
    assert max(in_netsuite.values()) == 1
    unexplained = [dict(r) for r in rows if r["state"] != POSTED and not r["reason"]]
    assert unexplained == []


def _close(env: Env, name: str) -> None:
    period = next(p for p in env.reference().periods if p.name == name)
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": True})


def test_thousands_of_invoices_tie_out_and_a_second_sync_sends_no_writes(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=800)
    env.extract()
    _close(env, "Mar 2024")  # re-dated to the first open period, with a memo
    first = env.sync("run-1")
    assert first.counts.get("failed", 0) == 0, first.counts
    assert_tied_out(env)
    # The generated history has chargebacks (full and partial, in both of Chargebee's shapes)
    # and account hierarchies; each chargeback is a customer refund.
    transactions = chargebee_list(
        env.chargebee.base_url, env.chargebee_settings.test_key, "transactions"
    )
    chargebacks = [
        t["id"]
        for t in transactions
        if t["status"] == "success"
        and (t["type"] == "payment_reversal" or t["payment_method"] == "chargeback")
    ]
    assert len(chargebacks) >= 10
    assert any(t["payment_method"] == "chargeback" for t in transactions)
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    assert any(i.get("payment_owner") for i in invoices)
    refunds = netsuite_external_ids_of_type(env.netsuite_client(), "CustRfnd")
    assert {external_id(SITE, "txn", c) for c in chargebacks} <= refunds
    before = env.netsuite_writes()
    second = env.sync("run-2")
    assert env.netsuite_writes() == before
    assert second.writes == 0
    # Nothing changed in Chargebee: only what is not settled (held, quarantined) is planned.
    assert second.scope == "changed"
    assert second.planned < first.counts["posted"] / 10
    # A full resync re-checks every document, and finds nothing to send either.
    again = env.sync("run-3", full=True)
    assert env.netsuite_writes() == before
    assert again.writes == 0
    assert again.counts.get("unchanged", 0) >= first.counts["posted"]


def test_both_staging_backends_tie_out(start_env_any_db: StartEnv) -> None:
    env = start_env_any_db(scale=15)
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert_tied_out(env)
