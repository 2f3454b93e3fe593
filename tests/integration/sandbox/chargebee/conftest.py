"""Fixtures: real Chargebee sandbox servers over real HTTP, and the official schemas."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from cbns_devkit.sandbox.chargebee import ChargebeeSandboxSettings, create_app
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread

Schemas = Callable[[str], Draft202012Validator]
SPEC_PATH = (
    Path(__file__).resolve().parents[4] / "tests" / "data" / "chargebee-openapi-v2-subset.json"
)


class Sandbox:
    """A running sandbox plus convenience clients."""

    def __init__(self, server: RunningServer, settings: ChargebeeSandboxSettings, app: Any) -> None:
        self.server = server
        self.settings = settings
        self.app = app
        self.base_url = server.base_url
        self.api = httpx.Client(
            base_url=f"{server.base_url}/api/v2", auth=(settings.test_key, ""), timeout=30
        )
        self.admin = httpx.Client(base_url=f"{server.base_url}/__admin", timeout=30)

    def list_all(self, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every row of a list endpoint, following next_offset."""
        rows: list[dict[str, Any]] = []
        query = {"limit": 100, **params}
        while True:
            body = self.api.get(f"/{path}", params=query).json()
            rows.extend(body["list"])
            if "next_offset" not in body:
                return rows
            query["offset"] = body["next_offset"]

    def close(self) -> None:
        self.api.close()
        self.admin.close()
        self.server.stop()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Start sandboxes with given settings; all are stopped after the test."""
    started: list[Sandbox] = []

    def start(**kwargs: Any) -> Sandbox:
        settings = ChargebeeSandboxSettings(**kwargs)
        app = create_app(settings)
        sandbox = Sandbox(serve_in_thread(app), settings, app)
        started.append(sandbox)
        return sandbox

    yield start
    for sandbox in started:
        sandbox.close()


@pytest.fixture(scope="module")
def generated() -> Iterator[Sandbox]:
    """One sandbox serving generated data (scale 12), shared by a module's read-only tests."""
    settings = ChargebeeSandboxSettings(scale=12, random_seed=3)
    app = create_app(settings)
    sandbox = Sandbox(serve_in_thread(app), settings, app)
    yield sandbox
    sandbox.close()


@pytest.fixture(scope="session")
def schemas() -> Schemas:
    """A validator factory for the vendored official OpenAPI subset's component schemas."""
    doc = json.loads(SPEC_PATH.read_text())
    registry: Registry[Any] = Registry().with_resource(
        "urn:cb", Resource.from_contents(doc, default_specification=DRAFT202012)
    )

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"urn:cb#/components/schemas/{name}"}, registry=registry
        )

    return validator


def schema_errors(validator: Draft202012Validator, value: Any) -> list[str]:
    """Readable schema violations (empty when valid)."""
    return [f"{err.json_path}: {err.message}" for err in validator.iter_errors(value)]
