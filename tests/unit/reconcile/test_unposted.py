"""What a run left unposted (one vocabulary, amounts, new vs older), the notification text, and
the catch-all item prices, as the run report, notifications and the finance view show them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.finance_view.app import create_app
from chargebee_netsuite.finance_view.settings import ViewSettings
from chargebee_netsuite.reconcile.catch_alls import staged_catch_alls
from chargebee_netsuite.reconcile.unposted import (
    exception_keys,
    message_html,
    message_text,
    publish,
    subject,
    unposted_report,
)
from chargebee_netsuite.staging.chargebee_queries import upsert_documents
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES
from chargebee_netsuite.staging.ledger_queries import upsert_entries

from .conftest import SITE, ledger_row

NOW = datetime(2026, 11, 28, tzinfo=UTC)
EXAMPLE = Path(__file__).resolve().parents[3] / "include" / "mapping.example.yaml"


def stage(engine: Engine, resource: str, *docs: dict[str, Any]) -> None:
    rows = [document_row(resource, d, site=SITE, run_id="r", extracted_at=NOW) for d in docs]
    with engine.begin() as conn:
        upsert_documents(conn, DOCUMENT_TABLES[resource], rows)


def invoice(doc_id: str, total: int, currency: str, *lines: tuple[str | None, int]) -> dict:
    return {
        "id": doc_id,
        "customer_id": "c1",
        "currency_code": currency,
        "status": "posted",
        "date": 1764000000,
        "total": total,
        "line_items": [
            {"id": f"li{n}", "entity_id": price, "entity_type": "charge_item_price", "amount": a}
            for n, (price, a) in enumerate(lines)
        ],
    }


@pytest.fixture
def staged(seeded: Engine) -> Engine:
    """The seeded ledger, plus the staged documents it names and a small catalog."""
    stage(
        seeded,
        "invoices",
        invoice("inv_7", 1200, "USD", ("training-USD", 1200)),
        invoice("inv_8", 150000, "USD", ("training-USD", 150000)),
        invoice("inv_9", 5000, "EUR", ("onboarding-EUR", 5000)),
    )
    stage(
        seeded,
        "credit_notes",
        {"id": "cn_4", "currency_code": "USD", "total": 2500, "status": "refunded"},
    )
    stage(
        seeded,
        "transactions",
        {"id": "txn_9", "currency_code": "JPY", "amount": 1000, "type": "payment"},
    )
    stage(seeded, "items", {"id": "training", "item_family_id": None, "type": "charge"})
    stage(
        seeded,
        "item_prices",
        {"id": "training-USD", "item_id": "training", "item_type": "charge"},
        {"id": "onboarding-EUR", "item_id": "onboarding", "item_type": "charge"},
    )
    return seeded


def test_every_cause_in_one_vocabulary_with_amounts_and_what_is_new(staged: Engine) -> None:
    with staged.connect() as conn:
        before = exception_keys(conn, SITE)
    # The ledger's view: inv_7, quarantined by this run's data checks, is not in it yet.
    assert before == {("transaction", "txn_9", "main"), ("credit_note", "cn_4", "main")}
    with staged.begin() as conn:
        upsert_entries(
            conn,
            [
                ledger_row(
                    "invoice",
                    "inv_8",
                    "quarantined",
                    reason="items.by_item.training.item: item 99 does not exist in NetSuite.",
                    last_error_code="MAPPING_RULE",
                )
            ],
        )
        report = unposted_report(conn, SITE, "run-3", before)
    by_id = {d.id: d for d in report.documents}
    assert {i: (d.state, d.cause) for i, d in by_id.items()} == {
        "inv_7": ("quarantined", "data check"),
        "inv_8": ("quarantined", "mapping"),
        "cn_4": ("held", "dependency"),
        "txn_9": ("failed", "NetSuite refusal"),
    }
    assert by_id["txn_9"].amount == Decimal(1000) and by_id["txn_9"].currency == "JPY"
    assert [d.id for d in report.new] == ["inv_7", "inv_8"]
    assert report.amounts(new_only=True) == {"USD": Decimal("1512.00")}
    assert report.amounts() == {
        "JPY": Decimal(1000),
        "USD": Decimal("12.00") + Decimal("1500.00") + Decimal("25.00"),
    }
    small = report.as_dict()
    assert small["new"] == {
        "documents": 2,
        "by_state": {"quarantined": 2},
        "by_cause": {"data check": 1, "mapping": 1},
        "amounts": {"USD": "1512.00"},
    }
    assert small["all"]["by_cause"] == {
        "data check": 1,
        "mapping": 1,
        "dependency": 1,
        "NetSuite refusal": 1,
    }
    text = message_text(small, "https://airflow.example/chargebee-netsuite/finance/")
    assert "left 2 new document(s) not posted: 1,512.00 USD" in text
    assert "invoice inv_8 1,500.00 USD [quarantined, mapping]" in text
    assert "item 99 does not exist in NetSuite" in text
    assert "Not posted in all (new and older): 4 document(s), 1,000 JPY, 1,537.00 USD" in text
    assert text.endswith(
        "Finance view (exception queue): https://airflow.example/chargebee-netsuite/finance/"
    )
    assert subject(small).startswith("Chargebee → NetSuite: 2 new document(s) not posted")


def test_the_run_report_replaces_the_validation_section_with_every_cause(
    staged: Engine, tmp_path: Path
) -> None:
    from chargebee_netsuite.quality.docs import add_quarantine_page, report_folder

    folder = report_folder(tmp_path, "run-3")
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<html><body>GX</body></html>")
    add_quarantine_page(folder, [], "run-3")
    first = (folder / "index.html").read_text()
    assert "Every document passed the data checks" in first
    assert "Every document passed; nothing is quarantined" not in first
    with staged.connect() as conn:
        report = unposted_report(conn, SITE, "run-3")
    publish(report, tmp_path)
    index = (folder / "index.html").read_text()
    assert index.count('id="cbns-quarantine"') == 1  # rewritten, not added twice
    assert "Not posted after run run-3: 3" in index
    assert "By cause: data check 1, dependency 1, NetSuite refusal 1." in index
    assert "passed the data checks" not in index
    assert (folder / "quarantine.html").read_text().count("<tr>") == 4  # header + 3


def test_the_html_message_escapes_what_chargebee_data_says(staged: Engine) -> None:
    with staged.begin() as conn:
        upsert_entries(
            conn,
            [ledger_row("invoice", "inv_8", "held", reason="<script>x</script> {{ 7*7 }}")],
        )
        small = unposted_report(conn, SITE, "run-3", before=set()).as_dict()
    html = message_html(small)
    assert "<script>x" not in html and "&lt;script&gt;x" in html
    assert "{{ 7*7 }}" in html  # shown as text, never evaluated


def test_catch_alls_with_their_amounts_and_the_causes_in_the_queue(staged: Engine) -> None:
    from chargebee_netsuite.mapping import load_mapping

    mapping = load_mapping(EXAMPLE)
    uses = staged_catch_alls(staged, SITE, mapping)
    # 'onboarding' has a rule of its own (items.by_item); 'training' falls to the charge rule.
    assert [(u.price.id, u.rule) for u in uses] == [("training-USD", "items.by_entity_type.charge")]
    [use] = uses
    assert use.activity.amounts == {"USD": Decimal("1512.00")}
    assert (use.activity.lines, use.activity.documents) == (2, 2)
    assert "item price 'training-USD' (item 'training', charge)" in use.describe()

    url = str(staged.url)
    client = TestClient(
        create_app(lambda: ViewSettings(staging_url=url, site=SITE), read_access=lambda: None)
    )
    causes = {i["id"]: i["cause"] for i in client.get("/api/exceptions").json()["items"]}
    assert causes == {"inv_7": "data check", "cn_4": "dependency", "txn_9": "NetSuite refusal"}
