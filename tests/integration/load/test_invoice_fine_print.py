"""Write-offs, withheld tax and the credit-note fine print: validated, posted, tied out.

Chargebee leaves some conventions open (does amount_adjusted count the write-off? is the
deprecated reason_code still sent? is a fractional correction part of the total? is an
invoice's total net of store credits?); the sandbox offers both answers, and the whole
pipeline must hold under either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import SITE, WRITE_OFF_ITEM, Env, StartEnv, mapping
from tests.builders.tieout import chargebee_list

from cbns_devkit.sandbox.chargebee.conventions import Conventions
from chargebee_netsuite.quality.run import validate_staged
from chargebee_netsuite.staging.ledger_tables import POSTED, ns_ledger

from .test_tieout import assert_tied_out

KNOWN_CURRENCIES = ("USD", "EUR", "GBP", "JPY")
SPECIAL_ITEMS = {str(mapping().tax.item), str(mapping().rounding_item)}  # type: ignore[union-attr]
CONVENTIONS = {
    "primary": Conventions(
        amount_adjusted_includes_write_off=True,
        credit_note_reason_code=True,
        fractional_correction_in_total=True,
        store_credits_reduce_total=False,
    ),
    "variant": Conventions(
        amount_adjusted_includes_write_off=False,
        credit_note_reason_code=False,
        fractional_correction_in_total=False,
        store_credits_reduce_total=True,
    ),
}


def _ledger(env: Env) -> dict[tuple[str, str, str], dict[str, Any]]:
    with env.engine.connect() as conn:
        rows = conn.execute(select(ns_ledger).where(ns_ledger.c.site == SITE)).mappings().all()
    return {(r["source_kind"], r["source_id"], r["role"]): dict(r) for r in rows}


def _items(payload: dict[str, Any]) -> set[str]:
    return {str(line["item"]["id"]) for line in payload["item"]["items"]}


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_write_offs_withheld_tax_and_credit_fine_print_validate_post_and_tie_out(
    start_env: StartEnv, tmp_path: Path, name: str
) -> None:
    env = start_env(scale=12, seed=3, conventions=CONVENTIONS[name])
    env.extract()
    checked = validate_staged(env.engine, SITE, "extract", KNOWN_CURRENCIES, tmp_path)
    assert [(e.kind, e.id, e.reason) for e in checked.quarantined] == []

    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert summary.counts.get("quarantined", 0) == 0, summary.counts
    assert_tied_out(env)

    key, url = env.chargebee_settings.test_key, env.chargebee.base_url
    invoices = chargebee_list(url, key, "invoices")
    notes = {cn["id"]: cn for cn in chargebee_list(url, key, "credit_notes")}
    ledger = _ledger(env)

    # A written-off invoice, its payments and its write-off credit note all post; the
    # note posts on the write-off item, found by create_reason_code "Write Off" first.
    written_off = [i for i in invoices if i.get("write_off_amount")]
    assert written_off
    for invoice in written_off:
        assert ledger["invoice", invoice["id"], "main"]["state"] == POSTED
        for ref in invoice["adjustment_credit_notes"]:
            row = ledger["credit_note", ref["cn_id"], "main"]
            assert row["state"] == POSTED
            if ref.get("cn_create_reason_code") == "Write Off":
                # Its product lines on the write-off item (tax and rounding on their own).
                assert _items(row["posted_payload"]) - SPECIAL_ITEMS == {WRITE_OFF_ITEM}
        for payment in invoice["linked_payments"]:
            if payment["txn_status"] == "success":
                assert ledger["transaction", payment["txn_id"], "main"]["state"] == POSTED

    # Withheld tax posts as a payment from the tax-withheld account, applied to its invoice.
    withheld = [i for i in invoices if i.get("linked_taxes_withheld")]
    assert withheld
    for invoice in withheld:
        row = ledger["invoice", invoice["id"], "withheld"]
        assert (row["state"], row["netsuite_type"]) == (POSTED, "customerPayment")

    # Store credit, a negative round-off and a fractional correction: each credit note posts.
    fine = [
        cn
        for cn in notes.values()
        if cn["type"] == "store" or cn["round_off_amount"] < 0 or cn.get("fractional_correction")
    ]
    assert {cn["type"] for cn in fine} >= {"store", "refundable"}
    for cn in fine:
        assert ledger["credit_note", cn["id"], "main"]["state"] == POSTED


@pytest.mark.parametrize("name", sorted(CONVENTIONS))
def test_store_credit_taken_before_tax_posts_and_ties_out(start_env: StartEnv, name: str) -> None:
    """A store credit note, then a later invoice that takes it before tax: whether Chargebee's
    total keeps the credit or is net of it, NetSuite's open AR ties out."""
    env = start_env(scale=3, conventions=CONVENTIONS[name])
    customer = env.cb_admin(
        "POST",
        "/customers",
        {"first_name": "Ada", "last_name": "B", "email": "a@example.com", "currency_code": "USD"},
    )["customer"]

    def invoice(**extra: Any) -> dict[str, Any]:
        body = {
            "customer_id": customer["id"],
            "currency_code": "USD",
            "lines": [{"item_price_id": "platform-growth-USD-monthly"}],
            "tax": {"name": "NY State Sales Tax", "rate": "8.875"},
            "net_term_days": 30,
            **extra,
        }
        created: dict[str, Any] = env.cb_admin("POST", "/invoices", body)["invoice"]
        return created

    first = invoice()
    env.cb_admin("POST", f"/invoices/{first['id']}/payments", {"payment_method": "check"})
    store = env.cb_admin(
        "POST",
        f"/invoices/{first['id']}/credit_notes",
        {"type": "store", "amount": 30_000, "reason_code": "subscription_change"},
    )["credit_note"]
    later = invoice(store_credits=[store["id"]])
    assert later["line_item_credits"]
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    assert_tied_out(env)
    ledger = _ledger(env)
    for key in (("invoice", later["id"]), ("credit_note", store["id"])):
        assert ledger[(*key, "main")]["state"] == POSTED
    posted = ledger["invoice", later["id"], "main"]["posted_payload"]
    net = CONVENTIONS[name].store_credits_reduce_total
    assert ("is net of 300.00 USD store credit taken before tax" in posted["memo"]) is net
    assert env.sync("run-2").writes == 0
