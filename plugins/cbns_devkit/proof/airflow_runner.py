"""The fault matrix's Airflow: one ``AIRFLOW_HOME``, its API server, and DAG runs to disturb.

Every sync of the matrix is a run of the real DAG through Airflow: ``airflow dags test
<dag> <logical date> --use-executor`` in a child process. That command does the scheduler's
part for one run (``DagRun.update_state`` decides what is ready, retries wait out their delay)
and hands each task to the LocalExecutor, whose worker supervises a *task process* of its own
(``airflow worker -- <ti id>``) talking to the Execution API on this home's API server, exactly
as under ``airflow scheduler``. So a task process can be SIGKILLed at any point: its supervisor
reports the death, the task goes ``up_for_retry`` and Airflow runs it again in the same DAG run.

Why not the full scheduler (plus dag-processor): it adds a minute of start-up and seconds of
scheduling latency per task for no path the matrix exercises (the kill is noticed by the
supervisor, not by heartbeat timeouts), and ``airflow dags test`` without ``--use-executor``
runs every task inside the command's own process, where a SIGKILL ends the whole run and
leaves its task ``running`` forever, with nothing to retry it.

The metadata database is SQLite in the home (two writers: the API server and the command),
migrated once per matrix run; the tasks' connections come as ``AIRFLOW_CONN_*`` variables per
run, so each scenario's sandboxes get their own. The webhook receiver (the plugin, on the API
server) reads its connections from the metadata database, stored there with ``airflow
connections import``. Run states, task tries and XComs are read back from the metadata
database after each run.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import Engine, bindparam, create_engine, text

from cbns_devkit.demo.home import AirflowHome, venv_bin
from cbns_devkit.proof.harness import (
    ACCOUNT,
    CERT,
    CLIENT_ID,
    FAST_RETRIES,
    SITE,
    TIME_ZONE,
    Harness,
)
from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
)
from cbns_devkit.sandbox.server import free_port
from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID

SYNC_DAG = "chargebee_netsuite_sync"
WEBHOOK_DAG = "chargebee_netsuite_webhooks"
# Logical dates are handed out from here, one hour apart: `dags test` replaces an earlier run
# with the same logical date, and every run of a matrix must stay in the metadata DB.
FIRST_LOGICAL_DATE = datetime(2025, 1, 1, tzinfo=UTC)
FINISHED = ("success", "failed")
TASK_TITLE = "airflow worker -- "  # the task process's title; its supervisor adds the executor

Watch = Callable[["RunningDag"], None]


@dataclass
class DagRunResult:
    """How one DAG run ended, as the metadata database records it."""

    dag_id: str
    run_id: str
    logical_date: datetime
    state: str  # the DAG run's state, or "missing" / "timeout"
    returncode: int | None
    seconds: float
    tasks: dict[str, tuple[str, int]] = field(default_factory=dict)  # task id → (state, tries)
    failed_tries: list[tuple[str, int]] = field(default_factory=list)  # earlier tries that failed
    log: Path | None = None
    lingered: bool = False  # the command outlived its finished run and was stopped

    @property
    def retried(self) -> list[str]:
        """Tasks that needed more than one try."""
        return sorted(task for task, (_, tries) in self.tasks.items() if tries > 1)

    def summary(self, label: str) -> str:
        """``label success`` or ``label failed (load failed)``, with retries."""
        parts = []
        failed = sorted(t for t, (state, _) in self.tasks.items() if state == "failed")
        if failed:
            parts.append(", ".join(failed) + " failed")
        if self.retried:
            parts.append("retried " + ", ".join(self.retried))
        if self.lingered:
            parts.append("`dags test` stopped after the run ended")
        return f"{label} {self.state}" + (f" ({'; '.join(parts)})" if parts else "")


def sandbox_env(harness: Harness) -> dict[str, str]:
    """What a DAG run against ``harness`` needs: its connections and the sync's settings.

    Connections are ``AIRFLOW_CONN_*`` JSON, as for the demo (``sandbox_connections``), with the
    matrix's quick client retries as connection extras; staging, mapping, reports and the
    NetSuite time zone are the variables ``airflow/settings.py`` reads.
    """
    state: dict[str, Any] = {
        "chargebee": {
            "site": SITE,
            "api_key": harness.chargebee_settings.test_key,
            "base_url": harness.chargebee.base_url,
        },
        "netsuite": {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "certificate_id": CERT,
            "private_key": harness.private_key,
            "base_url": harness.netsuite.base_url,
        },
    }
    connections = connections_from_sandbox_state(state)
    connections[CHARGEBEE_CONN_ID]["extra"]["rate_limit_per_minute"] = (
        harness.chargebee_settings.rate_limit_per_minute
    )
    # A 429 without Retry-After waits out the window the client believes in: the sandbox's
    # current one (scenarios shorten it at run time), not Chargebee's minute.
    window = harness.cb_admin("GET", "/faults")["rate_limit_window_seconds"]
    connections[CHARGEBEE_CONN_ID]["extra"]["rate_limit_window_seconds"] = window
    connections[NETSUITE_CONN_ID]["extra"].update({**FAST_RETRIES, "max_attempts": 8})
    args = harness.stage_args()
    return {
        **env_assignments(connections),
        "CBNS_STAGING_URL": harness.staging_url,
        "CBNS_MAPPING_PATH": args["mapping_path"],
        "CBNS_REPORTS_DIR": args["reports_dir"],
        "CBNS_NETSUITE_TIME_ZONE": TIME_ZONE,
    }


@dataclass(frozen=True)
class TaskProcess:
    """The process running one try of a task instance."""

    task_id: str
    ti_id: str
    process: psutil.Process


class RunningDag:
    """A DAG run in progress: its id once it exists, and its task processes."""

    def __init__(self, airflow: ProofAirflow, dag_id: str, logical_date: datetime, pid: int):
        self.airflow = airflow
        self.dag_id = dag_id
        self.logical_date = logical_date
        self.pid = pid
        self._run_id: str | None = None
        self._task_ids: dict[str, str] = {}

    def run_id(self) -> str | None:
        """The DAG run's id (``dags test`` names it after the time it started)."""
        if self._run_id is None:
            found = self.airflow.find_run(self.dag_id, self.logical_date)
            self._run_id = found[0] if found else None
        return self._run_id

    def task_processes(self, group: str) -> list[TaskProcess]:
        """Task processes (not their supervisors) of the tasks in ``group`` whose task instance
        is running. A task process that has done its work tells its supervisor, which reports
        the end to the API only once the process has exited: until then the instance still
        reads ``running``, so a kill can land too late (see :meth:`ProofAirflow.try_of`)."""
        try:
            children = psutil.Process(self.pid).children(recursive=True)
        except psutil.Error:
            return []
        found: dict[str, TaskProcess] = {}
        for child in children:
            try:
                title = " ".join(child.cmdline()).split()
            except psutil.Error:
                continue
            # "airflow worker -- <ti id>"; the supervisor is "… -- LocalExecutor: <ti id>".
            if len(title) != 4 or " ".join(title[:3]) != TASK_TITLE.strip():
                continue
            task_id = self._task_id(title[3])
            # A stage is a task group (``extract.<resource>``) or a single task (``load``).
            if task_id is not None and (task_id == group or task_id.startswith(f"{group}.")):
                found[title[3]] = TaskProcess(task_id, title[3], child)
        if not found:
            return []
        running = self.airflow.running_task_instances(list(found))
        return [found[ti_id] for ti_id in found if ti_id in running]

    def _task_id(self, ti_id: str) -> str | None:
        if ti_id not in self._task_ids:
            task_id = self.airflow.task_of(ti_id)
            if task_id is None:
                return None
            self._task_ids[ti_id] = task_id
        return self._task_ids[ti_id]


@dataclass
class Importing:
    """An ``airflow connections import`` in progress."""

    process: subprocess.Popen[bytes]
    path: Path
    log: Path

    def wait(self, timeout: float = 180) -> None:
        """Wait for the import; raise if it failed."""
        try:
            code = self.process.wait(timeout)
        finally:
            self.path.unlink(missing_ok=True)
        if code != 0:
            raise RuntimeError(f"airflow connections import failed ({code}); see {self.log}")


@dataclass
class ProofAirflow:
    """An Airflow home for one matrix run: migrated SQLite metadata DB and an API server."""

    home: AirflowHome
    port: int
    api_server: subprocess.Popen[bytes] | None = None
    runs: int = 0
    _engine: Engine | None = None

    @classmethod
    def start(cls, root: Path, *, parallelism: int = 4, timeout: float = 180) -> ProofAirflow:
        """Migrate a fresh home under ``root`` and start its API server (about 20 s)."""
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        home = AirflowHome(
            root / "airflow",
            staging_url="",  # set per run: each scenario has its own staging database
            reports_dir=root / "airflow" / "reports",
            extra_env={
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(port),
                "AIRFLOW__API__WORKERS": "1",
                "AIRFLOW__API__BASE_URL": base,
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{base}/execution/",
                "AIRFLOW__CORE__PARALLELISM": str(parallelism),
                # A supervisor notices its task process has exited when its wait for output
                # times out, after up to this interval: a second, not five, per task.
                "AIRFLOW__WORKERS__MIN_HEARTBEAT_INTERVAL": "1",
                # A retry waits a second, not two minutes: the matrix proves that it happens.
                "CBNS_RETRY_DELAY_SECONDS": "1",
            },
        )
        airflow = cls(home, port)
        (home.path / "runs").mkdir(exist_ok=True)
        home.airflow("db", "migrate", log=home.path / "migrate.log", timeout=timeout)
        airflow.api_server = airflow._serve(home.path / "api-server.log", timeout)
        return airflow

    def _serve(self, log: Path, timeout: float) -> subprocess.Popen[bytes]:
        """Start ``airflow api-server`` on this home's port; return once it answers."""
        port = self.port
        with log.open("ab") as output:
            process = subprocess.Popen(
                [venv_bin("airflow"), "api-server", "--port", str(port)],
                env=self.home.env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"airflow api-server exited; see {log}")
            with contextlib.suppress(httpx.HTTPError):
                health = httpx.get(f"http://127.0.0.1:{port}/api/v2/monitor/health", timeout=2)
                if health.status_code == 200:
                    return process
            time.sleep(0.5)
        _stop(process)
        raise TimeoutError(f"airflow api-server did not answer within {timeout:.0f}s; see {log}")

    def import_connections(self, connections: Mapping[str, Mapping[str, Any]]) -> Importing:
        """Start storing ``connections`` in the metadata DB (Fernet-encrypted); wait on the result.

        ``airflow connections import`` takes seconds, so it runs while the caller does other
        work. The file it reads is private (0600) and removed once the import is done.
        """
        path = self.home.path / f"connections-{uuid.uuid4().hex}.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(dict(connections), handle)
        log = self.home.path / "runs" / "connections-import.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [venv_bin("airflow"), "connections", "import", "--overwrite", str(path)],
                env=self.home.env(),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return Importing(process, path, log)

    @property
    def base_url(self) -> str:
        """The API server's URL (the webhook receiver is mounted there, by the plugin)."""
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        """Stop the API server and close the metadata DB."""
        if self.api_server is not None:
            _stop(self.api_server)
        if self._engine is not None:
            self._engine.dispose()

    # -- runs ------------------------------------------------------------------------------

    def next_logical_date(self) -> datetime:
        """A logical date no other run of this home has."""
        self.runs += 1
        return FIRST_LOGICAL_DATE + timedelta(hours=self.runs)

    def dag_run(
        self,
        dag_id: str,
        env: Mapping[str, str],
        *,
        conf: Mapping[str, Any] | None = None,
        watch: Watch | None = None,
        timeout: float = 900,
        linger: float = 60,
        poll: float = 0.05,
    ) -> DagRunResult:
        """Run ``dag_id`` once through Airflow with ``env``; ``watch`` is called while it runs.

        Returns when the command has exited after the run ended (every retry included), when
        it is still there ``linger`` seconds after the metadata DB recorded the run's end (it
        is then stopped, and the result says ``lingered``), or when ``timeout`` passed (the
        whole process group is killed and the state is ``timeout``).
        """
        logical_date = self.next_logical_date()
        command = [venv_bin("airflow"), "dags", "test", dag_id, logical_date.isoformat()]
        command.append("--use-executor")
        if conf:
            command += ["--conf", json.dumps(dict(conf))]
        log = self.home.path / "runs" / f"{self.runs:03d}-{dag_id}.log"
        started = time.monotonic()
        timed_out = False
        with log.open("ab") as output:
            process = subprocess.Popen(
                command,
                env=self.home.env(**env),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        running = RunningDag(self, dag_id, logical_date, process.pid)
        ended_at: float | None = None  # when the metadata DB first showed the run finished
        checked = 0.0
        lingered = False
        try:
            while process.poll() is None:
                if watch is not None:
                    watch(running)
                now = time.monotonic()
                if now - started > timeout:
                    timed_out = True
                    break
                if ended_at is None and now - checked >= 1:
                    checked = now
                    found = self.find_run(dag_id, logical_date)
                    if found is not None and found[1] in FINISHED:
                        ended_at = now
                if ended_at is not None and now - ended_at > linger:
                    # The run is over but the command has not exited: seen (rarely) in the
                    # LocalExecutor's shutdown after task retries. Record who is left, stop it.
                    lingered = True
                    _describe_tree(process.pid, log)
                    break
                time.sleep(poll)
        finally:
            if process.poll() is None:
                _stop(process)
        seconds = time.monotonic() - started
        result = self.result(dag_id, logical_date, process.returncode, seconds, log)
        result.lingered = lingered
        if timed_out:
            result.state = "timeout"
        return result

    # -- the metadata database -------------------------------------------------------------

    @property
    def metadata_url(self) -> str:
        """The SQLAlchemy URL of the metadata database."""
        return f"sqlite:///{self.home.path / 'airflow.db'}"

    @property
    def engine(self) -> Engine:
        """A read-side engine on the metadata database."""
        if self._engine is None:
            self._engine = create_engine(self.metadata_url, connect_args={"timeout": 30})
        return self._engine

    def find_run(self, dag_id: str, logical_date: datetime) -> tuple[str, str] | None:
        """``(run_id, state)`` of the run with ``logical_date``, if it exists yet."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text("SELECT run_id, state, logical_date FROM dag_run WHERE dag_id = :dag"),
                {"dag": dag_id},
            ).all()
        for run_id, state, logical in rows:
            if logical is not None and _as_utc(logical) == logical_date:
                return str(run_id), str(state)
        return None

    def task_of(self, ti_id: str) -> str | None:
        """The task id of the task instance ``ti_id`` (the id in a task process's title)."""
        with self.engine.connect() as conn:
            found = conn.execute(
                text("SELECT task_id FROM task_instance WHERE id = :id"), {"id": _hex(ti_id)}
            ).scalar()
        return None if found is None else str(found)

    def try_of(self, ti_id: str) -> tuple[str, int]:
        """``(state, try number)`` of a task instance now (``("missing", 0)`` if unknown)."""
        with self.engine.connect() as conn:
            row = conn.execute(
                text("SELECT state, try_number FROM task_instance WHERE id = :id"),
                {"id": _hex(ti_id)},
            ).first()
        return ("missing", 0) if row is None else (str(row[0]), int(row[1] or 0))

    def running_task_instances(self, ti_ids: list[str]) -> set[str]:
        """Those of ``ti_ids`` (as in task process titles) whose state is ``running``."""
        by_hex = {_hex(ti_id): ti_id for ti_id in ti_ids}
        query = text("SELECT id FROM task_instance WHERE id IN :ids AND state = 'running'")
        with self.engine.connect() as conn:
            rows = conn.execute(
                query.bindparams(bindparam("ids", expanding=True)), {"ids": list(by_hex)}
            ).all()
        return {by_hex[str(row[0])] for row in rows if str(row[0]) in by_hex}

    def run_state(self, dag_id: str, run_id: str) -> str | None:
        """The recorded state of a DAG run, or None when there is no such run."""
        with self.engine.connect() as conn:
            found = conn.execute(
                text("SELECT state FROM dag_run WHERE dag_id = :dag AND run_id = :run"),
                {"dag": dag_id, "run": run_id},
            ).scalar()
        return None if found is None else str(found)

    def task_states(self, dag_id: str, run_id: str) -> dict[str, tuple[str, int]]:
        """Task id → (state, try number) of a DAG run."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT task_id, state, try_number FROM task_instance "
                    "WHERE dag_id = :dag AND run_id = :run"
                ),
                {"dag": dag_id, "run": run_id},
            ).all()
        return {str(task): (str(state), int(tries or 0)) for task, state, tries in rows}

    def failed_tries(self, dag_id: str, run_id: str) -> list[tuple[str, int]]:
        """(task id, try number) of every earlier try that did not succeed."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT task_id, try_number FROM task_instance_history "
                    "WHERE dag_id = :dag AND run_id = :run AND state != 'success' "
                    "ORDER BY task_id, try_number"
                ),
                {"dag": dag_id, "run": run_id},
            ).all()
        return [(str(task), int(tries)) for task, tries in rows]

    def xcom(self, dag_id: str, run_id: str, task_id: str) -> Any:
        """A task's return value (its ``return_value`` XCom), or None."""
        with self.engine.connect() as conn:
            value = conn.execute(
                text(
                    "SELECT value FROM xcom WHERE dag_id = :dag AND run_id = :run "
                    "AND task_id = :task AND key = 'return_value'"
                ),
                {"dag": dag_id, "run": run_id, "task": task_id},
            ).scalar()
        return json.loads(value) if isinstance(value, str | bytes) else value

    def result(
        self,
        dag_id: str,
        logical_date: datetime,
        returncode: int | None,
        seconds: float,
        log: Path | None = None,
    ) -> DagRunResult:
        """The recorded outcome of the run with ``logical_date``."""
        found = self.find_run(dag_id, logical_date)
        if found is None:
            return DagRunResult(dag_id, "", logical_date, "missing", returncode, seconds, log=log)
        run_id, state = found
        return DagRunResult(
            dag_id,
            run_id,
            logical_date,
            state,
            returncode,
            seconds,
            self.task_states(dag_id, run_id),
            self.failed_tries(dag_id, run_id),
            log,
        )


def kill_task(task: TaskProcess) -> bool:
    """SIGKILL one task process; False when it had already gone."""
    try:
        os.kill(task.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return False
    return True


def _describe_tree(pid: int, log: Path) -> None:
    """Append the processes left under ``pid`` (title, status, threads) to ``log``."""
    lines = []
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                title = " ".join(proc.cmdline())[:120]
                lines.append(
                    f"  pid {proc.pid} ppid {proc.ppid()} {proc.status()} "
                    f"threads {proc.num_threads()}: {title}"
                )
    with log.open("a") as handle:
        handle.write("\n[proof] the run had ended; processes still running:\n")
        handle.write("\n".join(lines) + "\n")


def _stop(process: subprocess.Popen[bytes], timeout: float = 20) -> None:
    """SIGTERM the process group we started, then SIGKILL whatever is left of it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    if process.poll() is None:
        process.wait(10)


def _hex(ti_id: str) -> str:
    """A task instance id as the metadata DB keeps it (32 hex digits, no dashes)."""
    try:
        return uuid.UUID(ti_id).hex
    except ValueError:
        return ti_id


def _as_utc(value: Any) -> datetime:
    """A metadata-DB timestamp (SQLite keeps text) as an aware UTC datetime."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
