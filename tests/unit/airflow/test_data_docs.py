"""The Data Docs app: a run's pages, nothing outside that run's folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from chargebee_netsuite.airflow.data_docs import create_app


@pytest.fixture
def client(tmp_path: Path) -> TestClient:
    run = tmp_path / "data_docs" / "run-1"
    run.mkdir(parents=True)
    (run / "index.html").write_text("<h1>Data Docs</h1>")
    (tmp_path / "secret.txt").write_text("staging password")
    return TestClient(create_app(lambda: tmp_path, read_access=lambda: None))


def test_serves_a_runs_pages(client: TestClient) -> None:
    page = client.get("/run-1/index.html")
    assert page.status_code == 200 and "Data Docs" in page.text


@pytest.mark.parametrize(
    "path",
    ["/run-1/missing.html", "/run-2/index.html", "/run-1/../../secret.txt", "/../secret.txt"],
)
def test_nothing_else(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert "password" not in response.text


def test_reading_needs_the_access_check(tmp_path: Path) -> None:
    from fastapi import HTTPException

    def refuse() -> None:
        raise HTTPException(403, "no")

    app = create_app(lambda: tmp_path, read_access=refuse)
    assert TestClient(app).get("/run-1/index.html").status_code == 403
