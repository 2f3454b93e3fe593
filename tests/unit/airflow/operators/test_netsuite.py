"""NetSuiteReferenceOperator and NetSuiteLoadOperator: the pool, dry runs, the client used."""

from __future__ import annotations

from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow.operators import netsuite as module
from chargebee_netsuite.airflow.operators.links import FinanceViewLink
from chargebee_netsuite.airflow.operators.netsuite import (
    NetSuiteLoadOperator,
    NetSuiteReferenceOperator,
)


@pytest.fixture
def resources(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """Fake run resources in place of staging and the NetSuite connection."""
    config = SimpleNamespace(
        time_zone="America/Los_Angeles",
        line_service_dates=False,
        mapping_path=Path("from-env.yaml"),
        reports_dir=Path("reports"),
    )
    engine = SimpleNamespace(connect=nullcontext)  # a connection nobody reads (patched below)
    fake = SimpleNamespace(engine=engine, netsuite="ns-client", site="acme", config=config)

    @contextmanager
    def fake_resources(given: Any) -> Any:
        yield fake

    monkeypatch.setattr(module, "run_resources", fake_resources)
    monkeypatch.setattr(NetSuiteLoadOperator, "sync_config", lambda self: config)
    monkeypatch.setattr(NetSuiteReferenceOperator, "sync_config", lambda self: config)
    return fake


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace) -> list[dict[str, Any]]:
    from chargebee_netsuite import mapping
    from chargebee_netsuite.airflow import notifiers
    from chargebee_netsuite.load import run as load_run
    from chargebee_netsuite.reconcile import unposted
    from chargebee_netsuite.reference import store

    calls: list[dict[str, Any]] = []

    def sync(engine: Any, client: Any, mapping: Any, reference: Any, run_id: str, **kw: Any) -> Any:
        calls.append({"client": client, "mapping": mapping, "run_id": run_id, **kw})
        return SimpleNamespace(as_dict=lambda: {"writes": 0, "dry_run": kw["dry_run"]})

    monkeypatch.setattr(load_run, "sync", sync)
    monkeypatch.setattr(mapping, "load_mapping", lambda path: f"mapping:{path}")
    # What did not post before and after the load, and the notification of what is new.
    monkeypatch.setattr(unposted, "exception_keys", lambda conn, site: set())
    monkeypatch.setattr(unposted, "after_load", lambda *args: {"new": {"documents": 0}})
    monkeypatch.setattr(
        notifiers, "notify_unposted", lambda result, context, fail: {"new": 0, "fail": fail}
    )
    monkeypatch.setattr(store, "read_reference_data", lambda engine: "reference")
    return calls


def test_load_posts_through_the_connections_client(synced: list[dict[str, Any]]) -> None:
    result = NetSuiteLoadOperator(task_id="load").execute({"run_id": "r1", "params": {}})  # type: ignore[arg-type]
    [call] = synced
    assert (call["client"], call["run_id"], call["site"], call["dry_run"]) == (
        "ns-client",
        "r1",
        "acme",
        False,
    )
    assert call["mapping"] == "mapping:from-env.yaml"
    assert result == {
        "writes": 0,
        "dry_run": False,
        "unposted": {"new": {"documents": 0}},
        "notify": {"new": 0, "fail": False},
    }


@pytest.mark.parametrize(
    ("argument", "params", "expected"),
    [(None, {"dry_run": True}, True), ("True", {}, True), ("False", {"dry_run": True}, False)],
)
def test_dry_run_from_the_argument_or_the_param(
    synced: list[dict[str, Any]], argument: Any, params: dict[str, Any], expected: bool
) -> None:
    task = NetSuiteLoadOperator(task_id="load", is_dry_run=argument, mapping_path="m.yaml")
    task.execute({"run_id": "r1", "params": params})  # type: ignore[arg-type]
    assert synced[0]["dry_run"] is expected
    assert synced[0]["mapping"] == "mapping:m.yaml"


def test_reference_pull(monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace) -> None:
    from chargebee_netsuite.reference import pull

    monkeypatch.setattr(pull, "refresh_reference_data", lambda client, engine: {client: 1})
    assert NetSuiteReferenceOperator(task_id="pull_reference").execute({}) == {"ns-client": 1}  # type: ignore[arg-type]


def test_netsuite_tasks_share_the_one_slot_pool_and_link_to_the_finance_view() -> None:
    load = NetSuiteLoadOperator(task_id="load", netsuite_conn_id="ns_sb1")
    assert (load.pool, load.netsuite_conn_id) == ("netsuite_api", "ns_sb1")
    assert NetSuiteReferenceOperator(task_id="ref").pool == "netsuite_api"
    assert any(isinstance(link, FinanceViewLink) for link in load.operator_extra_links)
    assert set(load.template_fields) == {"is_dry_run", "mapping_path"}
