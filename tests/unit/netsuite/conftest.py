"""Fixtures for NetSuite client unit tests: signing keys and a client over a mock transport."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter

Handler = Callable[[httpx.Request], httpx.Response]


def _pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@pytest.fixture(scope="session")
def rsa_key() -> rsa.RSAPrivateKey:
    """One RSA 3072 key for the whole session (generating them is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


@pytest.fixture(scope="session")
def rsa_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    return _pem(rsa_key)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def ec_pem(ec_key: ec.EllipticCurvePrivateKey) -> str:
    return _pem(ec_key)


@dataclass
class FakeNetSuite:
    """A scriptable stand-in for NetSuite: a token endpoint plus a handler for REST calls."""

    rest: Handler
    token_status: int = 200
    token_body: dict[str, Any] = field(
        default_factory=lambda: {"expires_in": 3600, "token_type": "Bearer"}
    )
    token_requests: list[dict[str, str]] = field(default_factory=list)
    rest_requests: list[httpx.Request] = field(default_factory=list)
    token_delay: threading.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/auth/oauth2/v1/token"):
            form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
            with self._lock:
                self.token_requests.append(form)
                number = len(self.token_requests)
            if self.token_delay is not None:
                self.token_delay.wait(2)
            if self.token_status != 200:
                return httpx.Response(self.token_status, json=self.token_body)
            return httpx.Response(200, json={"access_token": f"token-{number}", **self.token_body})
        with self._lock:
            self.rest_requests.append(request)
        return self.rest(request)


def ns_error(status: int, code: str, detail: str, **extra: str) -> httpx.Response:
    """A NetSuite-shaped error response."""
    item = {"detail": detail, "o:errorCode": code, **extra}
    body = {"type": "https://x", "title": "Bad Request", "status": status, "o:errorDetails": [item]}
    return httpx.Response(status, json=body)


@dataclass
class ClientFactory:
    """Builds clients whose sleeps are recorded instead of slept."""

    rsa_pem: str
    ec_pem: str
    sleeps: list[float] = field(default_factory=list)

    def config(self, **overrides: Any) -> NetSuiteConfig:
        values: dict[str, Any] = {
            "account_id": "1234567_SB1",
            "client_id": "client-abc",
            "certificate_id": "cert-xyz",
            "private_key": Secret(self.rsa_pem),
            "max_attempts": 4,
        }
        values.update(overrides)
        return NetSuiteConfig(**values)

    def __call__(self, fake: FakeNetSuite, **overrides: Any) -> NetSuiteClient:
        config = self.config(**overrides)
        limit = config.concurrency if isinstance(config.concurrency, int) else 5
        return NetSuiteClient(
            config,
            transport=httpx.MockTransport(fake),
            limiter=ConcurrencyLimiter(limit),
            sleep=self.sleeps.append,
        )


@pytest.fixture
def make_client(rsa_pem: str, ec_pem: str) -> ClientFactory:
    return ClientFactory(rsa_pem, ec_pem)


@pytest.fixture
def fake_netsuite() -> type[FakeNetSuite]:
    """The :class:`FakeNetSuite` class (test modules cannot import conftest under importlib)."""
    return FakeNetSuite


@pytest.fixture
def error_response() -> Callable[..., httpx.Response]:
    """:func:`ns_error`, as a fixture."""
    return ns_error
