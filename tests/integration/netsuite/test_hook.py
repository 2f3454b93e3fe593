"""NetSuiteHook against the sandbox: a JSON AIRFLOW_CONN_ variable is all it takes."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook
from chargebee_netsuite.netsuite.suiteql_literals import build


@pytest.mark.parametrize("algorithm", ["PS256", "ES256"])
def test_hook_connects_and_queries(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, algorithm: str
) -> None:
    keys = sandbox.keys
    rsa = algorithm.startswith("PS")
    conn = {
        "conn_type": "netsuite",
        "login": "1234567_SB1",
        "extra": {
            "client_id": "sandbox-client-id",
            "certificate_id": "cert-rsa-3072" if rsa else "cert-ec-p256",
            "private_key": keys.rsa_private if rsa else keys.ec_private,
            "algorithm": algorithm,
            "base_url": sandbox.base_url,
            "concurrency": "governance",
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_SANDBOX", json.dumps(conn))
    hook = NetSuiteHook("netsuite_sandbox")
    assert hook.test_connection() == (True, "NetSuite issued an access token for this connection.")
    client = hook.get_conn()
    rows = list(client.suiteql.query(build("SELECT id, symbol FROM currency ORDER BY id")))
    assert rows[0] == {"id": "1", "symbol": "USD"}
    assert client.limiter.limit == 5  # read from governanceLimits


def test_hook_reports_a_wrong_certificate(sandbox: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = {
        "conn_type": "netsuite",
        "login": "1234567_SB1",
        "extra": {
            "client_id": "sandbox-client-id",
            "certificate_id": "cert-ec-p256",
            "private_key": sandbox.keys.rsa_private,  # signed with a key of another certificate
            "algorithm": "PS256",
            "base_url": sandbox.base_url,
        },
    }
    monkeypatch.setenv("AIRFLOW_CONN_NETSUITE_WRONG", json.dumps(conn))
    ok, message = NetSuiteHook("netsuite_wrong").test_connection()
    assert not ok
    assert "invalid_client" in message and "cert-ec-p256" in message
    assert sandbox.keys.rsa_private.splitlines()[1] not in message
