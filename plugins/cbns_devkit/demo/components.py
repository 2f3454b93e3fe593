"""Airflow's components as child processes, and a small REST API v2 client for them.

``make airflow`` and the end-to-end test run the same four processes a deployment runs:
``api-server``, ``scheduler``, ``dag-processor`` and ``triggerer`` (LocalExecutor).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from cbns_devkit.demo.home import AirflowHome, venv_bin

COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
TERMINAL = {"success", "failed"}


def simple_auth_env(home: AirflowHome, port: int, password: str) -> dict[str, str]:
    """Settings for the API server on ``port`` with one ``admin`` user of the simple auth manager.

    The password file is written by us (mode 0600), so the user's password is known without
    reading Airflow's logs; workers reach the Execution API on the same port.
    """
    passwords = home.path / "simple_auth_manager_passwords.json"
    fd = os.open(passwords, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"admin": password}, handle)
    base = f"http://127.0.0.1:{port}"
    return {
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": str(port),
        "AIRFLOW__API__BASE_URL": base,
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
        "AIRFLOW__CORE__AUTH_MANAGER": (
            "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
        ),
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": "admin:admin",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
    }


@dataclass
class Components:
    """The running Airflow processes of one home; :meth:`stop` ends them all."""

    home: AirflowHome
    env: dict[str, str]
    log_dir: Path
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, names: Iterable[str] = COMPONENTS) -> None:
        """Start each component in its own process group, logging to ``log_dir``."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        for name in names:
            with (self.log_dir / f"{name}.log").open("ab") as log:
                extra = ["--port", self.env["AIRFLOW__API__PORT"]] if name == "api-server" else []
                self.processes[name] = subprocess.Popen(
                    [venv_bin("airflow"), name, *extra],
                    env=self.env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )

    def check_alive(self) -> None:
        """Raise if a component exited."""
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"airflow {name} exited ({process.returncode}):\n{tail}")

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM every process group, then SIGKILL what is left (task runners included)."""
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in self.processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            if process.poll() is None:
                process.wait(5)


class AirflowAPI:
    """The REST API v2 with a JWT from ``POST /auth/token``."""

    def __init__(self, base_url: str, username: str, password: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base_url, timeout=60)
        self._credentials = {"username": username, "password": password}

    def close(self) -> None:
        """Close the HTTP client."""
        self.http.close()

    def wait_healthy(self, timeout: float, components: Components | None = None) -> None:
        """Wait until the API server answers and the scheduler reports healthy."""
        deadline = time.monotonic() + timeout
        last = ""
        while time.monotonic() < deadline:
            if components is not None:
                components.check_alive()
            try:
                health = self.http.get("/api/v2/monitor/health").json()
                if health.get("scheduler", {}).get("status") == "healthy":
                    self.login()
                    return
                last = json.dumps(health)
            except (httpx.HTTPError, ValueError) as exc:
                last = str(exc)
            time.sleep(2)
        raise TimeoutError(f"Airflow did not become healthy in {timeout:.0f}s: {last}")

    def login(self) -> None:
        """Get a JWT and send it with every request."""
        response = self.http.post("/auth/token", json=self._credentials)
        response.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call; raises on an error status."""
        response = self.http.request(method, f"/api/v2{path}", **kwargs)
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:500]}")
        return response.json() if response.content else None

    def wait_for_dag(self, dag_id: str, timeout: float) -> None:
        """Wait until the dag-processor has parsed ``dag_id``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            response = self.http.get(f"/api/v2/dags/{dag_id}")
            if response.status_code == 200:
                return
            time.sleep(2)
        raise TimeoutError(f"DAG {dag_id} was not parsed within {timeout:.0f}s")

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG."""
        self.request("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, conf: dict[str, Any] | None = None) -> str:
        """Trigger a run now (no logical date); returns its run id."""
        body = {"logical_date": None, "conf": conf or {}}
        return str(self.request("POST", f"/dags/{dag_id}/dagRuns", json=body)["dag_run_id"])

    def run_state(self, dag_id: str, run_id: str) -> str:
        """The state of one run."""
        return str(self.request("GET", f"/dags/{dag_id}/dagRuns/{run_id}")["state"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float) -> str:
        """Wait until the run finishes; returns its final state."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.run_state(dag_id, run_id)
            if state in TERMINAL:
                return state
            time.sleep(3)
        raise TimeoutError(f"{dag_id} run {run_id} did not finish within {timeout:.0f}s")

    def task_states(self, dag_id: str, run_id: str) -> dict[str, str]:
        """``task_id → state`` of a run."""
        body = self.request("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances")
        return {ti["task_id"]: str(ti["state"]) for ti in body["task_instances"]}
