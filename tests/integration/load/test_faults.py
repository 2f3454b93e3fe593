"""Faults on the NetSuite side never double or lose a document: drops, 5xx, 429, SIGKILL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import (
    ACCOUNT,
    CERT,
    CLIENT_ID,
    REPO,
    SITE,
    TIME_ZONE,
    Env,
    StartEnv,
)
from tests.builders.tieout import netsuite_rows

from chargebee_netsuite.staging.ledger_tables import ns_ledger

from .test_tieout import assert_tied_out


def netsuite_snapshot(env: Env) -> dict[str, tuple[str, str, str]]:
    """Every transaction by external id: type, total and what is left (ids differ per account)."""
    rows = netsuite_rows(
        env.netsuite_client(),
        "SELECT externalid, type, foreigntotal, foreignamountremaining FROM transaction",
    )
    return {
        r["externalid"]: (
            r["type"],
            str(r.get("foreigntotal")),
            str(r.get("foreignamountremaining")),
        )
        for r in rows
    }


def ledger_states(env: Env) -> dict[tuple[str, str, str], str]:
    with env.engine.connect() as conn:
        rows = conn.execute(select(ns_ledger).where(ns_ledger.c.site == SITE)).mappings().all()
    return {(r["source_kind"], r["source_id"], r["role"]): r["state"] for r in rows}


def test_dropped_answers_5xx_and_429_end_with_nothing_doubled_or_missing(
    start_env: StartEnv,
) -> None:
    # Every 20th write commits and then loses its answer; every 20th request answers 500; the
    # account allows 4 requests in flight while the client sends 5, so 429s happen for real.
    env = start_env(scale=40, drop_nth=20, fail_nth=20, concurrency_limit=4)
    env.extract()
    summary = env.sync("run-1", concurrency=5, client=env.netsuite_client(concurrency=5))
    state = env.ns_admin("GET", "/state")
    assert state["faults"]["dropped"] > 0
    assert summary.counts.get("failed", 0) == 0, summary.counts
    env.ns_admin("DELETE", "/faults")
    assert_tied_out(env)


RUNNER = """
import json, sys
from chargebee_netsuite.load.run import SyncSettings, sync
from chargebee_netsuite.mapping import parse_mapping
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.transform.model import TransformSettings

args = json.load(open(sys.argv[1]))
engine = create_staging_engine(args["staging_url"])
client = NetSuiteClient(NetSuiteConfig(
    account_id=args["account"], client_id=args["client_id"], certificate_id=args["cert"],
    private_key=Secret(open(args["key_path"]).read()), base_url=args["base_url"],
))
transform = TransformSettings(args["time_zone"])
settings = SyncSettings(transform, flush_every=5)
sync(engine, client, parse_mapping(open(args["mapping_path"]).read()),
     read_reference_data(engine), "killed-run", site=args["site"], settings=settings)
"""


def test_a_sync_killed_mid_load_and_rerun_ends_as_an_uninterrupted_one(
    start_env: StartEnv, tmp_path: Path
) -> None:
    killed = start_env(scale=30, latency_ms=10)
    calm = start_env(scale=30)
    for env in (killed, calm):
        env.extract()
        env.reference()
    mapping_path = tmp_path / "mapping.yaml"
    text = (REPO / "include/mapping.example.yaml").read_text()
    mapping_path.write_text(
        text.replace("    write_off:\n      account: 16", "    write_off:\n      item: 11").replace(
            "  policy: hold", "  policy: first_open_period"
        )
    )
    key_path = tmp_path / "key.pem"
    key_path.write_text(killed.private_key)
    args: dict[str, Any] = {
        "staging_url": str(killed.engine.url),
        "base_url": killed.netsuite.base_url,
        "key_path": str(key_path),
        "mapping_path": str(mapping_path),
        "account": ACCOUNT,
        "client_id": CLIENT_ID,
        "cert": CERT,
        "site": SITE,
        "time_zone": TIME_ZONE,
    }
    (tmp_path / "args.json").write_text(json.dumps(args))
    (tmp_path / "runner.py").write_text(RUNNER)
    env_vars = {**os.environ, "PYTHONPATH": str(REPO / "plugins")}
    process = subprocess.Popen(
        [sys.executable, str(tmp_path / "runner.py"), str(tmp_path / "args.json")], env=env_vars
    )
    deadline = time.monotonic() + 120
    while killed.netsuite_writes() < 60 and process.poll() is None:
        assert time.monotonic() < deadline, "the loader never got going"
        time.sleep(0.02)
    assert process.poll() is None, "the loader finished before it could be killed"
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    killed.sync("after-kill")
    calm.sync("uninterrupted")
    assert netsuite_snapshot(killed) == netsuite_snapshot(calm)
    assert ledger_states(killed) == ledger_states(calm)
    assert_tied_out(killed)


def test_a_revoked_certificate_fails_the_load_loudly_and_every_document_says_why(
    start_env: StartEnv,
) -> None:
    from tests.builders.netsuite_env import CERT, SITE, mapping, sync_settings

    from chargebee_netsuite.load.run import sync
    from chargebee_netsuite.netsuite.errors import AuthenticationError

    env = start_env(scale=3)
    env.extract()
    reference = env.reference()
    env.netsuite.server.config.app.state.sandbox.tokens.public_keys.pop(CERT)

    with pytest.raises(AuthenticationError, match="refused the connector's credentials"):
        sync(
            env.engine,
            env.netsuite_client(),
            mapping(),
            reference,
            "revoked",
            site=SITE,
            settings=sync_settings(),
        )
    assert env.netsuite_writes() == 0
    with env.engine.connect() as conn:
        rows = conn.execute(select(ns_ledger.c.state, ns_ledger.c.reason)).all()
    failed = [reason for state, reason in rows if state == "failed"]
    assert failed, "the ledger records each refused document"
    assert all(reason and "NetSuite" in reason for reason in failed)
    assert "posted" not in {state for state, _ in rows}
