"""Customers, credit notes, payments and refunds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.builders.documents import JAN_15, amounts, context, example_mapping, line, payment

from chargebee_netsuite.mapping.model import CreditNoteTarget
from chargebee_netsuite.mapping.validation import Problem, Scope, ValidationReport
from chargebee_netsuite.transform.credit_memo import (
    credit_memo_posting,
    credit_note_reversal_posting,
)
from chargebee_netsuite.transform.customer import customer_posting
from chargebee_netsuite.transform.model import Quarantined, Ref, Skipped, TransformContext
from chargebee_netsuite.transform.transactions import transaction_posting

INVOICE_1 = Ref("invoice", "cb-acme_2Dtest-inv-1001")
INVOICE_2 = Ref("invoice", "cb-acme_2Dtest-inv-1002")


def customer(**extra: Any) -> dict[str, Any]:
    doc = {
        "id": "cust_1",
        "first_name": "Ada",
        "last_name": "Okafor",
        "email": "ada@example.com",
        "phone": "+1-555-0100",
        "preferred_currency_code": "USD",
        "deleted": False,
    }
    return {**doc, **extra}


def credit_note(**extra: Any) -> dict[str, Any]:
    doc = {
        "id": "CN-7",
        "customer_id": "cust_1",
        "reference_invoice_id": "1001",
        "type": "adjustment",
        "reason_code": "order_change",
        "status": "adjusted",
        "currency_code": "USD",
        "date": JAN_15,
        "total": 5000,
        "line_items": [line("cl_1", 5000)],
        "allocations": [
            {"invoice_id": "1001", "allocated_amount": 3000},
            {"invoice_id": "1002", "allocated_amount": 2000},
        ],
    }
    return {**doc, **extra}


def test_a_company_customer_is_billed_in_every_currency_it_uses(ctx: TransformContext) -> None:
    posting = customer_posting(ctx, customer(company="Acme GmbH"), ["EUR", "USD"])
    body = posting.body
    assert posting.external_id == "cb-acme_2Dtest-cust-cust_5F1"
    assert body["isPerson"] is False
    assert body["companyName"] == "Acme GmbH"
    assert body["currency"] == {"id": "1"}
    assert body["currencyList"]["items"] == [{"currency": {"id": "3"}}, {"currency": {"id": "1"}}]
    assert body["subsidiary"] == {"id": "1"}
    assert body["email"] == "ada@example.com"
    assert body["phone"] == "+1-555-0100"


def test_a_person_customer_has_names_and_a_deleted_one_is_inactive(
    ctx: TransformContext,
) -> None:
    body = customer_posting(ctx, customer(deleted=True)).body
    assert (body["isPerson"], body["firstName"], body["lastName"]) == (True, "Ada", "Okafor")
    assert body["isInactive"] is True


def test_a_customer_in_an_unmapped_currency_is_quarantined_with_the_fix(
    ctx: TransformContext,
) -> None:
    with pytest.raises(Quarantined, match=r"Add `CHF: <NetSuite currency id>` under currencies"):
        customer_posting(ctx, customer(preferred_currency_code="CHF"))


def test_a_credit_note_is_applied_to_its_allocated_invoices(ctx: TransformContext) -> None:
    posting = credit_memo_posting(ctx, credit_note())
    body = posting.body
    assert posting.record_type == "creditMemo"
    assert posting.external_id == "cb-acme_2Dtest-cn-CN_2D7"
    assert body["memo"] == "Chargebee credit note CN-7 (order_change) for invoice 1001"
    assert body["apply"]["items"] == [
        {"doc": INVOICE_1, "apply": True, "amount": Decimal("30.00")},
        {"doc": INVOICE_2, "apply": True, "amount": Decimal("20.00")},
    ]
    assert amounts(body["item"]["items"]) == [Decimal("50.00")]
    assert body["item"]["items"][0]["item"] == {"id": "1"}


def test_a_refundable_credit_note_without_allocations_stays_unapplied(
    ctx: TransformContext,
) -> None:
    body = credit_memo_posting(ctx, credit_note(type="refundable", allocations=[])).body
    assert "apply" not in body


def test_write_offs_post_on_the_item_their_reason_rule_names() -> None:
    mapping = example_mapping()
    rules = {"write_off": CreditNoteTarget(item="7", account="16")}
    ctx = context(
        mapping.model_copy(
            update={
                "credit_notes": mapping.credit_notes.model_copy(update={"by_reason_code": rules})
            }
        )
    )
    body = credit_memo_posting(ctx, credit_note(reason_code="write_off")).body
    assert [li["item"] for li in body["item"]["items"]] == [{"id": "7"}]


def test_a_reason_mapped_to_an_account_only_says_an_item_is_needed() -> None:
    account_only = example_mapping(**{"      item: 11 ": "      account: 16 "})
    assert account_only.credit_notes.by_reason_code["Write Off"].item is None
    with pytest.raises(
        Quarantined, match=r"Add `item: <id>` to credit_notes\.by_reason_code\.Write Off"
    ):
        write_off = credit_note(reason_code="write_off", create_reason_code="Write Off")
        credit_memo_posting(context(account_only), write_off)


def test_a_reason_the_preflight_blocked_is_quarantined_with_its_problem() -> None:
    problem = Problem(
        "credit_notes.by_reason_code.waiver.item",
        "credit_notes.by_reason_code.waiver.item: item 99 does not exist in NetSuite.",
        Scope(credit_note_reasons=frozenset({"waiver"})),
    )
    base = context()
    rules = {"waiver": CreditNoteTarget(item="99")}
    notes = base.mapping.credit_notes.model_copy(update={"by_reason_code": rules})
    mapping = base.mapping.model_copy(update={"credit_notes": notes})
    ctx = TransformContext(
        base.site, mapping, base.reference, base.settings, ValidationReport([problem])
    )
    with pytest.raises(Quarantined, match=r"\(reason waiver\): .*item 99 does not exist"):
        credit_memo_posting(ctx, credit_note(reason_code="waiver"))


def test_the_merchant_reason_code_wins_over_the_deprecated_one() -> None:
    mapping = example_mapping()
    rules = {"Goodwill": CreditNoteTarget(item="7"), "waiver": CreditNoteTarget(item="6")}
    notes = mapping.credit_notes.model_copy(update={"by_reason_code": rules})
    ctx = context(mapping.model_copy(update={"credit_notes": notes}))

    def items(**codes: Any) -> list[Any]:
        body = credit_memo_posting(ctx, credit_note(**codes)).body
        return [li["item"] for li in body["item"]["items"]]

    assert items(create_reason_code="Goodwill", reason_code="waiver") == [{"id": "7"}]
    # No rule for the merchant's code: the deprecated code's rule applies.
    assert items(create_reason_code="Something Else", reason_code="waiver") == [{"id": "6"}]
    # Only the merchant's code (reason_code is deprecated and may be absent).
    assert items(create_reason_code="Goodwill", reason_code=None) == [{"id": "7"}]


def test_a_store_credit_note_posts_as_an_open_credit_memo(ctx: TransformContext) -> None:
    store = credit_note(
        type="store",
        reason_code=None,
        create_reason_code="Subscription Change",
        status="refund_due",
        allocations=[],
    )
    body = credit_memo_posting(ctx, store).body
    assert "apply" not in body
    assert body["memo"] == "Chargebee store credit note CN-7 (Subscription Change) for invoice 1001"


def test_a_fractional_correction_posts_on_the_rounding_item_when_it_is_in_the_total(
    ctx: TransformContext,
) -> None:
    beside = credit_note(total=5000, line_items=[line("cl_1", 5003)], fractional_correction=-3)
    lines = credit_memo_posting(ctx, beside).body["item"]["items"]
    assert [(li["item"]["id"], li["amount"]) for li in lines] == [
        ("1", Decimal("50.03")),
        ("10", Decimal("-0.03")),
    ]
    # Reported, but already absorbed by the lines: nothing more to post.
    absorbed = credit_note(total=5000, line_items=[line("cl_1", 5000)], fractional_correction=-3)
    lines = credit_memo_posting(ctx, absorbed).body["item"]["items"]
    assert [li["amount"] for li in lines] == [Decimal("50.00")]


def test_a_negative_round_off_on_a_credit_note_posts_as_a_negative_rounding_line(
    ctx: TransformContext,
) -> None:
    rounded = credit_note(total=5000, line_items=[line("cl_1", 5006)], round_off_amount=-6)
    lines = credit_memo_posting(ctx, rounded).body["item"]["items"]
    assert [li["amount"] for li in lines] == [Decimal("50.06"), Decimal("-0.06")]


def test_lines_that_do_not_sum_say_what_was_counted(ctx: TransformContext) -> None:
    off = credit_note(total=5000, line_items=[line("cl_1", 5100)], fractional_correction=-3)
    with pytest.raises(Quarantined, match="any fractional correction or store credit taken"):
        credit_memo_posting(ctx, off)


def test_a_voided_credit_note_is_re_applied_to_its_reversal_invoice(ctx: TransformContext) -> None:
    voided = credit_note(status="voided", allocations=[], voided_at=JAN_15 + 86400)
    reversal = credit_note_reversal_posting(ctx, voided)
    assert reversal.record_type == "invoice"
    assert reversal.external_id == "cb-acme_2Dtest-cnrev-CN_2D7"
    assert reversal.body["memo"].startswith(
        "Reverses Chargebee credit note CN-7, voided on 2024-01-16"
    )
    memo = credit_memo_posting(ctx, voided, unapply_ids=["501", "502"]).body
    assert memo["apply"]["items"] == [
        {"doc": {"id": "501"}, "apply": False},
        {"doc": {"id": "502"}, "apply": False},
        {"doc": Ref("invoice", reversal.external_id), "apply": True, "amount": Decimal("50.00")},
    ]


def test_a_payment_posts_on_its_clearing_account_applied_as_chargebee_applied_it(
    ctx: TransformContext,
) -> None:
    posting = transaction_posting(ctx, payment())
    body = posting.body
    assert posting.record_type == "customerPayment"
    assert body["payment"] == Decimal("100.00")
    assert body["account"] == {"id": "3"}  # stripe x USD
    assert body["arAcct"] == {"id": "6"}
    assert body["apply"]["items"] == [
        {"doc": INVOICE_1, "apply": True, "amount": Decimal("60.00")},
        {"doc": INVOICE_2, "apply": True, "amount": Decimal("25.00")},
    ]
    # 15.00 of the 100.00 is applied to nothing and stays unapplied on the payment.
    assert "ch_123" in body["memo"]


def test_the_account_follows_gateway_and_currency_rules(ctx: TransformContext) -> None:
    offline_gbp = payment(gateway="not_applicable", currency_code="GBP", linked_invoices=[])
    assert transaction_posting(ctx, offline_gbp).body["account"] == {"id": "4"}
    assert "apply" not in transaction_posting(ctx, offline_gbp).body
    stripe_eur = payment(currency_code="EUR")
    assert transaction_posting(ctx, stripe_eur).body["account"] == {"id": "2"}


def test_two_payments_with_the_same_amount_and_date_are_two_payments(
    ctx: TransformContext,
) -> None:
    first = transaction_posting(ctx, payment(id="txn_a"))
    second = transaction_posting(ctx, payment(id="txn_b"))
    assert first.external_id != second.external_id


@pytest.mark.parametrize("status", ["failure", "voided", "in_progress", "timeout"])
def test_unsuccessful_payments_are_never_posted(ctx: TransformContext, status: str) -> None:
    with pytest.raises(Skipped, match=f"status {status}"):
        transaction_posting(ctx, payment(status=status))


def test_authorisations_move_no_money(ctx: TransformContext) -> None:
    with pytest.raises(Skipped, match="authorization"):
        transaction_posting(ctx, payment(type="authorization"))


def test_a_refund_is_applied_to_the_credit_memos_it_pays_out(ctx: TransformContext) -> None:
    refund = payment(
        id="txn_r",
        type="refund",
        amount=2500,
        linked_invoices=[],
        linked_credit_notes=[{"cn_id": "CN-7", "applied_amount": 2500}],
    )
    posting = transaction_posting(ctx, refund)
    assert posting.record_type == "customerRefund"
    assert posting.body["account"] == {"id": "3"}
    assert posting.body["apply"]["items"] == [
        {
            "doc": Ref("creditMemo", "cb-acme_2Dtest-cn-CN_2D7"),
            "apply": True,
            "amount": Decimal("25.00"),
        }
    ]


def test_a_refund_linked_to_nothing_is_quarantined(ctx: TransformContext) -> None:
    refund = payment(type="refund", linked_invoices=[], linked_credit_notes=[])
    with pytest.raises(Quarantined, match="nothing to apply it to"):
        transaction_posting(ctx, refund)
