"""Both sandboxes started the way `cbns-sandbox` starts them, and connections pointing at them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cbns_devkit.sandbox import chargebee, netsuite
from cbns_devkit.sandbox import cli as sandbox_cli
from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
)


@pytest.fixture(scope="module")
def sandbox_state(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A running Chargebee + NetSuite pair; yields the sandbox.json content."""
    state_dir: Path = tmp_path_factory.mktemp("sandbox")
    args = sandbox_cli.build_parser().parse_args(
        ["demo", "--state-dir", str(state_dir), "--cb-scale", "3", "--ns-key-type", "ec"]
    )
    specs = [chargebee.build(args, state_dir), netsuite.build(args, state_dir)]
    servers, state = sandbox_cli.start_all(args, specs)
    sandbox_cli.write_state(state_dir, state)
    state["_path"] = str(state_dir / sandbox_cli.STATE_FILE)
    try:
        yield state
    finally:
        sandbox_cli.stop_all(servers)


@pytest.fixture
def connections(sandbox_state: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """``chargebee_default`` and ``netsuite_default`` as AIRFLOW_CONN_ variables."""
    conns = connections_from_sandbox_state(sandbox_state)
    for name, value in env_assignments(conns).items():
        monkeypatch.setenv(name, value)
    return conns


def set_connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, conn: dict[str, Any]) -> None:
    """Replace one connection for the duration of a test."""
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
