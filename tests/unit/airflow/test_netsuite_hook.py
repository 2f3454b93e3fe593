"""NetSuiteHook: a `netsuite` Connection from an AIRFLOW_CONN_ variable becomes a client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from airflow.sdk import Connection
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook, netsuite_config
from chargebee_netsuite.netsuite import NetSuiteClient


@pytest.fixture(scope="module")
def ec_pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _set(monkeypatch: pytest.MonkeyPatch, conn_id: str, conn: dict[str, Any]) -> str:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    return conn_id


@pytest.fixture
def connection(monkeypatch: pytest.MonkeyPatch, ec_pem: str) -> str:
    return _set(
        monkeypatch,
        "netsuite_sb1",
        {
            "conn_type": "netsuite",
            "login": "1234567_SB1",
            "extra": {
                "client_id": "cid-1",
                "certificate_id": "kid-1",
                "private_key": ec_pem,
                "algorithm": "ES256",
                "concurrency": 3,
                "max_attempts": "2",
                "backoff_base": "0.1",
                "backoff_cap": 4,
            },
        },
    )


def test_init_does_no_io() -> None:
    hook = NetSuiteHook(netsuite_conn_id="does_not_exist_anywhere")
    assert hook.netsuite_conn_id == "does_not_exist_anywhere"


def test_client_comes_from_the_connection(connection: str, ec_pem: str) -> None:
    hook = NetSuiteHook(connection)
    client = hook.get_conn()
    assert isinstance(client, NetSuiteClient)
    assert hook.get_conn() is not client  # the hook holds no client; the caller closes it
    config = client.config
    assert (config.account_id, config.client_id, config.certificate_id) == (
        "1234567_SB1",
        "cid-1",
        "kid-1",
    )
    assert config.algorithm == "ES256"
    assert config.concurrency == 3 and config.max_attempts == 2
    assert (config.backoff_base, config.backoff_cap) == (0.1, 4.0)
    assert config.scope == ("rest_webservices",)
    assert config.rest_url == "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
    key_line = ec_pem.splitlines()[1]
    assert key_line not in repr(client) and key_line not in repr(config)


def test_base_url_scope_and_governance_extras(monkeypatch: pytest.MonkeyPatch, ec_pem: str) -> None:
    conn_id = _set(
        monkeypatch,
        "ns_local",
        {
            "conn_type": "netsuite",
            "login": "1234567_SB1",
            # A key pasted into a one-line field, with literal backslash-n line breaks.
            "password": ec_pem.replace("\n", "\\n"),
            "extra": {
                "client_id": "cid",
                "certificate_id": "kid",
                "algorithm": "ES256",
                "base_url": "http://127.0.0.1:8720",
                "scope": "rest_webservices,suite_analytics",
                "concurrency": "governance",
            },
        },
    )
    config = NetSuiteHook(conn_id).get_config()
    assert config.rest_url == "http://127.0.0.1:8720/services/rest"
    assert config.scope == ("rest_webservices", "suite_analytics")
    assert config.concurrency == "governance"
    assert config.private_key.reveal() == ec_pem


def test_config_comes_from_a_connection_object_without_airflow_lookups(ec_pem: str) -> None:
    conn = Connection(
        conn_id="ns_pure",
        conn_type="netsuite",
        login="7654321",
        password=ec_pem,
        extra=json.dumps(
            {"client_id": "c", "certificate_id": "k", "algorithm": "ES256", "timeout": "9"}
        ),
    )
    config = netsuite_config(conn)
    assert (config.account_id, config.client_id, config.certificate_id) == ("7654321", "c", "k")
    assert config.private_key.reveal() == ec_pem
    assert (config.timeout, config.concurrency) == (9.0, 5)
    conn.extra = None  # no extras at all
    with pytest.raises(ValueError, match="Connection 'ns_pure' needs 'client_id'"):
        netsuite_config(conn)


@pytest.mark.parametrize(
    ("missing", "message"),
    [("login", "account id"), ("client_id", "client_id"), ("private_key", "private key")],
)
def test_missing_fields_are_named(
    monkeypatch: pytest.MonkeyPatch, ec_pem: str, missing: str, message: str
) -> None:
    conn: dict[str, Any] = {
        "conn_type": "netsuite",
        "login": "123",
        "extra": {"client_id": "c", "certificate_id": "k", "private_key": ec_pem},
    }
    if missing == "login":
        del conn["login"]
    else:
        del conn["extra"][missing]
    conn_id = _set(monkeypatch, "ns_broken", conn)
    with pytest.raises(ValueError, match=message) as raised:
        NetSuiteHook(conn_id).get_config()
    assert ec_pem.splitlines()[1] not in str(raised.value)


def test_rs256_is_refused(monkeypatch: pytest.MonkeyPatch, ec_pem: str) -> None:
    conn_id = _set(
        monkeypatch,
        "ns_rs",
        {
            "conn_type": "netsuite",
            "login": "123",
            "extra": {
                "client_id": "c",
                "certificate_id": "k",
                "private_key": ec_pem,
                "algorithm": "RS256",
            },
        },
    )
    with pytest.raises(ValueError, match="PS256"):
        NetSuiteHook(conn_id).get_config()


def test_test_connection_reports_failure_without_secrets(
    monkeypatch: pytest.MonkeyPatch, ec_pem: str
) -> None:
    conn_id = _set(
        monkeypatch,
        "ns_down",
        {
            "conn_type": "netsuite",
            "login": "123",
            "extra": {
                "client_id": "c",
                "certificate_id": "k",
                "private_key": ec_pem,
                "algorithm": "ES256",
                "base_url": "http://127.0.0.1:9",  # nothing listens on the discard port
                "max_attempts": 1,
            },
        },
    )
    ok, message = NetSuiteHook(conn_id).test_connection()
    assert not ok
    assert "token request did not complete" in message
    assert ec_pem.splitlines()[1] not in message
