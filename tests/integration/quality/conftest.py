"""Fixtures for data-quality tests: a seeded Chargebee sandbox, a migrated staging database."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from cbns_devkit.sandbox.chargebee.app import create_app
from cbns_devkit.sandbox.chargebee.generator import generate
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.server import serve_in_thread
from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.staging.chargebee_queries import upsert_documents
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES
from chargebee_netsuite.staging.db import create_staging_engine, migrate

SITE = "acme-test"
KNOWN_CURRENCIES = ("USD", "EUR", "GBP", "JPY")

# What each deliberately broken document should be quarantined for (and nothing else).
BROKEN: dict[tuple[str, str], str] = {
    ("invoice", "9001"): "invoice.lines_sum_to_total",
    ("invoice", "9002"): "invoice.currency_known",
    ("invoice", "9003"): "invoice.customer_staged",
    ("transaction", "txn_orphan"): "transaction.invoice_resolvable",
}


def _first(docs: list[dict[str, Any]], **fields: Any) -> dict[str, Any]:
    # Versioned documents only: legacy ones (no resource_version) cannot show a re-extraction.
    return next(
        d for d in docs if "resource_version" in d and all(d.get(k) == v for k, v in fields.items())
    )


def broken_seed(scale: int = 10, seed: int = 7) -> dict[str, Any]:
    """Generated seeding-contract data plus the documents of :data:`BROKEN`."""
    data = generate(scale, seed)
    invoice = _first(data["invoices"], currency_code="USD", status="paid", deleted=False)

    lines_off = copy.deepcopy(invoice)
    lines_off["id"] = "9001"
    # The total no longer matches the lines; the balance fields are kept consistent with it,
    # so that only the line-sum check fails.
    lines_off["total"] += 100
    lines_off["amount_due"] += 100

    unknown_currency = copy.deepcopy(invoice)
    unknown_currency["id"] = "9002"
    unknown_currency["currency_code"] = "CHF"

    no_customer = copy.deepcopy(invoice)
    no_customer["id"] = "9003"
    no_customer["customer_id"] = "cust-missing"
    for line in no_customer["line_items"]:
        line["customer_id"] = "cust-missing"

    payment = _first(data["transactions"], type="payment", status="success", currency_code="USD")
    orphan = copy.deepcopy(payment)
    orphan["id"] = "txn_orphan"
    orphan["linked_invoices"] = [
        {
            "invoice_id": "INV-MISSING",
            "applied_amount": orphan["amount"],
            "applied_at": orphan["date"],
            "invoice_date": orphan["date"],
            "invoice_total": orphan["amount"],
            "invoice_status": "paid",
        }
    ]
    data["invoices"] += [lines_off, unknown_currency, no_customer]
    data["transactions"].append(orphan)
    return data


class Sandbox:
    """A running Chargebee sandbox and a client for it."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.settings = ChargebeeSandboxSettings(seed_data=data, rate_limit_per_minute=100_000)
        self.server = serve_in_thread(create_app(self.settings))
        self.client = ChargebeeClient(
            ChargebeeSettings(
                site=SITE,
                api_key=self.settings.test_key,
                environment="test",
                base_url=self.server.base_url,
                rate_limit_per_minute=100_000,
            )
        )

    def admin(self, method: str, path: str, payload: Any = None) -> Any:
        """Call the sandbox's admin API (what a Chargebee user would do in the web console)."""
        url = f"{self.server.base_url}/__admin{path}"
        response = httpx.request(method, url, json=payload, timeout=60)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        self.client.close()
        self.server.stop()


@pytest.fixture
def start_sandbox() -> Iterator[Callable[[dict[str, Any]], Sandbox]]:
    """Start sandboxes seeded with given data; all are stopped after the test."""
    running: list[Sandbox] = []

    def start(data: dict[str, Any]) -> Sandbox:
        sandbox = Sandbox(data)
        running.append(sandbox)
        return sandbox

    yield start
    for sandbox in running:
        sandbox.stop()


@pytest.fixture
def engine(staging_url: str) -> Iterator[Engine]:
    """A migrated staging database, once on SQLite and once on Postgres."""
    engine = create_staging_engine(staging_url)
    migrate(engine)
    yield engine
    engine.dispose()


def stage(
    engine: Engine,
    data: dict[str, list[dict[str, Any]]],
    run_id: str,
    *,
    lines_complete: bool = True,
) -> None:
    """Stage seeding-contract documents exactly as the extractor would (its row builder)."""
    now = datetime.now(UTC)
    with engine.begin() as conn:
        for resource, docs in data.items():
            rows = [
                document_row(
                    resource,
                    doc,
                    site=SITE,
                    run_id=run_id,
                    extracted_at=now,
                    lines_complete=lines_complete,
                )
                for doc in docs
            ]
            upsert_documents(conn, DOCUMENT_TABLES[resource], rows)
