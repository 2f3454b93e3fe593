"""Chargebacks and payments voided after posting: unapply the payment, then refund it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.builders.documents import JAN_15, context, example_mapping, payment

from chargebee_netsuite.mapping.validation import Problem, Scope, ValidationReport
from chargebee_netsuite.transform.model import Quarantined, Ref, Skipped, TransformContext
from chargebee_netsuite.transform.transactions import (
    applications_after_chargebacks,
    payment_reversal_posting,
    transaction_posting,
    unapplied_payment_posting,
)

DAY = 86400
INVOICE_1 = Ref("invoice", "cb-acme_2Dtest-inv-1001")
INVOICE_2 = Ref("invoice", "cb-acme_2Dtest-inv-1002")
PAYMENT_1 = Ref("customerPayment", "cb-acme_2Dtest-txn-txn_5F1")


def chargeback(amount: int, *links: tuple[str, int], **extra: Any) -> dict[str, Any]:
    doc = {
        "id": "txn_cb",
        "customer_id": "cust_1",
        "type": "payment_reversal",
        "status": "success",
        "gateway": "stripe",
        "payment_method": "card",
        "id_at_gateway": "dp_987",
        "currency_code": "USD",
        "amount": amount,
        "date": JAN_15 + 20 * DAY,
        "reference_transaction_id": "txn_1",
        "linked_invoices": [{"invoice_id": i, "applied_amount": a} for i, a in links],
    }
    return {**doc, **extra}


def applied(ctx: TransformContext, *chargebacks: dict[str, Any]) -> list[dict[str, Any]]:
    posting = transaction_posting(ctx, payment(), list(chargebacks))
    items: list[dict[str, Any]] = posting.body["apply"]["items"]
    return items


def test_a_chargeback_is_a_refund_from_the_chargeback_account_applied_to_its_payment(
    ctx: TransformContext,
) -> None:
    posting = transaction_posting(ctx, chargeback(4000, ("1001", 4000)))
    body = posting.body
    assert posting.record_type == "customerRefund"
    assert posting.external_id == body["externalId"] == "cb-acme_2Dtest-txn-txn_5Fcb"
    assert body["account"] == {"id": "17"}  # chargebacks.default: 1050 Chargebacks Clearing
    assert body["arAcct"] == {"id": "6"}
    assert body["tranDate"] == "2024-02-04"  # dated at the chargeback, not the payment
    assert body["apply"] == {
        "items": [{"doc": PAYMENT_1, "apply": True, "amount": Decimal("40.00")}]
    }
    for named in ("chargeback txn_cb", "payment txn_1", "dp_987"):
        assert named in body["memo"]


def test_a_partial_chargeback_naming_its_invoice_reduces_only_that_application(
    ctx: TransformContext,
) -> None:
    assert applied(ctx, chargeback(3000, ("1001", 3000))) == [
        {"doc": INVOICE_1, "apply": True, "amount": Decimal("30.00")},
        {"doc": INVOICE_2, "apply": True, "amount": Decimal("25.00")},
    ]


def test_a_chargeback_naming_no_invoice_comes_off_the_last_application_backwards(
    ctx: TransformContext,
) -> None:
    # 40.00: all 25.00 of invoice 1002 (now apply: false, which an omitted line would not
    # be on an upsert), then 15.00 of invoice 1001.
    assert applied(ctx, chargeback(4000)) == [
        {"doc": INVOICE_1, "apply": True, "amount": Decimal("45.00")},
        {"doc": INVOICE_2, "apply": False},
    ]


def test_a_full_chargeback_unapplies_every_invoice(ctx: TransformContext) -> None:
    assert applied(ctx, chargeback(10000, ("1001", 6000), ("1002", 2500))) == [
        {"doc": INVOICE_1, "apply": False},
        {"doc": INVOICE_2, "apply": False},
    ]


def test_what_a_named_chargeback_does_not_place_comes_from_unapplied_cash_first() -> None:
    # 80.00 naming 60.00 of invoice 1001: the other 20.00 takes the 15.00 unapplied first,
    # and only the last 5.00 comes off invoice 1002.
    after = applications_after_chargebacks(payment(), [chargeback(8000, ("1001", 6000))])
    assert after == [("1001", 6000, 0), ("1002", 2500, 2000)]


def test_several_chargebacks_add_up_and_dead_ones_take_nothing_back() -> None:
    first = chargeback(1000, ("1002", 1000), id="txn_a")
    second = chargeback(2000, ("1002", 1500), ("1001", 500), id="txn_b", date=JAN_15 + 30 * DAY)
    voided = chargeback(6000, ("1001", 6000), id="txn_v", status="voided")
    deleted = chargeback(6000, ("1001", 6000), id="txn_d", deleted=True)
    after = applications_after_chargebacks(payment(), [second, voided, first, deleted])
    assert after == [("1001", 6000, 5500), ("1002", 2500, 0)]


@pytest.mark.parametrize("status", ["failure", "voided", "in_progress"])
def test_unsuccessful_chargebacks_are_never_posted(ctx: TransformContext, status: str) -> None:
    with pytest.raises(Skipped, match=f"status {status}"):
        transaction_posting(ctx, chargeback(4000, status=status))


def test_a_chargeback_naming_no_payment_is_quarantined(ctx: TransformContext) -> None:
    orphan = chargeback(4000, reference_transaction_id=None)
    with pytest.raises(Quarantined, match="named by no staged payment") as raised:
        transaction_posting(ctx, orphan)
    assert raised.value.code == "UNLINKED_CHARGEBACK"


def test_a_chargeback_without_an_account_is_quarantined_naming_the_fix() -> None:
    unmapped = example_mapping(**{"chargebacks:\n  default: 17": "chargebacks:\n  rules: []"})
    with pytest.raises(Quarantined) as raised:
        transaction_posting(context(unmapped), chargeback(4000))
    assert raised.value.code == "UNMAPPED_ACCOUNT"
    assert "Chargebee chargeback txn_cb went through stripe in USD" in raised.value.reason
    assert "Add a rule under chargebacks.rules for gateway stripe and currency USD" in (
        raised.value.reason
    )
    assert "or set chargebacks.default" in raised.value.reason


def test_a_chargeback_the_preflight_blocked_repeats_the_preflight_sentence() -> None:
    problem = Problem(
        "chargebacks.default",
        "chargebacks.default: account 17 is inactive in NetSuite. Reactivate it.",
        Scope(chargeback_gateways=frozenset({("stripe", "USD")})),
    )
    ctx = context()
    ctx = TransformContext(
        ctx.site, ctx.mapping, ctx.reference, ctx.settings, ValidationReport([problem])
    )
    with pytest.raises(Quarantined, match="account 17 is inactive in NetSuite"):
        transaction_posting(ctx, chargeback(4000))
    # The payment itself is not blocked by a chargeback problem.
    assert transaction_posting(ctx, payment()).record_type == "customerPayment"


def test_a_payment_voided_after_posting_is_unapplied_then_refunded_in_full(
    ctx: TransformContext,
) -> None:
    voided = payment(status="voided", voided_at=JAN_15 + 17 * DAY, updated_at=JAN_15 + 18 * DAY)
    unapplied = unapplied_payment_posting(ctx, voided)
    original = transaction_posting(ctx, payment())
    assert unapplied.external_id == original.external_id
    assert unapplied.body["payment"] == original.body["payment"] == Decimal("100.00")
    assert unapplied.body["account"] == original.body["account"] == {"id": "3"}
    assert unapplied.body["apply"] == {
        "items": [{"doc": INVOICE_1, "apply": False}, {"doc": INVOICE_2, "apply": False}]
    }
    reversal = payment_reversal_posting(ctx, voided, 10000)
    body = reversal.body
    assert reversal.record_type == "customerRefund"
    assert reversal.external_id == body["externalId"] == "cb-acme_2Dtest-txnrev-txn_5F1"
    assert body["account"] == {"id": "3"}  # the payment's own account (stripe x USD)
    assert body["tranDate"] == "2024-02-01"  # voided_at, not updated_at
    assert body["apply"] == {
        "items": [{"doc": PAYMENT_1, "apply": True, "amount": Decimal("100.00")}]
    }
    assert "Reverses Chargebee payment txn_1" in body["memo"]
    assert "voided on 2024-02-01 in Chargebee" in body["memo"]


def test_a_deleted_payment_is_reversed_as_of_its_deletion(ctx: TransformContext) -> None:
    deleted = payment(deleted=True, updated_at=JAN_15 + 3 * DAY)
    reversal = payment_reversal_posting(ctx, deleted, 2500)
    assert reversal.body["tranDate"] == "2024-01-18"
    assert "deleted on 2024-01-18" in reversal.body["memo"]
    assert reversal.body["apply"]["items"][0]["amount"] == Decimal("25.00")
