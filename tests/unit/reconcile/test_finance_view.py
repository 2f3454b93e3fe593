"""The finance view's app: its JSON, re-drive, and access through Airflow's authentication."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from chargebee_netsuite.finance_view.app import create_app
from chargebee_netsuite.finance_view.settings import ViewSettings
from chargebee_netsuite.reconcile.model import Finding
from chargebee_netsuite.reconcile.report import write_report
from chargebee_netsuite.reconcile.store import save_run

from .conftest import SITE
from .test_report_files import report


class Recorder:
    """Stands in for the REST trigger; remembers how it was called."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(self, base_url: str, dag_id: str, **kwargs: Any) -> dict[str, Any]:
        self.calls.append({"base_url": base_url, "dag_id": dag_id, **kwargs})
        return {"dag_id": dag_id, "dag_run_id": "manual__1", "state": "queued"}


async def finished(base_url: str, dag_id: str, dag_run_id: str, **_: Any) -> str:
    return "success"


def allow() -> None:
    return None


@pytest.fixture
def view(seeded: Engine, tmp_path: Path) -> tuple[TestClient, Recorder]:
    stored = report(site=SITE, run_id="rec-1")
    target = write_report(tmp_path, stored)
    with seeded.begin() as conn:
        save_run(
            conn,
            SITE,
            "rec-1",
            window=(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 28, tzinfo=UTC)),
            created_at=datetime(2026, 11, 28, tzinfo=UTC),
            report_dir=str(target),
            report=stored,
            findings=[Finding("mismatch", "flagged", "differs", "invoice", "inv_1")],
        )
    recorder = Recorder()
    url = str(seeded.url)
    app = create_app(
        lambda: ViewSettings(staging_url=url, api_base_url="http://airflow.test"),
        read_access=allow,
        trigger_access=allow,
        user=lambda: "ann",
        trigger=recorder,
        run_state=finished,
    )
    return TestClient(app), recorder


def test_the_page_and_the_latest_report(view: tuple[TestClient, Recorder]) -> None:
    client, _ = view
    page = client.get("/")
    assert (
        page.status_code == 200 and "Not posted to NetSuite" in page.text and "cdn" not in page.text
    )
    body = client.get("/api/report").json()["report"]
    assert body["run_id"] == "rec-1" and body["site"] == SITE
    assert body["groups"][0]["svg"].startswith("<svg") and "audit" not in body
    assert client.get("/reports/rec-1/totals.csv").text.startswith("subsidiary,")
    assert client.get("/reports/rec-1/../../etc/passwd").status_code == 404
    assert client.get("/reports/rec-1/secrets.txt").status_code == 404


def test_exceptions_search_and_audit(view: tuple[TestClient, Recorder]) -> None:
    client, _ = view
    items = client.get("/api/exceptions").json()["items"]
    assert [i["id"] for i in items] == ["inv_7", "cn_4", "txn_9"]
    assert [
        i["id"] for i in client.get("/api/exceptions", params={"q": "cn_"}).json()["items"]
    ] == ["cn_4"]
    trail = client.get("/api/audit/invoice/inv_1").json()
    assert [a["outcome"] for a in trail["attempts"]] == ["failed", "posted"]
    assert trail["findings"][0]["check"] == "mismatch"


def test_redrive_requeues_and_triggers_a_sync_as_the_caller(
    view: tuple[TestClient, Recorder],
) -> None:
    client, recorder = view
    answer = client.post(
        "/api/redrive",
        json={"documents": [["transaction", "txn_9"]]},
        headers={"Authorization": "Bearer user-token"},
    ).json()
    assert answer["requeued"] == [["transaction", "txn_9", "main"]]
    assert "manual__1" in answer["message"]
    [call] = recorder.calls
    assert call["dag_id"] == "chargebee_netsuite_sync"
    assert call["authorization"] == "Bearer user-token"  # Airflow authorizes the trigger
    assert call["base_url"] == "http://airflow.test" and "ann" in call["note"]
    again = client.post("/api/redrive", json={"documents": [["transaction", "txn_9"]]}).json()
    assert again["requeued"] == [] and len(recorder.calls) == 1


def test_without_an_airflow_session_nothing_is_served(seeded: Engine) -> None:
    url = str(seeded.url)
    client = TestClient(create_app(lambda: ViewSettings(staging_url=url)))
    for path in ("/", "/api/report", "/api/exceptions", "/api/audit/invoice/inv_1"):
        assert client.get(path).status_code == 401, path
    assert client.post("/api/redrive", json={}).status_code == 401


def test_the_view_shows_the_period_the_history_and_amounts_in_words(
    view: tuple[TestClient, Recorder],
) -> None:
    client, _ = view
    body = client.get("/api/view", params={"first": "2026-11-01", "last": "2026-11-27"}).json()
    # The stored window [1 Nov, 28 Nov) is the inclusive period 1-27 Nov.
    assert body["period"] == {"first": "2026-11-01", "last": "2026-11-27"}
    report = body["report"]
    assert report["run_id"] == "rec-1"
    billed = report["totals"][0]
    assert (billed["chargebee_text"], billed["difference_text"], billed["differs"]) == (
        "$120.00",
        "$10.00",
        True,
    )
    [finding] = report["findings"]
    # The stored finding names no currency: plain amounts then.
    assert finding["detail"] == "The total is 120.00 in Chargebee but 110.00 in NetSuite."
    assert finding["audit"]["detail"] == "differs"
    assert [h["run_id"] for h in body["history"]] == ["rec-1"]
    assert body["history"][0]["period"] == {"first": "2026-11-01", "last": "2026-11-27"}
    other = client.get("/api/view", params={"first": "2026-10-01", "last": "2026-10-31"}).json()
    assert other["report"] is None and other["history"]
    assert client.get("/api/view", params={"first": "2026-10-31"}).status_code == 422


def test_reconciling_a_picked_period_triggers_the_dag_with_its_window(
    view: tuple[TestClient, Recorder],
) -> None:
    client, recorder = view
    answer = client.post("/api/reconcile", json={"first": "2026-10-01", "last": "2026-10-31"})
    assert answer.status_code == 200
    [call] = recorder.calls
    assert call["dag_id"] == "chargebee_netsuite_reconcile"
    assert call["conf"] == {
        "window_start": "2026-10-01T00:00:00+00:00",
        "window_end": "2026-11-01T00:00:00+00:00",  # the last day is included
    }
    bad = client.post("/api/reconcile", json={"first": "2026-10-31", "last": "2026-10-01"})
    assert bad.status_code == 422 and len(recorder.calls) == 1


def test_a_quarantined_document_is_re_driven_by_a_sync_and_its_state_followed(
    view: tuple[TestClient, Recorder],
) -> None:
    client, recorder = view
    answer = client.post("/api/redrive", json={"documents": [["invoice", "inv_7"]]}).json()
    assert answer["requeued"] == [] and answer["revalidate"] == [["invoice", "inv_7"]]
    assert "check again" in answer["message"] and recorder.calls[0]["dag_id"].endswith("_sync")
    status = client.post(
        "/api/status",
        json={
            "documents": [["invoice", "inv_7"], ["invoice", "inv_1"]],
            "dag_run": answer["dag_run"],
        },
    ).json()
    assert status["run_state"] == "success"
    states = {d["id"]: (d["state"], d["posted"]) for d in status["documents"]}
    assert states == {"inv_7": ("quarantined", False), "inv_1": ("posted", True)}


def test_a_post_without_a_body_reads_as_an_empty_object(
    view: tuple[TestClient, Recorder],
) -> None:
    client, recorder = view
    status = client.post("/api/status")
    assert status.status_code == 200 and status.json()["documents"] == []
    assert client.post("/api/reconcile").status_code == 422 and recorder.calls == []
    assert client.post("/api/status", json=[1]).status_code == 422


def test_the_month_end_pack_is_a_workbook_signed_by_the_caller(
    view: tuple[TestClient, Recorder],
) -> None:
    import io

    import openpyxl

    client, _ = view
    answer = client.get("/api/pack", params={"run_id": "rec-1"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "month-end-pack_acme_2026-11-01_2026-11-27.xlsx" in answer.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == ["Totals", "Posted documents", "Exceptions", "Sign-off"]
    cell = book["Totals"]["D2"]
    assert cell.value == 120 and cell.number_format == '"$"#,##0.00;-"$"#,##0.00'
    sign = {r[0].value: r[1].value for r in book["Sign-off"].iter_rows(min_row=2)}
    assert (
        sign["Generated by"] == "ann" and sign["Period (inclusive)"] == "2026-11-01 to 2026-11-27"
    )
    assert (
        client.get("/api/pack", params={"first": "2026-10-01", "last": "2026-10-31"}).status_code
        == 404
    )


def test_the_summary_page_is_dates_and_amounts_for_people(
    view: tuple[TestClient, Recorder],
) -> None:
    client, _ = view
    page = client.get("/summary/rec-1").text
    assert "$120.00" in page and "2 total(s) differ" in page
    assert "<script>alert(1)</script>" not in page  # a hostile id is text
    assert client.get("/summary/nope").status_code == 404
