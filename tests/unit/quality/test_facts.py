"""Facts derived from raw Chargebee JSON: line sums, balances, applications, references."""

from __future__ import annotations

from typing import Any

import pytest

from chargebee_netsuite.quality.facts import document_facts, lines_total


def _invoice(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "1042",
        "status": "paid",
        "price_type": "tax_exclusive",
        "currency_code": "USD",
        "total": 10_935,
        "amount_paid": 5_000,
        "amount_due": 4_935,
        "credits_applied": 1_000,
        "applied_credits": [{"cn_id": "CN-1", "applied_amount": 1_000, "cn_status": "adjusted"}],
        "amount_adjusted": 0,
        "adjustment_credit_notes": [],
        "round_off_amount": 5,
        "line_items": [
            {"amount": 10_000, "discount_amount": 1_000, "tax_amount": 1_800},
            {"amount": 130, "tax_amount": 0},
        ],
    }
    doc.update(overrides)
    return doc


def test_lines_total_is_amounts_less_discounts_plus_taxes_and_round_off() -> None:
    assert lines_total(_invoice()) == 10_000 - 1_000 + 1_800 + 130 + 5


def test_tax_inclusive_lines_already_contain_their_tax() -> None:
    assert lines_total(_invoice(price_type="tax_inclusive")) == 10_000 - 1_000 + 130 + 5


def test_missing_or_malformed_amounts_count_as_zero_so_the_sum_exposes_them() -> None:
    doc = _invoice(line_items=[{"amount": "100"}, {"amount": True}, "junk"], round_off_amount=None)
    assert lines_total(doc) == 0


def test_invoice_balances_add_paid_due_credits_and_adjustments() -> None:
    facts = document_facts("invoice", _invoice())
    assert facts.lines_total == 10_935
    assert facts.settled_total == 5_000 + 4_935 + 1_000
    assert facts.refs == frozenset()


def test_adjustments_come_from_the_adjustment_credit_notes_never_from_amount_adjusted() -> None:
    doc = _invoice(
        amount_due=4_635,
        amount_adjusted=123_456,  # whatever it says: the array decides
        adjustment_credit_notes=[
            {"cn_id": "CN-2", "cn_total": 300, "cn_status": "adjusted"},
            {"cn_id": "CN-3", "cn_total": 999, "cn_status": "voided"},
        ],
    )
    assert document_facts("invoice", doc).settled_total == 10_935


@pytest.mark.parametrize("adjusted", [6_935, 0], ids=["adjusted-has-write-off", "adjusted-without"])
def test_a_written_off_invoice_balances_whether_or_not_amount_adjusted_has_the_write_off(
    adjusted: int,
) -> None:
    """Chargebee's write-off: paid, write_off_amount = what was due, an adjustment note
    ("Write Off") in adjustment_credit_notes; nothing is added on top for write_off_amount."""
    doc = _invoice(
        amount_due=0,
        applied_credits=[],
        credits_applied=0,
        amount_paid=4_000,
        write_off_amount=6_935,
        amount_adjusted=adjusted,
        adjustment_credit_notes=[
            {
                "cn_id": "CN-9",
                "cn_reason_code": "write_off",
                "cn_create_reason_code": "Write Off",
                "cn_total": 6_935,
                "cn_status": "adjusted",
            }
        ],
    )
    assert document_facts("invoice", doc).settled_total == 10_935


def test_withheld_tax_counts_by_its_amount() -> None:
    """linked_taxes_withheld[] entries carry ``amount`` (there is no ``applied_amount``)."""
    withheld = {"id": "tax_wh_1", "amount": 935, "date": 1_700_000_000, "reference_number": "W"}
    doc = _invoice(amount_due=4_000, linked_taxes_withheld=[withheld])
    assert document_facts("invoice", doc).settled_total == 10_935


def test_a_fractional_correction_in_the_total_is_part_of_the_lines() -> None:
    note = {
        "total": 10_000,
        "fractional_correction": -3,
        "round_off_amount": 0,
        "line_items": [{"amount": 5_001, "tax_amount": 0}, {"amount": 5_002, "tax_amount": 0}],
    }
    assert document_facts("credit_note", note).lines_total == 10_000
    # Reported but already absorbed by the lines: the lines alone make the total.
    absorbed = {**note, "line_items": [{"amount": 5_000}, {"amount": 5_000}]}
    assert document_facts("credit_note", absorbed).lines_total == 10_000


def test_a_negative_round_off_on_a_credit_note_comes_off_the_lines() -> None:
    note = {"total": 5_000, "round_off_amount": -6, "line_items": [{"amount": 5_006}]}
    assert document_facts("credit_note", note).lines_total == 5_000


@pytest.mark.parametrize("net", [True, False], ids=["total-net-of-credits", "total-keeps-them"])
def test_store_credits_taken_before_tax_explain_the_lines(net: bool) -> None:
    """Store credits come off the lines before tax (line_item_credits): the total is either
    net of them, or keeps them and applied_credits settles them."""
    # applied_amount is the one amount the spec types as a double.
    credits = [{"cn_id": "CN-5", "applied_amount": 1_000.0, "line_item_id": "li_1"}]
    lines = [{"id": "li_1", "amount": 10_000, "tax_amount": 900}]  # tax on 9,000
    doc = _invoice(
        total=9_900 if net else 10_900,
        line_items=lines,
        line_item_credits=credits,
        round_off_amount=0,
    )
    assert document_facts("invoice", doc).lines_total == doc["total"]


def test_voided_documents_have_no_balance_rule() -> None:
    assert document_facts("invoice", _invoice(status="voided")).settled_total is None
    note = {"status": "voided", "total": 100, "line_items": []}
    assert document_facts("credit_note", note).settled_total is None


def test_credit_note_balances_and_its_invoice() -> None:
    note = {
        "id": "CN-7",
        "reference_invoice_id": "1042",
        "total": 500,
        "amount_allocated": 200,
        "amount_refunded": 100,
        "amount_available": 200,
        "line_items": [{"amount": 500}],
    }
    facts = document_facts("credit_note", note)
    assert (facts.lines_total, facts.settled_total) == (500, 500)
    assert facts.refs == {("invoice", "1042")}


def test_payment_applications_and_their_invoices() -> None:
    payment = {
        "type": "payment",
        "amount": 1_000,
        "linked_invoices": [
            {"invoice_id": "1", "applied_amount": 600},
            {"invoice_id": "2", "applied_amount": 400},
            {"invoice_id": "3", "applied_amount": 0},  # nothing applied: not a dependency
        ],
    }
    facts = document_facts("transaction", payment)
    assert facts.applied_total == 1_000
    assert facts.refs == {("invoice", "1"), ("invoice", "2")}


def test_refund_depends_on_its_credit_notes_and_payment() -> None:
    refund = {
        "type": "refund",
        "amount": 300,
        "refunded_txn_id": "txn_1",
        "linked_credit_notes": [{"cn_id": "CN-2", "applied_amount": 300}],
    }
    facts = document_facts("transaction", refund)
    assert facts.applied_total == 300
    assert facts.refs == {("credit_note", "CN-2"), ("transaction", "txn_1")}


def test_catalog_and_customers_have_no_facts() -> None:
    assert document_facts("customer", {"id": "c"}).lines_total is None
