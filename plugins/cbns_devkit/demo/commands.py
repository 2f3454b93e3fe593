"""``make demo`` and ``make airflow``: wire an Airflow home to the sandboxes and run the sync.

``demo``: migrate a SQLite metadata database, generate a Fernet key, store the connections
and pools, start the sandboxes (with a few records that must be quarantined), run
``chargebee_netsuite_sync`` once through Airflow (``airflow dags test``), print what happened
and stop everything it started. ``airflow``: the same wiring, then the API server, scheduler,
dag-processor and triggerer, until Ctrl-C, with the sandbox sending webhooks to the receiver.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from cbns_devkit.demo.home import AirflowHome
from cbns_devkit.demo.inputs import DemoInputs
from cbns_devkit.demo.sandboxes import SandboxProcess, add_problem_records
from cbns_devkit.demo.stack import SYNC_DAG, webhook_connection
from cbns_devkit.sandbox.cli import wait_for_stop_signal
from cbns_devkit.sandbox.connections import connections_from_sandbox_state
from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID
from chargebee_netsuite.airflow.pools import pool_specs

TIME_ZONE = "America/Los_Angeles"


def _say(message: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {message}", flush=True)


def _fresh(path: Path) -> Path:
    """Remove what a previous run left at ``path`` (the sandboxes start empty every time)."""
    if path.is_dir():
        shutil.rmtree(path)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path


def make_home(state_dir: Path, name: str, **env: str) -> AirflowHome:
    """The Airflow home under ``state_dir/name`` with a fresh staging database."""
    path = (state_dir / name).resolve()
    path.mkdir(parents=True, exist_ok=True)
    staging = _fresh(path / "staging.db")
    reports = _fresh(path / "reports")
    return AirflowHome(
        path,
        staging_url=f"sqlite:///{staging}",
        reports_dir=reports,
        extra_env={"CBNS_NETSUITE_TIME_ZONE": TIME_ZONE, **env},
    )


def wire(home: AirflowHome, state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Store the connections (encrypted) and pools in the metadata database."""
    connections = connections_from_sandbox_state(state)
    connections["chargebee_webhook"] = webhook_connection(home, state["chargebee"]["site"])
    home.import_connections(connections)
    extra = connections[CHARGEBEE_CONN_ID].get("extra") or {}
    home.import_pools(pool_specs(int(extra.get("rate_limit_per_minute") or 150)))
    return connections


def print_summary(home: AirflowHome, connections: dict[str, dict[str, Any]]) -> None:
    """Print documents per kind, what did not post and why, catch-alls, open AR on both sides,
    report paths."""
    from cbns_devkit.demo.summary import render, report_paths
    from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
    from chargebee_netsuite.reconcile.headline import (
        ar_comparison,
        catch_alls,
        ledger_overview,
        unposted,
    )
    from chargebee_netsuite.staging.db import create_staging_engine

    ns = connections[NETSUITE_CONN_ID]
    config = NetSuiteConfig(
        account_id=ns["login"],
        client_id=ns["extra"]["client_id"],
        certificate_id=ns["extra"]["certificate_id"],
        private_key=Secret(ns["extra"]["private_key"]),
        algorithm=ns["extra"].get("algorithm") or "PS256",
        base_url=ns["extra"]["base_url"],
    )
    site = connections[CHARGEBEE_CONN_ID]["login"]
    engine = create_staging_engine(home.staging_url)
    try:
        with NetSuiteClient(config) as client:
            text = render(
                site,
                ledger_overview(engine, site),
                unposted(engine, site),
                ar_comparison(engine, client, site),
                report_paths(home.reports_dir),
                catch_alls(engine, site, home.mapping_path),
            )
    finally:
        engine.dispose()
    print("\n" + text, flush=True)


def demo(state_dir: Path, inputs: DemoInputs | None = None, keep: bool = False) -> int:
    """Run the demo; returns the process exit code."""
    inputs = inputs or DemoInputs()
    seed = inputs.seed
    started = time.monotonic()
    home = make_home(state_dir, "airflow", **inputs.env())
    log = home.path / "demo.log"
    log.write_text("")
    _say(f"Airflow home {home.path} (SQLite metadata DB, Fernet key in fernet.key)", started)
    with log.open("ab") as output:
        migrate = subprocess.Popen(
            home.migrate_command(), env=home.env(), stdout=output, stderr=subprocess.STDOUT
        )
    sandboxes = SandboxProcess(
        state_dir,
        seed_file=seed,
        extra_args=inputs.sandbox_args(),
        log=home.path / "sandbox.log",
    )
    try:
        state = sandboxes.start()
        _say(
            f"Sandboxes up: Chargebee {state['chargebee']['base_url']}, "
            f"NetSuite {state['netsuite']['base_url']} ({sandboxes.state_path})",
            started,
        )
        _say(f"  Chargebee site {state['chargebee']['site']}", started)
        for line in inputs.describe():
            _say(f"  {line}", started)
        if seed is None:
            for record in add_problem_records(state):
                _say(f"  problem record for the quarantine: {record}", started)
        if migrate.wait() != 0:
            raise RuntimeError(f"airflow db migrate failed; see {log}")
        _say("Metadata DB migrated; storing connections and pools", started)
        connections = wire(home, state)
        _say(f"Running {SYNC_DAG} through Airflow (airflow dags test; log: {log})", started)
        result = home.airflow("dags", "test", SYNC_DAG, log=log, check=False)
        if result.returncode != 0:
            print(log.read_text(errors="replace")[-6000:], flush=True)
            _say(f"{SYNC_DAG} failed; the full log is {log}", started)
            return 1
        _say(f"{SYNC_DAG} succeeded", started)
        print_summary(home, connections)
        print(f"\nAirflow log of the run: {log}", flush=True)
    finally:
        if migrate.poll() is None:
            migrate.terminate()
            migrate.wait(10)
        if keep and sandboxes.process is not None and sandboxes.process.poll() is None:
            pid = sandboxes.process.pid
            print(f"\nSandboxes left running (KEEP=1): {sandboxes.state_path}; stop: kill {pid}")
        else:
            sandboxes.stop()
    _say("Done", started)
    return 0


def airflow(
    state_dir: Path, inputs: DemoInputs | None = None, port: int = 8080, confirm: bool = False
) -> int:
    """Start the sandboxes and Airflow wired to them; block until Ctrl-C, then stop both.

    The sandboxes start empty each time, so the staging database starts fresh too (its
    ledger would otherwise point at NetSuite records that no longer exist). Unless
    ``confirm``, this is a first sync against a new account: every sync run is a dry run
    (``CBNS_DRY_RUN_DEFAULT=1``; its per-line report says what would post) and the webhook
    and reconcile DAGs, which post too, stay paused; a manual run with ``dry_run`` off posts.
    """
    from cbns_devkit.demo.stack import RECONCILE_DAG, WEBHOOK_DAG, running_stack

    inputs = inputs or DemoInputs()
    started = time.monotonic()
    home_dir = (state_dir / "airflow").resolve()
    home_dir.mkdir(parents=True, exist_ok=True)
    staging = _fresh(home_dir / "staging.db")
    _fresh(home_dir / "reports")
    _say(f"Starting the sandboxes and Airflow in {home_dir} (about a minute)", started)
    with running_stack(
        state_dir,
        staging_url=f"sqlite:///{staging}",
        port=port,
        cb_port=8710,
        ns_port=8720,
        seed=inputs.seed,
        sandbox_args=inputs.sandbox_args(),
        env={
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False" if confirm else "True",
            "CBNS_DRY_RUN_DEFAULT": "0" if confirm else "1",
            **inputs.env(),
        },
    ) as stack:
        for dag_id in (SYNC_DAG, WEBHOOK_DAG, RECONCILE_DAG) if confirm else (SYNC_DAG,):
            stack.api.wait_for_dag(dag_id, 180)
            stack.api.unpause(dag_id)
        for line in [f"Chargebee site {stack.state['chargebee']['site']}", *inputs.describe()]:
            _say(line, started)
        if not confirm:
            reports = stack.home.reports_dir / "dry_run"
            print(
                f"\nFirst sync: DRY RUN. Every {SYNC_DAG} run builds and checks each document "
                f"and writes what it would post, line by line, to {reports}/<run>/index.html "
                "(and lines.csv); nothing reaches NetSuite. The webhook and reconcile DAGs stay "
                "paused. To post: trigger a run with dry_run unticked, or restart with "
                "`make airflow CONFIRM=1`.",
                flush=True,
            )
        print(
            f"\nAirflow UI:  {stack.base_url}  (user admin, password in "
            f"{stack.home.path / 'admin.password'})\n"
            f"Sandboxes:   {stack.sandboxes.state_path}\n"
            f"Webhooks:    the Chargebee sandbox delivers to {stack.webhook_url}\n"
            f"Logs:        {stack.components.log_dir}\n"
            f"Backfill:    UI → {SYNC_DAG} → Trigger → Backfill, or the REST API / CLI "
            "(see README)\n"
            "Ctrl-C stops everything.",
            flush=True,
        )
        wait_for_stop_signal()
    _say("Stopped", started)
    return 0
