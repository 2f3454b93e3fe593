"""ChargebeeToStagingOperator: resources param, skipping, windows, full resync, the pool."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowSkipException

from chargebee_netsuite.airflow.operators import chargebee as module
from chargebee_netsuite.airflow.operators.chargebee import ChargebeeToStagingOperator
from chargebee_netsuite.errors import ConfigurationError

START, END = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, tzinfo=UTC)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Replace the run's resources and the extraction; record what the extraction was asked."""
    from chargebee_netsuite.extract import documents

    seen: list[dict[str, Any]] = []
    resources = SimpleNamespace(chargebee="client", engine="engine")

    @contextmanager
    def fake_resources(config: Any) -> Any:
        yield resources

    def extract_resource(client: Any, engine: Any, resource: str, window: Any, **kw: Any) -> Any:
        seen.append({"client": client, "resource": resource, "window": window, **kw})
        return SimpleNamespace(as_dict=lambda: {"resource": resource, "documents": 2})

    monkeypatch.setattr(module, "run_resources", fake_resources)
    monkeypatch.setattr(ChargebeeToStagingOperator, "sync_config", lambda self: "config")
    monkeypatch.setattr(documents, "extract_resource", extract_resource)
    return seen


def run(operator: ChargebeeToStagingOperator, **context: Any) -> dict[str, Any]:
    return operator.execute({"run_id": "scheduled__1", "params": {}, **context})  # type: ignore[arg-type]


def test_stages_the_data_interval(calls: list[dict[str, Any]]) -> None:
    task = ChargebeeToStagingOperator(task_id="invoices", resource="invoices")
    result = run(task, data_interval_start=START, data_interval_end=END)
    [call] = calls
    assert (call["client"], call["resource"], call["run_id"], call["full"]) == (
        "client",
        "invoices",
        "scheduled__1",
        False,
    )
    assert (call["window"].start, call["window"].end) == (START, END)
    assert result == {
        "resource": "invoices",
        "documents": 2,
        "window": [START.isoformat(), END.isoformat()],
    }


def test_a_run_without_an_interval_or_with_full_resync_lists_everything(
    calls: list[dict[str, Any]],
) -> None:
    run(ChargebeeToStagingOperator(task_id="items", resource="items"))
    run(
        ChargebeeToStagingOperator(task_id="items", resource="items"),
        params={"full_resync": True},
        data_interval_start=START,
        data_interval_end=END,
    )
    # A rendered template ("{{ params.full_resync }}") arrives as text.
    run(
        ChargebeeToStagingOperator(task_id="items", resource="items", full_resync="True"),
        data_interval_start=START,
        data_interval_end=END,
    )
    assert (calls[0]["window"], calls[0]["full"]) == (None, False)
    assert [c["full"] for c in calls[1:]] == [True, True]


def test_resources_not_chosen_are_skipped_and_unknown_ones_refused(
    calls: list[dict[str, Any]],
) -> None:
    with pytest.raises(AirflowSkipException):
        run(
            ChargebeeToStagingOperator(task_id="items", resource="items"),
            params={"resources": ["invoices"]},
        )
    with pytest.raises(AirflowSkipException):
        run(
            ChargebeeToStagingOperator(
                task_id="items", resource="items", chargebee_resources=["customers"]
            )
        )
    with pytest.raises(ConfigurationError, match="subscriptions"):
        run(
            ChargebeeToStagingOperator(task_id="items", resource="items"),
            params={"resources": ["subscriptions"]},
        )
    assert calls == []


def test_constructor_does_no_io_and_takes_the_pool_and_policy_defaults() -> None:
    from chargebee_netsuite.airflow.retry import POLICY

    task = ChargebeeToStagingOperator(task_id="x", resource="items", chargebee_conn_id="cb_eu")
    assert (task.pool, task.retry_policy, task.chargebee_conn_id) == (
        "chargebee_api",
        POLICY,
        "cb_eu",
    )
    assert set(task.template_fields) == {"resource", "full_resync", "chargebee_resources"}
    assert ChargebeeToStagingOperator(task_id="y", resource="items", pool="other").pool == "other"
