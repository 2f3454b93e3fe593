"""The whole system running locally: sandboxes, Airflow's four components, wired together.

Used by ``make airflow``, the webhook latency benchmark and the end-to-end test, so that all
three exercise the same start-up: a migrated metadata database (SQLite, or the Postgres URL
given), the staging schema, the sandboxes sending webhooks to the receiver on the API
server, the connections and pools stored through the REST API, and every process stopped
on the way out, whatever happened.
"""

from __future__ import annotations

import json
import secrets
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cbns_devkit.demo.components import AirflowAPI, Components, simple_auth_env
from cbns_devkit.demo.home import AirflowHome
from cbns_devkit.demo.sandboxes import SandboxProcess
from cbns_devkit.sandbox.connections import connections_from_sandbox_state
from cbns_devkit.sandbox.server import free_port
from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID
from chargebee_netsuite.airflow.pools import pool_specs

WEBHOOK_ROUTE = "/chargebee-netsuite/webhooks/chargebee"
TIME_ZONE = "America/Los_Angeles"
SYNC_DAG = "chargebee_netsuite_sync"
WEBHOOK_DAG = "chargebee_netsuite_webhooks"
RECONCILE_DAG = "chargebee_netsuite_reconcile"
WEBHOOK_TASK = "sync_webhook_events"  # the webhook DAG's one task


@dataclass
class Stack:
    """A running system; ``api`` is logged in as ``admin``."""

    home: AirflowHome
    sandboxes: SandboxProcess
    components: Components
    api: AirflowAPI
    state: dict[str, Any]
    connections: dict[str, dict[str, Any]]
    port: int
    password: str

    @property
    def base_url(self) -> str:
        """The API server (and UI) URL."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        """Where Chargebee (the sandbox) delivers webhooks."""
        return f"{self.base_url}{WEBHOOK_ROUTE}"


def _secret_file(path: Path, nbytes: int = 18) -> str:
    if not path.exists():
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def webhook_connection(home: AirflowHome, site: str) -> dict[str, Any]:
    """``chargebee_webhook``: the Basic-auth credentials the receiver expects."""
    return {
        "conn_type": "generic",
        "login": "chargebee",
        "password": _secret_file(home.path / "webhook.password"),
        "extra": {"site": site},
    }


def store_connections(api: AirflowAPI, connections: dict[str, dict[str, Any]]) -> None:
    """Create or replace connections through the REST API (stored Fernet-encrypted)."""
    for conn_id, conn in connections.items():
        body = {
            "connection_id": conn_id,
            "conn_type": conn["conn_type"],
            "login": conn.get("login"),
            "password": conn.get("password"),
            "host": conn.get("host"),
            "extra": json.dumps(conn.get("extra") or {}),
        }
        response = api.http.post("/api/v2/connections", json=body)
        if response.status_code == 409:
            response = api.http.patch(f"/api/v2/connections/{conn_id}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"storing connection {conn_id}: {response.status_code}")


def store_pools(api: AirflowAPI, rate_limit_per_minute: int) -> None:
    """Create or resize the API pools."""
    for spec in pool_specs(rate_limit_per_minute):
        body = {
            "name": spec.name,
            "slots": spec.slots,
            "description": spec.description,
            "include_deferred": False,
        }
        response = api.http.post("/api/v2/pools", json=body)
        if response.status_code == 409:
            response = api.http.patch(f"/api/v2/pools/{spec.name}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"pool {spec.name}: {response.status_code} {response.text}")


def migrate_staging(url: str) -> None:
    """Create the staging schema now, so the receiver can queue the very first webhook."""
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    engine = create_staging_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


@contextmanager
def running_stack(
    workdir: Path,
    *,
    metadata_url: str | None = None,
    staging_url: str | None = None,
    port: int = 0,
    cb_port: int = 0,
    ns_port: int = 0,
    seed: Path | None = None,
    scale: int | None = None,
    sandbox_args: list[str] | None = None,
    env: dict[str, str] | None = None,
    startup_timeout: float = 300,
) -> Iterator[Stack]:
    """Start everything, yield the :class:`Stack`, stop everything."""
    workdir = workdir.resolve()
    port = port or free_port()
    home = AirflowHome(
        workdir / "airflow",
        staging_url=staging_url or f"sqlite:///{workdir / 'airflow' / 'staging.db'}",
        reports_dir=workdir / "airflow" / "reports",
        sql_alchemy_conn=metadata_url,
        extra_env={
            "CBNS_NETSUITE_TIME_ZONE": TIME_ZONE,
            # The scheduler's and triggerer's log servers default to 8793/8794; free ports let
            # two stacks (say a test and `make airflow`) run side by side.
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
            **(env or {}),
        },
    )
    password = _secret_file(home.path / "admin.password", 12)
    home.extra_env.update(simple_auth_env(home, port, password))
    logs = home.path / "logs-components"
    logs.mkdir(parents=True, exist_ok=True)
    webhook = webhook_connection(home, "pending")
    with (logs / "migrate.log").open("ab") as output:
        migrate = subprocess.Popen(
            home.migrate_command(), env=home.env(), stdout=output, stderr=subprocess.STDOUT
        )
    sandboxes = SandboxProcess(
        workdir,
        seed_file=seed,
        scale=scale,
        cb_port=cb_port,
        ns_port=ns_port,
        webhook_url=f"http://127.0.0.1:{port}{WEBHOOK_ROUTE}",
        webhook_user=webhook["login"],
        webhook_password=webhook["password"],
        # Chargebee retries a failed delivery after 2 minutes; compressed, a delivery that
        # arrives before the receiver is up is retried within seconds.
        extra_args=["--cb-webhook-time-factor", "0.05", *(sandbox_args or [])],
        log=logs / "sandbox.log",
    )
    components = Components(home, home.env(), logs)
    api = AirflowAPI(f"http://127.0.0.1:{port}", "admin", password)
    try:
        state = sandboxes.start()
        migrate_staging(home.staging_url)
        if migrate.wait() != 0:
            raise RuntimeError(f"airflow db migrate failed; see {logs / 'migrate.log'}")
        components.start()
        api.wait_healthy(startup_timeout, components)
        connections = connections_from_sandbox_state(state)
        connections["chargebee_webhook"] = webhook_connection(home, state["chargebee"]["site"])
        store_connections(api, connections)
        extra = connections[CHARGEBEE_CONN_ID].get("extra") or {}
        store_pools(api, int(extra.get("rate_limit_per_minute") or 150))
        yield Stack(home, sandboxes, components, api, state, connections, port, password)
    finally:
        api.close()
        components.stop()
        if migrate.poll() is None:
            migrate.kill()
            migrate.wait(10)
        sandboxes.stop()
