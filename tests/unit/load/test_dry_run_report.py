"""The dry run's per-line report: lines, accounts and dimensions by name, totals, escaping."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from chargebee_netsuite.load.dry_run_report import DryRunReport, report_dir
from chargebee_netsuite.reference.model import ReferenceData, ReferenceRecord
from chargebee_netsuite.transform.identity import external_id
from chargebee_netsuite.transform.model import Posting, Ref

REFERENCE = ReferenceData.build(
    [
        ReferenceRecord("account", "10", "Subscription Revenue", type="Income", code="4000"),
        ReferenceRecord("account", "3", "Gateway Clearing", type="Bank", code="1020"),
        ReferenceRecord(
            "item", "1", "Starter plan", type="Service", code="PLAN", income_account="10"
        ),
        ReferenceRecord("subsidiary", "1", "SaaSCo Inc."),
        ReferenceRecord("department", "2", "Customer <Success>"),
        ReferenceRecord("currency", "1", "US Dollar", code="USD"),
    ]
)
CUSTOMER = Ref("customer", external_id("acme", "customer", "cus_1"))
HEADER = {"subsidiary": {"id": "1"}, "currency": {"id": "1"}}


def _invoice() -> Posting:
    lines = [
        {"item": {"id": "1"}, "amount": Decimal("100.00"), "department": {"id": "2"}},
        {"item": {"id": "1"}, "amount": Decimal("20.50")},
    ]
    body = {**HEADER, "entity": CUSTOMER, "item": {"items": lines}}
    return Posting("invoice", "eid-1", body, "Chargebee invoice 1001")


def _refund() -> Posting:
    apply = [{"doc": Ref("creditMemo", "x"), "apply": True, "amount": Decimal("30.00")}]
    body = {**HEADER, "customer": CUSTOMER, "account": {"id": "3"}, "apply": {"items": apply}}
    return Posting("customerRefund", "eid-2", body, "Chargebee refund txn_2")


def test_every_line_with_names_and_totals_per_account_and_currency(tmp_path: Path) -> None:
    folder = report_dir(tmp_path, "manual__2026-12-07T10:00:00+00:00")
    report = DryRunReport(folder, REFERENCE, site="acme")
    report.add("1001", _invoice())
    report.add("txn_2", _refund())
    report.add("cus_1", Posting("customer", "eid-3", {}, "Chargebee customer cus_1"))
    paths = report.close("manual__2026-12-07T10:00:00+00:00", {"would_post": 3})

    with open(paths["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["number"], r["line"], r["amount"]) for r in rows] == [
        ("1001", "1", "100.00"),
        ("1001", "2", "20.50"),
        ("txn_2", "1", "30.00"),
    ]
    first = rows[0]
    assert first["item"] == "PLAN Starter plan (1)"
    assert first["account"] == "4000 Subscription Revenue (10)"  # the item's income account
    assert first["department"] == "Customer <Success> (2)"
    assert (first["customer_id"], first["subsidiary"], first["currency"]) == (
        "cus_1",
        "SaaSCo Inc. (1)",
        "USD",
    )
    totals = {(t.account, t.currency): t.amount for t in report.sorted_totals()}
    # A refund takes money back out of its account.
    assert totals == {
        ("4000 Subscription Revenue (10)", "USD"): Decimal("120.50"),
        ("1020 Gateway Clearing (3)", "USD"): Decimal("-30.00"),
    }
    html = Path(paths["html"]).read_text()
    assert "Customer &lt;Success&gt; (2)" in html and "<Success>" not in html
    assert Path(paths["totals_csv"]).read_text().splitlines()[0] == "account,currency,amount,lines"
    assert folder.parent.name == "dry_run" and ":" not in folder.name
