"""`cbns check` end to end against both sandboxes: a verdict per step, secrets never shown."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from cbns_devkit.sandbox.cli import main as sandbox_main
from chargebee_netsuite.cli import main

from .conftest import set_connection

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "include" / "mapping.example.yaml"


def _secrets(connections: dict[str, Any]) -> list[str]:
    pem = connections["netsuite_default"]["extra"]["private_key"]
    return [connections["chargebee_default"]["password"], *pem.splitlines()[1:-1]]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--mapping", str(EXAMPLE), *args])
    return code, capsys.readouterr().out


def test_everything_passes_against_the_sandboxes(
    connections: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = _run(capsys)
    assert code == 0, out
    for step in (
        "NetSuite: mint an access token",
        "NetSuite: governance limits",
        "NetSuite: reference data (SuiteQL)",
        "Chargebee: list one invoice",
        "Chargebee: item prices",
        f"Mapping {EXAMPLE}",
    ):
        assert f"OK    {step}" in out
    assert "FAIL" not in out and out.rstrip().endswith("All checks passed.")
    assert not any(secret in out for secret in _secrets(connections))


def test_a_mapping_naming_an_unknown_account_fails_only_that_step(
    connections: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mapping = yaml.safe_load(EXAMPLE.read_text())
    mapping["ar_account"] = 4999
    broken = tmp_path / "mapping.yaml"
    broken.write_text(yaml.safe_dump(mapping))
    code = main(["check", "--mapping", str(broken)])
    out = capsys.readouterr().out
    assert code == 1
    [line] = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert f"Mapping {broken}" in line
    assert "4999" in out and "ar_account" in out
    assert f"fix: edit {broken}" in out
    assert "OK    Chargebee: list one invoice" in out


def test_a_wrong_chargebee_key_names_the_connection_and_field(
    connections: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = copy.deepcopy(connections["chargebee_default"])
    wrong["password"] = "test_wrongkey_0123456789"
    set_connection(monkeypatch, "chargebee_default", wrong)
    code, out = _run(capsys)
    assert code == 1
    assert "FAIL  Chargebee: list one invoice" in out
    assert "'password' of connection 'chargebee_default'" in out
    assert "SKIP  Chargebee: item prices" in out
    assert "test_wrongkey_0123456789" not in out
    assert "OK    NetSuite: mint an access token" in out


def test_a_wrong_netsuite_certificate_and_missing_connection(
    connections: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    wrong = copy.deepcopy(connections["netsuite_default"])
    wrong["extra"]["certificate_id"] = "revoked-cert"
    set_connection(monkeypatch, "netsuite_default", wrong)
    code, out = _run(capsys, "--chargebee-conn-id", "chargebee_missing")
    assert code == 1
    assert "FAIL  NetSuite: mint an access token" in out
    assert "'certificate_id'" in out and "connection 'netsuite_default'" in out
    assert "SKIP  NetSuite: reference data (SuiteQL)" in out
    assert "AIRFLOW_CONN_CHARGEBEE_MISSING" in out
    assert not any(secret in out for secret in _secrets(connections))


def test_sandbox_connections_prints_what_airflow_needs(
    sandbox_state: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    state_dir = str(Path(sandbox_state["_path"]).parent)
    assert sandbox_main(["connections", "--state-dir", state_dir]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == [
        "export AIRFLOW_CONN_CHARGEBEE_DEFAULT",
        "export AIRFLOW_CONN_NETSUITE_DEFAULT",
    ]
    # The output is meant for `eval`: a shell must read it back unchanged.
    script = f'{out}\nprintf %s "$AIRFLOW_CONN_NETSUITE_DEFAULT"'
    echoed = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True)
    assert '"conn_type":"netsuite"' in echoed.stdout
    assert sandbox_main(["connections", "--state-dir", "/nonexistent"]) == 1
    assert "cbns-sandbox serve" in capsys.readouterr().err


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("cbns")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "check" in result.stdout


def test_catch_alls_are_listed_with_their_amounts_and_refused_on_request(
    connections: dict[str, Any], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    mapping = yaml.safe_load(EXAMPLE.read_text())
    # Without its own rule, every 'onboarding' price falls to items.by_entity_type.charge.
    del mapping["items"]["by_item"]["onboarding"]
    loose = tmp_path / "loose.yaml"
    loose.write_text(yaml.safe_dump(mapping))
    code = main(["check", "--mapping", str(loose)])
    out = capsys.readouterr().out
    assert code == 0, out  # a warning, not a failure
    assert "WARN  Mapping: catch-all rules" in out
    assert "items.by_entity_type.charge to NetSuite item 6 (CHARGE-SETUP Setup fee)" in out
    assert "item 'onboarding'" in out and " USD" in out

    mapping["items"]["catch_all"] = "refuse"
    strict = tmp_path / "strict.yaml"
    strict.write_text(yaml.safe_dump(mapping))
    code = main(["check", "--mapping", str(strict)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  Mapping: catch-all rules" in out
    assert "items.catch_all: refuse" in out and "items.by_item.onboarding" in out
