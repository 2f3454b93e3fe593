"""The task callables against the real sandboxes, with connections from AIRFLOW_CONN_ variables.

The DAGs only wire these together, so this is the sync's behaviour minus the scheduler:
every stage runs against live HTTP services and a real staging database (SQLite and Postgres).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from airflow.sdk import RetryAction
from airflow.sdk.exceptions import AirflowSkipException

from cbns_devkit.demo.sandboxes import SandboxProcess, add_problem_records
from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
)
from chargebee_netsuite.airflow import tasks
from chargebee_netsuite.airflow.retry import POLICY
from chargebee_netsuite.chargebee.errors import AuthenticationError
from chargebee_netsuite.errors import ConfigurationError
from chargebee_netsuite.staging import chargebee_queries as q

RESOURCES = list(tasks.RESOURCES)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    state_dir = tmp_path_factory.mktemp("sandbox")
    process = SandboxProcess(state_dir, scale=3, log=state_dir / "sandbox.log")
    state = process.start()
    add_problem_records(state)
    try:
        yield state
    finally:
        process.stop()
    assert not process.state_path.exists(), "the sandbox left a stale sandbox.json"


@pytest.fixture
def wired(
    sandbox: dict[str, Any], staging_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    for key, value in env_assignments(connections_from_sandbox_state(sandbox)).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CBNS_STAGING_URL", staging_url)
    monkeypatch.setenv("CBNS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("CBNS_NETSUITE_TIME_ZONE", "America/Los_Angeles")
    return sandbox


def context(**params: Any) -> dict[str, Any]:
    return {
        "run_id": "manual__test",
        "params": {"full_resync": False, "dry_run": False, "resources": RESOURCES, **params},
        "data_interval_start": None,
        "data_interval_end": None,
    }


def test_a_sync_through_the_task_callables(wired: dict[str, Any]) -> None:
    ctx = context()
    assert tasks.check_connections(**ctx)["site"] == wired["chargebee"]["site"]
    tasks.migrate_staging(**ctx)
    assert tasks.pull_reference(**ctx)["account"] > 0
    tasks.check_mapping(**ctx)
    staged = {r: tasks.extract(r, **ctx) for r in RESOURCES}
    assert all(s["mode"] == "full" for s in staged.values())
    assert staged["invoices"]["documents"] > 0
    validated = tasks.validate(**ctx)
    assert validated.get("quarantined_documents", 0) >= 3, validated  # the CHF records

    dry = tasks.load(**context(dry_run=True))
    assert dry["dry_run"] is True and dry["writes"] == 0
    assert dry["counts"]["would_post"] > 0
    first = tasks.load(**ctx)
    assert first["writes"] > 0
    assert first["counts"]["posted"] == first["writes"]
    # Idempotent: nothing changed, nothing is written again.
    again = tasks.load(**ctx)
    assert again["writes"] == 0

    summary = tasks.reconcile_summary(**ctx)
    assert summary["by_kind"]["invoice"]["posted"] > 0
    assert summary["quarantined"] >= 3
    chf = summary["open_ar"]["CHF"]
    assert (chf["netsuite"], chf["chargebee"]) == ("0", "1650.00")


def test_windows_come_from_the_data_interval(wired: dict[str, Any]) -> None:
    ctx = context()
    tasks.migrate_staging(**ctx)
    assert tasks.extract("customers", **ctx)["mode"] == "full"
    start, end = datetime(2001, 9, 10, tzinfo=UTC), datetime(2001, 9, 11, tzinfo=UTC)
    windowed = tasks.extract(
        "customers", **{**ctx, "data_interval_start": start, "data_interval_end": end}
    )
    assert windowed["mode"] == "window"
    assert windowed["window"] == [start.isoformat(), end.isoformat()]
    assert windowed["documents"] == windowed["tail_documents"]
    full = tasks.extract(
        "customers",
        **{**context(full_resync=True), "data_interval_start": start, "data_interval_end": end},
    )
    assert full["mode"] == "full"


def test_resources_param(wired: dict[str, Any]) -> None:
    with pytest.raises(AirflowSkipException):
        tasks.extract("items", **context(resources=["invoices"]))
    with pytest.raises(ConfigurationError):
        tasks.extract("items", **context(resources=["subscriptions"]))


def test_webhook_inbox_to_netsuite(wired: dict[str, Any]) -> None:
    from chargebee_netsuite.staging.db import create_staging_engine

    ctx = context()
    tasks.migrate_staging(**ctx)
    tasks.pull_reference(**ctx)
    for resource in RESOURCES:
        tasks.extract(resource, **ctx)
    tasks.load(**ctx)
    # Nothing pending: validation and load are skipped.
    empty = tasks.sync_webhook_events(**ctx)
    assert empty["inbox"] == {"pending": 0, "processed": 0, "documents": 0}
    assert (empty["validate"], empty["load"]) == (None, None)

    chargebee = wired["chargebee"]
    invoices = httpx.get(
        f"{chargebee['base_url']}/invoices",
        params={"limit": "100"},
        auth=(chargebee["api_key"], ""),
    ).json()["list"]
    customer_id, currency = next(
        (e["invoice"]["customer_id"], e["invoice"]["currency_code"])
        for e in invoices
        if e["invoice"]["currency_code"] != "CHF"
    )
    created = httpx.post(
        f"{chargebee['admin_url']}/invoices",
        json={
            "customer_id": customer_id,
            "currency_code": currency,
            "lines": [{"description": "Webhook test", "unit_amount": 4200}],
        },
    ).raise_for_status()
    invoice_id = created.json()["invoice"]["id"]
    events = httpx.get(
        f"{chargebee['base_url']}/events",
        params={
            "limit": "20",
            "event_type[is]": "invoice_generated",
            "sort_by[desc]": "occurred_at",
        },
        auth=(chargebee["api_key"], ""),
    ).json()["list"]
    event_id = next(
        e["event"]["id"] for e in events if e["event"]["content"]["invoice"]["id"] == invoice_id
    )
    engine = create_staging_engine(tasks.sync_config().staging_url)
    try:
        with engine.begin() as conn:
            # What the receiver does with a delivery: queue the id (twice: a duplicate).
            q.enqueue_events(conn, chargebee["site"], [event_id, event_id], datetime.now(UTC))
    finally:
        engine.dispose()
    done = tasks.sync_webhook_events(**ctx)
    inbox = done["inbox"]
    assert (inbox["pending"], inbox["processed"], inbox["documents"]) == (1, 1, 1)
    assert done["validate"]["checked"] >= 1, done
    assert done["load"]["writes"] == 1, done
    assert set(done["seconds"]) == {"inbox", "validate", "load"}
    # A retry finds the inbox drained but still validates and loads (the failed try may have
    # stopped after staging): nothing is left to write.
    retry = tasks.sync_webhook_events(**ctx, ti=SimpleNamespace(try_number=2))
    assert retry["inbox"]["pending"] == 0
    assert retry["load"] is not None and retry["load"]["writes"] == 0, retry
    summary = tasks.reconcile_summary(**ctx)
    assert summary["by_kind"]["invoice"]["posted"] > 0


def test_a_rejected_key_fails_fast(wired: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    conn = connections_from_sandbox_state(wired)["chargebee_default"]
    conn["password"] = "test_not_a_key"
    monkeypatch.setenv("AIRFLOW_CONN_CHARGEBEE_DEFAULT", json.dumps(conn))
    with pytest.raises(AuthenticationError) as raised:
        tasks.check_connections(**context())
    assert "test_not_a_key" not in str(raised.value)
    assert POLICY.evaluate(raised.value, 1, 4).action is RetryAction.FAIL
