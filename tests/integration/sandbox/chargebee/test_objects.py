"""Object shapes (official schemas), money math, cross-links and line-item truncation."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import Sandbox, Schemas, schema_errors

SCHEMA = {
    "invoices": ("invoice", "Invoice"),
    "credit_notes": ("credit_note", "CreditNote"),
    "transactions": ("transaction", "Transaction"),
    "customers": ("customer", "Customer"),
    "items": ("item", "Item"),
    "item_prices": ("item_price", "ItemPrice"),
    "events": ("event", "Event"),
}


def _nulls_and_missing_object_keys(value: Any, path: str = "$") -> list[str]:
    problems: list[str] = []
    if value is None:
        problems.append(f"{path} is null")
    elif isinstance(value, dict):
        for key, child in value.items():
            skip = key in ("content", "meta_data", "metadata")
            if isinstance(child, dict) and not skip and "object" not in child:
                problems.append(f"{path}.{key} has no 'object'")
            if isinstance(child, list):
                for index, entry in enumerate(child):
                    if isinstance(entry, dict) and "object" not in entry:
                        problems.append(f"{path}.{key}[{index}] has no 'object'")
            problems += _nulls_and_missing_object_keys(child, f"{path}.{key}")
    elif isinstance(value, list):
        for index, entry in enumerate(value):
            problems += _nulls_and_missing_object_keys(entry, f"{path}[{index}]")
    return problems


@pytest.mark.parametrize("path", sorted(SCHEMA))
def test_every_listed_object_validates_against_the_official_schema(
    generated: Sandbox, schemas: Schemas, path: str
) -> None:
    key, schema_name = SCHEMA[path]
    params = {"include_deleted": "true"} if path in ("invoices", "credit_notes") else {}
    rows = generated.list_all(path, **params)
    assert rows
    validator = schemas(schema_name)
    for row in rows:
        assert list(row) == [key]
        record = row[key]
        assert schema_errors(validator, record) == [], record["id"]
        assert record["object"] == key
        assert _nulls_and_missing_object_keys(record) == []
        if path == "events":
            for name, inner in record["content"].items():
                if name in ("invoice", "credit_note", "transaction", "customer"):
                    inner_schema = SCHEMA[f"{name}s"][1]
                    assert schema_errors(schemas(inner_schema), inner) == []


def test_retrieved_documents_validate_and_match_the_list(
    generated: Sandbox, schemas: Schemas
) -> None:
    for row in generated.list_all("credit_notes")[:5]:
        cn = row["credit_note"]
        got = generated.api.get(f"/credit_notes/{cn['id']}").json()["credit_note"]
        assert schema_errors(schemas("CreditNote"), got) == []
        assert got["total"] == cn["total"]


def _invoices(sandbox: Sandbox) -> list[dict[str, Any]]:
    rows = sandbox.list_all("invoices", include_deleted="true")
    return [_full(sandbox, r["invoice"]) for r in rows]


def _full(sandbox: Sandbox, invoice: dict[str, Any]) -> dict[str, Any]:
    if "line_items_next_offset" not in invoice:
        return invoice
    return _retrieve_all_lines(sandbox, "invoices", "invoice", invoice["id"])


def _retrieve_all_lines(sandbox: Sandbox, path: str, key: str, doc_id: str) -> dict[str, Any]:
    params: dict[str, Any] = {"line_items_limit": 300}
    doc = sandbox.api.get(f"/{path}/{doc_id}", params=params).json()[key]
    merged = dict(doc)
    while "line_items_next_offset" in doc:
        params["line_items_offset"] = doc["line_items_next_offset"]
        doc = sandbox.api.get(f"/{path}/{doc_id}", params=params).json()[key]
        for array in ("line_items", "line_item_taxes", "line_item_discounts"):
            merged[array] = merged.get(array, []) + doc.get(array, [])
    merged.pop("line_items_next_offset", None)
    return merged


def test_invoice_money_math_is_consistent(generated: Sandbox) -> None:
    for inv in _invoices(generated):
        lines = inv["line_items"]
        assert inv["sub_total"] == sum(li["amount"] for li in lines)
        assert all(li["amount"] == li["unit_amount"] * li["quantity"] for li in lines)
        discount = sum(li.get("discount_amount", 0) for li in lines)
        assert discount == sum(d["discount_amount"] for d in inv["line_item_discounts"])
        assert discount == sum(d["amount"] for d in inv["discounts"])
        assert inv["tax"] == sum(li.get("tax_amount", 0) for li in lines)
        assert inv["tax"] == sum(t["tax_amount"] for t in inv["line_item_taxes"])
        assert inv["tax"] == sum(t["amount"] for t in inv["taxes"])
        line_ids = {li["id"] for li in lines}
        assert {t["line_item_id"] for t in inv["line_item_taxes"]} <= line_ids
        assert {d["line_item_id"] for d in inv["line_item_discounts"]} <= line_ids
        assert inv["total"] == inv["sub_total"] - discount + inv["tax"] + inv.get(
            "round_off_amount", 0
        )
        paid = sum(
            p["applied_amount"] for p in inv["linked_payments"] if p["txn_status"] == "success"
        )
        credits = sum(c["applied_amount"] for c in inv["applied_credits"])
        adjusted = sum(c["cn_total"] for c in inv["adjustment_credit_notes"])
        written_off = sum(
            c["cn_total"]
            for c in inv["adjustment_credit_notes"]
            if c.get("cn_create_reason_code") == "Write Off"
        )
        withheld = sum(t["amount"] for t in inv.get("linked_taxes_withheld", []))
        assert inv["amount_paid"] == paid
        assert inv["credits_applied"] == credits
        assert inv["write_off_amount"] == written_off
        conventions = generated.settings.conventions
        counted = (
            adjusted if conventions.amount_adjusted_includes_write_off else adjusted - written_off
        )
        assert inv["amount_adjusted"] == counted
        # The documented formula, over the arrays (apidocs invoice.amount_due).
        assert inv["amount_due"] == inv["total"] - paid - credits - adjusted - withheld
        if inv["status"] == "paid":
            assert inv["amount_due"] == 0 and "paid_at" in inv


def test_generated_data_covers_the_interesting_cases(generated: Sandbox) -> None:
    invoices = _invoices(generated)
    statuses = {inv["status"] for inv in invoices}
    assert {"paid", "payment_due", "voided"} <= statuses
    assert {inv["currency_code"] for inv in invoices} >= {"USD", "EUR", "GBP", "JPY"}
    assert any(inv.get("round_off_amount") for inv in invoices)
    assert any(inv["discounts"] for inv in invoices)
    assert any(inv["deleted"] for inv in invoices)
    assert any(0 < inv["amount_paid"] < inv["total"] for inv in invoices) or any(
        p["txn_status"] == "failure" for inv in invoices for p in inv["linked_payments"]
    )
    cns = [r["credit_note"] for r in generated.list_all("credit_notes")]
    assert {cn["type"] for cn in cns} == {"adjustment", "refundable", "store"}
    # The fine print: a write-off, withheld tax (paid net of it, or still open), a negative
    # round-off and a fractional correction on credit notes.
    assert any(inv["write_off_amount"] for inv in invoices)
    assert any(inv.get("linked_taxes_withheld") for inv in invoices)
    assert any(cn["round_off_amount"] < 0 for cn in cns)
    assert any(cn.get("fractional_correction") for cn in cns)
    assert all(cn["create_reason_code"] for cn in cns)
    customers = [r["customer"] for r in generated.list_all("customers")]
    assert any("company" in c for c in customers) and any("company" not in c for c in customers)


def test_zero_decimal_currency_amounts_are_whole_units(generated: Sandbox) -> None:
    prices = {r["item_price"]["id"]: r["item_price"] for r in generated.list_all("item_prices")}
    # USD 499.00 is 49900 cents; JPY at 150/USD is 74850 yen, not 7485000.
    assert prices["platform-starter-USD-monthly"]["price"] == 49900
    assert prices["platform-starter-JPY-monthly"]["price"] == 74850
    assert prices["platform-starter-EUR-monthly"]["price"] == 45908


def test_resource_version_is_milliseconds_near_updated_at(generated: Sandbox) -> None:
    for row in generated.list_all("invoices"):
        inv = row["invoice"]
        if "updated_at" in inv:
            assert 0 <= inv["resource_version"] - inv["updated_at"] * 1000 < 1000 * 86400


def test_credit_note_money_math_and_cross_links(generated: Sandbox) -> None:
    invoices = {inv["id"]: inv for inv in _invoices(generated)}
    txns = {r["transaction"]["id"]: r["transaction"] for r in generated.list_all("transactions")}
    for row in generated.list_all("credit_notes"):
        cn = _retrieve_all_lines(generated, "credit_notes", "credit_note", row["credit_note"]["id"])
        assert (
            cn["amount_available"] == cn["total"] - cn["amount_allocated"] - cn["amount_refunded"]
        )
        assert cn["amount_allocated"] == sum(a["allocated_amount"] for a in cn["allocations"])
        assert cn["amount_refunded"] == sum(r["applied_amount"] for r in cn["linked_refunds"])
        correction = cn.get("fractional_correction", 0)
        if not generated.settings.conventions.fractional_correction_in_total:
            correction = 0
        assert (
            cn["total"]
            == cn["sub_total"]
            + sum(li["tax_amount"] for li in cn["line_items"])
            + cn["round_off_amount"]
            + correction
        )
        if cn["type"] == "store":
            assert cn["line_item_taxes"] == [] and cn["taxes"] == []
        invoice = invoices[cn["reference_invoice_id"]]
        refs = invoice["adjustment_credit_notes"] + invoice["issued_credit_notes"]
        assert cn["id"] in {ref["cn_id"] for ref in refs}
        for refund in cn["linked_refunds"]:
            txn = txns[refund["txn_id"]]
            assert txn["type"] == "refund"
            assert cn["id"] in {link["cn_id"] for link in txn["linked_credit_notes"]}
    reversed_by = {
        t["reversal_transaction_id"]: t["id"]
        for t in txns.values()
        if "reversal_transaction_id" in t
    }
    for txn in txns.values():
        # A chargeback names the invoices it re-opened; they list the charged-back payment,
        # which names the (online) chargeback in reversal_transaction_id.
        paying = reversed_by.get(txn["id"], txn["id"])
        for link in txn.get("linked_invoices", []):
            invoice = invoices[link["invoice_id"]]
            assert paying in {p["txn_id"] for p in invoice["linked_payments"]}


def test_many_line_invoices_are_truncated_in_lists_and_paged_on_retrieve(
    generated: Sandbox,
) -> None:
    rows = generated.list_all("invoices")
    truncated = [r["invoice"] for r in rows if "line_items_next_offset" in r["invoice"]]
    assert len(truncated) == 2
    for inv in truncated:
        assert len(inv["line_items"]) == 100
        ids = {li["id"] for li in inv["line_items"]}
        assert all(t["line_item_id"] in ids for t in inv["line_item_taxes"])
    big = max(truncated, key=lambda inv: inv["total"] * 0 + len(inv["line_items"]))
    first = generated.api.get(f"/invoices/{big['id']}").json()["invoice"]
    full = _retrieve_all_lines(generated, "invoices", "invoice", big["id"])
    assert len(full["line_items"]) in (130, 320)
    assert len({li["id"] for li in full["line_items"]}) == len(full["line_items"])
    assert full["sub_total"] == sum(li["amount"] for li in full["line_items"])
    if len(full["line_items"]) > 300:
        assert "line_items_next_offset" in first
    small = generated.api.get(f"/invoices/{big['id']}", params={"line_items_limit": 50}).json()[
        "invoice"
    ]
    assert len(small["line_items"]) == 50 and "line_items_next_offset" in small
    for bad in ("0", "301"):
        response = generated.api.get(f"/invoices/{big['id']}", params={"line_items_limit": bad})
        assert response.status_code == 400
