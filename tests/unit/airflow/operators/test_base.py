"""What every operator shares: the run's context as plain values, flags, defaults."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from chargebee_netsuite.airflow.operators.base import ConnectorOperator, RunContext, flag
from chargebee_netsuite.airflow.retry import POLICY


def test_run_context_reads_a_task_context() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    run = RunContext.of(
        {
            "run_id": "scheduled__x",
            "params": {"dry_run": True},
            "data_interval_start": start,
            "ti": SimpleNamespace(try_number=3),
        }
    )
    assert (run.run_id, dict(run.params), run.data_interval_start, run.try_number) == (
        "scheduled__x",
        {"dry_run": True},
        start,
        3,
    )
    assert RunContext.of({}) == RunContext(run_id="manual", params={})


@pytest.mark.parametrize(
    ("value", "params", "expected"),
    [
        (None, {}, False),
        (None, {"dry_run": True}, True),
        (True, {"dry_run": False}, True),
        ("True", {}, True),
        ("false", {"dry_run": True}, False),
        ("", {}, False),
    ],
)
def test_flag(value: object, params: dict[str, object], expected: bool) -> None:
    assert flag(value, params, "dry_run") is expected


def test_connection_ids_and_the_retry_policy_default() -> None:
    task = ConnectorOperator(task_id="t")
    assert (task.chargebee_conn_id, task.netsuite_conn_id) == (
        "chargebee_default",
        "netsuite_default",
    )
    assert task.retry_policy is POLICY
    assert ConnectorOperator(task_id="u", retry_policy=None).retry_policy is None


def test_sync_config_carries_the_operators_connections(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBNS_STAGING_URL", "sqlite://")
    config = ConnectorOperator(
        task_id="t", chargebee_conn_id="cb_eu", netsuite_conn_id="ns_sb1"
    ).sync_config()
    assert (config.chargebee_conn_id, config.netsuite_conn_id) == ("cb_eu", "ns_sb1")
