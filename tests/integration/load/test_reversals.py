"""Chargebacks, and payments or refunds voided after posting, end with AR tied out."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from tests.builders.netsuite_env import (
    SITE,
    TIME_ZONE,
    Env,
    StartEnv,
    card_payments,
    ledger,
    mapping,
    money,
    netsuite_record,
)
from tests.builders.tieout import netsuite_rows

from cbns_devkit.proof.expect import (
    compare,
    expected_documents,
    held_with_reason,
    netsuite_transactions,
)
from chargebee_netsuite.mapping import MappingConfig
from chargebee_netsuite.staging.ledger_tables import ns_ledger_attempts
from chargebee_netsuite.transform.identity import external_id

from .test_tieout import assert_tied_out


def in_netsuite(env: Env, eid: str) -> bool:
    query = "SELECT id FROM transaction WHERE externalid = ?"
    return bool(netsuite_rows(env.netsuite_client(), query, eid))


def assert_as_expected(env: Env) -> None:
    """NetSuite holds what the independent expectation (from Chargebee's API) says, once."""
    want = expected_documents(env.chargebee.base_url, env.chargebee_settings.test_key, SITE)
    got = netsuite_transactions(env.netsuite_client())
    row = compare("reversals", want, got, held_with_reason(env.engine, SITE))
    assert row.ok, row.notes
    assert row.posted > 20


def assert_second_sync_writes_nothing(env: Env, run_id: str) -> None:
    before = env.netsuite_writes()
    summary = env.sync(run_id)
    assert summary.writes == 0, summary.counts
    assert env.netsuite_writes() == before


def test_chargebacks_after_posting_re_open_invoices_and_refund_the_payment(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=20)
    env.extract()
    assert env.sync("run-1").counts.get("failed", 0) == 0
    partial, full = card_payments(env)[:2]
    named = env.cb_admin(
        "POST", f"/transactions/{partial['id']}/chargeback", {"amount": partial["amount"] // 3}
    )["transaction"]
    unnamed = env.cb_admin(
        "POST", f"/transactions/{full['id']}/chargeback", {"name_invoices": False}
    )["transaction"]
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    for chargeback, payment in ((named, partial), (unnamed, full)):
        refund = netsuite_record(env, "customerRefund", external_id(SITE, "txn", chargeback["id"]))
        assert refund["account"]["id"] == "17"  # 1050 Chargebacks Clearing
        assert Decimal(str(refund["total"])) == money(
            chargeback["amount"], payment["currency_code"]
        )
        for words in (chargeback["id"], payment["id"], chargeback["id_at_gateway"]):
            assert words in refund["memo"]
        assert ledger(env, "transaction", chargeback["id"])["state"] == "posted"
    paid = netsuite_record(env, "customerPayment", external_id(SITE, "txn", partial["id"]))
    applied = sum(Decimal(str(line["amount"])) for line in paid["apply"]["items"])
    assert applied == money(partial["amount"] - named["amount"], partial["currency_code"])
    assert_tied_out(env)
    assert_as_expected(env)
    assert_second_sync_writes_nothing(env, "run-3")


def test_a_payment_voided_after_posting_is_unapplied_and_reversed(start_env: StartEnv) -> None:
    env = start_env(scale=20)
    env.extract()
    assert env.sync("run-1").counts.get("failed", 0) == 0
    payment = card_payments(env)[0]
    env.cb_admin("POST", f"/transactions/{payment['id']}/void")
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    reversal = netsuite_record(env, "customerRefund", external_id(SITE, "txnrev", payment["id"]))
    assert Decimal(str(reversal["total"])) == money(payment["amount"], payment["currency_code"])
    assert f"Reverses Chargebee payment {payment['id']}" in reversal["memo"]
    assert "voided on" in reversal["memo"]
    assert ledger(env, "transaction", payment["id"], "reversal")["state"] == "posted"
    main = ledger(env, "transaction", payment["id"])
    assert main["state"] == "posted"
    assert "voided in Chargebee after it was posted as customerPayment" in main["reason"]
    assert in_netsuite(env, external_id(SITE, "txn", payment["id"]))  # kept, for the audit
    assert_tied_out(env)
    assert_as_expected(env)
    assert_second_sync_writes_nothing(env, "run-3")


def _posted_refund(env: Env, config: MappingConfig | None = None) -> dict[str, Any]:
    payment = card_payments(env)[0]
    refund = env.cb_admin(
        "POST", f"/transactions/{payment['id']}/refunds", {"amount": payment["amount"] // 2}
    )["transaction"]
    env.extract()
    assert env.sync("run-1", config=config).counts.get("failed", 0) == 0
    assert ledger(env, "transaction", refund["id"])["state"] == "posted"
    return dict(refund)


def test_a_refund_voided_after_posting_is_deleted_and_stops_counting(start_env: StartEnv) -> None:
    env = start_env(scale=20)
    refund = _posted_refund(env)
    eid = external_id(SITE, "txn", refund["id"])
    posted = ledger(env, "transaction", refund["id"])
    env.cb_admin("POST", f"/transactions/{refund['id']}/void")
    env.extract("extract-2")
    summary = env.sync("run-2")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert summary.counts["deleted"] == 1
    assert not in_netsuite(env, eid)
    row = ledger(env, "transaction", refund["id"])
    assert (row["state"], row["netsuite_id"], row["last_error_code"]) == (
        "skipped",
        None,
        "DELETED",
    )
    assert row["reason"].startswith(
        f"Chargebee refund {refund['id']} was voided in Chargebee after it was posted as "
        f"customerRefund {posted['netsuite_id']}; deleted from NetSuite on "
    )
    assert row["posted_payload"] == posted["posted_payload"]  # the audit trail stays
    with env.engine.connect() as conn:
        attempts = (
            conn.execute(
                select(ns_ledger_attempts).where(ns_ledger_attempts.c.source_id == refund["id"])
            )
            .mappings()
            .all()
        )
    assert [a["outcome"] for a in attempts] == ["posted", "deleted"]
    assert attempts[-1]["netsuite_id"] == posted["netsuite_id"]
    assert attempts[-1]["status_code"] == 204
    assert_tied_out(env)
    assert_as_expected(env)
    assert_second_sync_writes_nothing(env, "run-3")
    assert ledger(env, "transaction", refund["id"])["reason"] == row["reason"]


def test_a_refund_netsuite_will_not_delete_fails_loudly_until_its_period_reopens(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=12)
    # Hold: documents of a closed period wait rather than move to the next one.
    held = mapping(policy="hold")
    refund = _posted_refund(env, held)
    posted = ledger(env, "transaction", refund["id"])
    day = datetime.fromisoformat(posted["posted_payload"]["tranDate"]).date()
    assert day == datetime.fromtimestamp(refund["date"], ZoneInfo(TIME_ZONE)).date()
    period = env.reference().period_for(day)
    assert period is not None
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": True})
    env.cb_admin("POST", f"/transactions/{refund['id']}/void")
    env.extract("extract-2")
    summary = env.sync("run-2", config=held)
    assert summary.counts["failed"] == 1, summary.counts
    row = ledger(env, "transaction", refund["id"])
    assert row["state"] == "failed"
    assert row["last_error_code"] == "USER_ERROR"
    assert f"The accounting period {period.name} is closed" in row["last_error_detail"]
    assert row["reason"].startswith(
        f"NetSuite rejected the deletion of customerRefund {posted['netsuite_id']} "
        f"(Chargebee refund {refund['id']}) with 400 USER_ERROR"
    )
    assert in_netsuite(env, external_id(SITE, "txn", refund["id"]))
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": False})
    assert env.sync("run-3", config=held).counts.get("deleted") == 1
    assert not in_netsuite(env, external_id(SITE, "txn", refund["id"]))
    assert_tied_out(env)
    assert_as_expected(env)
