"""Fixtures for client tests against the real NetSuite sandbox (uvicorn on loopback)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cbns_devkit.sandbox.netsuite.account_settings import NetSuiteSandboxSettings
from cbns_devkit.sandbox.netsuite.api import create_app
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter

REPO = Path(__file__).resolve().parents[3]
DEMO_REFERENCE = REPO / "include" / "netsuite" / "reference_data.json"
ACCOUNT = "1234567_SB1"
CLIENT_ID = "sandbox-client-id"
RSA_CERT = "cert-rsa-3072"
EC_CERT = "cert-ec-p256"


def _private_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _public_pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class Keys:
    rsa_private: str
    rsa_public: bytes
    ec_private: str
    ec_public: bytes


@pytest.fixture(scope="session")
def keys() -> Keys:
    """One RSA 3072 (NetSuite's minimum) and one EC P-256 key pair for the session."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return Keys(
        _private_pem(rsa_key), _public_pem(rsa_key), _private_pem(ec_key), _public_pem(ec_key)
    )


@pytest.fixture(scope="session")
def demo_reference_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DEMO_REFERENCE.read_text())
    return data


class CountingTransport(httpx.HTTPTransport):
    """A real HTTP transport that records every exchange (method, path, status)."""

    def __init__(self) -> None:
        super().__init__()
        self.exchanges: list[tuple[str, str, int]] = []
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        try:
            response = super().handle_request(request)
        except httpx.TransportError:
            with self._lock:
                self.exchanges.append((request.method, request.url.path, 0))
            raise
        with self._lock:
            self.exchanges.append((request.method, request.url.path, response.status_code))
        return response

    def count(self, path_part: str, status: int | None = None) -> int:
        with self._lock:
            return sum(
                1
                for _, path, code in self.exchanges
                if path_part in path and (status is None or code == status)
            )


@dataclass
class Sandbox:
    """A running NetSuite sandbox plus helpers to drive its admin API and build clients."""

    app: Any
    server: RunningServer
    keys: Keys
    transports: list[CountingTransport] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def admin(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        response = httpx.request(method, f"{self.base_url}/__admin{path}", json=body, timeout=30)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def config(self, **overrides: Any) -> NetSuiteConfig:
        values: dict[str, Any] = {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "certificate_id": RSA_CERT,
            "private_key": Secret(self.keys.rsa_private),
            "base_url": self.base_url,
            "backoff_base": 0.02,
            "backoff_cap": 0.3,
            "timeout": 10.0,
        }
        if overrides.get("algorithm", "").startswith("ES"):
            values.update(certificate_id=EC_CERT, private_key=Secret(self.keys.ec_private))
        values.update(overrides)
        return NetSuiteConfig(**values)

    def client(self, **overrides: Any) -> tuple[NetSuiteClient, CountingTransport]:
        config = self.config(**overrides)
        transport = CountingTransport()
        self.transports.append(transport)
        limit = config.concurrency if isinstance(config.concurrency, int) else 5
        # A fresh limiter per client: tests must not share slots through the process registry.
        client = NetSuiteClient(config, transport=transport, limiter=ConcurrencyLimiter(limit))
        return client, transport


@pytest.fixture
def start_sandbox(keys: Keys) -> Iterator[Callable[..., Sandbox]]:
    """Start a sandbox with the demo reference data; keyword arguments go to its settings."""
    started: list[Sandbox] = []

    def start(**settings: Any) -> Sandbox:
        values: dict[str, Any] = {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "certificates": {RSA_CERT: keys.rsa_public, EC_CERT: keys.ec_public},
            "reference_data_path": DEMO_REFERENCE,
        }
        values.update(settings)
        app = create_app(NetSuiteSandboxSettings(**values))
        sandbox = Sandbox(app, serve_in_thread(app), keys)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.server.stop()


@pytest.fixture
def sandbox(start_sandbox: Callable[..., Sandbox]) -> Sandbox:
    """A sandbox with default settings."""
    return start_sandbox()
