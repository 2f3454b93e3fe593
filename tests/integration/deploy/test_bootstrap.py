"""deploy/bootstrap.py: what the compose init service does after `airflow db migrate`."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, inspect, text

from .compose import REPO_ROOT

BOOTSTRAP = REPO_ROOT / "deploy" / "bootstrap.py"
AIRFLOW = Path(sys.executable).with_name("airflow")


def _load_bootstrap() -> ModuleType:
    spec = importlib.util.spec_from_file_location("cbns_deploy_bootstrap", BOOTSTRAP)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


bootstrap = _load_bootstrap()

PEM_LINES = ["-----BEGIN PRIVATE KEY-----", "MIIBVQ", "-----END PRIVATE KEY-----"]
FULL_ENV = {
    "CBNS_CHARGEBEE_SITE": "acme",
    "CBNS_CHARGEBEE_API_KEY": "live_key_123",
    "CBNS_CHARGEBEE_ENVIRONMENT": "live",
    "CBNS_CHARGEBEE_REGION": "eu",
    "CBNS_CHARGEBEE_PLAN": "performance",
    "CBNS_NETSUITE_ACCOUNT_ID": "1234567",
    "CBNS_NETSUITE_CLIENT_ID": "client",
    "CBNS_NETSUITE_CERTIFICATE_ID": "cert-1",
    # One .env line: the PEM's line breaks are literal "\n".
    "CBNS_NETSUITE_PRIVATE_KEY": "\\n".join(PEM_LINES),
    "CBNS_NETSUITE_ALGORITHM": "PS256",
    "CBNS_NETSUITE_CONCURRENCY": "4",
    "CBNS_WEBHOOK_USERNAME": "chargebee",
    "CBNS_WEBHOOK_PASSWORD": "hook-secret",
}


def test_connections_are_built_from_the_environment() -> None:
    connections = bootstrap.connections_from_env(FULL_ENV)
    assert set(connections) == {"chargebee_default", "netsuite_default", "chargebee_webhook"}
    chargebee = connections["chargebee_default"]
    assert (chargebee["conn_type"], chargebee["login"], chargebee["password"]) == (
        "chargebee",
        "acme",
        "live_key_123",
    )
    assert json.loads(chargebee["extra"]) == {
        "environment": "live",
        "region": "eu",
        "plan": "performance",
    }
    netsuite = connections["netsuite_default"]
    extra = json.loads(netsuite["extra"])
    assert netsuite["login"] == "1234567"
    assert extra["private_key"] == "\n".join(PEM_LINES)
    assert (extra["client_id"], extra["certificate_id"], extra["concurrency"]) == (
        "client",
        "cert-1",
        "4",
    )
    webhook = connections["chargebee_webhook"]
    assert (webhook["login"], webhook["password"]) == ("chargebee", "hook-secret")
    assert "extra" not in webhook


def test_the_private_key_can_come_from_a_file(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text("\n".join(PEM_LINES) + "\n")
    env = {**FULL_ENV, "CBNS_NETSUITE_PRIVATE_KEY": "", "CBNS_NETSUITE_PRIVATE_KEY_FILE": str(key)}
    extra = json.loads(bootstrap.connections_from_env(env)["netsuite_default"]["extra"])
    assert extra["private_key"] == "\n".join(PEM_LINES)


def test_an_empty_group_is_left_to_the_ui_or_a_secrets_backend() -> None:
    env = {name: value for name, value in FULL_ENV.items() if "NETSUITE" not in name}
    assert set(bootstrap.connections_from_env(env)) == {"chargebee_default", "chargebee_webhook"}
    assert bootstrap.connections_from_env({}) == {}


def test_a_half_configured_connection_is_an_error_naming_the_missing_variable() -> None:
    env = {**FULL_ENV, "CBNS_NETSUITE_CERTIFICATE_ID": " "}
    with pytest.raises(bootstrap.ConfigError, match="CBNS_NETSUITE_CERTIFICATE_ID") as caught:
        bootstrap.connections_from_env(env)
    # The message names variables, never values.
    assert "MIIBVQ" not in str(caught.value)


def test_pools_default_to_the_plan_and_can_be_overridden() -> None:
    assert [(p.name, p.slots) for p in bootstrap.pools_from_env({})] == [
        ("chargebee_api", 3),
        ("netsuite_api", 1),
    ]
    env = {"CBNS_CHARGEBEE_PLAN": "enterprise", "CBNS_NETSUITE_POOL_SLOTS": "2"}
    assert [(p.name, p.slots) for p in bootstrap.pools_from_env(env)] == [
        ("chargebee_api", 6),
        ("netsuite_api", 2),
    ]
    for bad in ("0", "two"):
        with pytest.raises(bootstrap.ConfigError, match="CBNS_NETSUITE_POOL_SLOTS"):
            bootstrap.pools_from_env({"CBNS_NETSUITE_POOL_SLOTS": bad})
    with pytest.raises(bootstrap.ConfigError, match="CBNS_CHARGEBEE_PLAN"):
        bootstrap.pools_from_env({"CBNS_CHARGEBEE_PLAN": "gold"})


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=env, capture_output=True, text=True, timeout=240)


@pytest.mark.timeout(400)
def test_init_on_postgres_is_idempotent_and_encrypts_connections(
    tmp_path: Path, postgres_url: str, sqlite_url: str
) -> None:
    fernet_key = Fernet.generate_key().decode()
    metadata_url = postgres_url.replace("postgresql+psycopg://", "postgresql+psycopg2://")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CBNS_"))},
        "AIRFLOW_HOME": str(tmp_path / "home"),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": metadata_url,
        "AIRFLOW__CORE__FERNET_KEY": fernet_key,
        "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
        "CBNS_STAGING_URL": sqlite_url,
        **FULL_ENV,
    }
    migrated = _run([str(AIRFLOW), "db", "migrate"], env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    first = _run([sys.executable, str(BOOTSTRAP)], env)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "connection netsuite_default written" in first.stdout
    # Secrets never reach the output.
    for secret in ("live_key_123", "hook-secret", "MIIBVQ"):
        assert secret not in first.stdout + first.stderr

    # A changed .env (new certificate, resized pool) converges on the next run.
    env.update(
        CBNS_NETSUITE_CERTIFICATE_ID="cert-2", CBNS_NETSUITE_POOL_SLOTS="2", CBNS_CHARGEBEE_PLAN=""
    )
    second = _run([sys.executable, str(BOOTSTRAP), "--skip-staging"], env)
    assert second.returncode == 0, second.stderr[-2000:]

    engine = create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            pools = dict(conn.execute(text("SELECT pool, slots FROM slot_pool")).all())
            rows = conn.execute(
                text(
                    "SELECT conn_id, conn_type, login, password, extra, is_encrypted, "
                    "is_extra_encrypted FROM connection"
                )
            ).all()
    finally:
        engine.dispose()
    assert pools["chargebee_api"] == 3 and pools["netsuite_api"] == 2
    by_id = {row.conn_id: row for row in rows}
    assert set(by_id) == {"chargebee_default", "netsuite_default", "chargebee_webhook"}
    fernet = Fernet(fernet_key.encode())
    chargebee = by_id["chargebee_default"]
    assert chargebee.is_encrypted and chargebee.is_extra_encrypted
    assert "live_key_123" not in chargebee.password
    assert fernet.decrypt(chargebee.password.encode()).decode() == "live_key_123"
    # CBNS_CHARGEBEE_PLAN was cleared: the extra no longer carries it.
    assert "plan" not in json.loads(fernet.decrypt(chargebee.extra.encode()))
    netsuite = json.loads(fernet.decrypt(by_id["netsuite_default"].extra.encode()))
    assert netsuite["certificate_id"] == "cert-2"
    assert netsuite["private_key"] == "\n".join(PEM_LINES)

    staging = create_engine(sqlite_url)
    try:
        tables = set(inspect(staging).get_table_names())
    finally:
        staging.dispose()
    assert "alembic_version" in tables and len(tables) > 5
