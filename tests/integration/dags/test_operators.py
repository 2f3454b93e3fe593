"""The operators against the real sandboxes, with connections from AIRFLOW_CONN_ variables.

The DAGs only wire these together, so this is the sync's behaviour minus the scheduler:
every stage's ``execute`` runs against live HTTP services and a real staging database (SQLite
and Postgres).
"""

from __future__ import annotations

import json
import os
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
from chargebee_netsuite.airflow.operators import (
    ChargebeeToStagingOperator,
    CheckConnectionsOperator,
    GreatExpectationsValidationOperator,
    MappingCheckOperator,
    MigrateStagingOperator,
    NetSuiteLoadOperator,
    NetSuiteReferenceOperator,
    ReconcileOperator,
    ReconcileSummaryOperator,
    WebhookInboxToNetSuiteOperator,
)
from chargebee_netsuite.airflow.retry import POLICY
from chargebee_netsuite.airflow.settings import sync_config
from chargebee_netsuite.chargebee.errors import AuthenticationError
from chargebee_netsuite.errors import ConfigurationError
from chargebee_netsuite.extract.resources import RESOURCES
from chargebee_netsuite.staging.chargebee_queries import enqueue_events


def extract(resource: str, ctx: dict[str, Any]) -> dict[str, Any]:
    return ChargebeeToStagingOperator(task_id=resource, resource=resource).execute(ctx)


def validate(ctx: dict[str, Any]) -> dict[str, Any]:
    return GreatExpectationsValidationOperator(task_id="validate").execute(ctx)


def load(ctx: dict[str, Any]) -> dict[str, Any]:
    return NetSuiteLoadOperator(task_id="load").execute(ctx)


def summary(ctx: dict[str, Any]) -> dict[str, Any]:
    return ReconcileSummaryOperator(task_id="reconcile").execute(ctx)


def webhook_sync(ctx: dict[str, Any]) -> dict[str, Any]:
    return WebhookInboxToNetSuiteOperator(task_id="sync_webhook_events").execute(ctx)


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
        "params": {"full_resync": False, "dry_run": False, "resources": list(RESOURCES), **params},
        "data_interval_start": None,
        "data_interval_end": None,
    }


def test_a_sync_through_the_operators(wired: dict[str, Any]) -> None:
    ctx = context()
    checked = CheckConnectionsOperator(task_id="check_connections").execute(ctx)
    assert checked["site"] == wired["chargebee"]["site"]
    MigrateStagingOperator(task_id="migrate_staging").execute(ctx)
    assert NetSuiteReferenceOperator(task_id="pull_reference").execute(ctx)["account"] > 0
    MappingCheckOperator(task_id="check_mapping").execute(ctx)
    staged = {r: extract(r, ctx) for r in RESOURCES}
    assert all(s["mode"] == "full" for s in staged.values())
    assert staged["invoices"]["documents"] > 0
    validated = validate(ctx)
    assert validated.get("quarantined_documents", 0) >= 3, validated  # the CHF records
    assert Path(validated["data_docs_index"]).is_file()

    dry = load(context(dry_run=True))
    assert dry["dry_run"] is True and dry["writes"] == 0
    assert dry["counts"]["would_post"] > 0
    # The per-line report, written before anything posts, under the run's reports dir.
    report = Path(dry["report"]["html"])
    assert report.is_file() and Path(os.environ["CBNS_REPORTS_DIR"]) in report.parents
    assert "Totals per account and currency" in report.read_text()
    first = load(ctx)
    assert first["writes"] > 0
    assert first["counts"]["posted"] == first["writes"]
    # Idempotent: nothing changed, nothing is written again.
    again = load(ctx)
    assert again["writes"] == 0

    headline = summary(ctx)
    assert headline["by_kind"]["invoice"]["posted"] > 0
    assert headline["quarantined"] >= 3
    # NetSuite's currency ids are read as codes from the staged reference data.
    chf = headline["open_ar"]["CHF"]
    assert (chf["netsuite"], chf["chargebee"]) == ("0", "1650.00")

    # The full tie-out, over a period given as a rendered template would give it.
    report = ReconcileOperator(task_id="reconcile", window_start="2000-01-01").execute(ctx)
    assert report["window"][0].startswith("2000-01-01"), report
    assert (Path(report["report_dir"]) / "index.html").is_file()


def test_windows_come_from_the_data_interval(wired: dict[str, Any]) -> None:
    ctx = context()
    MigrateStagingOperator(task_id="migrate_staging").execute(ctx)
    assert extract("customers", ctx)["mode"] == "full"
    start, end = datetime(2001, 9, 10, tzinfo=UTC), datetime(2001, 9, 11, tzinfo=UTC)
    windowed = extract("customers", {**ctx, "data_interval_start": start, "data_interval_end": end})
    assert windowed["mode"] == "window"
    assert windowed["window"] == [start.isoformat(), end.isoformat()]
    assert windowed["documents"] == windowed["tail_documents"]
    full = extract(
        "customers",
        {**context(full_resync=True), "data_interval_start": start, "data_interval_end": end},
    )
    assert full["mode"] == "full"


def test_resources_param(wired: dict[str, Any]) -> None:
    with pytest.raises(AirflowSkipException):
        extract("items", context(resources=["invoices"]))
    with pytest.raises(ConfigurationError):
        extract("items", context(resources=["subscriptions"]))


def test_webhook_inbox_to_netsuite(wired: dict[str, Any]) -> None:
    from chargebee_netsuite.staging.db import create_staging_engine

    ctx = context()
    MigrateStagingOperator(task_id="migrate_staging").execute(ctx)
    NetSuiteReferenceOperator(task_id="pull_reference").execute(ctx)
    for resource in RESOURCES:
        extract(resource, ctx)
    load(ctx)
    # Nothing pending: validation and load are skipped.
    empty = webhook_sync(ctx)
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
    engine = create_staging_engine(sync_config().staging_url)
    try:
        with engine.begin() as conn:
            # What the receiver does with a delivery: queue the id (twice: a duplicate).
            enqueue_events(conn, chargebee["site"], [event_id, event_id], datetime.now(UTC))
    finally:
        engine.dispose()
    done = webhook_sync(ctx)
    inbox = done["inbox"]
    assert (inbox["pending"], inbox["processed"], inbox["documents"]) == (1, 1, 1)
    assert done["validate"]["checked"] >= 1, done
    assert done["load"]["writes"] == 1, done
    assert set(done["seconds"]) == {"inbox", "validate", "load"}
    # A retry finds the inbox drained but still validates and loads (the failed try may have
    # stopped after staging): nothing is left to write.
    retry = webhook_sync({**ctx, "ti": SimpleNamespace(try_number=2)})
    assert retry["inbox"]["pending"] == 0
    assert retry["load"] is not None and retry["load"]["writes"] == 0, retry
    assert summary(ctx)["by_kind"]["invoice"]["posted"] > 0


def test_a_rejected_key_fails_fast(wired: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    conn = connections_from_sandbox_state(wired)["chargebee_default"]
    conn["password"] = "test_not_a_key"
    monkeypatch.setenv("AIRFLOW_CONN_CHARGEBEE_DEFAULT", json.dumps(conn))
    with pytest.raises(AuthenticationError) as raised:
        CheckConnectionsOperator(task_id="check_connections").execute(context())
    assert "test_not_a_key" not in str(raised.value)
    assert POLICY.evaluate(raised.value, 1, 4).action is RetryAction.FAIL
