"""The SuiteQL poll backfill: whatever went missing in NetSuite is found and posted again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from tests.builders.netsuite_env import SITE, Env, StartEnv, untouched_open_invoices
from tests.builders.reconcile import findings_for, run_reconcile

from chargebee_netsuite.extract.documents import extract_resource
from chargebee_netsuite.extract.windows import Window
from chargebee_netsuite.staging.ledger_tables import POSTED, READY, ns_ledger
from chargebee_netsuite.transform.identity import external_id

RESOURCES = ("customers", "items", "item_prices", "invoices", "credit_notes", "transactions")


def ledger_state(env: Env, kind: str, source_id: str) -> str:
    with env.engine.connect() as conn:
        return str(
            conn.scalar(
                select(ns_ledger.c.state).where(
                    ns_ledger.c.site == SITE,
                    ns_ledger.c.source_kind == kind,
                    ns_ledger.c.source_id == source_id,
                    ns_ledger.c.role == "main",
                )
            )
        )


def test_an_invoice_deleted_in_netsuite_by_hand_is_found_requeued_and_posted_again(
    start_env_any_db: StartEnv, tmp_path: Path
) -> None:
    env = start_env_any_db(scale=10)
    env.extract()
    env.sync("run-1")
    assert run_reconcile(env, "rec-0", tmp_path).clean
    invoice = untouched_open_invoices(env)[0]
    eid = external_id(SITE, "inv", invoice["id"])
    client = env.netsuite_client()
    old_id = client.records.get_by_external_id("invoice", eid, fields=["id"])["id"]
    client.records.delete("invoice", f"eid:{eid}")
    # Report only: the same finding, and the ledger left as it was.
    looked = run_reconcile(env, "rec-report-only", tmp_path, requeue_missing=False)
    assert (looked.counts.get("missing"), looked.requeued) == (1, 0)
    assert ledger_state(env, "invoice", invoice["id"]) == POSTED

    found = run_reconcile(env, "rec-1", tmp_path)
    [missing] = findings_for(found, invoice["id"])
    assert (missing["check"], missing["action"]) == ("missing", "requeued")
    assert "no longer has it" in missing["detail"]
    assert found.requeued == 1
    assert ledger_state(env, "invoice", invoice["id"]) == READY
    assert found.differences  # billed and outstanding are short by the invoice

    summary = env.sync("run-2")
    assert summary.writes == 1, summary.counts  # only the deleted invoice is sent again
    new_id = client.records.get_by_external_id("invoice", eid, fields=["id"])["id"]
    assert new_id != old_id
    assert ledger_state(env, "invoice", invoice["id"]) == POSTED
    assert run_reconcile(env, "rec-2", tmp_path).clean


def test_a_change_whose_webhook_was_dropped_is_backfilled(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=8)
    env.extract()
    env.sync("run-1")
    customer = untouched_open_invoices(env)[0]["customer_id"]
    # A new invoice in Chargebee; its webhook never reaches us (nobody delivers it).
    created = env.cb_admin(
        "POST",
        "/invoices",
        {
            "customer_id": customer,
            "currency_code": untouched_open_invoices(env)[0]["currency_code"],
            "lines": [{"description": "Onboarding", "unit_amount": 12_345}],
        },
    )
    new_id = created["invoice"]["id"] if "invoice" in created else created["id"]
    # The reconciliation DAG re-reads Chargebee over its window first (the poll backfill) …
    now = datetime.now(UTC)
    client = env.chargebee_client()
    for resource in RESOURCES:
        extract_resource(
            client, env.engine, resource, Window(now - timedelta(days=1), now), run_id="rec-x"
        )
    # … then finds the document absent from NetSuite and queues it …
    found = run_reconcile(env, "rec-1", tmp_path)
    [missing] = findings_for(found, new_id)
    assert (missing["check"], missing["action"]) == ("missing", "requeued")
    assert "never loaded" in missing["detail"]
    assert ledger_state(env, "invoice", new_id) == READY
    # … and the load that follows posts it.
    env.sync("run-2")
    assert ledger_state(env, "invoice", new_id) == POSTED
    eid = external_id(SITE, "inv", new_id)
    assert env.netsuite_client().records.get_by_external_id("invoice", eid, fields=["id"])
    assert run_reconcile(env, "rec-2", tmp_path).clean
