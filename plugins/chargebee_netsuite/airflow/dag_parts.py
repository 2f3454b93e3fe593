"""What the shipped DAGs share: schedules, assets, params, the retry defaults and the two task
group factories (preflight; one extraction per resource).

Parsing a DAG file imports this module, so it stays cheap: operators and the SDK only, no HTTP
client, no Great Expectations, no I/O. Schedules are read from the environment when a DAG
file asks, so that a dag-processor sees the value it was started with.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    CronDataIntervalTimetable,
    CronTriggerTimetable,
    Param,
    TaskGroup,
    chain,
)

from chargebee_netsuite.airflow.assets import webhooks_asset
from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID
from chargebee_netsuite.airflow.operators import (
    ChargebeeToStagingOperator,
    CheckConnectionsOperator,
    MappingParseOperator,
    MigrateStagingOperator,
    NetSuiteLoadOperator,
    NetSuiteReferenceOperator,
)
from chargebee_netsuite.airflow.retry import POLICY, RETRY_DELAY, default_args
from chargebee_netsuite.extract.resources import RESOURCES

__all__ = [
    "NETSUITE_AR",
    "NETSUITE_REFERENCE",
    "POLICY",
    "RECONCILE_PARAMS",
    "RECONCILIATION",
    "START",
    "WEBHOOKS",
    "backfill",
    "chargebee_asset",
    "dag_defaults",
    "default_args",
    "extract",
    "load",
    "preflight",
    "reconcile_schedule",
    "sync_params",
    "sync_schedule",
    "webhook_schedule",
]

START = datetime(2024, 1, 1)


def dag_defaults(
    *,
    retries: int = 3,
    delay: timedelta = RETRY_DELAY,
    timeout: timedelta = timedelta(hours=2),
) -> dict[str, Any]:
    """The ``@dag`` arguments the shipped DAGs share: a fixed start, no catch-up, one run at a
    time, the retry defaults (``retries``, first ``delay``) and a run ``timeout``."""
    return {
        "start_date": START,
        "catchup": False,
        "max_active_runs": 1,
        "default_args": default_args(retries, delay),
        "dagrun_timeout": timeout,
    }


# -- schedules (one setting each, read from the environment at parse time) -------------------


def sync_schedule() -> CronDataIntervalTimetable:
    """``CBNS_SYNC_SCHEDULE`` (cron or preset, default every 15 minutes), one interval a run."""
    return CronDataIntervalTimetable(
        os.environ.get("CBNS_SYNC_SCHEDULE", "*/15 * * * *"), timezone="UTC"
    )


def reconcile_schedule() -> CronDataIntervalTimetable:
    """``CBNS_RECONCILE_SCHEDULE`` (default ``@daily``)."""
    return CronDataIntervalTimetable(
        os.environ.get("CBNS_RECONCILE_SCHEDULE", "@daily"), timezone="UTC"
    )


def webhook_schedule() -> AssetOrTimeSchedule:
    """On the receiver's asset event, or the safety net ``CBNS_WEBHOOK_SCHEDULE`` (default
    every 10 minutes), which takes whatever is pending even if no asset event ever came
    (Airflow was down when the id arrived, or recording the event failed)."""
    safety_net = os.environ.get("CBNS_WEBHOOK_SCHEDULE", "*/10 * * * *")
    return AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(safety_net, timezone="UTC"), assets=[WEBHOOKS]
    )


# -- assets -----------------------------------------------------------------------------------


def chargebee_asset(resource: str) -> Asset:
    """The staged copy of one Chargebee resource behind the Chargebee connection."""
    return Asset(name=f"chargebee/{resource}", uri=f"chargebee://{CHARGEBEE_CONN_ID}/{resource}")


NETSUITE_AR = Asset(name="netsuite/ar", uri=f"netsuite://{NETSUITE_CONN_ID}/ar")
NETSUITE_REFERENCE = Asset(
    name="netsuite/reference", uri=f"netsuite://{NETSUITE_CONN_ID}/reference"
)
RECONCILIATION = Asset(
    name="netsuite/reconciliation", uri=f"netsuite://{NETSUITE_CONN_ID}/reconciliation"
)
# Recorded by the webhook receiver, never by a task (a task producing it would trigger itself).
WEBHOOKS = webhooks_asset()

# -- params -----------------------------------------------------------------------------------


def sync_params() -> dict[str, Param]:
    """The sync DAG's params; ``dry_run``'s default is read from the environment at parse time.

    A new account's first syncs are dry runs until someone confirms: CBNS_DRY_RUN_DEFAULT=1
    ticks ``dry_run`` for every run (scheduled ones too); a manual run with it unticked posts.
    """
    return {
        "full_resync": Param(
            False, type="boolean", description="List every record, not just the interval"
        ),
        "dry_run": Param(
            os.environ.get("CBNS_DRY_RUN_DEFAULT", "0") == "1",
            type="boolean",
            description="Build and check payloads and write a per-line report; post nothing",
        ),
        "fail_on_unposted": Param(
            os.environ.get("CBNS_UNPOSTED_FAILS_RUN", "0") == "1",
            type="boolean",
            description="End the run failed when it leaves new documents unposted",
        ),
        "resources": Param(
            list(RESOURCES),
            type="array",
            items={"type": "string", "enum": list(RESOURCES)},
            description="Chargebee resources to extract",
        ),
    }


RECONCILE_PARAMS = {
    "window_start": Param(
        None,
        type=["null", "string"],
        description="Period start (ISO date); default: the first of the month",
    ),
    "window_end": Param(
        None, type=["null", "string"], description="Period end (ISO date); default: now"
    ),
}

# -- task groups ------------------------------------------------------------------------------


def preflight(*, reference: bool = True, **connections: str) -> TaskGroup:
    """Prove both connections and migrate staging; with ``reference``, also refresh NetSuite
    reference data (SuiteQL) and check the mapping file against it. ``connections``
    (``chargebee_conn_id=…``, ``netsuite_conn_id=…``) go to every task."""
    doc = "Prove both connections work and bring the staging schema up to date."
    if reference:
        doc += (
            " Refresh NetSuite reference data and parse the mapping file (it is checked against"
            " what is staged after extraction). A rejected key or a mapping that cannot parse"
            " stops the run here."
        )
    tooltip = "Connections, staging schema, reference, mapping"
    with TaskGroup("preflight", tooltip=tooltip, doc_md=doc) as group:
        steps = [
            CheckConnectionsOperator(task_id="check_connections", **connections),
            MigrateStagingOperator(task_id="migrate_staging", **connections),
        ]
        if reference:
            steps += [
                NetSuiteReferenceOperator(
                    task_id="pull_reference", outlets=[NETSUITE_REFERENCE], **connections
                ),
                MappingParseOperator(task_id="parse_mapping", **connections),
            ]
        chain(*steps)
    return group


def extract(
    group_id: str = "extract",
    *,
    lineage: bool = True,
    doc_md: str | None = None,
    **connections: str,
) -> TaskGroup:
    """One Chargebee listing per resource, side by side in the ``chargebee_api`` pool; with
    ``lineage``, each updates its ``chargebee://…/<resource>`` asset."""
    doc = doc_md or (
        "Stage each Chargebee resource for the run's data interval (or all of it on a full "
        "resync), side by side within the `chargebee_api` pool. Newest `resource_version` "
        "wins, so re-reading a window changes nothing."
    )
    tooltip = "One Chargebee listing per resource, in parallel"
    with TaskGroup(group_id, tooltip=tooltip, doc_md=doc) as group:
        for resource in RESOURCES:
            ChargebeeToStagingOperator(
                task_id=resource,
                resource=resource,
                outlets=[chargebee_asset(resource)] if lineage else [],
                **connections,
            )
    return group


def backfill() -> TaskGroup:
    """The reconciliation's poll half of the backfill: the extraction group again, without
    lineage (it re-reads what the sync already announced)."""
    return extract(
        "backfill",
        lineage=False,
        doc_md="The poll half of the backfill: every Chargebee change of the run's interval is "
        "staged again, so a change whose webhook was lost is not missed. Newest "
        "`resource_version` wins, so re-reading changes nothing else.",
    )


def load() -> NetSuiteLoadOperator:
    """The ``load`` task of the sync and the reconciliation: it updates the NetSuite AR asset
    and may run an hour."""
    return NetSuiteLoadOperator(
        task_id="load", outlets=[NETSUITE_AR], execution_timeout=timedelta(hours=1)
    )
