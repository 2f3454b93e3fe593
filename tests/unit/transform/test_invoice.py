"""Invoices: one line per Chargebee line, discounts, taxes and rounding, summing to the total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.builders.documents import amounts, context, example_mapping, invoice, line

from chargebee_netsuite.transform.invoice import invoice_posting, invoice_reversal_posting
from chargebee_netsuite.transform.model import (
    Held,
    Quarantined,
    Ref,
    Skipped,
    TransformContext,
)

VAT = {"tax_name": "VAT", "tax_rate": 19.0}


def taxed_invoice(**extra: Any) -> dict[str, Any]:
    lines = [
        line("li_1", 49900, discount=4990, tax=8533),
        line(
            "li_2", 2900, price="extra-seats-USD-monthly", entity_type="addon_item_price", tax=551
        ),
    ]
    taxes = [
        {"line_item_id": "li_1", "tax_amount": 8533, **VAT},
        {"line_item_id": "li_2", "tax_amount": 551, **VAT},
    ]
    discounts = [{"line_item_id": "li_1", "discount_amount": 4990, "coupon_id": "LOYALTY10"}]
    return invoice(lines, taxes=taxes, discounts=discounts, round_off=16, **extra)


def total_of(lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(str(li["amount"])) for li in lines), Decimal(0))


def test_lines_discounts_tax_and_rounding_sum_exactly_to_the_chargebee_total(
    ctx: TransformContext,
) -> None:
    doc = taxed_invoice()
    posting = invoice_posting(ctx, doc)
    lines = posting.body["item"]["items"]
    assert amounts(lines) == [
        Decimal("499.00"),
        Decimal("-49.90"),
        Decimal("29.00"),
        Decimal("90.84"),
        Decimal("0.16"),
    ]
    assert total_of(lines) == Decimal(doc["total"]) / 100
    assert [li["item"]["id"] for li in lines] == ["1", "8", "4", "9", "10"]
    assert lines[1]["description"].startswith("Discount LOYALTY10")
    assert lines[3]["description"] == "VAT @ 19%"
    assert [li["line"] for li in lines] == [1, 2, 3, 4, 5]
    assert all(isinstance(li["amount"], Decimal) for li in lines)


def test_discounts_can_be_netted_into_the_discounted_line() -> None:
    ctx = context(discounts="net")
    lines = invoice_posting(ctx, taxed_invoice()).body["item"]["items"]
    assert amounts(lines)[:2] == [Decimal("449.10"), Decimal("29.00")]
    assert "8" not in [li["item"]["id"] for li in lines]


def test_tax_inclusive_lines_post_net_of_their_tax_and_still_sum_to_the_total(
    ctx: TransformContext,
) -> None:
    # 119.00 incl. 19% VAT: 100.00 revenue and 19.00 tax; Chargebee's total is 119.00.
    lines = [line("li_1", 11900, tax=1900)]
    taxes = [{"line_item_id": "li_1", "tax_amount": 1900, **VAT}]
    doc = invoice(lines, taxes=taxes, price_type="tax_inclusive")
    doc["total"] = doc["amount_due"] = 11900
    posted = invoice_posting(ctx, doc).body["item"]["items"]
    assert amounts(posted) == [Decimal("100.00"), Decimal("19.00")]
    assert total_of(posted) == Decimal("119.00")


def test_yen_has_no_minor_unit() -> None:
    doc = invoice(
        [line("li_1", 74850, price="platform-starter-JPY-monthly", tax=7485)],
        taxes=[{"line_item_id": "li_1", "tax_amount": 7485, "tax_name": "JCT", "tax_rate": 10.0}],
        currency="JPY",
    )
    posting = invoice_posting(context(), doc)
    assert amounts(posting.body["item"]["items"]) == [Decimal(74850), Decimal(7485)]
    assert posting.body["currency"] == {"id": "4"}


def test_the_header_carries_customer_dates_currency_accounts_memo_and_po(
    ctx: TransformContext,
) -> None:
    posting = invoice_posting(ctx, taxed_invoice(po_number="PO-77"))
    body = posting.body
    assert posting.record_type == "invoice"
    assert posting.external_id == body["externalId"] == "cb-acme_2Dtest-inv-1001"
    assert body["entity"] == Ref("customer", "cb-acme_2Dtest-cust-cust_5F1")
    assert body["tranDate"] == "2024-01-15"
    assert body["dueDate"] == "2024-02-14"
    assert body["currency"] == {"id": "1"}
    assert body["subsidiary"] == {"id": "1"}
    assert body["account"] == {"id": "6"}
    assert body["memo"] == "Chargebee invoice 1001"
    assert body["otherRefNum"] == "PO-77"
    assert "postingPeriod" not in body


def test_each_line_carries_its_service_period_and_dimensions() -> None:
    doc = invoice([line("li_1", 499900, price="platform-enterprise-EUR-monthly")], currency="EUR")
    item = invoice_posting(context(time_zone="Europe/Berlin"), doc).body["item"]["items"][0]
    assert item["revRecStartDate"] == "2024-01-15"
    assert item["revRecEndDate"] == "2024-02-14"
    assert item["department"] == {"id": "1"}
    assert item["class"] == {"id": "2"}
    assert item["location"] == {"id": "3"}
    lean = invoice_posting(context(line_service_dates=False), doc).body["item"]["items"][0]
    assert "revRecStartDate" not in lean


def test_an_unmapped_item_price_quarantines_the_invoice_naming_the_rule_to_add(
    ctx: TransformContext,
) -> None:
    doc = invoice([line("li_1", 100, price="mystery-USD", entity_type="plan_item_price_x")])
    with pytest.raises(Quarantined, match=r"items\.by_item_price\.mystery-USD") as caught:
        invoice_posting(ctx, doc)
    assert "Chargebee invoice 1001" in caught.value.reason


def test_lines_that_do_not_sum_to_the_total_are_never_posted(ctx: TransformContext) -> None:
    doc = invoice([line("li_1", 1000)])
    doc["total"] = 1001
    with pytest.raises(Quarantined, match=r"add up to 10\.00 USD but its total is 10\.01 USD"):
        invoice_posting(ctx, doc)


def test_a_discount_without_a_discount_item_says_which_key_to_set() -> None:
    ctx = context(example_mapping(**{"discount_item: 8": "discount_item: null"}))
    with pytest.raises(Quarantined, match="no discount_item"):
        invoice_posting(ctx, taxed_invoice())


def test_tax_mapped_to_an_account_only_cannot_post_as_a_line() -> None:
    ctx = context(example_mapping(**{"  item: 9 ": "  account: 7 "}))
    with pytest.raises(Quarantined, match="tax maps to account 7 only"):
        invoice_posting(ctx, taxed_invoice())


def test_a_pending_invoice_is_not_posted_yet(ctx: TransformContext) -> None:
    with pytest.raises(Skipped, match="pending"):
        invoice_posting(ctx, invoice([line("li_1", 100)], status="pending"))


def test_a_closed_period_holds_the_invoice_under_the_hold_policy() -> None:
    ctx = context(closed=("Jan 2024",))
    with pytest.raises(Held, match="accounting period Jan 2024") as caught:
        invoice_posting(ctx, invoice([line("li_1", 100)]))
    assert caught.value.code == "PERIOD_CLOSED"


def test_first_open_period_re_dates_and_says_so_in_the_memo() -> None:
    mapping = example_mapping(**{"  policy: hold": "  policy: first_open_period"})
    ctx = context(mapping, closed=("Jan 2024",))
    body = invoice_posting(ctx, invoice([line("li_1", 100)])).body
    assert body["tranDate"] == "2024-02-01"
    assert body["postingPeriod"] == {"id": "14"}
    assert "Re-dated from 2024-01-15 to 2024-02-01" in body["memo"]
    assert "Jan 2024 is closed" in body["memo"]


def test_a_voided_invoice_is_reversed_by_a_credit_memo_applied_to_it(
    ctx: TransformContext,
) -> None:
    doc = taxed_invoice(status="voided", voided_at=1706000000, void_reason_code="Duplicate")
    reversal = invoice_reversal_posting(ctx, doc)
    assert reversal.record_type == "creditMemo"
    assert reversal.external_id == "cb-acme_2Dtest-invrev-1001"
    body = reversal.body
    assert body["tranDate"] == "2024-01-23"
    assert body["memo"] == (
        "Reverses Chargebee invoice 1001, voided on 2024-01-23 (reason: Duplicate) in Chargebee."
    )
    assert body["apply"]["items"] == [
        {
            "doc": Ref("invoice", "cb-acme_2Dtest-inv-1001"),
            "apply": True,
            "amount": Decimal("569.10"),
        }
    ]
    assert total_of(body["item"]["items"]) == Decimal("569.10")


def test_a_deleted_invoice_reversal_says_deleted(ctx: TransformContext) -> None:
    doc = invoice([line("li_1", 100)], deleted=True, updated_at=1706000000)
    assert "deleted on 2024-01-23" in invoice_reversal_posting(ctx, doc).body["memo"]


@pytest.mark.parametrize("net", [False, True], ids=["total-keeps-credit", "total-net-of-credit"])
def test_store_credit_taken_before_tax_posts_the_lines_in_full(
    ctx: TransformContext, net: bool
) -> None:
    """Lines took 100.00 of store credit before tax (tax on 399.00). Whether Chargebee's total
    keeps the credit (settled by applied_credits) or is net of it, the invoice posts its lines
    in full; the store credit memo, applied to it, makes up the difference."""
    doc = invoice([line("li_1", 49900, tax=3990)])
    credit = {"cn_id": "CN-5", "applied_amount": 10000, "line_item_id": "li_1"}
    doc["line_item_credits"] = [credit]
    if net:
        doc["total"] -= 10000
    body = invoice_posting(ctx, doc).body
    assert total_of(body["item"]["items"]) == Decimal("538.90")
    note = "is net of 100.00 USD store credit taken before tax (CN-5)"
    assert (note in body["memo"]) is net


def test_lines_that_do_not_sum_even_with_store_credit_are_quarantined(
    ctx: TransformContext,
) -> None:
    doc = invoice([line("li_1", 49900, tax=3990)])
    doc["line_item_credits"] = [{"cn_id": "CN-5", "applied_amount": 10000}]
    doc["total"] -= 5000
    with pytest.raises(Quarantined, match="store credit taken before tax"):
        invoice_posting(ctx, doc)
