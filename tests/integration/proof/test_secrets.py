"""No secret in logs, reports, Data Docs, ledger or staging; connections encrypted at rest."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from cbns_devkit.proof import chaos
from cbns_devkit.proof.harness import Harness
from cbns_devkit.proof.secrets import (
    JWT,
    Needle,
    check_connections,
    connection_rows,
    pem_lines,
    scan_bytes,
    scan_tree,
)


def needles(harness: Harness) -> list[Needle]:
    found = [Needle("chargebee api key", harness.chargebee_settings.test_key.encode())]
    found += [
        Needle(f"pem line {n}", line.encode())
        for n, line in enumerate(pem_lines(harness.private_key), 1)
    ]
    return found


def test_the_scanner_finds_what_it_looks_for() -> None:
    planted = Needle("key", b"test_abc123")
    token = b"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
    assert scan_bytes(b"...test_abc123...", [planted]) == ["key"]
    assert scan_bytes(b"Authorization: Bearer " + token, []) == ["jwt"]
    assert scan_bytes(b"nothing here", [planted]) == []
    assert JWT.search(token)


def test_a_sync_under_faults_leaks_no_secret(tmp_path: Path) -> None:
    log_file = tmp_path / "run" / "task.log"
    log_file.parent.mkdir(parents=True)
    handler = logging.FileHandler(log_file)
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    harness = Harness.start(tmp_path / "run", scale=4)
    try:
        # Faults make clients log retries and errors, the places a secret would slip into.
        harness.ns_admin("POST", "/faults", {"fail_nth": 5, "drop_nth": 6})
        harness.cb_admin("POST", "/faults", {"fail_nth": 3, "fail_kind": "internal_error"})
        harness.sync_in_process(run_id="run-1")
        harness.revoke_certificate()  # a 401 on the token endpoint is logged too
        harness.sync_in_process(("load",), run_id="run-2")
        harness.restore_certificate()
        chaos.reset_faults(harness)
        assert harness.sync_in_process(run_id="run-3", strict=True) == []
        secrets = needles(harness)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
        harness.stop()
    assert log_file.stat().st_size > 10_000, "the run logged (at DEBUG) what it did"
    assert list((tmp_path / "run" / "reports").rglob("*.html")), "Data Docs were built"
    # Everything the run left: the log, Data Docs, the staging DB (ledger, staging tables).
    result = scan_tree(tmp_path / "run", secrets)
    holders = {str(tmp_path / "run" / "netsuite.pem")}  # the key file itself, mode 0600
    hits = [hit for hit in result.hits if hit.rsplit(" in ", 1)[1] not in holders]
    assert result.files >= 4
    assert hits == []


@pytest.mark.timeout(240)
def test_airflow_stores_connection_secrets_encrypted(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    home.mkdir()
    secret_key = "test_" + os.urandom(16).hex()
    private_key = (
        "-----BEGIN PRIVATE KEY-----\n"
        "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n"
        "-----END PRIVATE KEY-----"
    )
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__FERNET_KEY": Fernet.generate_key().decode(),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
    }
    airflow = [sys.executable, "-m", "airflow"]
    subprocess.run([*airflow, "db", "migrate"], env=env, check=True, capture_output=True)
    # As the demo does it: a connections file, never --conn-password/--conn-extra on the
    # command line (Airflow's audit `log` table keeps the command line, extra unmasked).
    connections = home / "connections.json"
    connections.write_text(
        json.dumps(
            {
                "netsuite_default": {
                    "conn_type": "generic",
                    "login": "acct",
                    "password": secret_key,
                    "extra": {"private_key": private_key, "client_id": "cid"},
                }
            }
        )
    )
    subprocess.run(
        [*airflow, "connections", "import", str(connections)],
        env=env,
        check=True,
        capture_output=True,
    )
    connections.unlink()
    rows = connection_rows(home / "airflow.db")
    assert [r["conn_id"] for r in rows] == ["netsuite_default"]
    found = [Needle("password", secret_key.encode())]
    found += [Needle("pem", line.encode()) for line in pem_lines(private_key)]
    assert check_connections(rows, found) == []
    assert scan_bytes((home / "airflow.db").read_bytes(), found) == []
