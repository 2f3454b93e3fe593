"""run_resources: each resource made on first use, everything made closed once, in reverse."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow import run_resources as module
from chargebee_netsuite.airflow.run_resources import run_resources
from chargebee_netsuite.airflow.settings import SyncConfig

CONFIG = SyncConfig(
    staging_url="sqlite://",
    mapping_path=Path("m.yaml"),
    time_zone="UTC",
    reports_dir=Path("r"),
    chargebee_conn_id="cb",
    netsuite_conn_id="ns",
)


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    from chargebee_netsuite.airflow.hooks import chargebee, netsuite
    from chargebee_netsuite.extract import budget
    from chargebee_netsuite.staging import db

    log: list[str] = []

    class Closing:
        def __init__(self, name: str) -> None:
            self.name = name
            log.append(f"open {name}")

        def dispose(self) -> None:
            log.append(f"close {self.name}")

        close = dispose

        def __enter__(self) -> Closing:
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

    def hook(kind: str) -> Any:
        def make(conn_id: str) -> Any:
            log.append(f"{kind} hook {conn_id}")
            return SimpleNamespace(
                get_conn=lambda: Closing("netsuite"),
                get_settings=lambda: SimpleNamespace(site="acme"),
            )

        return make

    monkeypatch.setattr(db, "create_staging_engine", lambda url: Closing("engine"))
    monkeypatch.setattr(budget, "budgeted_client", lambda engine, settings: Closing("chargebee"))
    monkeypatch.setattr(netsuite, "NetSuiteHook", hook("netsuite"))
    monkeypatch.setattr(chargebee, "ChargebeeHook", hook("chargebee"))
    return log


def test_nothing_is_opened_until_used(events: list[str]) -> None:
    with run_resources(CONFIG) as resources:
        assert resources.config is CONFIG
    assert events == []


def test_everything_used_is_closed_once_clients_before_the_engine(events: list[str]) -> None:
    with run_resources(CONFIG) as resources:
        assert resources.site == "acme"
        assert resources.chargebee is resources.chargebee  # made once
        assert resources.netsuite is resources.netsuite
    assert events == [
        "chargebee hook cb",
        "open engine",
        "open chargebee",
        "netsuite hook ns",
        "open netsuite",
        "close netsuite",
        "close chargebee",
        "close engine",
    ]


def test_resources_are_closed_when_the_stage_fails(events: list[str]) -> None:
    with pytest.raises(RuntimeError), run_resources(CONFIG) as resources:
        resources.engine  # noqa: B018
        raise RuntimeError("stage failed")
    assert events == ["open engine", "close engine"]
    assert module.RunResources  # the type callers annotate with
