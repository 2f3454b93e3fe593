"""Whatever Chargebee, NetSuite or the ledger say is text on the pages we write, never markup."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.builders.html_page import HOSTILE, Page

from chargebee_netsuite.quality.docs import add_quarantine_page
from chargebee_netsuite.quality.quarantine import QuarantineEntry
from chargebee_netsuite.reconcile.report import write_report

MONEY = {"chargebee": "120.00", "netsuite": "110.00", "difference": "10.00"}


class Values:
    """Hands out a distinct hostile value per field and remembers them all."""

    def __init__(self) -> None:
        self.given: list[str] = []

    def __call__(self, name: str) -> str:
        value = f"{name} {HOSTILE}"
        self.given.append(value)
        return value

    def row(self, *names: str, **fixed: Any) -> dict[str, Any]:
        """A row with a hostile value in each of ``names``."""
        return {**{name: self(name) for name in names}, **fixed}


def hostile_report(v: Values) -> dict[str, Any]:
    """A report with a hostile value in every field the page shows."""
    audit_id = v("audit id")
    return {
        "site": v("site"),
        "run_id": v("run"),
        "window": [v("from"), v("to")],
        "created_at": v("created"),
        "figures": {
            "totals": [
                v.row("subsidiary", "currency", measure="billed", **MONEY),
                v.row("subsidiary", "currency", "measure", **MONEY),
            ],
            "customers": [v.row("subsidiary", "currency", "customer_id", "measure", **MONEY)],
            "documents": [
                v.row("customer_id", "kind", "id", "measure", "netsuite_id", **MONEY),
            ],
        },
        "findings": [
            v.row(
                *("check", "action", "source_kind", "source_id", "field"),
                *("chargebee_value", "netsuite_value", "detail"),
            )
        ],
        "exceptions": [
            v.row(*("since", "kind", "id", "state", "code", "reason", "fix", "attempts")),
        ],
        "audit": [
            {
                "kind": "invoice",
                "id": audit_id,
                "ledger": [
                    v.row(
                        *("role", "state", "netsuite_type", "netsuite_id"),
                        *("posted_hash", "posted_at", "reason"),
                    )
                ],
                "attempts": [
                    v.row(
                        *("attempted_at", "run_id", "role", "outcome"),
                        *("netsuite_id", "status_code", "error"),
                    )
                ],
            }
        ],
        "links": [v("link")],
        "summary": {"counts": {"mismatch": 1}, "requeued": 0},
    }


def test_every_value_in_the_reconciliation_report_is_text(tmp_path: Path) -> None:
    values = Values()
    report = hostile_report(values)
    page = Page.read(write_report(tmp_path, report) / "index.html")
    assert page.only_inert_markup(), (page.tags, page.handlers, page.scripts)
    missing = [value for value in values.given if value not in page.text]
    assert missing == []
    assert f"audit-invoice-{report['audit'][0]['id']}" in page.ids  # attributes too


def test_every_value_in_the_quarantine_page_and_the_data_docs_index_is_text(
    tmp_path: Path,
) -> None:
    values = Values()
    entry = QuarantineEntry(*(values(name) for name in ("kind", "id", "check", "exp", "reason")))
    run_id = values("run")
    (tmp_path / "index.html").write_text("<html><body><p>GX</p></body></html>")
    page = add_quarantine_page(tmp_path, [entry], run_id)
    for path in (page, tmp_path / "index.html"):
        shown = Page.read(path)
        assert shown.only_inert_markup(), (path.name, shown.tags, shown.handlers)
        assert [value for value in values.given if value not in shown.text] == []
