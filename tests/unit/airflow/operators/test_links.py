"""Extra links: each run's Data Docs, its reconciliation report, the finance view."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from chargebee_netsuite.airflow.operators import registered_links
from chargebee_netsuite.airflow.operators.links import (
    DataDocsLink,
    FinanceViewLink,
    ReconciliationReportLink,
)
from chargebee_netsuite.airflow.operators.quality import GreatExpectationsValidationOperator
from chargebee_netsuite.airflow.operators.reconcile import ReconcileOperator
from chargebee_netsuite.quality.docs import run_folder

RUN_ID = "scheduled__2026-01-01T00:00:00+00:00"
KEY = SimpleNamespace(dag_id="d", task_id="t", run_id=RUN_ID, try_number=1, map_index=-1)


def test_links_are_relative_to_the_ui_without_a_base_url(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("AIRFLOW__API__BASE_URL", raising=False)
    monkeypatch.setenv("CBNS_REPORTS_DIR", str(tmp_path))
    op = GreatExpectationsValidationOperator(task_id="validate")
    # A run that validated nothing built no Data Docs: the button is disabled.
    assert DataDocsLink().get_link(op, ti_key=KEY) == ""  # type: ignore[arg-type]
    folder = tmp_path / "data_docs" / run_folder(RUN_ID)
    folder.mkdir(parents=True)
    (folder / "index.html").write_text("<html>")
    assert DataDocsLink().get_link(op, ti_key=KEY) == (  # type: ignore[arg-type]
        f"/chargebee-netsuite/finance/data-docs/{run_folder(RUN_ID)}/index.html"
    )
    assert FinanceViewLink().get_link(op, ti_key=KEY) == "/chargebee-netsuite/finance/"  # type: ignore[arg-type]
    assert ReconciliationReportLink().get_link(op, ti_key=KEY) == (  # type: ignore[arg-type]
        "/chargebee-netsuite/finance/reports/"
        "scheduled__2026-01-01T00%3A00%3A00%2B00%3A00/index.html"
    )


def test_links_use_the_api_servers_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIRFLOW__API__BASE_URL", "https://airflow.example.com/")
    op = ReconcileOperator(task_id="reconcile")
    assert FinanceViewLink().get_link(op, ti_key=KEY) == (  # type: ignore[arg-type]
        "https://airflow.example.com/chargebee-netsuite/finance/"
    )


def test_the_plugin_registers_each_link_for_the_operators_that_declare_it() -> None:
    links = {link.name: type(link) for link in registered_links()}
    assert set(links) == {"Data Docs", "Finance view", "Reconciliation report"}
    assert GreatExpectationsValidationOperator in DataDocsLink.operators
    assert ReconcileOperator not in DataDocsLink.operators
    assert ReconciliationReportLink.operators == [ReconcileOperator]
