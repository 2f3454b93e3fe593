"""The comparison: what counts as missing, different, edited by hand or unknown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chargebee_netsuite.reconcile.compare import LedgerRow, compare
from chargebee_netsuite.reconcile.model import ChargebeeDoc, NetSuiteDoc
from chargebee_netsuite.reconcile.netsuite_side import NetSuiteSnapshot
from chargebee_netsuite.transform.identity import external_id

SITE = "acme"
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def invoice(doc_id: str = "inv_1", total: str = "100.00", **kw: object) -> ChargebeeDoc:
    values: dict[str, object] = {
        "kind": "invoice",
        "id": doc_id,
        "external_id": external_id(SITE, "inv", doc_id),
        "customer_id": "cus_1",
        "currency": "USD",
        "doc_date": date(2026, 11, 2),
        "measure": "billed",
        "total": Decimal(total),
        "outstanding": Decimal(total),
        "expected_status": "A",
    }
    values.update(kw)
    return ChargebeeDoc(**values)  # type: ignore[arg-type]


def snapshot(*transactions: NetSuiteDoc) -> NetSuiteSnapshot:
    customer = NetSuiteDoc(external_id(SITE, "cust", "cus_1"), "7", "customer", subsidiary="1")
    return NetSuiteSnapshot(
        transactions={t.external_id: t for t in transactions},
        customers={customer.external_id: customer},
        currencies={"1": "USD"},
        subsidiaries={"1": "Parent"},
    )


def ns_invoice(doc_id: str = "inv_1", **kw: object) -> NetSuiteDoc:
    values: dict[str, object] = {
        "external_id": external_id(SITE, "inv", doc_id),
        "internal_id": "101",
        "record": "CustInvc",
        "entity": "7",
        "currency": "USD",
        "subsidiary": "1",
        "total": Decimal("100.00"),
        "remaining": Decimal("100.00"),
        "status": "A",
        "last_modified": T0,
    }
    values.update(kw)
    return NetSuiteDoc(**values)  # type: ignore[arg-type]


POSTED = LedgerRow("posted", netsuite_type="invoice", netsuite_id="101", posted_at=T0)
KNOWN = {("invoice", "inv_1"), ("customer", "cus_1")}


def run(docs: list[ChargebeeDoc], ledger: dict, snap: NetSuiteSnapshot, **kw: object) -> list:
    return compare(SITE, docs, ledger, snap, known=KNOWN, **kw)  # type: ignore[arg-type]


def test_a_posted_document_absent_from_netsuite_is_requeued() -> None:
    [found] = run([invoice()], {("invoice", "inv_1", "main"): POSTED}, snapshot())
    assert (found.check, found.action) == ("missing", "requeued")
    assert "invoice 101" in found.detail and "no longer has it" in found.detail


def test_a_staged_document_never_loaded_is_queued_and_a_failed_one_stays_an_exception() -> None:
    [never] = run([invoice()], {}, snapshot())
    assert (never.check, never.action) == ("missing", "requeued")
    failed = LedgerRow("failed", reason="NetSuite rejected it: closed period.")
    [exception] = run([invoice()], {("invoice", "inv_1", "main"): failed}, snapshot())
    assert exception.action == "exception" and "closed period" in exception.detail
    [quarantined] = run([invoice()], {}, snapshot(), quarantined={("invoice", "inv_1")})
    assert quarantined.action == "exception" and "quarantined" in quarantined.detail


def test_voided_documents_are_not_expected_in_netsuite() -> None:
    assert run([invoice(postable=False)], {}, snapshot()) == []


def test_every_differing_field_is_flagged_with_both_values() -> None:
    other = ns_invoice(total=Decimal("110.00"), currency="EUR", entity="99", status="B")
    found = {
        f.field: f
        for f in run([invoice()], {("invoice", "inv_1", "main"): POSTED}, snapshot(other))
    }
    assert set(found) == {"total", "currency", "customer", "status"}
    assert (found["total"].chargebee_value, found["total"].netsuite_value) == ("100.00", "110.00")
    assert (found["currency"].chargebee_value, found["currency"].netsuite_value) == ("USD", "EUR")
    assert found["customer"].netsuite_value == "entity 99"
    assert (found["status"].chargebee_value, found["status"].netsuite_value) == (
        "Open",
        "Paid In Full",
    )
    assert all(f.action == "flagged" and f.netsuite_id == "101" for f in found.values())


def test_identical_records_give_no_findings() -> None:
    assert run([invoice()], {("invoice", "inv_1", "main"): POSTED}, snapshot(ns_invoice())) == []


def test_a_change_after_our_last_write_is_an_edit_but_one_from_our_own_payment_is_not() -> None:
    later = ns_invoice(last_modified=T0 + timedelta(hours=1))
    ledger = {("invoice", "inv_1", "main"): POSTED}
    [edited] = run([invoice()], ledger, snapshot(later))
    assert edited.check == "edited"
    assert edited.netsuite_value == (T0 + timedelta(hours=1)).isoformat()
    # A payment for the same customer posted at that hour touched the invoice: not an edit.
    payment = ChargebeeDoc(
        "transaction",
        "txn_1",
        external_id(SITE, "txn", "txn_1"),
        "cus_1",
        "USD",
        date(2026, 11, 2),
        "collected",
        Decimal("100.00"),
    )
    ledger[("transaction", "txn_1", "main")] = LedgerRow(
        "posted", posted_at=T0 + timedelta(hours=1)
    )
    findings = run([invoice(), payment], ledger, snapshot(later))
    assert [f.check for f in findings] == ["missing"]  # only the payment, absent from NetSuite
    # Within the tolerance NetSuite's own clock is given the benefit of the doubt.
    close = ns_invoice(last_modified=T0 + timedelta(seconds=30))
    assert run([invoice()], {("invoice", "inv_1", "main"): POSTED}, snapshot(close)) == []


def test_a_record_with_our_prefix_that_chargebee_does_not_know_is_flagged() -> None:
    stray = ns_invoice("inv_ghost", internal_id="555")
    findings = run([], {}, snapshot(stray))
    assert [(f.check, f.source_id, f.netsuite_id) for f in findings] == [
        ("unknown", "inv_ghost", "555")
    ]
