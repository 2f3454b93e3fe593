"""Preflight operators: the connection check, the migration, the mapping check."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow.operators import preflight as module
from chargebee_netsuite.airflow.operators.preflight import (
    CheckConnectionsOperator,
    MappingCheckOperator,
    MigrateStagingOperator,
)
from chargebee_netsuite.errors import ConfigurationError

CONFIG = SimpleNamespace(chargebee_conn_id="cb", mapping_path=Path("env.yaml"))


class FakeEngine:
    dialect = SimpleNamespace(name="sqlite")

    @contextmanager
    def connect(self) -> Any:
        yield "conn"


@pytest.fixture
def resources(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    token = SimpleNamespace(token=lambda: "minted")
    netsuite = SimpleNamespace(tokens=token, config=SimpleNamespace(account_id="123_SB1"))
    fake = SimpleNamespace(engine=FakeEngine(), site="acme", netsuite=netsuite)

    @contextmanager
    def fake_resources(config: Any) -> Any:
        yield fake

    monkeypatch.setattr(module, "run_resources", fake_resources)
    for operator in (CheckConnectionsOperator, MigrateStagingOperator, MappingCheckOperator):
        monkeypatch.setattr(operator, "sync_config", lambda self: CONFIG)
    return fake


def test_check_connections_lists_one_customer_and_mints_a_token(
    monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace
) -> None:
    from chargebee_netsuite.airflow.hooks import chargebee

    asked: list[Any] = []

    class Client:
        settings = SimpleNamespace(site="acme")

        def __enter__(self) -> Client:
            return self

        def __exit__(self, *exc: object) -> None:
            asked.append("closed")

        def get(self, path: str, params: dict[str, str]) -> None:
            asked.append((path, params))

    monkeypatch.setattr(
        chargebee, "ChargebeeHook", lambda conn_id: SimpleNamespace(get_conn=Client)
    )
    result = CheckConnectionsOperator(task_id="check").execute({})  # type: ignore[arg-type]
    assert result == {"site": "acme", "account": "123_SB1"}
    assert asked == [("/customers", {"limit": "1"}), "closed"]


def test_migrate_staging(monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace) -> None:
    from chargebee_netsuite.staging import db

    migrated: list[Any] = []
    monkeypatch.setattr(db, "migrate", migrated.append)
    assert MigrateStagingOperator(task_id="m").execute({}) == {"dialect": "sqlite"}  # type: ignore[arg-type]
    assert migrated == [resources.engine]


@pytest.fixture
def report(monkeypatch: pytest.MonkeyPatch, resources: SimpleNamespace) -> SimpleNamespace:
    from chargebee_netsuite import mapping
    from chargebee_netsuite.load import run, source
    from chargebee_netsuite.reference import store

    outcome = SimpleNamespace(
        blocks_everything=False,
        ok=True,
        notices=[],
        problems=[],
        summary=lambda: "summary",
        checked=[],
        catch_alls=[],
    )
    monkeypatch.setattr(mapping, "load_mapping", lambda path: outcome.checked.append(path))
    monkeypatch.setattr(mapping, "validate_mapping", lambda m, ref, usage: outcome)
    monkeypatch.setattr(store, "read_reference_data", lambda engine: "reference")
    monkeypatch.setattr(source, "read_item_prices", lambda conn, site: {})
    monkeypatch.setattr(run, "staged_usage", lambda engine, site, prices: "usage")
    return outcome


def test_mapping_check_reads_the_templated_path_or_the_environment(report: SimpleNamespace) -> None:
    assert MappingCheckOperator(task_id="c").execute({}) == {  # type: ignore[arg-type]
        "mapping": "env.yaml",
        "problems": 0,
        "notices": 0,
        "catch_alls": [],
    }
    MappingCheckOperator(task_id="c", mapping_path="/etc/cbns/mapping.yaml").execute({})  # type: ignore[arg-type]
    assert report.checked == [Path("env.yaml"), Path("/etc/cbns/mapping.yaml")]
    assert MappingCheckOperator.template_fields == ("mapping_path",)


def test_a_mapping_that_blocks_everything_fails_the_task(report: SimpleNamespace) -> None:
    report.blocks_everything = True
    with pytest.raises(ConfigurationError, match=r"env\.yaml: summary"):
        MappingCheckOperator(task_id="c").execute({})  # type: ignore[arg-type]
