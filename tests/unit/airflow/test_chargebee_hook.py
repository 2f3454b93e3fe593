"""ChargebeeHook: a `chargebee` Connection from an AIRFLOW_CONN_ variable becomes a client."""

from __future__ import annotations

import json

import pytest
from airflow.sdk import BaseHook, Connection

from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook, chargebee_settings
from chargebee_netsuite.chargebee import ChargebeeClient

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
    assert hook.chargebee_conn_id == "does_not_exist_anywhere"


def test_client_settings_come_from_the_connection(connection: str) -> None:
    settings = ChargebeeHook(connection).get_settings()
    assert settings.site == "acme"
    assert settings.environment == "test" and settings.region == "eu"
    assert settings.rate_limit_per_minute == 1000
    assert settings.api_base == "https://acme-test.chargebee.com/api/v2"
    with ChargebeeHook(connection).get_conn() as client:
        assert isinstance(client, ChargebeeClient)
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


def test_settings_come_from_a_connection_object_without_airflow_lookups() -> None:
    conn = Connection(
        conn_id="cb_pure",
        conn_type="chargebee",
        login="acme",
        password=KEY,
        extra=json.dumps({"plan": "performance", "timeout": "12", "max_attempts": 3}),
    )
    settings = chargebee_settings(conn)
    assert (settings.site, settings.api_key, settings.environment) == ("acme", KEY, "live")
    assert settings.rate_limit_per_minute == 1000
    assert (settings.read_timeout, settings.max_attempts) == (12.0, 3)
    assert settings.api_base == "https://acme.chargebee.com/api/v2"
    with pytest.raises(ValueError, match="Connection 'cb_pure' needs the Chargebee site"):
        chargebee_settings(Connection(conn_id="cb_pure", conn_type="chargebee", password=KEY))
    with pytest.raises(ValueError, match="unknown Chargebee plan 'gold'") as raised:
        chargebee_settings(
            Connection(
                conn_id="c", conn_type="chargebee", login="a", password=KEY, extra='{"plan":"gold"}'
            )
        )
    assert KEY not in str(raised.value)


def test_the_hook_is_a_plain_base_hook() -> None:
    # No HttpHook underneath: nothing private of another hook is overridden, and there is no
    # requests session that could be asked for a write.
    assert ChargebeeHook.__mro__[1] is BaseHook
    assert not {"run", "_set_base_url", "_extract_auth"} & set(dir(ChargebeeHook))


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
