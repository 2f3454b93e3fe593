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
    )
    return TestClient(app), recorder


def test_the_page_and_the_latest_report(view: tuple[TestClient, Recorder]) -> None:
    client, _ = view
    page = client.get("/")
    assert page.status_code == 200 and "Not posted to NetSuite" in page.text and "cdn" not in page.text
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
