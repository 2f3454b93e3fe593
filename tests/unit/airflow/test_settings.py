"""staging_url(): environment variable, then the cbns_staging connection, then a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chargebee_netsuite.airflow.settings import staging_url


def test_the_environment_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBNS_STAGING_URL", "postgresql://u@db:5432/staging")
    monkeypatch.setenv("AIRFLOW_CONN_CBNS_STAGING", json.dumps({"conn_type": "sqlite"}))
    assert staging_url() == "postgresql://u@db:5432/staging"


def test_a_postgres_connection_becomes_a_sqlalchemy_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CBNS_STAGING_URL", raising=False)
    conn = {"conn_type": "postgres", "host": "db", "login": "cbns", "port": 5432, "schema": "st"}
    monkeypatch.setenv("AIRFLOW_CONN_CBNS_STAGING", json.dumps(conn))
    assert staging_url() == "postgresql://cbns@db:5432/st"
    conn = {"conn_type": "sqlite", "host": "/data/staging.db"}
    monkeypatch.setenv("AIRFLOW_CONN_CBNS_STAGING", json.dumps(conn))
    assert staging_url() == "sqlite:////data/staging.db"


def test_the_default_is_a_file_in_airflow_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("CBNS_STAGING_URL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_CBNS_STAGING", raising=False)
    monkeypatch.setenv("AIRFLOW_HOME", str(tmp_path))
    assert staging_url() == f"sqlite:///{tmp_path}/cbns_staging.db"
