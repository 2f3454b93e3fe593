"""Shared pytest fixtures: an isolated AIRFLOW_HOME and throwaway staging databases."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from tests.builders.netsuite_env import StartEnv, start_environments

# Airflow reads its configuration at import time, so isolate it before any test module imports
# airflow: the suite must never touch a developer's ~/airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="cbns-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS = REPO_ROOT / "tests"
# The connector has no default mapping file; tests post with the sandbox's example mapping.
os.environ.setdefault("CBNS_MAPPING_PATH", str(REPO_ROOT / "include" / "mapping.example.yaml"))
POSTGRES_ADMIN_URL = os.environ.get(
    "CBNS_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A URL for a fresh SQLite staging database file."""
    return f"sqlite:///{tmp_path / 'staging.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A URL for a fresh, empty Postgres database on the machine's server, dropped afterwards."""
    from sqlalchemy import create_engine, text

    name = f"cbns_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def staging_url(request: pytest.FixtureRequest) -> str:
    """Run a test once on SQLite and once on Postgres."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


# -- both sandboxes, staging and the real sync (tests/builders/netsuite_env.py) ------------


@pytest.fixture(scope="session")
def rsa_key() -> tuple[str, bytes]:
    """One RSA 3072 key pair (NetSuite's minimum size) for the session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@pytest.fixture
def start_env(rsa_key: tuple[str, bytes], sqlite_url: str) -> Iterator[StartEnv]:
    """Start sandboxes and a SQLite staging database (one per test)."""
    yield from start_environments(rsa_key, sqlite_url)


@pytest.fixture
def start_env_any_db(rsa_key: tuple[str, bytes], staging_url: str) -> Iterator[StartEnv]:
    """Start sandboxes with staging on SQLite and, in a second run, Postgres."""
    yield from start_environments(rsa_key, staging_url)


# -- markers (registered in pyproject.toml; the rules are in tests/README.md) --------------

# Folders whose tests run Airflow itself, or start the sandboxes.
AIRFLOW_FOLDERS = ("e2e/", "integration/dags/", "integration/proof/")
SANDBOX_FOLDERS = (
    "e2e/",
    "integration/",
    "security/chargebee_netsuite/",
)
NO_SANDBOX_FOLDERS = ("integration/deploy/",)
# What `-m "not slow"` leaves out so that it stays a loop of about a minute: whole folders whose
# tests each start sandboxes, Great Expectations or Airflow processes, single files measured
# as the heaviest with `pytest --durations`, and every test of both sandboxes plus the real
# sync (the `start_env` fixtures). CI runs everything.
SLOW_FOLDERS = (
    "e2e/",
    "integration/load/",
    "integration/quality/",
    "integration/reconcile/",
    "integration/sandbox/",
)
SLOW_FILES = frozenset(
    {
        "integration/dags/test_operators.py",
        "integration/dags/test_unposted_notifications.py",
        "integration/deploy/test_bootstrap.py",
        "integration/deploy/test_image.py",
        "integration/extract/test_budget.py",
        "integration/extract/test_extract_tasks.py",
        "integration/extract/test_faults.py",
        "integration/extract/test_scale.py",
        "integration/netsuite/test_hook.py",
        "integration/proof/test_secrets.py",
        "property/transform/test_invoice.py",
        "security/chargebee_netsuite/test_injection.py",
        "security/webhooks/test_receiver_burst.py",
        "unit/extract/test_memory.py",
    }
)
SLOW_FIXTURES = frozenset({"start_env", "start_env_any_db"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark each test by where it lives and what it uses: slow, airflow, sandbox, postgres."""
    for item in items:
        where = item.path.resolve().relative_to(TESTS).as_posix()
        uses = set(getattr(item, "fixturenames", ()))
        if where in SLOW_FILES or where.startswith(SLOW_FOLDERS) or uses & SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)
        if where.startswith(AIRFLOW_FOLDERS):
            item.add_marker(pytest.mark.airflow)
        if where.startswith(SANDBOX_FOLDERS) and not where.startswith(NO_SANDBOX_FOLDERS):
            item.add_marker(pytest.mark.sandbox)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("staging_url") == "postgres"
        if on_postgres or "postgres_url" in uses:
            item.add_marker(pytest.mark.postgres)
