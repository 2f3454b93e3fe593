"""Chargebacks and after-the-fact voids: official shapes, re-opened invoices, consistent money."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .conftest import Sandbox, Schemas, schema_errors


def _by_id(sandbox: Sandbox, path: str, key: str) -> dict[str, dict[str, Any]]:
    params = {"include_deleted": "true"}
    return {row[key]["id"]: row[key] for row in sandbox.list_all(path, **params)}


def _money_is_consistent(invoice: dict[str, Any]) -> None:
    paid = sum(
        p["applied_amount"] for p in invoice["linked_payments"] if p.get("txn_status") == "success"
    )
    credits = sum(c["applied_amount"] for c in invoice["applied_credits"])
    adjusted = sum(c["cn_total"] for c in invoice["adjustment_credit_notes"])
    assert invoice["amount_paid"] == paid
    assert invoice["amount_due"] == invoice["total"] - paid - credits - adjusted
    assert (invoice["status"] == "paid") == (invoice["amount_due"] == 0)


def test_generated_chargebacks_are_valid_and_re_open_what_their_payment_paid(
    start_sandbox: Callable[..., Sandbox], schemas: Schemas
) -> None:
    sandbox = start_sandbox(scale=30, random_seed=1)
    txns = _by_id(sandbox, "transactions", "transaction")
    invoices = _by_id(sandbox, "invoices", "invoice")
    chargebacks = [t for t in txns.values() if t["type"] == "payment_reversal"]
    # Full and partial ones, naming their invoices and not.
    assert len(chargebacks) >= 3
    # Online: the chargeback names no payment; the payment names it (reversal_transaction_id).
    assert not any("reference_transaction_id" in c for c in chargebacks)
    reversed_by = {
        t["reversal_transaction_id"]: t for t in txns.values() if "reversal_transaction_id" in t
    }
    payments = {c["id"]: reversed_by[c["id"]] for c in chargebacks}
    assert any(c["amount"] < payments[c["id"]]["amount"] for c in chargebacks)
    assert any(c["amount"] == payments[c["id"]]["amount"] for c in chargebacks)
    assert any(c["linked_invoices"] for c in chargebacks)
    assert any(not c["linked_invoices"] for c in chargebacks)
    transaction_schema = schemas("Transaction")
    for chargeback in chargebacks:
        payment = payments[chargeback["id"]]
        assert schema_errors(transaction_schema, chargeback) == []
        assert schema_errors(transaction_schema, payment) == []
        assert chargeback["status"] == "success"
        assert payment["reversal_transaction_id"] == chargeback["id"]
        assert (chargeback["gateway"], chargeback["currency_code"]) == (
            payment["gateway"],
            payment["currency_code"],
        )
        assert chargeback["id_at_gateway"].startswith("dp_")
        # What the payment paid at the time minus what is still applied is what came back.
        reopened = 0
        for link in payment["linked_invoices"]:
            invoice = invoices[link["invoice_id"]]
            entry = next(p for p in invoice["linked_payments"] if p["txn_id"] == payment["id"])
            reopened += link["applied_amount"] - entry["applied_amount"]
            _money_is_consistent(invoice)
        assert reopened == chargeback["amount"]
        named = sum(link["applied_amount"] for link in chargeback["linked_invoices"])
        assert named in (0, chargeback["amount"])
    invoice_schema = schemas("Invoice")
    for invoice in invoices.values():
        assert schema_errors(invoice_schema, invoice) == [], invoice["id"]


def _card_payment(sandbox: Sandbox) -> dict[str, Any]:
    txns = _by_id(sandbox, "transactions", "transaction")
    return next(
        t
        for t in txns.values()
        if t["type"] == "payment"
        and t["status"] == "success"
        and t["payment_method"] == "card"
        and not t.get("reversal_transaction_id")
        and not t["linked_refunds"]
        and not t.get("deleted")
    )


def _invoice(sandbox: Sandbox, invoice_id: str) -> dict[str, Any]:
    invoice: dict[str, Any] = sandbox.api.get(f"/invoices/{invoice_id}").json()["invoice"]
    return invoice


def test_an_admin_chargeback_re_opens_the_invoice_and_blocks_refunds(
    start_sandbox: Callable[..., Sandbox], schemas: Schemas
) -> None:
    sandbox = start_sandbox(scale=12, random_seed=3)
    payment = _card_payment(sandbox)
    invoice_id = payment["linked_invoices"][-1]["invoice_id"]
    before = _invoice(sandbox, invoice_id)
    answer = sandbox.admin.post(
        f"/transactions/{payment['id']}/chargeback", json={"amount": 1000}
    ).json()
    chargeback = answer["transaction"]
    assert schema_errors(schemas("Transaction"), chargeback) == []
    assert chargeback["type"] == "payment_reversal"
    assert "reference_transaction_id" not in chargeback
    charged = sandbox.api.get(f"/transactions/{payment['id']}").json()["transaction"]
    assert charged["reversal_transaction_id"] == chargeback["id"]
    assert chargeback["linked_invoices"][0]["invoice_id"] == invoice_id
    assert len(answer["events"]) >= 3  # transaction_created, transaction_updated, invoice_updated
    after = _invoice(sandbox, invoice_id)
    assert after["amount_paid"] == before["amount_paid"] - 1000
    assert after["amount_due"] == before["amount_due"] + 1000
    assert after["status"] in ("payment_due", "posted", "not_paid")
    _money_is_consistent(after)
    again = sandbox.admin.post(f"/transactions/{payment['id']}/chargeback")
    assert again.status_code == 409
    refund = sandbox.admin.post(f"/transactions/{payment['id']}/refunds")
    assert refund.status_code == 409


def test_voiding_a_payment_re_opens_its_invoice_and_voiding_a_refund_frees_the_credit(
    start_sandbox: Callable[..., Sandbox], schemas: Schemas
) -> None:
    sandbox = start_sandbox(scale=12, random_seed=3)
    payment = _card_payment(sandbox)
    invoice_id = payment["linked_invoices"][0]["invoice_id"]
    before = _invoice(sandbox, invoice_id)
    voided = sandbox.admin.post(f"/transactions/{payment['id']}/void").json()["transaction"]
    assert (voided["status"], "voided_at" in voided) == ("voided", True)
    assert schema_errors(schemas("Transaction"), voided) == []
    after = _invoice(sandbox, invoice_id)
    assert after["amount_due"] == before["amount_due"] + payment["amount"]
    _money_is_consistent(after)
    assert sandbox.admin.post(f"/transactions/{payment['id']}/void").status_code == 409

    other = _card_payment(sandbox)
    refund = sandbox.admin.post(
        f"/transactions/{other['id']}/refunds", json={"amount": 500}
    ).json()["transaction"]
    cn_id = refund["linked_credit_notes"][0]["cn_id"]
    assert sandbox.api.get(f"/credit_notes/{cn_id}").json()["credit_note"]["amount_refunded"] == 500
    sandbox.admin.post(f"/transactions/{refund['id']}/void").raise_for_status()
    cn = sandbox.api.get(f"/credit_notes/{cn_id}").json()["credit_note"]
    assert (cn["amount_refunded"], cn["status"]) == (0, "refund_due")
    assert cn["amount_available"] == cn["total"] - cn["amount_allocated"]
    assert schema_errors(schemas("CreditNote"), cn) == []
    paid = sandbox.api.get(f"/transactions/{other['id']}").json()["transaction"]
    assert [r["txn_status"] for r in paid["linked_refunds"]] == ["voided"]
    # The refund no longer counts, so the payment can be refunded again.
    assert sandbox.admin.post(f"/transactions/{other['id']}/refunds").status_code == 200


def test_an_automated_chargeback_is_a_refund_through_a_chargeback_credit_note(
    start_sandbox: Callable[..., Sandbox], schemas: Schemas
) -> None:
    sandbox = start_sandbox(scale=12, random_seed=3)
    payment = _card_payment(sandbox)
    invoice_id = payment["linked_invoices"][-1]["invoice_id"]
    before = _invoice(sandbox, invoice_id)
    answer = sandbox.admin.post(
        f"/transactions/{payment['id']}/chargeback", json={"amount": 1000, "shape": "refund"}
    ).json()
    refund = answer["transaction"]
    assert schema_errors(schemas("Transaction"), refund) == []
    assert (refund["type"], refund["payment_method"]) == ("refund", "chargeback")
    assert refund["refunded_txn_id"] == payment["id"]
    [note] = refund["linked_credit_notes"]
    assert (note["cn_reason_code"], note["applied_amount"]) == ("chargeback", 1000)
    cn = sandbox.api.get(f"/credit_notes/{note['cn_id']}").json()["credit_note"]
    assert schema_errors(schemas("CreditNote"), cn) == []
    assert (cn["type"], cn["reference_invoice_id"], cn["amount_refunded"]) == (
        "refundable",
        invoice_id,
        1000,
    )
    # The invoice stays as paid as it was; the credit note carries the chargeback.
    after = _invoice(sandbox, invoice_id)
    assert after["amount_due"] == before["amount_due"]
    _money_is_consistent(after)
    charged = sandbox.api.get(f"/transactions/{payment['id']}").json()["transaction"]
    assert [r["txn_id"] for r in charged["linked_refunds"]] == [refund["id"]]


def test_generated_hierarchies_have_a_parent_paying_its_childrens_invoices(
    start_sandbox: Callable[..., Sandbox], schemas: Schemas
) -> None:
    sandbox = start_sandbox(scale=10, random_seed=1, hierarchy_payment_customer="payment_owner")
    customers = _by_id(sandbox, "customers", "customer")
    children = [c for c in customers.values() if c.get("relationship")]
    assert len(children) == 2
    parent = children[0]["relationship"]["parent_id"]
    assert {c["relationship"]["payment_owner_id"] for c in children} == {parent}
    txns = _by_id(sandbox, "transactions", "transaction")
    invoices = _by_id(sandbox, "invoices", "invoice")
    owned = [i for i in invoices.values() if i.get("payment_owner") == parent]
    assert len(owned) == 6
    for invoice in owned:
        assert schema_errors(schemas("Invoice"), invoice) == []
        for link in invoice["linked_payments"]:
            assert txns[link["txn_id"]]["customer_id"] == parent
    shapes = {
        (t["type"], t["payment_method"])
        for t in txns.values()
        if t["customer_id"] == parent and t["type"] != "payment"
    }
    assert shapes == {("refund", "chargeback"), ("payment_reversal", "card")}


def test_the_variant_puts_the_invoices_customer_on_a_parents_payment(
    start_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = start_sandbox(scale=10, random_seed=1, hierarchy_payment_customer="invoice_owner")
    txns = _by_id(sandbox, "transactions", "transaction")
    owned = [i for i in _by_id(sandbox, "invoices", "invoice").values() if i.get("payment_owner")]
    assert owned
    for invoice in owned:
        for link in invoice["linked_payments"]:
            assert txns[link["txn_id"]]["customer_id"] == invoice["customer_id"]
