"""The Airflow hook end to end: an AIRFLOW_CONN_ variable → client → sandbox → staging."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine

from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
from chargebee_netsuite.extract.documents import extract_all

from .conftest import SITE, StartSandbox
from .helpers import assert_staging_matches


def test_a_chargebee_connection_drives_an_extraction(
    start_sandbox: StartSandbox, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = start_sandbox(scale=10)
    conn = {
        "conn_type": "chargebee",
        "login": SITE,
        "password": sandbox.settings.test_key,
        "extra": {"environment": "test", "base_url": sandbox.url, "plan": "performance"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CHARGEBEE_SANDBOX", json.dumps(conn))
    hook = ChargebeeHook("chargebee_sandbox")
    assert hook.test_connection() == (True, "Chargebee connection works")
    with hook.get_conn() as client:
        extract_all(client, sqlite_engine)
    assert_staging_matches(sqlite_engine, sandbox.export())

    conn["password"] = "test_wrong"
    monkeypatch.setenv("AIRFLOW_CONN_CHARGEBEE_SANDBOX", json.dumps(conn))
    ok, message = ChargebeeHook("chargebee_sandbox").test_connection()
    assert not ok and "site 'acme-test'" in message and "test_wrong" not in message
