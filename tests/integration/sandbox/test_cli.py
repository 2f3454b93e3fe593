"""The `cbns-sandbox` CLI: serve in the background, describe itself, stop cleanly; and the demo."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

CLI = [sys.executable, "-m", "cbns_devkit.sandbox.cli"]


def _wait_for(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if proc.poll() is not None:
            raise AssertionError(
                f"sandbox exited early:\n{proc.stdout.read() if proc.stdout else ''}"
            )
        time.sleep(0.1)
    raise AssertionError(f"{path} never appeared")


def test_serve_writes_state_serves_both_apis_and_stops_on_sigint(tmp_path: Path) -> None:
    state_dir = tmp_path / "state"
    proc = subprocess.Popen(
        [
            *CLI,
            "serve",
            "--state-dir",
            str(state_dir),
            "--cb-port",
            "0",
            "--ns-port",
            "0",
            "--cb-scale",
            "3",
            "--ns-key-type",
            "ec",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ.copy(),
    )
    try:
        state = _wait_for(state_dir / "sandbox.json", proc)
        cb, ns = state["chargebee"], state["netsuite"]
        assert set(cb) >= {"base_url", "site", "api_key"}
        assert set(ns) >= {
            "account_id",
            "base_url",
            "token_url",
            "client_id",
            "certificate_id",
            "private_key_path",
        }
        assert Path(ns["private_key_path"]).is_file()

        invoices = httpx.get(f"{cb['base_url']}/invoices", auth=(cb["api_key"], ""), timeout=10)
        assert invoices.status_code == 200
        assert invoices.json()["list"], "the generated site has invoices"
        assert httpx.get(f"{cb['base_url']}/invoices", timeout=10).status_code == 401

        unauthenticated = httpx.post(
            f"{ns['base_url']}/services/rest/query/v1/suiteql",
            json={"q": "SELECT id FROM account"},
            headers={"Prefer": "transient"},
            timeout=10,
        )
        assert unauthenticated.status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, out
    assert "Stopping the sandboxes" in out
    assert cb["api_key"] not in out, "the console (and so the demo's log) never shows the key"
    assert '"api_key": "(in sandbox.json)"' in out
    assert not (state_dir / "sandbox.json").exists(), "a stopped sandbox leaves no stale state"


def test_second_start_reuses_the_generated_netsuite_key(tmp_path: Path) -> None:
    def run_demo() -> str:
        done = subprocess.run(
            [*CLI, "demo", "--state-dir", str(tmp_path), "--cb-scale", "2", "--ns-key-type", "ec"],
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    first = run_demo()
    keys = sorted(p.name for p in tmp_path.rglob("*") if p.is_file())
    key_bytes = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    second = run_demo()
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == keys
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == key_bytes
    for out in (first, second):
        assert "== chargebee ==" in out and "== netsuite ==" in out
        assert "Demo finished" in out
        assert "PRIVATE KEY" not in out, "the demo never prints key material"
