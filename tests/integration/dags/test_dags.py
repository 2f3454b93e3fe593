"""The DAG files: they import cleanly and cheaply, and are wired the way the README says."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
DAGS = REPO / "dags"
SYNC = "chargebee_netsuite_sync"
WEBHOOKS = "chargebee_netsuite_webhooks"
RECONCILE = "chargebee_netsuite_reconcile"
WEBHOOK_TASK = "sync_webhook_events"
RESOURCES = ["customers", "items", "item_prices", "invoices", "credit_notes", "transactions"]
HEAVY = ("great_expectations", "pandas", "httpx", "requests", "fastapi", "uvicorn")
# The only modules of ours a DAG file may import at parse time: small, and free of I/O.
PARSE_TIME_MODULES = {
    "chargebee_netsuite",
    "chargebee_netsuite.airflow",
    "chargebee_netsuite.airflow.dag_parts",
    "chargebee_netsuite.airflow.assets",
    "chargebee_netsuite.airflow.connection_ids",
    "chargebee_netsuite.airflow.pools",
    "chargebee_netsuite.airflow.retry",
    # The operators the DAGs are built from, and what their modules import at the top: the
    # links' URLs, the run's settings and resources (each made only in ``execute``).
    "chargebee_netsuite.airflow.operators",
    "chargebee_netsuite.airflow.operators.base",
    "chargebee_netsuite.airflow.operators.chargebee",
    "chargebee_netsuite.airflow.operators.links",
    "chargebee_netsuite.airflow.operators.netsuite",
    "chargebee_netsuite.airflow.operators.preflight",
    "chargebee_netsuite.airflow.operators.quality",
    "chargebee_netsuite.airflow.operators.reconcile",
    "chargebee_netsuite.airflow.operators.webhooks",
    "chargebee_netsuite.airflow.run_resources",
    "chargebee_netsuite.airflow.settings",
    "chargebee_netsuite.airflow.urls",
    # The resource names the extraction tasks are named after (a tuple).
    "chargebee_netsuite.extract",
    "chargebee_netsuite.extract.resources",
    # The receiver's settings dataclass (no FastAPI), which settings.py returns.
    "chargebee_netsuite.webhooks",
    "chargebee_netsuite.webhooks.config",
    # The error root: two tiny classes, named by the retry policy.
    "chargebee_netsuite.errors",
}


@pytest.fixture(scope="module")
def dagbag() -> Any:
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS))


def test_no_import_errors(dagbag: Any) -> None:
    assert dagbag.import_errors == {}
    assert {SYNC, WEBHOOKS, RECONCILE} <= set(dagbag.dag_ids)


# Run in a fresh interpreter: import Airflow's SDK first (that cost is Airflow's, paid once per
# process), then parse each DAG file with the network blocked, and report what parsing added.
_PROBE = """
import json, runpy, socket, sys, time
import airflow.sdk  # noqa: F401
from airflow.sdk import dag  # noqa: F401

def no_network(*args, **kwargs):
    raise RuntimeError("a DAG file opened a network connection at parse time")

socket.socket.connect = no_network
socket.create_connection = no_network
result = {}
for path in sys.argv[1:]:
    before = set(sys.modules)
    started = time.perf_counter()
    runpy.run_path(path)
    result[path] = {
        "seconds": time.perf_counter() - started,
        "new_modules": sorted(set(sys.modules) - before),
    }
print(json.dumps(result))
"""


def test_parsing_is_cheap_and_offline(tmp_path: Path) -> None:
    files = sorted(str(p) for p in DAGS.glob("*.py"))
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, *files],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=180,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(result) == set(files)
    for path, probe in result.items():
        heavy = [m for m in probe["new_modules"] if m.split(".")[0] in HEAVY]
        assert heavy == [], f"{path} imports {heavy} at parse time"
        ours = {m for m in probe["new_modules"] if m.startswith("chargebee_netsuite")}
        assert ours <= PARSE_TIME_MODULES, f"{path} imports {ours - PARSE_TIME_MODULES}"
        # A generous guard on a shared 2-core machine; typical parse time is ~50 ms.
        assert probe["seconds"] < 2.0, f"{path} took {probe['seconds']:.2f}s to parse"


def test_sync_dag_schedule_and_limits(dagbag: Any) -> None:
    from airflow.sdk import CronDataIntervalTimetable

    dag = dagbag.dags[SYNC]
    assert isinstance(dag.timetable, CronDataIntervalTimetable)
    assert dag.timetable.expression == "*/15 * * * *"
    assert dag.catchup is False
    assert dag.max_active_runs == 1
    assert dag.doc_md and "backfill" in dag.doc_md


def test_schedule_comes_from_the_environment(tmp_path: Path) -> None:
    from airflow.dag_processing.dagbag import DagBag

    os.environ["CBNS_SYNC_SCHEDULE"] = "@hourly"
    try:
        bag = DagBag(dag_folder=str(DAGS / f"{SYNC}.py"))
    finally:
        del os.environ["CBNS_SYNC_SCHEDULE"]
    assert bag.dags[SYNC].timetable.expression == "0 * * * *"


def test_sync_dag_groups_and_order(dagbag: Any) -> None:
    dag = dagbag.dags[SYNC]
    nodes = dag.task_group.children
    assert list(nodes) == [
        "preflight",
        "extract",
        "check_mapping",
        "validate",
        "load",
        "reconcile",
    ]
    # Groups only where there is more than one task, each with its doc.
    for group_id in ("preflight", "extract"):
        assert nodes[group_id].doc_md, f"group {group_id} has no doc_md"
    assert sorted(t.split(".", 1)[1] for t in nodes["extract"].children) == sorted(RESOURCES)
    # Stage order: every extract task waits for the end of the preflight; the mapping is
    # checked against what every extraction staged, then validation, load, the summary.
    for resource in RESOURCES:
        assert dag.get_task(f"extract.{resource}").upstream_task_ids == {"preflight.parse_mapping"}
    assert dag.get_task("check_mapping").upstream_task_ids == {f"extract.{r}" for r in RESOURCES}
    assert dag.get_task("validate").upstream_task_ids == {"check_mapping"}
    assert dag.get_task("load").upstream_task_ids == {"validate"}
    assert dag.get_task("reconcile").upstream_task_ids == {"load"}
    preflight = [
        "preflight.check_connections",
        "preflight.migrate_staging",
        "preflight.pull_reference",
        "preflight.parse_mapping",
    ]
    for before, after in itertools.pairwise(preflight):
        assert dag.get_task(after).upstream_task_ids == {before}
    # A resource left out of the `resources` param is skipped; validation still runs.
    assert dag.get_task("validate").trigger_rule == "none_failed"
    assert dag.get_task("check_mapping").trigger_rule == "none_failed"
    assert dag.params["fail_on_unposted"] is False


def test_reconcile_dag_order_pools_and_outlets(dagbag: Any) -> None:
    dag = dagbag.dags[RECONCILE]
    assert list(dag.task_group.children) == [
        "preflight",
        "backfill",
        "validate",
        "reconcile",
        "load",
    ]
    assert dag.get_task("preflight.migrate_staging").upstream_task_ids == {
        "preflight.check_connections"
    }
    for resource in RESOURCES:
        task = dag.get_task(f"backfill.{resource}")
        assert task.upstream_task_ids == {"preflight.migrate_staging"}
        assert (task.pool, task.outlets) == ("chargebee_api", [])
    assert dag.get_task("validate").upstream_task_ids == {f"backfill.{r}" for r in RESOURCES}
    reconcile, load = dag.get_task("reconcile"), dag.get_task("load")
    assert reconcile.upstream_task_ids == {"validate"}
    assert load.upstream_task_ids == {"reconcile"}
    assert (reconcile.pool, load.pool) == ("netsuite_api", "netsuite_api")
    assert [o.uri for o in reconcile.outlets] == ["netsuite://netsuite_default/reconciliation"]
    assert [o.uri for o in load.outlets] == ["netsuite://netsuite_default/ar"]
    assert set(dag.params) == {"window_start", "window_end"}


def test_pools_retries_and_policy(dagbag: Any) -> None:
    from chargebee_netsuite.airflow.retry import ApiRetryPolicy

    for dag_id in (SYNC, WEBHOOKS, RECONCILE):
        dag = dagbag.dags[dag_id]
        for task in dag.tasks:
            assert task.retries >= 2, task.task_id
            assert isinstance(task.retry_policy, ApiRetryPolicy), task.task_id
    sync = dagbag.dags[SYNC]
    for resource in RESOURCES:
        assert sync.get_task(f"extract.{resource}").pool == "chargebee_api"
    for task_id in ("preflight.pull_reference", "load", "reconcile"):
        assert sync.get_task(task_id).pool == "netsuite_api"
    for task_id in (
        "preflight.check_connections",
        "preflight.parse_mapping",
        "check_mapping",
        "validate",
    ):
        assert sync.get_task(task_id).pool == "default_pool"
    assert sync.get_task("load").retry_delay == timedelta(minutes=2)
    hooks = dagbag.dags[WEBHOOKS]
    # The webhook DAG's one task posts, so it shares the single NetSuite slot with the sync.
    assert hooks.get_task(WEBHOOK_TASK).pool == "netsuite_api"


def test_run_limits_and_retry_defaults(dagbag: Any) -> None:
    """The arguments the DAGs share (``dag_parts.dag_defaults``), and the webhook DAG's own."""
    expected = {
        SYNC: (timedelta(hours=2), 3, timedelta(minutes=2)),
        RECONCILE: (timedelta(hours=2), 3, timedelta(minutes=2)),
        WEBHOOKS: (timedelta(minutes=30), 2, timedelta(seconds=30)),
    }
    for dag_id, (timeout, retries, delay) in expected.items():
        dag = dagbag.dags[dag_id]
        assert (dag.catchup, dag.max_active_runs, dag.dagrun_timeout) == (False, 1, timeout)
        assert dag.start_date.date().isoformat() == "2024-01-01"
        assert (dag.default_args["retries"], dag.default_args["retry_delay"]) == (retries, delay)
        assert dag.default_args["owner"] == "finance-systems"


def test_a_new_account_syncs_dry_until_confirmed(monkeypatch: pytest.MonkeyPatch) -> None:
    from airflow.dag_processing.dagbag import DagBag

    monkeypatch.setenv("CBNS_DRY_RUN_DEFAULT", "1")
    bag = DagBag(dag_folder=str(DAGS / f"{SYNC}.py"))
    assert bag.import_errors == {}
    assert bag.dags[SYNC].params["dry_run"] is True


def test_params(dagbag: Any) -> None:
    params = dagbag.dags[SYNC].params
    assert params["full_resync"] is False
    assert params["dry_run"] is False
    assert params["resources"] == RESOURCES
    schema = params.get_param("resources").schema
    assert schema["items"]["enum"] == RESOURCES


def test_assets_for_lineage(dagbag: Any) -> None:
    sync = dagbag.dags[SYNC]
    for resource in RESOURCES:
        (outlet,) = sync.get_task(f"extract.{resource}").outlets
        assert outlet.uri == f"chargebee://chargebee_default/{resource}"
    (ar,) = sync.get_task("load").outlets
    assert ar.uri == "netsuite://netsuite_default/ar"
    (hook_ar,) = dagbag.dags[WEBHOOKS].get_task(WEBHOOK_TASK).outlets
    assert hook_ar == ar


def test_webhook_dag_runs_on_the_receivers_asset_with_a_safety_net(dagbag: Any) -> None:
    from airflow.sdk import Asset, AssetAll, AssetOrTimeSchedule, CronTriggerTimetable

    dag = dagbag.dags[WEBHOOKS]
    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    # Event-driven: the asset the receiver records events on (name and URI both match).
    received = Asset(name="chargebee/webhooks", uri="chargebee://chargebee_default/webhooks")
    assert dag.timetable.asset_condition == AssetAll(received)
    # The safety net: a slow time schedule takes ids whose asset event never came.
    assert isinstance(dag.timetable.timetable, CronTriggerTimetable)
    assert dag.timetable.timetable.expression == "*/10 * * * *"
    # Bursts coalesce into one queued run, and runs never overlap.
    assert dag.max_active_runs == 1
    assert dag.catchup is False
    # One task process on the latency-critical path, still retried under the policy.
    assert dag.task_ids == [WEBHOOK_TASK]
    assert dag.get_task(WEBHOOK_TASK).retries == 2
    # No task may produce the asset the DAG is scheduled on: it would trigger itself forever.
    outlets = [o for t in dag.tasks for o in t.outlets]
    assert received not in outlets
    assert dag.doc_md and "safety-net" in dag.doc_md


def test_webhook_safety_net_comes_from_the_environment() -> None:
    from airflow.dag_processing.dagbag import DagBag

    os.environ["CBNS_WEBHOOK_SCHEDULE"] = "*/3 * * * *"
    try:
        bag = DagBag(dag_folder=str(DAGS / f"{WEBHOOKS}.py"))
    finally:
        del os.environ["CBNS_WEBHOOK_SCHEDULE"]
    assert bag.dags[WEBHOOKS].timetable.timetable.expression == "*/3 * * * *"


def test_webhook_asset_is_the_one_the_receiver_records() -> None:
    from chargebee_netsuite.airflow.assets import WEBHOOKS_NAME, WEBHOOKS_URI, webhooks_asset

    asset = webhooks_asset()
    # The SDK keeps the URI as written, so the receiver's lookup by name and URI finds it.
    assert (asset.name, asset.uri) == (WEBHOOKS_NAME, WEBHOOKS_URI)


def test_dags_serialise(dagbag: Any) -> None:
    """What the dag-processor stores must round-trip (the retry policy is stored as a flag)."""
    from airflow.serialization.serialized_objects import DagSerialization

    for dag_id in (SYNC, WEBHOOKS, RECONCILE):
        data = DagSerialization.to_dict(dagbag.dags[dag_id])
        restored = DagSerialization.from_dict(data)
        assert set(restored.task_ids) == set(dagbag.dags[dag_id].task_ids)
    # The UI's buttons survive serialisation: each operator's extra links, by name.
    sync = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags[SYNC]))
    assert sync.get_task("validate").extra_links == ["Data Docs", "Finance view"]
    assert sync.get_task("load").extra_links == ["Finance view"]
    reconcile = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags[RECONCILE]))
    assert reconcile.get_task("reconcile").extra_links == ["Finance view", "Reconciliation report"]


def test_the_readmes_own_dag_example_parses(tmp_path: Path) -> None:
    """The README's "Operators in your own DAG" block is a working DAG file."""
    from airflow.dag_processing.dagbag import DagBag

    readme = (REPO / "README.md").read_text()
    section = readme.split("### Operators in your own DAG", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "own_dag.py").write_text(code)
    bag = DagBag(dag_folder=str(tmp_path))
    assert bag.import_errors == {}
    [dag] = bag.dags.values()
    assert dag.get_task("load").netsuite_conn_id == "netsuite_sb1"
    assert dag.get_task("preflight.check_connections").chargebee_conn_id == "chargebee_eu"
    assert dag.get_task("load").upstream_task_ids == {"validate"}
