"""Fixtures: a fresh NetSuite sandbox on a real loopback server per test, plus signing keys."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cbns_devkit.sandbox.netsuite import NetSuiteSandboxSettings, create_app
from cbns_devkit.sandbox.netsuite.keys import public_key_pem
from cbns_devkit.sandbox.netsuite.refdata import repository_reference_data
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread

CLIENT_ID = "test-client-id"
EC_CERT = "cert-ec-p256"
RSA_CERT = "cert-rsa-3072"
GRANT = {
    "grant_type": "client_credentials",
    "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
}


@dataclass(frozen=True)
class Keys:
    """Client key pairs, generated once per session (RSA 3072 is slow to make)."""

    ec: ec.EllipticCurvePrivateKey
    rsa: rsa.RSAPrivateKey


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(
        ec=ec.generate_private_key(ec.SECP256R1()),
        rsa=rsa.generate_private_key(public_exponent=65537, key_size=3072),
    )


@dataclass
class Sandbox:
    """A running sandbox and the helpers tests use to talk to it."""

    server: RunningServer
    app: Any
    settings: NetSuiteSandboxSettings
    keys: Keys
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.server.base_url

    @property
    def rest(self) -> str:
        return f"{self.base}/services/rest"

    @property
    def token_url(self) -> str:
        return f"{self.rest}/auth/oauth2/v1/token"

    def assertion(
        self,
        *,
        alg: str = "ES256",
        kid: str = EC_CERT,
        key: Any = None,
        headers: dict[str, Any] | None = None,
        lifetime: int = 300,
        **claims: Any,
    ) -> str:
        """A client assertion; any claim can be overridden (``None`` removes it)."""
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": CLIENT_ID,
            "scope": ["rest_webservices"],
            "aud": self.token_url,
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        if key is None:
            key = self.keys.ec if alg.startswith("ES") else self.keys.rsa
        return jwt.encode(body, key, algorithm=alg, headers={"kid": kid, **(headers or {})})

    def token_request(self, assertion: str, **form: str) -> httpx.Response:
        return httpx.post(self.token_url, data={**GRANT, "client_assertion": assertion, **form})

    def mint(self) -> str:
        response = self.token_request(self.assertion())
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def client(self, token: str | None = None, **kwargs: Any) -> httpx.Client:
        """An httpx client with a fresh bearer token."""
        headers = {"Authorization": f"Bearer {token or self.mint()}", **kwargs.pop("headers", {})}
        client = httpx.Client(base_url=self.rest, headers=headers, timeout=30, **kwargs)
        self.clients.append(client)
        return client

    def admin(self, method: str, path: str, json: Any = None) -> dict[str, Any]:
        response = httpx.request(method, f"{self.base}/__admin{path}", json=json)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


SandboxFactory = Callable[..., Sandbox]


@pytest.fixture
def sandbox_factory(keys: Keys) -> Iterator[SandboxFactory]:
    started: list[Sandbox] = []

    def start(**overrides: Any) -> Sandbox:
        settings = NetSuiteSandboxSettings(
            client_id=CLIENT_ID,
            certificates={EC_CERT: public_key_pem(keys.ec), RSA_CERT: public_key_pem(keys.rsa)},
            reference_data_path=repository_reference_data(),
            **overrides,
        )
        app = create_app(settings)
        sandbox = Sandbox(serve_in_thread(app), app, settings, keys)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        for client in sandbox.clients:
            client.close()
        sandbox.server.stop()


@pytest.fixture
def ns(sandbox_factory: SandboxFactory) -> Sandbox:
    """A fresh sandbox with default settings."""
    return sandbox_factory()


@pytest.fixture
def api(ns: Sandbox) -> httpx.Client:
    """An authenticated client of the default sandbox."""
    return ns.client()


def assert_ns_error(
    response: httpx.Response, status: int, code: str, path: str | None = None
) -> dict[str, Any]:
    """Check the NetSuite error shape and return the first detail."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) >= {"type", "title", "status", "o:errorDetails"}, body
    assert body["status"] == status
    assert body["type"].startswith("https://")
    detail: dict[str, Any] = body["o:errorDetails"][0]
    assert detail["o:errorCode"] == code, body
    assert isinstance(detail["detail"], str) and detail["detail"]
    if path is not None:
        assert detail.get("o:errorPath") == path, body
    return detail


def new_id(response: httpx.Response) -> str:
    """The internal id from a 204's Location header."""
    assert response.status_code == 204, response.text
    assert response.content == b""
    return response.headers["location"].rsplit("/", 1)[-1]


def make_customer(api: httpx.Client, eid: str = "cust-1", **fields: Any) -> str:
    body = {"companyName": f"Customer {eid}", "subsidiary": {"id": "1"}, "currency": {"id": "1"}}
    body.update(fields)
    return new_id(api.put(f"/record/v1/customer/eid:{eid}", json=body))


def make_invoice(
    api: httpx.Client, customer: str, eid: str = "inv-1", amount: str = "100.00", **fields: Any
) -> str:
    body: dict[str, Any] = {
        "entity": {"id": customer},
        "tranDate": "2024-03-15",
        "item": {"items": [{"item": {"id": "1"}, "amount": float(amount)}]},
    }
    body.update(fields)
    return new_id(api.put(f"/record/v1/invoice/eid:{eid}", json=body))
