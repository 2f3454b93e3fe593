"""Planning chargebacks and transactions voided after posting: what runs in which phase."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.builders.documents import JAN_15, context, payment

from chargebee_netsuite.load.plan import (
    DELETIONS,
    PAYMENTS,
    PHASES,
    REFUNDS,
    REVERSALS,
    Work,
    plan,
)
from chargebee_netsuite.load.run import chargebee_usage
from chargebee_netsuite.load.source import SourceDocument
from chargebee_netsuite.staging.ledger_queries import LedgerEntry
from chargebee_netsuite.transform.model import Ref

DAY = 86400
PAYMENT_EID = "cb-acme_2Dtest-txn-txn_5F1"


def txn(**values: Any) -> dict[str, Any]:
    """A 100.00 card payment, all of it applied to invoice 1001."""
    applied = [{"invoice_id": "1001", "applied_amount": 10000}]
    return payment(**{"linked_invoices": applied, **values})


def chargeback(**values: Any) -> dict[str, Any]:
    return txn(
        id="txn_cb",
        type="payment_reversal",
        amount=4000,
        date=JAN_15 + 20 * DAY,
        reference_transaction_id="txn_1",
        linked_invoices=[{"invoice_id": "1001", "applied_amount": 4000}],
        **values,
    )


def refund(**values: Any) -> dict[str, Any]:
    return txn(
        id="txn_r",
        type="refund",
        amount=2500,
        refunded_txn_id="txn_1",
        linked_invoices=[],
        linked_credit_notes=[{"cn_id": "CN-1", "applied_amount": 2500}],
        **values,
    )


def doc(raw: dict[str, Any]) -> SourceDocument:
    return SourceDocument("transaction", raw["id"], raw, 1, bool(raw.get("deleted")))


def posted(source_id: str, role: str = "main", **extra: Any) -> LedgerEntry:
    values: dict[str, Any] = {"netsuite_id": "77", "posted_hash": "h", "netsuite_type": "x"}
    values.update(extra)
    return LedgerEntry("transaction", source_id, role, "posted", **values)


def by_key(work: list[Work]) -> dict[tuple[str, str], Work]:
    return {(w.key[1], w.key[2]): w for w in work}


def test_deletions_come_before_payments_which_come_before_refunds_and_reversals() -> None:
    assert PHASES.index("deletions") == DELETIONS < PAYMENTS < REFUNDS < REVERSALS


def test_a_payment_and_its_chargeback_in_one_run() -> None:
    work = by_key(plan(context(), {"transaction": [doc(txn()), doc(chargeback())]}, {}))
    pay, back = work[("txn_1", "main")], work[("txn_cb", "main")]
    assert pay.phase == PAYMENTS and pay.posting is not None
    assert pay.posting.body["apply"]["items"] == [
        {
            "doc": Ref("invoice", "cb-acme_2Dtest-inv-1001"),
            "apply": True,
            "amount": Decimal("60.00"),
        }
    ]
    assert back.phase == REFUNDS and back.posting is not None
    assert back.posting.record_type == "customerRefund"
    assert back.posting.refs()[-1] == Ref("customerPayment", PAYMENT_EID)


def test_a_chunk_gets_a_payments_chargebacks_from_the_caller() -> None:
    # The chargeback sits in another chunk: the loader reads it from staging and passes it.
    [pay] = plan(context(), {"transaction": [doc(txn())]}, {}, against={"txn_1": [chargeback()]})
    assert pay.posting is not None
    assert pay.posting.body["apply"]["items"][0]["amount"] == Decimal("60.00")
    [plain] = plan(context(), {"transaction": [doc(txn())]}, {}, against={})
    assert plain.posting is not None
    assert plain.posting.body["apply"]["items"][0]["amount"] == Decimal("100.00")


def test_a_payment_voided_after_posting_is_unapplied_and_reversed_for_what_is_left() -> None:
    voided = txn(status="voided", voided_at=JAN_15 + 5 * DAY)
    direct = txn(
        id="txn_d", type="refund", amount=1000, refunded_txn_id="txn_1", linked_invoices=[]
    )
    through_note = refund()  # pays out a credit memo: nothing taken from the payment itself
    ledger = {("transaction", "txn_1", "main"): posted("txn_1", netsuite_type="customerPayment")}
    work = by_key(
        plan(
            context(),
            {"transaction": [doc(voided)]},
            ledger,
            against={"txn_1": [chargeback(), direct, through_note]},
        )
    )
    main, reversal = work[("txn_1", "main")], work[("txn_1", "reversal")]
    assert main.phase == PAYMENTS and main.posting is not None
    assert main.posting.record_type == "customerPayment"
    assert [i["apply"] for i in main.posting.body["apply"]["items"]] == [False]
    assert main.note is not None
    assert "voided in Chargebee after it was posted as customerPayment 77" in main.note
    assert reversal.phase == REVERSALS and reversal.posting is not None
    assert reversal.posting.external_id == "cb-acme_2Dtest-txnrev-txn_5F1"
    # 100.00 less the 40.00 chargeback and the 10.00 refund applied to the payment.
    assert reversal.posting.body["apply"]["items"][0]["amount"] == Decimal("50.00")


def test_a_payment_voided_before_it_was_ever_posted_is_just_skipped() -> None:
    [work] = plan(context(), {"transaction": [doc(txn(status="voided"))]}, {})
    assert work.outcome is not None and work.outcome.state == "skipped"


def test_a_refund_voided_after_posting_is_deleted_first_thing() -> None:
    ledger = {
        ("transaction", "txn_r", "main"): posted(
            "txn_r", netsuite_type="customerRefund", external_id="cb-acme_2Dtest-txn-txn_5Fr"
        )
    }
    [work] = plan(context(), {"transaction": [doc(refund(status="voided"))]}, ledger)
    assert work.phase == DELETIONS
    assert work.delete_id == "77"
    assert work.posting is not None
    assert (work.posting.record_type, work.posting.external_id) == (
        "customerRefund",
        "cb-acme_2Dtest-txn-txn_5Fr",
    )
    assert work.note == (
        "Chargebee refund txn_r was voided in Chargebee after it was posted as customerRefund 77"
    )


def test_a_deleted_refund_stays_deleted_without_another_write() -> None:
    reason = "Chargebee refund txn_r was voided ...; deleted from NetSuite on 2024-02-01, so ..."
    gone = LedgerEntry(
        "transaction", "txn_r", "main", "skipped", reason=reason, posted_hash="h", netsuite_id=None
    )
    ledger = {("transaction", "txn_r", "main"): gone}
    [work] = plan(context(), {"transaction": [doc(refund(status="voided"))]}, ledger)
    assert work.posting is None and work.delete_id is None
    assert work.outcome is not None
    assert (work.outcome.state, work.outcome.reason, work.outcome.code) == (
        "skipped",
        reason,
        "DELETED",
    )


def test_a_chargeback_voided_after_posting_is_deleted_and_the_payment_re_applied() -> None:
    dead = chargeback(status="voided")
    ledger = {
        ("transaction", "txn_cb", "main"): posted("txn_cb", netsuite_type="customerRefund"),
        ("transaction", "txn_1", "main"): posted("txn_1", netsuite_type="customerPayment"),
    }
    work = by_key(plan(context(), {"transaction": [doc(txn()), doc(dead)]}, ledger))
    assert work[("txn_cb", "main")].phase == DELETIONS
    assert work[("txn_cb", "main")].note is not None
    assert "Chargebee chargeback txn_cb was voided" in str(work[("txn_cb", "main")].note)
    pay = work[("txn_1", "main")].posting
    assert pay is not None
    assert pay.body["apply"]["items"][0]["amount"] == Decimal("100.00")


def test_the_preflight_sees_chargeback_gateways() -> None:
    usage = chargebee_usage(
        {"transaction": [doc(txn()), doc(chargeback(currency_code="eur")), doc(refund())]}, {}
    )
    assert set(usage.chargeback_gateways) == {("stripe", "EUR")}
    assert set(usage.payment_gateways) == {("stripe", "USD")}
    assert set(usage.refund_gateways) == {("stripe", "USD")}
