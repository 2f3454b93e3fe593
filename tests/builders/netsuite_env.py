"""Both sandboxes, a migrated staging database and the real extractor and loader, per test."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select
from tests.builders.tieout import WHOLE_UNIT_CURRENCIES, chargebee_list

from cbns_devkit.sandbox.chargebee.app import create_app as create_chargebee
from cbns_devkit.sandbox.chargebee.conventions import Conventions
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.netsuite.account_settings import NetSuiteSandboxSettings
from cbns_devkit.sandbox.netsuite.api import create_app as create_netsuite
from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.load.run import LoadSummary, SyncSettings, sync
from chargebee_netsuite.mapping import MappingConfig, parse_mapping
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.ledger_tables import ns_ledger
from chargebee_netsuite.transform.model import TransformSettings

REPO = Path(__file__).resolve().parents[2]
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
        reports_dir: Path | None = None,
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
            reports_dir=reports_dir,
            full=full,
        )


StartEnv = Callable[..., Env]


def start_environments(rsa_key: tuple[str, bytes], url: str) -> Iterator[StartEnv]:
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


def netsuite_record(env: Env, record_type: str, eid: str) -> dict[str, Any]:
    """The NetSuite record with external id ``eid``, sublists expanded."""
    return env.netsuite_client().records.get_by_external_id(
        record_type, eid, expand_sub_resources=True
    )


def card_payments(env: Env) -> list[dict[str, Any]]:
    """Successful card payments nothing has been refunded or charged back from."""
    return [
        t
        for t in chargebee_list(
            env.chargebee.base_url, env.chargebee_settings.test_key, "transactions"
        )
        if t["type"] == "payment"
        and t["status"] == "success"
        and t["payment_method"] == "card"
        and t["linked_invoices"]
        and not t["linked_refunds"]
        and not t.get("reversal_transaction_id")
    ]


def ledger(env: Env, kind: str, source_id: str, role: str = "main") -> dict[str, Any]:
    """The ledger row of one Chargebee document (its ``role`` part)."""
    with env.engine.connect() as conn:
        row = (
            conn.execute(
                select(ns_ledger).where(
                    ns_ledger.c.site == SITE,
                    ns_ledger.c.source_kind == kind,
                    ns_ledger.c.source_id == source_id,
                    ns_ledger.c.role == role,
                )
            )
            .mappings()
            .one()
        )
    return dict(row)


def money(amount: int, currency: str) -> Decimal:
    """Chargebee minor units as a Decimal amount."""
    return Decimal(amount) / (1 if currency in WHOLE_UNIT_CURRENCIES else 100)


def untouched_open_invoices(env: Env) -> list[dict[str, Any]]:
    """Invoices nothing was paid, credited or adjusted against (NetSuite lets us delete them)."""
    return [
        inv
        for inv in chargebee_list(
            env.chargebee.base_url, env.chargebee_settings.test_key, "invoices"
        )
        if inv["status"] in ("posted", "payment_due", "not_paid")
        and inv["amount_due"] == inv["total"]
        and not inv.get("amount_paid")
        and not inv.get("credits_applied")
        and not inv.get("amount_adjusted")
        # A payment that was charged back in full still applies to it in NetSuite.
        and not any(p.get("txn_status") == "success" for p in inv.get("linked_payments", []))
    ]
