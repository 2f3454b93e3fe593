"""sandbox.json → the connection JSON that points Airflow at the local sandboxes."""

from __future__ import annotations

from pathlib import Path

from airflow.sdk import Connection

from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
)

PEM = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n"


def test_both_sections_become_connections(tmp_path: Path) -> None:
    key = tmp_path / "key.pem"
    key.write_text(PEM)
    state = {
        "pid": 1,
        "chargebee": {
            "base_url": "http://127.0.0.1:8710/api/v2",
            "site": "acme-test",
            "api_key": "test_abc",
            "live_site": "acme",
            "live_api_key": "live_x",
        },
        "netsuite": {
            "account_id": "1234567_SB1",
            "base_url": "http://127.0.0.1:8720",
            "client_id": "cid",
            "certificate_id": "kid",
            "private_key_path": str(key),
            "algorithm": "ES256",
        },
    }
    conns = connections_from_sandbox_state(state)
    assert conns["chargebee_default"] == {
        "conn_type": "chargebee",
        "login": "acme-test",
        "password": "test_abc",
        "extra": {"environment": "test", "base_url": "http://127.0.0.1:8710/api/v2"},
    }
    assert conns["netsuite_default"]["extra"] == {
        "client_id": "cid",
        "certificate_id": "kid",
        "private_key": PEM,
        "algorithm": "ES256",
        "base_url": "http://127.0.0.1:8720",
    }
    env = env_assignments(conns)
    assert set(env) == {"AIRFLOW_CONN_CHARGEBEE_DEFAULT", "AIRFLOW_CONN_NETSUITE_DEFAULT"}
    parsed = Connection.from_json(env["AIRFLOW_CONN_NETSUITE_DEFAULT"], conn_id="x")
    assert parsed.extra_dejson["private_key"] == PEM and parsed.login == "1234567_SB1"


def test_a_missing_section_is_left_out() -> None:
    assert connections_from_sandbox_state({"pid": 1}) == {}
