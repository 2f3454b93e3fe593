"""The docker-compose topology without Docker: CeleryExecutor, Redis, Postgres, two workers.

Every Airflow component runs as its own process, as the compose services do: ``api-server``,
``scheduler``, ``dag-processor``, ``triggerer`` and two ``celery worker`` processes with
distinct hostnames, on a throwaway Postgres metadata DB (also Celery's result backend), the
machine's Redis (a dedicated DB number and key prefix per run) and a throwaway Postgres staging
DB. The metadata DB, pools, connections and staging schema are set up the way the compose
``airflow-init`` service does it: ``airflow db migrate``, then ``deploy/bootstrap.py``.

1. A small DAG with parallel tasks shows the scheduler spreading work over both workers.
2. The sync DAG runs against fresh sandboxes on that topology and, again, on a LocalExecutor
   topology against fresh sandboxes with the same seed: NetSuite ends in the same state.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import httpx
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

REPO_ROOT = Path(__file__).resolve().parents[3]
BIN = Path(sys.executable).parent
POSTGRES_ADMIN_URL = os.environ.get(
    "CBNS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("CBNS_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
SYNC_DAG = "chargebee_netsuite_sync"
SPREAD_DAG = "cbns_topology_spread"
WORKERS = ("cbns-worker-1", "cbns-worker-2")
SANDBOX_SEED = "20261128"
SANDBOX_SCALE = "4"

# Four independent tasks long enough that one worker (two slots) cannot take them all at once.
SPREAD_DAG_SOURCE = f'''
"""Parallel tasks for the topology test: which worker ran each one is in its hostname."""
import time
from datetime import datetime

from airflow.sdk import dag, task


@dag(dag_id="{SPREAD_DAG}", schedule=None, start_date=datetime(2024, 1, 1), catchup=False)
def spread():
    @task
    def work(n: int) -> int:
        time.sleep(4)
        return n

    @task
    def total(values: list[int]) -> int:
        return sum(values)

    total(work.expand(n=[1, 2, 3, 4, 5, 6]))


spread()
'''

# Each process names itself (TaskInstance.hostname) from CBNS_TOPOLOGY_HOSTNAME: all workers
# share this machine's host name, unlike compose replicas.
HOSTNAME_MODULE = """
import os
import socket


def hostname() -> str:
    return os.environ.get("CBNS_TOPOLOGY_HOSTNAME") or socket.getfqdn()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _database(prefix: str) -> Iterator[str]:
    """A fresh Postgres database; yields its psycopg2 URL (Airflow's driver in compose)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("+psycopg:", "+psycopg2:")
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Processes:
    """Subprocesses in their own process groups, all ended (TERM, then KILL) on close."""

    log_dir: Path
    started: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.log_dir / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            args, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, proc, log))
        return proc

    def assert_alive(self) -> None:
        for name, proc, _log in self.started:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited with {proc.returncode}:\n{self.tail(name)}")

    def tail(self, name: str, chars: int = 4000) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def close(self) -> None:
        started, self.started = self.started, []
        for _name, proc, _log in reversed(started):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for _name, proc, log in reversed(started):
            with suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            # Task processes and uvicorn workers are children in the same group: kill them all.
            _signal_group(proc, signal.SIGKILL)
            proc.wait(timeout=10)
            log.close()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)


@dataclass
class Sandboxes:
    """Both sandboxes as ``cbns-sandbox serve`` describes them in sandbox.json."""

    state: dict[str, Any]

    def netsuite_client(self) -> Any:
        from cbns_devkit.sandbox.connections import connections_from_sandbox_state
        from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret

        extra = connections_from_sandbox_state(self.state)["netsuite_default"]["extra"]
        return NetSuiteClient(
            NetSuiteConfig(
                account_id=self.state["netsuite"]["account_id"],
                client_id=extra["client_id"],
                certificate_id=extra["certificate_id"],
                private_key=Secret(extra["private_key"]),
                algorithm=extra["algorithm"],
                base_url=extra["base_url"],
            )
        )

    def init_env(self) -> dict[str, str]:
        """The ``CBNS_*`` variables an operator would put in .env for these two services."""
        from cbns_devkit.sandbox.connections import connections_from_sandbox_state

        conns = connections_from_sandbox_state(self.state)
        chargebee, netsuite = conns["chargebee_default"], conns["netsuite_default"]
        return {
            "CBNS_CHARGEBEE_SITE": chargebee["login"],
            "CBNS_CHARGEBEE_API_KEY": chargebee["password"],
            "CBNS_CHARGEBEE_ENVIRONMENT": chargebee["extra"]["environment"],
            "CBNS_CHARGEBEE_BASE_URL": chargebee["extra"]["base_url"],
            "CBNS_NETSUITE_ACCOUNT_ID": netsuite["login"],
            "CBNS_NETSUITE_CLIENT_ID": netsuite["extra"]["client_id"],
            "CBNS_NETSUITE_CERTIFICATE_ID": netsuite["extra"]["certificate_id"],
            # As in .env: one line, literal \n.
            "CBNS_NETSUITE_PRIVATE_KEY": netsuite["extra"]["private_key"].replace("\n", "\\n"),
            "CBNS_NETSUITE_ALGORITHM": netsuite["extra"]["algorithm"],
            "CBNS_NETSUITE_BASE_URL": netsuite["extra"]["base_url"],
            "CBNS_WEBHOOK_USERNAME": "chargebee",
            "CBNS_WEBHOOK_PASSWORD": uuid.uuid4().hex,
        }


def _start_sandboxes(processes: Processes, state_dir: Path, name: str) -> Sandboxes:
    state_file = state_dir / "sandbox.json"
    args = [
        str(BIN / "cbns-sandbox"),
        "serve",
        "--state-dir",
        str(state_dir),
        "--cb-port",
        "0",
        "--ns-port",
        "0",
        "--cb-scale",
        SANDBOX_SCALE,
        "--cb-random-seed",
        SANDBOX_SEED,
    ]
    proc = processes.start(name, args, dict(os.environ))
    deadline = time.monotonic() + 90
    while not state_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"sandboxes did not start:\n{processes.tail(name)}")
        time.sleep(0.5)
    time.sleep(0.5)  # the file is written in one go, but give the writer a moment
    return Sandboxes(json.loads(state_file.read_text()))


@dataclass
class Topology:
    """A running Airflow deployment and a REST client on its API server."""

    api: httpx.Client
    processes: Processes

    def wait_for_dag(self, dag_id: str, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.processes.assert_alive()
            if self.api.get(f"/api/v2/dags/{dag_id}").status_code == 200:
                return
            time.sleep(2)
        errors = self.api.get("/api/v2/importErrors").text
        raise AssertionError(f"{dag_id} was not parsed in {timeout}s; import errors: {errors}")

    def run_dag(self, dag_id: str, conf: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Unpause, trigger and wait; returns the finished run."""
        self.wait_for_dag(dag_id)
        self.api.patch(f"/api/v2/dags/{dag_id}", json={"is_paused": False}).raise_for_status()
        run = self.api.post(
            f"/api/v2/dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": conf}
        ).raise_for_status()
        run_id = run.json()["dag_run_id"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.processes.assert_alive()
            state = self.api.get(f"/api/v2/dags/{dag_id}/dagRuns/{run_id}").json()
            if state["state"] in ("success", "failed"):
                return dict(state)
            time.sleep(3)
        raise AssertionError(f"{dag_id} run {run_id} did not finish in {timeout}s")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        body = self.api.get(
            f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 100}
        ).raise_for_status()
        return list(body.json()["task_instances"])


@contextmanager
def _topology(
    tmp: Path, executor: str, sandboxes: Sandboxes, processes: Processes
) -> Iterator[Topology]:
    """Init (migrations, pools, connections) and start every component for ``executor``.

    On exit every process (the sandboxes too) is ended before the databases are dropped.
    """
    with ExitStack() as stack:
        yield from _run_topology(tmp, executor, sandboxes, processes, stack)


def _run_topology(
    tmp: Path, executor: str, sandboxes: Sandboxes, processes: Processes, stack: ExitStack
) -> Iterator[Topology]:
    home, dags, hostmod, logs = (tmp / "home", tmp / "dags", tmp / "hostmod", tmp / "logs")
    for folder in (home, dags, hostmod, logs, tmp / "plugins"):
        folder.mkdir(parents=True, exist_ok=True)
    for dag_file in (REPO_ROOT / "dags").glob("*.py"):
        shutil.copy(dag_file, dags / dag_file.name)
    (dags / "cbns_topology_spread.py").write_text(SPREAD_DAG_SOURCE)
    (hostmod / "cbns_topology_host.py").write_text(HOSTNAME_MODULE)

    metadata_url = stack.enter_context(_database("cbns_e2e_meta"))
    staging_url = stack.enter_context(_database("cbns_e2e_staging"))
    # Callbacks run last-in first-out: processes end before their databases are dropped.
    stack.callback(processes.close)
    api_port = _free_port()
    key_prefix = f"cbns-e2e-{uuid.uuid4().hex[:8]}:"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CBNS_"))},
        "AIRFLOW_HOME": str(home),
        "PYTHONPATH": str(hostmod),
        "AIRFLOW__CORE__EXECUTOR": executor,
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        # The package registers its plugin through its entry point; an empty plugins folder
        # keeps Airflow from importing the package's modules one by one as plugin files.
        "AIRFLOW__CORE__PLUGINS_FOLDER": str(tmp / "plugins"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "true",
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__HOSTNAME_CALLABLE": "cbns_topology_host.hostname",
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{api_port}/execution/",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "true",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CELERY__BROKER_URL": REDIS_URL,
        "AIRFLOW__CELERY__RESULT_BACKEND": "db+" + metadata_url.replace("+psycopg2", ""),
        "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__GLOBAL_KEYPREFIX": key_prefix,
        "AIRFLOW__CELERY__WORKER_CONCURRENCY": "2",
        "AIRFLOW__API_AUTH__JWT_SECRET": uuid.uuid4().hex,
        "AIRFLOW__API__SECRET_KEY": uuid.uuid4().hex,
        "AIRFLOW__API__PORT": str(api_port),
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "false",
        # Manual runs only: no scheduled run appears when the DAG is unpaused.
        "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "false",
        "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
        "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port()),
        "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(_free_port()),
        "CBNS_STAGING_URL": staging_url.replace("postgresql+psycopg2://", "postgresql://"),
        "CBNS_REPORTS_DIR": str(tmp / "reports"),
        "CBNS_MAPPING_PATH": str(REPO_ROOT / "include" / "mapping.example.yaml"),
        "CBNS_CHARGEBEE_POOL_SLOTS": "4",
    }
    airflow = str(BIN / "airflow")

    def init(name: str, args: list[str], extra: dict[str, str]) -> None:
        result = subprocess.run(
            args, env={**env, **extra}, capture_output=True, text=True, timeout=300
        )
        (logs / f"{name}.log").write_text(result.stdout + result.stderr)
        assert result.returncode == 0, f"{name} failed:\n{(result.stdout + result.stderr)[-4000:]}"

    # What the compose airflow-init service runs.
    init("db-migrate", [airflow, "db", "migrate"], {})
    bootstrap = [sys.executable, str(REPO_ROOT / "deploy" / "bootstrap.py")]
    init("bootstrap", bootstrap, sandboxes.init_env())

    def component(name: str, args: list[str], extra: dict[str, str] | None = None) -> None:
        processes.start(name, args, {**env, "CBNS_TOPOLOGY_HOSTNAME": name, **(extra or {})})

    component("api-server", [airflow, "api-server", "--host", "127.0.0.1", "--workers", "1"])
    component("scheduler", [airflow, "scheduler"])
    component("dag-processor", [airflow, "dag-processor"])
    component("triggerer", [airflow, "triggerer"])
    if executor == "CeleryExecutor":
        for worker in WORKERS:
            component(
                worker,
                [airflow, "celery", "worker", "-H", f"{worker}@%h", "--concurrency", "2"],
                {"AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(_free_port())},
            )

    base = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 180
    while True:
        processes.assert_alive()
        try:
            if httpx.get(f"{base}/api/v2/monitor/health", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"api-server not up:\n{processes.tail('api-server')}"
        time.sleep(2)
    token = httpx.get(f"{base}/auth/token", timeout=30).raise_for_status().json()["access_token"]
    api = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    try:
        yield Topology(api, processes)
    finally:
        api.close()
        processes.close()
        _delete_redis_keys(key_prefix)


def _delete_redis_keys(prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def netsuite_snapshot(sandboxes: Sandboxes) -> dict[str, Any]:
    """NetSuite's end state by SuiteQL: customers' external ids, transactions and totals."""
    from chargebee_netsuite.netsuite.suiteql_literals import build

    with sandboxes.netsuite_client() as client:
        customers = sorted(
            str(row["externalid"])
            for row in client.suiteql.query(build("SELECT externalid FROM customer ORDER BY id"))
            if row.get("externalid")
        )
        transactions = sorted(
            (
                str(row["externalid"]),
                str(row["type"]),
                str(Decimal(str(row.get("foreigntotal") or 0))),
                str(Decimal(str(row.get("foreignamountremaining") or 0))),
            )
            for row in client.suiteql.query(
                build(
                    "SELECT externalid, type, foreigntotal, foreignamountremaining "
                    "FROM transaction ORDER BY id"
                )
            )
            if row.get("externalid")
        )
    return {"customers": customers, "transactions": transactions}


@pytest.fixture(scope="module")
def celery(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Topology, Sandboxes]]:
    tmp = tmp_path_factory.mktemp("celery")
    processes = Processes(tmp)
    with ExitStack() as stack:
        stack.callback(processes.close)
        sandboxes = _start_sandboxes(processes, tmp / "sandbox", "sandboxes")
        with _topology(tmp, "CeleryExecutor", sandboxes, processes) as topology:
            yield topology, sandboxes


@pytest.mark.timeout(900)
def test_parallel_tasks_run_on_both_celery_workers(celery: tuple[Topology, Sandboxes]) -> None:
    topology, _ = celery
    run = topology.run_dag(SPREAD_DAG, {}, timeout=420)
    tis = topology.task_instances(SPREAD_DAG, run["dag_run_id"])
    assert run["state"] == "success", tis
    per_worker = Counter(ti["hostname"] for ti in tis if ti["task_id"] == "work")
    print(f"\n{SPREAD_DAG}: mapped tasks per worker {dict(per_worker)}")
    assert sum(per_worker.values()) == 6
    assert set(per_worker) == set(WORKERS), per_worker


@pytest.mark.timeout(1800)
def test_the_sync_on_celery_ends_like_the_sync_on_the_local_executor(
    celery: tuple[Topology, Sandboxes], tmp_path: Path
) -> None:
    topology, sandboxes = celery
    run = topology.run_dag(SYNC_DAG, {"full_resync": True}, timeout=900)
    tis = topology.task_instances(SYNC_DAG, run["dag_run_id"])
    states = {ti["task_id"]: ti["state"] for ti in tis}
    assert run["state"] == "success", states
    per_worker = {
        worker: sorted(ti["task_id"] for ti in tis if ti["hostname"] == worker)
        for worker in WORKERS
    }
    print(f"\n{SYNC_DAG} on CeleryExecutor, tasks per worker: {json.dumps(per_worker)}")
    assert {ti["hostname"] for ti in tis} == set(WORKERS), per_worker
    on_celery = netsuite_snapshot(sandboxes)
    assert on_celery["transactions"], "the sync posted nothing"

    processes = Processes(tmp_path)
    with ExitStack() as stack:
        stack.callback(processes.close)
        local_sandboxes = _start_sandboxes(processes, tmp_path / "sandbox", "sandboxes")
        assert netsuite_snapshot(local_sandboxes)["transactions"] == []
        with _topology(tmp_path, "LocalExecutor", local_sandboxes, processes) as local:
            local_run = local.run_dag(SYNC_DAG, {"full_resync": True}, timeout=900)
            assert local_run["state"] == "success"
            on_local = netsuite_snapshot(local_sandboxes)
    kinds = Counter(kind for _eid, kind, _total, _due in on_celery["transactions"])
    print(
        f"NetSuite after each run: {len(on_celery['customers'])} customers, "
        f"transactions {dict(kinds)}; Celery == Local: {on_celery == on_local}"
    )
    assert on_celery == on_local
