"""M2M tokens against the sandbox: PS256/ES256, expiry mid-run, revocation, single flight."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from chargebee_netsuite.netsuite import TokenRequestError
from chargebee_netsuite.netsuite.suiteql_literals import build

QUERY = build("SELECT id, symbol FROM currency ORDER BY id")
TOKEN = "/auth/oauth2/v1/token"


@pytest.mark.parametrize("algorithm", ["PS256", "ES256"])
def test_token_is_minted_and_accepted(sandbox: Any, algorithm: str) -> None:
    client, transport = sandbox.client(algorithm=algorithm)
    rows = list(client.suiteql.query(QUERY))
    assert [row["symbol"] for row in rows][:3] == ["USD", "GBP", "EUR"]
    assert transport.count(TOKEN, 200) == 1
    assert transport.count("/suiteql", 401) == 0


def test_expiry_mid_run_is_recovered_by_exactly_one_re_mint(sandbox: Any) -> None:
    client, transport = sandbox.client()
    list(client.suiteql.query(QUERY))
    # NetSuite's clock decides expiry; the client still believes its token is good.
    sandbox.admin("POST", "/clock/advance", {"seconds": 3700})
    rows = list(client.suiteql.query(QUERY))
    assert len(rows) == 6
    assert transport.count(TOKEN) == 2
    assert transport.count("/suiteql", 401) == 1
    assert transport.count("/suiteql", 200) == 2
    list(client.suiteql.query(QUERY))  # the new token is cached again
    assert transport.count(TOKEN) == 2


def test_a_revoked_certificate_fails_clearly_after_one_attempt(sandbox: Any) -> None:
    client, transport = sandbox.client()
    list(client.suiteql.query(QUERY))
    # The sandbox has no admin call for revoking a certificate; drop it from the registry.
    del sandbox.app.sandbox.tokens.public_keys["cert-rsa-3072"]
    sandbox.admin("POST", "/clock/advance", {"seconds": 3700})
    with pytest.raises(TokenRequestError) as raised:
        list(client.suiteql.query(QUERY))
    message = str(raised.value)
    assert "invalid_client" in message
    for name in ("1234567_SB1", "sandbox-client-id", "cert-rsa-3072"):
        assert name in message
    assert sandbox.keys.rsa_private.splitlines()[1] not in message
    assert transport.count(TOKEN) == 2  # the first mint, then one refused re-mint
    assert transport.count("/suiteql", 401) == 1


def test_an_unregistered_certificate_is_refused_without_retries(sandbox: Any) -> None:
    client, transport = sandbox.client(certificate_id="never-uploaded")
    with pytest.raises(TokenRequestError, match="never-uploaded"):
        client.suiteql.page(QUERY)
    assert transport.count(TOKEN) == 1
    assert transport.count("/suiteql") == 0


def test_twenty_threads_cause_one_token_request(start_sandbox: Any) -> None:
    sandbox = start_sandbox(concurrency_limit=20, latency_ms=20)
    client, transport = sandbox.client(concurrency=20)
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def work() -> None:
        barrier.wait()
        try:
            client.suiteql.page(QUERY)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert transport.count(TOKEN) == 1
    assert transport.count("/suiteql", 200) == 20
