"""Write-offs, withheld tax and store credit, as Chargebee documents them, under both answers
to what its documentation leaves open (the sandbox conventions)."""

from __future__ import annotations

from typing import Any

import pytest

from cbns_devkit.sandbox.chargebee.conventions import Conventions

from .conftest import Sandbox, Schemas, schema_errors

PRIMARY = Conventions(True, True, True, False)
VARIANT = Conventions(False, False, False, True)
BOTH = pytest.mark.parametrize("conventions", [PRIMARY, VARIANT], ids=["primary", "variant"])


def _events(sandbox: Sandbox, ids: list[str]) -> list[dict[str, Any]]:
    return [sandbox.api.get(f"/events/{eid}").json()["event"] for eid in ids]


def _invoice(sandbox: Sandbox, customer_id: str | None = None, **extra: Any) -> dict[str, Any]:
    if customer_id is None:
        customer = sandbox.admin.post(
            "/customers",
            json={"first_name": "Ada", "last_name": "B", "email": "a@example.com"},
        ).json()
        customer_id = customer["customer"]["id"]
    body = {
        "customer_id": customer_id,
        "currency_code": "USD",
        "lines": [{"description": "Platform", "unit_amount": 100_000}],
        "tax": {"name": "Sales tax", "rate": 10},
        "net_term_days": 30,
        **extra,
    }
    created = sandbox.admin.post("/invoices", json=body)
    assert created.status_code == 200, created.text
    invoice: dict[str, Any] = created.json()["invoice"]
    return invoice


def _get(sandbox: Sandbox, path: str, key: str) -> dict[str, Any]:
    found: dict[str, Any] = sandbox.api.get(path).json()[key]
    return found


def test_tax_withheld_settles_part_of_the_invoice_and_says_so_in_its_event(
    start_sandbox: Any, schemas: Schemas
) -> None:
    sandbox = start_sandbox()
    invoice = _invoice(sandbox)
    payload = {"amount": 10_000, "reference_number": "WHT-7", "description": "TDS"}
    recorded = sandbox.admin.post(f"/invoices/{invoice['id']}/tax_withheld", json=payload).json()
    after = _get(sandbox, f"/invoices/{invoice['id']}", "invoice")
    assert schema_errors(schemas("Invoice"), after) == []
    [withheld] = after["linked_taxes_withheld"]
    assert withheld["id"].startswith("tax_wh_")
    assert (withheld["amount"], withheld["reference_number"]) == (10_000, "WHT-7")
    assert "applied_amount" not in withheld
    assert after["amount_due"] == after["total"] - 10_000 and after["status"] == "posted"
    [event] = _events(sandbox, recorded["events"])
    assert event["event_type"] == "tax_withheld_recorded"
    assert set(event["content"]) == {"tax_withheld", "invoice"}
    assert event["content"]["tax_withheld"]["amount"] == 10_000
    # Once per invoice, and never more than is due.
    again = sandbox.admin.post(f"/invoices/{invoice['id']}/tax_withheld", json={"amount": 1})
    assert again.status_code == 409
    other = _invoice(sandbox, invoice["customer_id"])
    too_much = {"amount": other["amount_due"] + 1}
    assert (
        sandbox.admin.post(f"/invoices/{other['id']}/tax_withheld", json=too_much).status_code
        == 409
    )
    # The rest paid: the invoice is paid, net of the tax withheld.
    sandbox.admin.post(f"/invoices/{invoice['id']}/payments", json={"payment_method": "check"})
    paid = _get(sandbox, f"/invoices/{invoice['id']}", "invoice")
    assert (paid["status"], paid["amount_due"]) == ("paid", 0)
    assert paid["amount_paid"] + 10_000 == paid["total"]


@BOTH
def test_a_write_off_and_amount_adjusted_under_either_convention(
    start_sandbox: Any, schemas: Schemas, conventions: Conventions
) -> None:
    sandbox = start_sandbox(conventions=conventions)
    invoice = _invoice(sandbox)
    sandbox.admin.post(f"/invoices/{invoice['id']}/payments", json={"amount": 30_000})
    written = sandbox.admin.post(f"/invoices/{invoice['id']}/write_off").json()
    note = written["credit_note"]
    assert (note["type"], note["create_reason_code"]) == ("adjustment", "Write Off")
    assert ("reason_code" in note) is conventions.credit_note_reason_code
    after = _get(sandbox, f"/invoices/{invoice['id']}", "invoice")
    assert schema_errors(schemas("Invoice"), after) == []
    assert after["status"] == "paid" and after["amount_due"] == 0
    assert after["write_off_amount"] == note["total"] == after["total"] - 30_000
    [ref] = after["adjustment_credit_notes"]
    assert ref["cn_create_reason_code"] == "Write Off" and ref["cn_total"] == note["total"]
    counted = note["total"] if conventions.amount_adjusted_includes_write_off else 0
    assert after["amount_adjusted"] == counted


@BOTH
def test_store_credit_is_taken_before_tax_on_a_later_invoice(
    start_sandbox: Any, schemas: Schemas, conventions: Conventions
) -> None:
    sandbox = start_sandbox(conventions=conventions)
    first = _invoice(sandbox)
    sandbox.admin.post(f"/invoices/{first['id']}/payments")
    store = sandbox.admin.post(
        f"/invoices/{first['id']}/credit_notes",
        json={"type": "store", "amount": 20_000, "reason_code": "subscription_change"},
    ).json()["credit_note"]
    assert (store["status"], store["amount_available"]) == ("refund_due", 20_000)
    assert store["line_item_taxes"] == [] and store["sub_total"] == 20_000

    later = _invoice(sandbox, first["customer_id"], store_credits=[store["id"]])
    assert schema_errors(schemas("Invoice"), later) == []
    [credit] = later["line_item_credits"]
    assert (credit["cn_id"], credit["applied_amount"]) == (store["id"], 20_000)
    assert later["tax"] == 8_000  # 10 % of 100,000 less the 20,000 taken before tax
    if conventions.store_credits_reduce_total:
        assert later["total"] == 88_000 and later["applied_credits"] == []
    else:
        assert later["total"] == 108_000
        [applied] = later["applied_credits"]
        assert (applied["applied_amount"], applied["tax_application"]) == (20_000, "pre_tax")
    assert later["amount_due"] == 88_000
    used = _get(sandbox, f"/credit_notes/{store['id']}", "credit_note")
    assert schema_errors(schemas("CreditNote"), used) == []
    assert used["amount_available"] == 0
    assert used["allocations"][0]["tax_application"] == "pre_tax"


@BOTH
def test_prorated_and_rounded_credit_notes(
    start_sandbox: Any, schemas: Schemas, conventions: Conventions
) -> None:
    sandbox = start_sandbox(conventions=conventions)
    lines = [{"description": f"Line {n}", "unit_amount": 3_333 + n} for n in range(3)]
    invoice = _invoice(sandbox, lines=lines)
    sandbox.admin.post(f"/invoices/{invoice['id']}/payments")
    prorated = sandbox.admin.post(
        f"/invoices/{invoice['id']}/credit_notes",
        json={"type": "refundable", "amount": 1_001, "prorate": True},
    ).json()["credit_note"]
    assert schema_errors(schemas("CreditNote"), prorated) == []
    lines_sum = sum(li["amount"] + li["tax_amount"] for li in prorated["line_items"])
    correction = prorated["fractional_correction"]
    # Each line's share rounded on its own leaves a cent over: the fractional correction.
    assert correction == -1 and prorated["total"] == 1_001
    in_total = conventions.fractional_correction_in_total
    assert lines_sum == 1_001 - (correction if in_total else 0)
    rounded = sandbox.admin.post(
        f"/invoices/{invoice['id']}/credit_notes",
        json={"type": "refundable", "amount": 1_020, "round_off": True},
    ).json()["credit_note"]
    assert (rounded["total"], rounded["round_off_amount"]) == (1_000, -20)
    assert sum(li["amount"] + li["tax_amount"] for li in rounded["line_items"]) == 1_020
