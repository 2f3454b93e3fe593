"""Chargebacks as Chargebee really sends them, and payments by a hierarchy's payment owner."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.builders.documents import JAN_15, context, example_mapping, invoice, line, payment

from chargebee_netsuite.load.plan import CREDIT_MEMOS, PAYMENTS, REFUNDS, Work, plan
from chargebee_netsuite.load.source import Related, SourceDocument, TransactionLink
from chargebee_netsuite.staging.ledger_queries import LedgerEntry
from chargebee_netsuite.transform.model import Quarantined, Ref

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


# -- a chargeback after its payment's period closed ------------------------------------------

DEBIT = Ref("invoice", "cb-acme_2Dtest-txn-txn_5Fcb")


def posted_payment(applied: str) -> LedgerEntry:
    """The payment as NetSuite holds it: dated in Jan 2024, ``applied`` on invoice 1001."""
    payload = {
        "tranDate": "2024-01-15",
        "apply": {"items": [{"doc": {"id": "5"}, "apply": True, "amount": applied}]},
    }
    return LedgerEntry(
        "transaction",
        "txn_1",
        "main",
        "posted",
        netsuite_type="customerPayment",
        netsuite_id="77",
        posted_hash="h",
        posted_payload=payload,
    )


def charged(**values: Any) -> dict[str, Any]:
    return paid(reversal_transaction_id="txn_cb", **values)


def test_a_chargeback_of_a_payment_in_a_closed_period_posts_a_debit_invoice() -> None:
    ledger = {("transaction", "txn_1", "main"): posted_payment("100.00")}
    documents = {"transaction": [doc(charged()), doc(online_reversal())]}
    work = by_id(plan(context(closed=("Jan 2024",)), documents, ledger))
    pay, back = work["txn_1"], work["txn_cb"]
    assert pay.posting is not None  # unchanged: still 100.00 on invoice 1001
    assert pay.posting.body["apply"]["items"][0]["amount"] == Decimal("100.00")
    assert back.phase == CREDIT_MEMOS and back.posting is not None, back.outcome
    body = back.posting.body
    assert back.posting.record_type == "invoice"
    assert body["entity"] == Ref("customer", "cb-acme_2Dtest-cust-cust_5F1")
    assert body["account"] == {"id": "6"}  # A/R
    [line] = body["item"]["items"]
    assert (line["item"], line["amount"]) == ({"id": "12"}, Decimal("40.00"))
    for words in ("txn_cb", "txn_1", "Jan 2024", "1001 (40.00)"):
        assert words in body["memo"]


def test_a_chargeback_the_closed_payment_already_reflects_stays_a_refund() -> None:
    # Un-applied before the period closed: a refund needs no edit of the payment.
    ledger = {("transaction", "txn_1", "main"): posted_payment("60.00")}
    documents = {"transaction": [doc(charged()), doc(online_reversal())]}
    work = by_id(plan(context(closed=("Jan 2024",)), documents, ledger))
    back = work["txn_cb"]
    assert back.phase == REFUNDS and back.posting is not None
    assert back.posting.record_type == "customerRefund"


def test_a_debit_invoice_stays_one_when_the_period_reopens() -> None:
    ledger = {
        ("transaction", "txn_1", "main"): posted_payment("100.00"),
        ("transaction", "txn_cb", "main"): LedgerEntry(
            "transaction", "txn_cb", "main", "posted", netsuite_type="invoice", netsuite_id="90"
        ),
    }
    documents = {"transaction": [doc(charged()), doc(online_reversal())]}
    work = by_id(plan(context(), documents, ledger))
    assert work["txn_cb"].posting is not None
    assert work["txn_cb"].posting.record_type == "invoice"
    assert work["txn_1"].posting is not None
    assert work["txn_1"].posting.body["apply"]["items"][0]["amount"] == Decimal("100.00")


def test_a_later_payment_of_the_re_opened_invoice_pays_the_debit_invoice_first() -> None:
    ledger = {
        ("transaction", "txn_1", "main"): posted_payment("100.00"),
        ("transaction", "txn_cb", "main"): LedgerEntry(
            "transaction", "txn_cb", "main", "posted", netsuite_type="invoice", netsuite_id="90"
        ),
    }
    later = paid(
        id="txn_2",
        amount=5000,
        date=JAN_15 + 30 * DAY,
        linked_invoices=[{"invoice_id": "1001", "applied_amount": 5000}],
    )
    reopened = invoice(
        [line("li_1", 10000)],
        linked_payments=[
            {
                "txn_id": "txn_1",
                "applied_amount": 6000,
                "txn_date": JAN_15,
                "txn_status": "success",
            },
            {
                "txn_id": "txn_2",
                "applied_amount": 5000,
                "txn_date": later["date"],
                "txn_status": "success",
            },
        ],
    )
    related = Related({"1001": reopened}, {"txn_1": charged()})
    [pay] = plan(
        context(closed=("Jan 2024",)),
        {"transaction": [doc(later)]},
        ledger,
        against={"txn_1": [online_reversal()]},
        related=related,
    )
    assert pay.posting is not None, pay.outcome
    assert pay.posting.body["apply"]["items"] == [
        {"doc": DEBIT, "apply": True, "amount": Decimal("40.00")},
        {"doc": INVOICE, "apply": True, "amount": Decimal("10.00")},
    ]
    assert "txn_cb" in pay.posting.body["memo"]


def test_without_a_debit_item_a_closed_period_chargeback_is_quarantined_saying_why() -> None:
    ledger = {("transaction", "txn_1", "main"): posted_payment("100.00")}
    documents = {"transaction": [doc(charged()), doc(online_reversal())]}
    unmapped = example_mapping(**{"chargeback_debit_item: 12": ""})
    work = by_id(plan(context(unmapped, closed=("Jan 2024",)), documents, ledger))
    outcome = work["txn_cb"].outcome
    assert isinstance(outcome, Quarantined) and outcome.code == "UNMAPPED_ITEM"
    for words in ("txn_1", "Jan 2024", "chargeback_debit_item"):
        assert words in outcome.reason
