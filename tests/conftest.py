"""Shared pytest fixtures: an isolated AIRFLOW_HOME and throwaway staging databases."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

# Airflow reads its configuration at import time, so isolate it before any test module imports
# airflow: the suite must never touch a developer's ~/airflow.
_AIRFLOW_HOME = Path(tempfile.mkdtemp(prefix="cbns-airflow-home-"))
os.environ["AIRFLOW_HOME"] = str(_AIRFLOW_HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")

REPO_ROOT = Path(__file__).resolve().parents[1]
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
