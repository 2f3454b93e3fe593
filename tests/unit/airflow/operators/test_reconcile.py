"""ReconcileSummaryOperator and ReconcileOperator: headline numbers, the period, the report."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow.operators import reconcile as module
from chargebee_netsuite.airflow.operators.links import ReconciliationReportLink
from chargebee_netsuite.airflow.operators.reconcile import (
    ReconcileOperator,
    ReconcileSummaryOperator,
    period,
)

CONFIG = SimpleNamespace(
    reports_dir=Path("/reports"), time_zone="UTC", mapping_path=Path("mapping.yaml")
)


@pytest.fixture(autouse=True)
def resources(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    engine = SimpleNamespace(connect=nullcontext)  # a connection nobody reads (patched)
    fake = SimpleNamespace(engine=engine, netsuite="ns", site="acme", config=CONFIG)

    @contextmanager
    def fake_resources(config: Any) -> Any:
        yield fake

    monkeypatch.setattr(module, "run_resources", fake_resources)
    for operator in (ReconcileOperator, ReconcileSummaryOperator):
        monkeypatch.setattr(operator, "sync_config", lambda self: CONFIG)
    return fake


def test_summary_returns_the_headline(monkeypatch: pytest.MonkeyPatch) -> None:
    from chargebee_netsuite.reconcile import headline, unposted

    catch_alls = {"count": 0, "totals": {}, "items": []}
    monkeypatch.setattr(headline, "catch_alls", lambda engine, site, path, limit: catch_alls)
    monkeypatch.setattr(
        unposted,
        "unposted_report",
        lambda conn, site, run_id: SimpleNamespace(as_dict=lambda: {"all": {"documents": 1}}),
    )
    ar = {"USD": {"chargebee": "10.00", "netsuite": "7.00", "difference": "3.00"}}
    monkeypatch.setattr(
        headline,
        "ledger_overview",
        lambda engine, site: {"by_kind": {"invoice": {"posted": 2}}, "not_posted_total": 1},
    )
    monkeypatch.setattr(headline, "ar_comparison", lambda engine, client, site: ar)
    monkeypatch.setattr(headline, "quarantined", lambda engine, site: [{"id": "x"}])
    result = ReconcileSummaryOperator(task_id="reconcile").execute({"run_id": "r"})  # type: ignore[arg-type]
    assert result == {
        "by_kind": {"invoice": {"posted": 2}},
        "not_posted": 1,
        "quarantined": 1,
        "unposted": {"documents": 1},
        "catch_alls": catch_alls,
        "open_ar": ar,
    }


def test_the_period_is_month_to_date_unless_a_template_or_param_says_otherwise() -> None:
    end = datetime(2026, 3, 17, 6, tzinfo=UTC)
    assert period(None, None, end) == (datetime(2026, 3, 1, tzinfo=UTC), end)
    # Rendered templates arrive as text; an unset param renders as "None".
    assert period("2026-02-01", "None", end) == (datetime(2026, 2, 1), end)
    start, stop = period(None, "2026-02-10T00:00:00+00:00", end)
    assert (start, stop) == (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 10, tzinfo=UTC))


def test_reconcile_runs_over_the_params_period(
    monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace
) -> None:
    from chargebee_netsuite.reconcile import run

    calls: list[tuple[Any, ...]] = []

    def reconcile(*args: Any, **kwargs: Any) -> Any:
        calls.append((*args, kwargs))
        return SimpleNamespace(as_dict=lambda: {"clean": True})

    monkeypatch.setattr(run, "reconcile", reconcile)
    context = {
        "run_id": "r1",
        "params": {"window_start": "2026-01-05", "window_end": None},
        "data_interval_end": datetime(2026, 1, 20, tzinfo=UTC),
    }
    assert ReconcileOperator(task_id="reconcile").execute(context) == {"clean": True}  # type: ignore[arg-type]
    [(engine, client, site, start, end, run_id, reports, kwargs)] = calls
    assert (engine, client, site, run_id, reports) == (
        resources.engine,
        "ns",
        "acme",
        "r1",
        Path("/reports"),
    )
    assert (start, end) == (datetime(2026, 1, 5), datetime(2026, 1, 20, tzinfo=UTC))
    assert kwargs == {"time_zone": "UTC"}


def test_reconcile_links_to_its_report_and_holds_the_netsuite_slot() -> None:
    task = ReconcileOperator(task_id="reconcile", window_start="{{ ds }}")
    assert any(isinstance(link, ReconciliationReportLink) for link in task.operator_extra_links)
    assert (task.pool, task.template_fields) == ("netsuite_api", ("window_start", "window_end"))
    assert ReconcileSummaryOperator(task_id="s").pool == "netsuite_api"
