"""ChargebeeHook: a `chargebee` Connection from an AIRFLOW_CONN_ variable becomes a client."""

from __future__ import annotations

import base64
import json

import pytest

from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook

KEY = "live_hOoKsEcReT"


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch) -> str:
    conn = {
        "conn_type": "chargebee",
        "login": "acme",
        "password": KEY,
        "extra": {"environment": "test", "region": "eu", "rate_limit_per_minute": 1000},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CHARGEBEE_ACME", json.dumps(conn))
    return "chargebee_acme"


def test_init_does_no_io() -> None:
    hook = ChargebeeHook(chargebee_conn_id="does_not_exist_anywhere")
    assert hook.http_conn_id == "does_not_exist_anywhere"
    assert hook.method == "GET"


def test_client_settings_come_from_the_connection(connection: str) -> None:
    settings = ChargebeeHook(connection).get_settings()
    assert settings.site == "acme"
    assert settings.environment == "test" and settings.region == "eu"
    assert settings.rate_limit_per_minute == 1000
    assert settings.api_base == "https://acme-test.chargebee.com/api/v2"
    with ChargebeeHook(connection).get_client() as client:
        assert client.limiter.requests_per_window == 1000
        assert KEY not in repr(client) and KEY not in repr(settings)


def test_host_or_base_url_extra_overrides_the_derived_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    conn = {
        "conn_type": "chargebee",
        "login": "acme-test",
        "password": KEY,
        "host": "http://127.0.0.1",
        "port": 8710,
        "extra": {"environment": "test"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CB_LOCAL", json.dumps(conn))
    assert ChargebeeHook("cb_local").get_settings().api_base == "http://127.0.0.1:8710/api/v2"
    conn["extra"] = {"base_url": "http://proxy.local:9000/"}
    monkeypatch.setenv("AIRFLOW_CONN_CB_LOCAL", json.dumps(conn))
    assert ChargebeeHook("cb_local").get_settings().api_base == "http://proxy.local:9000/api/v2"


def test_inherited_requests_session_uses_key_with_empty_password(connection: str) -> None:
    hook = ChargebeeHook(connection)
    session = hook.get_conn()
    assert (session.auth.username, session.auth.password) == (KEY, "")  # type: ignore[union-attr]
    assert hook.base_url == "https://acme-test.chargebee.com/api/v2"
    assert "environment" not in session.headers and "region" not in session.headers
    prepared = session.prepare_request(__import__("requests").Request("GET", hook.base_url))
    expected = "Basic " + base64.b64encode(f"{KEY}:".encode()).decode()
    assert prepared.headers["Authorization"] == expected


def test_the_hook_refuses_writes(connection: str) -> None:
    hook = ChargebeeHook(connection)
    hook.method = "POST"
    with pytest.raises(ValueError, match="read-only"):
        hook.run("/invoices")


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "AIRFLOW_CONN_CB_NOKEY", json.dumps({"conn_type": "chargebee", "login": "acme"})
    )
    with pytest.raises(ValueError, match="API key in 'password'"):
        ChargebeeHook("cb_nokey").get_settings()


@pytest.mark.parametrize(
    ("plan", "limit"), [("starter", 150), ("Performance", 1000), ("enterprise", 3500)]
)
def test_plan_extra_sets_the_rate_limit(
    monkeypatch: pytest.MonkeyPatch, plan: str, limit: int
) -> None:
    conn = {"conn_type": "chargebee", "login": "acme", "password": KEY, "extra": {"plan": plan}}
    monkeypatch.setenv("AIRFLOW_CONN_CB_PLAN", json.dumps(conn))
    assert ChargebeeHook("cb_plan").get_settings().rate_limit_per_minute == limit
