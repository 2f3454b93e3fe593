"""Chargebacks as Chargebee really sends them, and payments by a hierarchy's payment owner."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.unit.transform.conftest import JAN_15, context, invoice, line, payment

from chargebee_netsuite.load.plan import PAYMENTS, REFUNDS, Work, plan
from chargebee_netsuite.load.source import SourceDocument, TransactionLink
from chargebee_netsuite.transform.model import Ref

DAY = 86400
PAYMENT = Ref("customerPayment", "cb-acme_2Dtest-txn-txn_5F1")
INVOICE = Ref("invoice", "cb-acme_2Dtest-inv-1001")


def paid(**values: Any) -> dict[str, Any]:
    """A 100.00 card payment, all of it applied to invoice 1001."""
    applied = [{"invoice_id": "1001", "applied_amount": 10000}]
    return payment(**{"linked_invoices": applied, **values})


def online_reversal(**values: Any) -> dict[str, Any]:
    """An online chargeback: names no payment; the payment names it."""
    return paid(
        id="txn_cb",
        type="payment_reversal",
        amount=4000,
        date=JAN_15 + 20 * DAY,
        id_at_gateway="dp_987",
        linked_invoices=[],
        **values,
    )


def automated_chargeback(**values: Any) -> dict[str, Any]:
    """Chargebee's automated chargeback: a refund paying out a chargeback credit note."""
    shape: dict[str, Any] = {
        "id": "txn_ar",
        "type": "refund",
        "payment_method": "chargeback",
        "amount": 2500,
        "date": JAN_15 + 20 * DAY,
        "refunded_txn_id": "txn_1",
        "linked_invoices": [],
        "linked_credit_notes": [{"cn_id": "CN-9", "applied_amount": 2500}],
    }
    return paid(**{**shape, **values})


def doc(raw: dict[str, Any], kind: str = "transaction") -> SourceDocument:
    return SourceDocument(kind, raw["id"], raw, 1, False)


def by_id(work: list[Work]) -> dict[str, Work]:
    return {w.key[1]: w for w in work if w.key[2] == "main"}


def test_an_online_reversal_is_found_through_its_payments_reversal_transaction_id() -> None:
    pay = paid(reversal_transaction_id="txn_cb")
    work = by_id(plan(context(), {"transaction": [doc(pay), doc(online_reversal())]}, {}))
    assert work["txn_1"].phase == PAYMENTS and work["txn_1"].posting is not None
    assert work["txn_1"].posting.body["apply"]["items"] == [
        {"doc": INVOICE, "apply": True, "amount": Decimal("60.00")}
    ]
    back = work["txn_cb"]
    assert back.phase == REFUNDS and back.posting is not None, back.outcome
    assert back.posting.record_type == "customerRefund"
    assert back.posting.body["account"] == {"id": "17"}  # chargebacks.default
    assert back.posting.body["apply"]["items"] == [
        {"doc": PAYMENT, "apply": True, "amount": Decimal("40.00")}
    ]
    assert "payment txn_1" in back.posting.body["memo"]


def test_a_chunk_gets_an_online_reversals_payment_from_the_caller() -> None:
    links = {"txn_cb": TransactionLink(payment_id="txn_1")}
    [back] = plan(context(), {"transaction": [doc(online_reversal())]}, {}, links=links)
    assert back.posting is not None, back.outcome
    assert back.posting.refs()[-1] == PAYMENT
    # And the payment, in another chunk, gets its chargeback through ``against``.
    pay = paid(reversal_transaction_id="txn_cb")
    [main] = plan(
        context(), {"transaction": [doc(pay)]}, {}, against={"txn_1": [online_reversal()]}
    )
    assert main.posting is not None
    assert main.posting.body["apply"]["items"][0]["amount"] == Decimal("60.00")


def test_an_automated_chargeback_refund_takes_the_chargeback_account() -> None:
    work = by_id(plan(context(), {"transaction": [doc(automated_chargeback())]}, {}))
    back = work["txn_ar"]
    assert back.posting is not None, back.outcome
    body = back.posting.body
    assert body["account"] == {"id": "17"}  # not refunds' stripe/USD account 3
    assert body["apply"]["items"] == [
        {
            "doc": Ref("creditMemo", "cb-acme_2Dtest-cn-CN_2D9"),
            "apply": True,
            "amount": Decimal("25.00"),
        }
    ]
    assert "chargeback" in body["memo"].lower()
    plain = {**automated_chargeback(), "payment_method": "card"}
    [refund] = plan(context(), {"transaction": [doc(plain)]}, {})
    assert refund.posting is not None and refund.posting.body["account"] == {"id": "3"}


def test_an_automated_chargeback_without_a_credit_note_comes_off_the_payment() -> None:
    direct = automated_chargeback(linked_credit_notes=[])
    work = by_id(plan(context(), {"transaction": [doc(paid()), doc(direct)]}, {}))
    assert work["txn_1"].posting is not None
    assert work["txn_1"].posting.body["apply"]["items"][0]["amount"] == Decimal("75.00")
    back = work["txn_ar"].posting
    assert back is not None and back.body["account"] == {"id": "17"}
    assert back.body["apply"]["items"] == [
        {"doc": PAYMENT, "apply": True, "amount": Decimal("25.00")}
    ]


def test_a_parent_paying_a_childs_invoice_posts_the_payment_under_the_child() -> None:
    child = invoice([line("li_1", 10000)], customer_id="child_1", payment_owner="parent_1")
    pay = paid(customer_id="parent_1")
    documents = {"invoice": [doc(child, "invoice")], "transaction": [doc(pay)]}
    links = {"txn_1": TransactionLink(customer_id="child_1")}
    for given in (None, links):
        work = [w for w in plan(context(), documents, {}, links=given) if w.key[1] == "txn_1"]
        [main] = work
        assert main.posting is not None, main.outcome
        assert main.posting.body["customer"] == Ref("customer", "cb-acme_2Dtest-cust-child_5F1")
        assert "parent_1" in main.posting.body["memo"]
