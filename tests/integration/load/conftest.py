"""Fixtures for load tests: real Chargebee and NetSuite sandboxes, staging, the real extractor."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine

from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.load.run import LoadSummary, SyncSettings, sync
from chargebee_netsuite.mapping import MappingConfig, parse_mapping
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.sandbox.chargebee.app import create_app as create_chargebee
from chargebee_netsuite.sandbox.chargebee.conventions import Conventions
from chargebee_netsuite.sandbox.chargebee.settings import ChargebeeSandboxSettings
from chargebee_netsuite.sandbox.netsuite.api import create_app as create_netsuite
from chargebee_netsuite.sandbox.netsuite.settings import NetSuiteSandboxSettings
from chargebee_netsuite.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.transform.model import TransformSettings

REPO = Path(__file__).resolve().parents[3]
SITE = "acme-test"
ACCOUNT = "1234567_SB1"
CLIENT_ID = "sandbox-client-id"
CERT = "cert-load"
TIME_ZONE = "America/Los_Angeles"
WRITE_OFF_ITEM = "11"


def reference_data() -> dict[str, Any]:
    """The demo NetSuite reference data (it includes the WRITE-OFF item on Bad Debt Expense)."""
    data: dict[str, Any] = json.loads((REPO / "include/netsuite/reference_data.json").read_text())
    assert any(item["id"] == WRITE_OFF_ITEM for item in data["item"])
    return data


def mapping(policy: str = "first_open_period", **replace: str) -> MappingConfig:
    """The example mapping (write-offs on the write-off item) with the given period policy."""
    return parse_mapping(mapping_text(policy, **replace))


def mapping_text(policy: str = "first_open_period", **replace: str) -> str:
    """The YAML of :func:`mapping`."""
    text = (REPO / "include/mapping.example.yaml").read_text()
    text = text.replace("  policy: hold", f"  policy: {policy}")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def sync_settings(**overrides: Any) -> SyncSettings:
    """Loader settings for the tests (service dates on every line, as in production)."""
    values: dict[str, Any] = {
        "transform": TransformSettings(TIME_ZONE),
        "flush_every": 25,
    }
    values.update(overrides)
    return SyncSettings(**values)


@pytest.fixture(scope="session")
def rsa_key() -> tuple[str, bytes]:
    """One RSA 3072 key pair (NetSuite's minimum size) for the session."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, public


@dataclass
class Env:
    """Both sandboxes, a migrated staging database and helpers to drive a sync."""

    chargebee: RunningServer
    chargebee_settings: ChargebeeSandboxSettings
    netsuite: RunningServer
    engine: Engine
    private_key: str
    clients: list[Any] = field(default_factory=list)

    def ns_admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.netsuite.base_url}/__admin{path}", json=body, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def cb_admin(self, method: str, path: str, body: Any = None) -> Any:
        response = httpx.request(
            method, f"{self.chargebee.base_url}/__admin{path}", json=body, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def netsuite_writes(self) -> int:
        return int(self.ns_admin("GET", "/state")["faults"]["writes"])

    def netsuite_config(self, **overrides: Any) -> NetSuiteConfig:
        values: dict[str, Any] = {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "certificate_id": CERT,
            "private_key": Secret(self.private_key),
            "base_url": self.netsuite.base_url,
            "backoff_base": 0.01,
            "backoff_cap": 0.1,
            "timeout": 10.0,
            "max_attempts": 8,
        }
        values.update(overrides)
        return NetSuiteConfig(**values)

    def netsuite_client(self, **overrides: Any) -> NetSuiteClient:
        config = self.netsuite_config(**overrides)
        limit = config.concurrency if isinstance(config.concurrency, int) else 5
        client = NetSuiteClient(config, limiter=ConcurrencyLimiter(limit))
        self.clients.append(client)
        return client

    def chargebee_client(self) -> ChargebeeClient:
        client = ChargebeeClient(
            ChargebeeSettings(
                site=SITE,
                api_key=self.chargebee_settings.test_key,
                environment="test",
                base_url=self.chargebee.base_url,
                rate_limit_per_minute=self.chargebee_settings.rate_limit_per_minute,
                rate_limit_window_seconds=self.chargebee_settings.rate_limit_window_seconds,
            )
        )
        self.clients.append(client)
        return client

    def extract(self, run_id: str = "extract") -> None:
        extract_all(self.chargebee_client(), self.engine, run_id=run_id)

    def reference(self) -> ReferenceData:
        refresh_reference_data(self.netsuite_client(), self.engine)
        return read_reference_data(self.engine)

    def sync(
        self,
        run_id: str,
        *,
        config: MappingConfig | None = None,
        client: NetSuiteClient | None = None,
        dry_run: bool = False,
        full: bool = False,
        **settings: Any,
    ) -> LoadSummary:
        return sync(
            self.engine,
            client or self.netsuite_client(),
            config or mapping(),
            self.reference(),
            run_id,
            site=SITE,
            settings=sync_settings(**settings),
            dry_run=dry_run,
            full=full,
        )


StartEnv = Callable[..., Env]


def _start(rsa_key: tuple[str, bytes], url: str) -> Iterator[StartEnv]:
    started: list[Env] = []

    def start(
        scale: int = 20,
        seed: int = 7,
        chargebee: dict[str, Any] | None = None,
        *,
        conventions: Conventions | None = None,
        **netsuite: Any,
    ) -> Env:
        cb_settings = ChargebeeSandboxSettings(
            site=SITE,
            scale=scale,
            random_seed=seed,
            rate_limit_per_minute=1_000_000,
            conventions=conventions or Conventions(),
            **(chargebee or {}),
        )
        cb = serve_in_thread(create_chargebee(cb_settings))
        values: dict[str, Any] = {
            "account_id": ACCOUNT,
            "client_id": CLIENT_ID,
            "certificates": {CERT: rsa_key[1]},
            "concurrency_limit": 5,
        }
        values.update(netsuite)
        ns = serve_in_thread(create_netsuite(NetSuiteSandboxSettings(**values)))
        # Each environment of a test gets its own SQLite file (Postgres: one per test).
        own = url.replace(".db", f"-{len(started)}.db") if url.startswith("sqlite") else url
        engine = create_staging_engine(own)
        migrate(engine)
        env = Env(cb, cb_settings, ns, engine, rsa_key[0])
        started.append(env)
        env.ns_admin("POST", "/reset", reference_data())
        return env

    yield start
    for env in started:
        for client in env.clients:
            client.close()
        env.chargebee.stop()
        env.netsuite.stop()
        env.engine.dispose()


@pytest.fixture
def start_env(rsa_key: tuple[str, bytes], sqlite_url: str) -> Iterator[StartEnv]:
    """Start sandboxes and a SQLite staging database (one per test)."""
    yield from _start(rsa_key, sqlite_url)


@pytest.fixture
def start_env_any_db(rsa_key: tuple[str, bytes], staging_url: str) -> Iterator[StartEnv]:
    """Start sandboxes with staging on SQLite and, in a second run, Postgres."""
    yield from _start(rsa_key, staging_url)
