"""Planning: what each staged document becomes, given what the ledger says was posted."""

from __future__ import annotations

from typing import Any

from tests.builders.documents import context, invoice, line

from chargebee_netsuite.load.plan import INVOICES, REAPPLY, REVERSALS, plan
from chargebee_netsuite.load.run import chargebee_usage
from chargebee_netsuite.load.source import SourceDocument
from chargebee_netsuite.staging.ledger_queries import LedgerEntry


def doc(kind: str, raw: dict[str, Any], **extra: Any) -> SourceDocument:
    values: dict[str, Any] = {"resource_version": 1, "deleted": bool(raw.get("deleted"))}
    values.update(extra)
    return SourceDocument(kind, str(raw["id"]), raw, **values)


def posted(kind: str, source_id: str, role: str = "main", **extra: Any) -> LedgerEntry:
    return LedgerEntry(kind, source_id, role, "posted", netsuite_id="77", **extra)


def test_a_voided_invoice_never_posted_is_skipped_with_the_reason() -> None:
    voided = doc("invoice", invoice([line("l", 100)], status="voided"))
    [work] = plan(context(), {"invoice": [voided]}, {})
    assert work.outcome is not None
    assert work.outcome.state == "skipped"
    assert "voided in Chargebee before it was ever posted" in work.outcome.reason


def test_a_voided_invoice_that_was_posted_keeps_its_record_and_gets_a_reversal() -> None:
    voided = doc("invoice", invoice([line("l", 100)], status="voided", voided_at=1706000000))
    ledger = {("invoice", "1001", "main"): posted("invoice", "1001")}
    main, reversal = plan(context(), {"invoice": [voided]}, ledger)
    assert (main.phase, main.posting, main.outcome) == (INVOICES, None, None)
    assert main.note is not None
    assert reversal.phase == REVERSALS
    assert reversal.posting is not None
    assert reversal.posting.record_type == "creditMemo"


def test_an_invoice_with_missing_lines_is_held_never_posted_partially() -> None:
    partial = doc("invoice", invoice([line("l", 100)]), lines_complete=False)
    [work] = plan(context(), {"invoice": [partial]}, {})
    assert work.outcome is not None
    assert (work.outcome.state, work.outcome.code) == ("held", "LINES_INCOMPLETE")


def test_a_voided_credit_note_unapplies_what_it_was_applied_to() -> None:
    raw = {
        "id": "CN-1",
        "customer_id": "cust_1",
        "status": "voided",
        "currency_code": "USD",
        "date": 1705320000,
        "total": 100,
        "line_items": [line("l", 100)],
        "allocations": [],
    }
    payload = {"apply": {"items": [{"doc": {"id": "11"}, "apply": True}, {"doc": {"id": "90"}}]}}
    ledger = {
        ("credit_note", "CN-1", "main"): posted("credit_note", "CN-1", posted_payload=payload),
        ("credit_note", "CN-1", "reversal"): LedgerEntry(
            "credit_note", "CN-1", "reversal", "posted", netsuite_id="90"
        ),
    }
    reversal, reapply = plan(context(), {"credit_note": [doc("credit_note", raw)]}, ledger)
    assert reversal.phase == REVERSALS
    assert reapply.phase == REAPPLY
    assert reapply.posting is not None
    items = reapply.posting.body["apply"]["items"]
    assert items[0] == {"doc": {"id": "11"}, "apply": False}
    assert len(items) == 2


def test_a_customer_deleted_before_posting_is_skipped_and_one_deleted_after_is_deactivated() -> (
    None
):
    gone = {
        "id": "c1",
        "first_name": "A",
        "last_name": "B",
        "preferred_currency_code": "USD",
        "deleted": True,
    }
    [skipped] = plan(context(), {"customer": [doc("customer", gone)]}, {})
    assert skipped.outcome is not None and skipped.outcome.state == "skipped"
    ledger = {("customer", "c1", "main"): posted("customer", "c1")}
    [update] = plan(context(), {"customer": [doc("customer", gone)]}, ledger)
    assert update.posting is not None and update.posting.body["isInactive"] is True


def test_the_preflight_sees_every_item_price_currency_gateway_and_reason_in_use() -> None:
    documents = {
        "invoice": [doc("invoice", invoice([line("l", 1, price=None, entity_type="adhoc")]))],
        "transaction": [
            doc(
                "transaction",
                {
                    "id": "t",
                    "type": "refund",
                    "status": "success",
                    "gateway": "stripe",
                    "currency_code": "eur",
                },
            )
        ],
    }
    usage = chargebee_usage(documents, {})
    assert [p.entity_type for p in usage.item_prices] == ["adhoc"]  # type: ignore[union-attr]
    assert set(usage.currencies) == {"USD", "EUR"}
    assert set(usage.refund_gateways) == {("stripe", "EUR")}
    assert set(usage.payment_gateways) == set()
