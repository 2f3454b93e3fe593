"""Differences reconciliation flags for a person: edited amounts, hand edits, unknown records."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from tests.builders.netsuite_env import SITE, StartEnv, untouched_open_invoices
from tests.builders.reconcile import (
    advance_netsuite_clock,
    findings_for,
    report_of,
    run_reconcile,
)

from chargebee_netsuite.transform.identity import external_id


def test_an_amount_edited_in_netsuite_is_flagged_with_both_values_and_as_a_hand_edit(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=10)
    env.extract()
    env.sync("run-1")
    invoice = untouched_open_invoices(env)[0]
    eid = external_id(SITE, "inv", invoice["id"])
    client = env.netsuite_client()
    record = client.records.get_by_external_id("invoice", eid, expand_sub_resources=True)
    first = record["item"]["items"][0]
    total = Decimal(str(record["total"]))
    advance_netsuite_clock(env, 3600)  # a person edits it an hour later
    client.request(
        "PATCH",
        f"/record/v1/invoice/{record['id']}",
        json={"item": {"items": [{"line": first["line"], "amount": float(first["amount"]) + 10}]}},
    )

    summary = run_reconcile(env, "rec-1", tmp_path)
    found = {f["field"]: f for f in findings_for(summary, invoice["id"])}
    mismatch = found["total"]
    assert (mismatch["check"], mismatch["action"]) == ("mismatch", "flagged")
    assert Decimal(mismatch["chargebee_value"]) == total
    assert Decimal(mismatch["netsuite_value"]) == total + 10
    assert found["lastmodifieddate"]["check"] == "edited"
    assert summary.requeued == 0  # flagged for a person, never overwritten silently
    # The drill-down names the customer and the document, with the exact difference.
    figures = report_of(summary)["figures"]
    [doc] = [
        d for d in figures["documents"] if d["id"] == invoice["id"] and d["measure"] == "billed"
    ]
    assert Decimal(doc["difference"]) == Decimal(-10)
    assert any(c["customer_id"] == invoice["customer_id"] for c in figures["customers"])


def test_a_netsuite_record_with_our_prefix_unknown_to_chargebee_is_flagged(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=6)
    env.extract()
    env.sync("run-1")
    invoice = untouched_open_invoices(env)[0]
    client = env.netsuite_client()
    record = client.records.get_by_external_id(
        "invoice", external_id(SITE, "inv", invoice["id"]), expand_sub_resources=True
    )
    stray = external_id(SITE, "inv", "made-by-hand-1")
    client.records.upsert(
        "invoice",
        stray,
        {
            "entity": {"id": record["entity"]["id"]},
            "currency": {"id": record["currency"]["id"]},
            "tranDate": record["tranDate"],
            "item": {"items": [{"item": {"id": "1"}, "amount": 5}]},
        },
        strict_fields=False,
    )
    summary = run_reconcile(env, "rec-1", tmp_path)
    [unknown] = findings_for(summary, "made-by-hand-1")
    assert (unknown["check"], unknown["action"]) == ("unknown", "flagged")
    assert unknown["external_id"] == stray
    assert summary.counts == {"unknown": 1}
