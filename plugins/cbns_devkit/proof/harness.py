"""Both sandboxes, a staging database and the sync's stages, ready to be run and disturbed.

The stages are the plain-Python functions the Airflow tasks call (``extract_all``,
``validate_staged``, ``sync``) with the same arguments. Each stage can run in its own process
(``proof.stages``), so its peak memory can be read on its own (the benchmarks), or all of them
in this process (:meth:`Harness.sync_in_process`). The fault matrix runs the DAG itself
through Airflow against these sandboxes instead (``proof.airflow_runner``).
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import Engine

from cbns_devkit.sandbox.chargebee.app import create_app as create_chargebee
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.netsuite.account_settings import NetSuiteSandboxSettings
from cbns_devkit.sandbox.netsuite.api import create_app as create_netsuite
from cbns_devkit.sandbox.netsuite.keys import (
    generate_private_key,
    load_public_key,
    private_key_pem,
    public_key_pem,
)
from cbns_devkit.sandbox.netsuite.process import NetSuiteProcess
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.staging.db import create_staging_engine, migrate

REPO = Path(__file__).resolve().parents[3]
SITE = "acme-test"
ACCOUNT = "1234567_SB1"
CLIENT_ID = "sandbox-client-id"
CERT = "cert-proof"
TIME_ZONE = "America/Los_Angeles"
# Quicker NetSuite client retries than production: a fault scenario proves behaviour, not
# patience. Stage arguments here; connection extras of the same names through Airflow.
FAST_RETRIES: dict[str, Any] = {"timeout": 3.0, "backoff_base": 0.02, "backoff_cap": 0.5}
STAGE_ORDER = ("reference", "extract", "validate", "load")


def rsa_pair() -> tuple[str, bytes]:
    """A fresh RSA 3072 key pair (NetSuite's minimum size): private PEM, public PEM."""
    key = generate_private_key("rsa")
    return private_key_pem(key).decode(), public_key_pem(key)


def mapping_text() -> str:
    """The example mapping, with write-offs on the write-off item and closed periods rolled on."""
    text = (REPO / "include/mapping.example.yaml").read_text()
    return text.replace(
        "    write_off:\n      account: 16", "    write_off:\n      item: 11"
    ).replace("  policy: hold", "  policy: first_open_period")


@dataclass
class StageRun:
    """How one stage process ended."""

    stage: str
    returncode: int
    seconds: float
    peak_rss_mb: float
    killed: bool = False
    output: dict[str, Any] = field(default_factory=dict)


@dataclass
class Harness:
    """Running sandboxes, a migrated staging database and the files a stage process reads."""

    workdir: Path
    chargebee: RunningServer
    chargebee_settings: ChargebeeSandboxSettings
    netsuite: RunningServer | NetSuiteProcess
    netsuite_app: FastAPI | None  # None when NetSuite runs in its own process
    engine: Engine
    staging_url: str
    private_key: str
    public_key: bytes

    @classmethod
    def start(
        cls,
        workdir: Path,
        *,
        scale: int,
        seed: int = 7,
        chargebee_latency_ms: int = 0,
        netsuite_latency_ms: int = 0,
        concurrency_limit: int = 5,
        rate_limit_per_minute: int = 1_000_000,
        keys: tuple[str, bytes] | None = None,
        staging_url: str | None = None,
        netsuite_in_process: bool = True,
    ) -> Harness:
        """Start both sandboxes with generated data (``scale`` customers) and a staging DB.

        Staging is a SQLite file in ``workdir`` unless ``staging_url`` names another (empty)
        database. ``netsuite_in_process=False`` runs the NetSuite sandbox in a child process
        (for benchmarks; certificate revocation then is not available).
        """
        workdir.mkdir(parents=True, exist_ok=True)
        private, public = keys or rsa_pair()
        cb_settings = ChargebeeSandboxSettings(
            site=SITE,
            scale=scale,
            random_seed=seed,
            rate_limit_per_minute=rate_limit_per_minute,
            latency_ms=chargebee_latency_ms,
        )
        cb = serve_in_thread(create_chargebee(cb_settings))
        ns_settings: dict[str, Any] = {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "concurrency_limit": concurrency_limit,
            "latency_ms": netsuite_latency_ms,
        }
        ns: RunningServer | NetSuiteProcess
        ns_app: FastAPI | None = None
        if netsuite_in_process:
            ns_app = create_netsuite(
                NetSuiteSandboxSettings(certificates={CERT: public}, **ns_settings)
            )
            ns = serve_in_thread(ns_app)
        else:
            ns = NetSuiteProcess(public, CERT, **ns_settings)
        staging_url = staging_url or f"sqlite:///{workdir / 'staging.db'}"
        engine = create_staging_engine(staging_url)
        migrate(engine)
        harness = cls(workdir, cb, cb_settings, ns, ns_app, engine, staging_url, private, public)
        reference = json.loads((REPO / "include/netsuite/reference_data.json").read_text())
        harness.ns_admin("POST", "/reset", reference)
        (workdir / "mapping.yaml").write_text(mapping_text())
        key_path = workdir / "netsuite.pem"
        key_path.write_text(private)
        key_path.chmod(0o600)
        return harness

    def stop(self) -> None:
        """Stop both sandboxes and close the staging pool."""
        self.chargebee.stop()
        self.netsuite.stop()
        self.engine.dispose()

    # -- admin APIs ----------------------------------------------------------------------

    def ns_admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call the NetSuite sandbox's admin API."""
        response = httpx.request(
            method, f"{self.netsuite.base_url}/__admin{path}", json=body, timeout=120
        )
        response.raise_for_status()
        return response.json()

    def cb_admin(self, method: str, path: str, body: Any = None) -> Any:
        """Call the Chargebee sandbox's admin API."""
        response = httpx.request(
            method, f"{self.chargebee.base_url}/__admin{path}", json=body, timeout=120
        )
        response.raise_for_status()
        return response.json()

    def netsuite_writes(self) -> int:
        """Record writes the NetSuite sandbox has received."""
        return int(self.ns_admin("GET", "/state")["faults"]["writes"])

    def netsuite_requests(self) -> int:
        """Requests the NetSuite sandbox has received (fault counter)."""
        return int(self.ns_admin("GET", "/state")["faults"]["requests"])

    def chargebee_requests(self) -> int:
        """Authenticated API requests the Chargebee sandbox has answered."""
        return int(self.cb_admin("GET", "/faults")["requests"])

    def revoke_certificate(self) -> None:
        """Revoke the integration's certificate and expire the token it already holds.

        The sandbox has no admin endpoint for this, so the harness (which runs the sandbox
        in-process) removes the key from its token service, as NetSuite does on revocation.
        """
        if self.netsuite_app is None:
            raise RuntimeError("revocation needs the NetSuite sandbox in this process")
        self.netsuite_app.state.sandbox.tokens.public_keys.pop(CERT, None)
        self.ns_admin("POST", "/clock/advance", {"seconds": 7200})

    def restore_certificate(self) -> None:
        """Register the certificate again."""
        if self.netsuite_app is None:
            raise RuntimeError("revocation needs the NetSuite sandbox in this process")
        self.netsuite_app.state.sandbox.tokens.public_keys[CERT] = load_public_key(self.public_key)

    # -- stages --------------------------------------------------------------------------

    def stage_args(self) -> dict[str, Any]:
        """What a stage process needs (no secret values: the key stays in its 0600 file)."""
        return {
            "staging_url": self.staging_url,
            "chargebee_url": self.chargebee.base_url,
            "chargebee_key_env": "CBNS_PROOF_CHARGEBEE_KEY",
            "netsuite_url": self.netsuite.base_url,
            "key_path": str(self.workdir / "netsuite.pem"),
            "mapping_path": str(self.workdir / "mapping.yaml"),
            "reports_dir": str(self.workdir / "reports"),
            "account": ACCOUNT,
            "client_id": CLIENT_ID,
            "cert": CERT,
            "site": SITE,
            "time_zone": TIME_ZONE,
            "rate_limit_per_minute": self.chargebee_settings.rate_limit_per_minute,
        }

    def sync_in_process(
        self,
        names: tuple[str, ...] = STAGE_ORDER,
        *,
        run_id: str = "in-process",
        extra: dict[str, Any] | None = None,
        strict: bool = False,
    ) -> list[str]:
        """Run the stages one after another in this process, as the DAG's tasks would.

        A failing stage ends the run there, as in a DAG run; returns what failed (empty when
        everything finished), or re-raises when ``strict``.
        """
        from cbns_devkit.proof import stages

        args = {**self.stage_args(), **FAST_RETRIES, **(extra or {}), "run_id": run_id}
        os.environ[args["chargebee_key_env"]] = self.chargebee_settings.test_key
        for name in names:
            try:
                stages.STAGES[name](self.engine, args)
            except Exception as exc:
                if strict:
                    raise
                return [f"{name} failed: {type(exc).__name__}"]
        return []

    def run_stage(
        self,
        stage: str,
        run_id: str,
        *,
        kill_after: float | None = None,
        kill_when: Callable[[], bool] | None = None,
        extra: dict[str, Any] | None = None,
        timeout: float = 3600,
    ) -> StageRun:
        """Run ``stage`` in its own process; SIGKILL it after ``kill_after`` seconds, or as soon
        as ``kill_when()`` is true (polled every 20 ms), if given.

        ``peak_rss_mb`` is ``RUSAGE_CHILDREN``'s high-water mark after the stage, which only
        rises and which Linux seeds with this (forking) process's size; the stage's own peak is
        the ``VmHWM`` it reports itself (``output["peak_rss_mb"]``).
        """
        args = {**self.stage_args(), "run_id": run_id, **(extra or {})}
        args_path = self.workdir / f"args-{stage}.json"
        args_path.write_text(json.dumps(args))
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(REPO / "plugins"), os.environ.get("PYTHONPATH", "")]
            ),
            "CBNS_PROOF_CHARGEBEE_KEY": self.chargebee_settings.test_key,
        }
        started = time.monotonic()
        log_path = self.workdir / f"stage-{stage}-{run_id}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "cbns_devkit.proof.stages", str(args_path), stage],
                env=env,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
            killed = False
            if kill_after is not None:
                try:
                    process.wait(timeout=kill_after)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    killed = True
            elif kill_when is not None:
                while process.poll() is None:
                    if kill_when():
                        os.kill(process.pid, signal.SIGKILL)
                        killed = True
                        break
                    time.sleep(0.02)
            out, _ = process.communicate(timeout=timeout)
        seconds = time.monotonic() - started
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        output: dict[str, Any] = {}
        lines = [line for line in (out or "").splitlines() if line.startswith("{")]
        if lines:
            output = json.loads(lines[-1])
        return StageRun(stage, process.returncode, seconds, rss_kb / 1024, killed, output)
