"""Client-credentials tokens: assertion shape, caching, single-flight minting, clear failures."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import jwt
import pytest

from chargebee_netsuite.netsuite import Secret, TokenRequestError
from chargebee_netsuite.netsuite.auth import AssertionSigner, TokenManager, load_signing_key
from chargebee_netsuite.netsuite.suiteql_literals import build


def _ok(_request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"items": []})


@pytest.mark.parametrize(("algorithm", "key_name"), [("PS256", "rsa_key"), ("ES256", "ec_key")])
def test_assertion_header_and_claims(
    make_client: Any, request: pytest.FixtureRequest, algorithm: str, key_name: str
) -> None:
    pem = make_client.rsa_pem if algorithm == "PS256" else make_client.ec_pem
    config = make_client.config(private_key=Secret(pem), algorithm=algorithm)
    assertion = AssertionSigner(config, clock=lambda: 1_800_000_000).sign().reveal()

    header = jwt.get_unverified_header(assertion)
    assert header == {"alg": algorithm, "kid": "cert-xyz", "typ": "JWT"}
    public_key = request.getfixturevalue(key_name).public_key()
    claims = jwt.decode(
        assertion,
        public_key,
        algorithms=[algorithm],
        audience=config.token_url,
        options={"verify_exp": False, "verify_iat": False},
    )
    assert claims["iss"] == "client-abc"
    assert claims["scope"] == ["rest_webservices"]
    assert claims["iat"] == 1_800_000_000
    assert 0 < claims["exp"] - claims["iat"] <= 600
    assert claims["jti"]


def test_each_assertion_has_a_fresh_jti(make_client: Any) -> None:
    signer = AssertionSigner(make_client.config())
    first = jwt.decode(signer.sign().reveal(), options={"verify_signature": False})
    second = jwt.decode(signer.sign().reveal(), options={"verify_signature": False})
    assert first["jti"] != second["jti"]


def test_key_type_must_match_the_algorithm(make_client: Any) -> None:
    with pytest.raises(ValueError, match="needs an EC private key"):
        load_signing_key(Secret(make_client.rsa_pem), "ES256")
    with pytest.raises(ValueError, match="needs an RSA private key"):
        load_signing_key(Secret(make_client.ec_pem), "PS256")


def test_an_unreadable_key_does_not_echo_itself() -> None:
    with pytest.raises(ValueError) as raised:
        load_signing_key(Secret("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n"), "PS256")
    assert "c2VjcmV0" not in str(raised.value)


def test_the_token_request_is_a_jwt_bearer_client_credentials_form(
    make_client: Any, fake_netsuite: Any
) -> None:
    fake = fake_netsuite(_ok)
    client = make_client(fake)
    client.suiteql.page(build("SELECT id FROM currency"))
    (form,) = fake.token_requests
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == (
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    )
    assert jwt.get_unverified_header(form["client_assertion"])["kid"] == "cert-xyz"
    assert fake.rest_requests[0].headers["Authorization"] == "Bearer token-1"


def test_token_is_cached_until_shortly_before_expiry(make_client: Any) -> None:
    now = [1000.0]
    minted: list[int] = []

    def post(_url: str, _form: dict[str, str]) -> httpx.Response:
        minted.append(1)
        return httpx.Response(200, json={"access_token": f"t{len(minted)}", "expires_in": 3600})

    manager = TokenManager(make_client.config(), post, clock=lambda: now[0])
    assert manager.token().reveal() == "t1"
    now[0] += 3600 - 121
    assert manager.token().reveal() == "t1"
    now[0] += 2  # inside the renewal margin: a new assertion, since there is no refresh token
    assert manager.token().reveal() == "t2"
    assert len(minted) == 2


def test_twenty_threads_cause_one_token_request(make_client: Any, fake_netsuite: Any) -> None:
    fake = fake_netsuite(_ok)
    gate = threading.Event()
    fake.token_delay = gate  # hold the first mint so that every thread piles up behind it
    client = make_client(fake, concurrency=20)
    start = threading.Barrier(20)

    def work() -> None:
        start.wait()
        client.suiteql.page(build("SELECT id FROM currency"))

    threads = [threading.Thread(target=work) for _ in range(20)]
    for thread in threads:
        thread.start()
    threading.Timer(0.2, gate.set).start()
    for thread in threads:
        thread.join(10)
    assert len(fake.token_requests) == 1
    assert len(fake.rest_requests) == 20


def test_invalidate_drops_only_the_rejected_token(make_client: Any) -> None:
    count = [0]

    def post(_url: str, _form: dict[str, str]) -> httpx.Response:
        count[0] += 1
        return httpx.Response(200, json={"access_token": f"t{count[0]}", "expires_in": 3600})

    manager = TokenManager(make_client.config(), post)
    old = manager.token()
    manager.invalidate(old)
    new = manager.token()
    manager.invalidate(old)  # a late thread reporting the old token must not discard the new one
    assert manager.token() == new
    assert count[0] == 2


def test_a_refused_assertion_names_the_integration_not_the_key(
    make_client: Any, fake_netsuite: Any
) -> None:
    fake = fake_netsuite(_ok, token_status=401, token_body={"error": "invalid_client"})
    client = make_client(fake)
    with pytest.raises(TokenRequestError) as raised:
        client.suiteql.page(build("SELECT id FROM currency"))
    message = str(raised.value)
    assert "1234567_SB1" in message
    assert "client-abc" in message
    assert "cert-xyz" in message
    assert "invalid_client" in message
    assert make_client.rsa_pem.splitlines()[1] not in message
    assert fake.token_requests[0]["client_assertion"] not in message
    assert len(fake.token_requests) == 1  # a refused assertion is not retried


def test_token_manager_repr_hides_the_token(make_client: Any) -> None:
    def post(_url: str, _form: dict[str, str]) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "very-secret", "expires_in": 3600})

    manager = TokenManager(make_client.config(), post)
    manager.token()
    assert "very-secret" not in repr(manager)
    assert "very-secret" not in repr(manager.token())
