"""Fixtures for extraction tests: a real Chargebee sandbox over HTTP, with a request counter."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from cbns_devkit.sandbox.chargebee.app import create_app
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.staging.db import create_staging_engine, migrate

SITE = "acme-test"


class MethodCounter:
    """ASGI middleware counting API requests by HTTP method, server-side."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.methods: Counter[str] = Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/api/"):
            self.methods[scope["method"]] += 1
        await self.app(scope, receive, send)


@dataclass
class Sandbox:
    """A running Chargebee sandbox and helpers to drive it."""

    server: RunningServer
    settings: ChargebeeSandboxSettings
    counter: MethodCounter
    clients: list[ChargebeeClient] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.base_url

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        response = httpx.request(method, f"{self.url}/__admin{path}", json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def export(self) -> dict[str, list[dict[str, Any]]]:
        return dict(self.admin("GET", "/export"))

    def client(self, **overrides: Any) -> ChargebeeClient:
        options: dict[str, Any] = {
            "site": SITE,
            "api_key": self.settings.test_key,
            "environment": "test",
            "base_url": self.url,
            "rate_limit_per_minute": self.settings.rate_limit_per_minute,
            "rate_limit_window_seconds": self.settings.rate_limit_window_seconds,
        }
        options.update(overrides)
        client = ChargebeeClient(ChargebeeSettings(**options))
        self.clients.append(client)
        return client


StartSandbox = Callable[..., Sandbox]


@pytest.fixture
def start_sandbox() -> Iterator[StartSandbox]:
    """Start sandboxes with given settings; all are stopped after the test."""
    running: list[Sandbox] = []

    def start(**settings: Any) -> Sandbox:
        settings.setdefault("rate_limit_per_minute", 100_000)
        config = ChargebeeSandboxSettings(**settings)
        counter = MethodCounter(create_app(config))
        sandbox = Sandbox(serve_in_thread(counter), config, counter)
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        for client in sandbox.clients:
            client.close()
        sandbox.server.stop()


@pytest.fixture
def engine(staging_url: str) -> Iterator[Engine]:
    """A migrated staging database, once on SQLite and once on Postgres."""
    engine = create_staging_engine(staging_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    """A migrated SQLite staging database (for behaviour that does not depend on the dialect)."""
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()
