"""Reasons name the document, the numbers and the fix."""

from __future__ import annotations

from chargebee_netsuite.quality import reasons
from chargebee_netsuite.quality.suites import checks_for


def test_line_sum_reason_names_the_invoice_the_amounts_and_the_fix() -> None:
    row = {"id": "1042", "currency_code": "USD", "lines_total": 9_900, "total": 10_000}
    assert reasons.lines_sum_to_total("invoice", row) == (
        "invoice 1042: lines sum to 99.00 USD but total is 100.00 USD (line amounts less "
        "discounts, plus taxes, round-off and any fractional correction or store credit taken "
        "before tax counted) — Chargebee data is inconsistent; fix the invoice in Chargebee or "
        "exclude it."
    )


def test_zero_decimal_currencies_are_whole_units() -> None:
    row = {"id": "7", "currency_code": "JPY", "settled_total": 1_500, "total": 1_600}
    assert "come to 1500 JPY but total is 1600 JPY" in reasons.settled_equals_total("invoice", row)


def test_transactions_are_named_by_their_type() -> None:
    row = {"id": "txn_1", "type": "payment", "missing_invoice_id": "INV-9"}
    reason = reasons.reference_resolvable("invoice", "missing_invoice_id")("transaction", row)
    assert reason.startswith("payment txn_1 refers to invoice INV-9, which is neither staged")
    assert "fix the payment in Chargebee" in reason


def test_every_check_writes_a_sentence_naming_the_document() -> None:
    from datetime import UTC, datetime

    row = {"id": "DOC-1", "type": "refund", "currency_code": "EUR", "date": 0, "due_date": 0}
    for kind in ("customer", "item", "item_price", "invoice", "credit_note", "transaction"):
        for check in checks_for(kind, ["EUR"], datetime.now(UTC)):
            sentence = check.reason(kind, row)
            assert "DOC-1" in sentence, check.name
            assert sentence.endswith("."), check.name


def test_credit_notes_are_named_in_full() -> None:
    row = {"id": "CN-7", "missing_invoice_id": "1042"}
    reason = reasons.reference_resolvable("invoice", "missing_invoice_id")("credit_note", row)
    assert reason.startswith("credit note CN-7 refers to invoice 1042")
    assert reason.endswith("or fix the credit note in Chargebee.")
