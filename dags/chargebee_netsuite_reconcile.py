"""chargebee_netsuite_reconcile: daily Chargebee ↔ NetSuite reconciliation, report and re-queue."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, TaskGroup, dag, task

from chargebee_netsuite.airflow import tasks
from chargebee_netsuite.airflow.pools import CHARGEBEE_POOL, NETSUITE_POOL
from chargebee_netsuite.airflow.retry import POLICY, default_args

# One setting: a cron expression or preset, read from the environment (cheap at parse time).
SCHEDULE = os.environ.get("CBNS_RECONCILE_SCHEDULE", "@daily")
RESOURCES = list(tasks.RESOURCES)
NETSUITE_AR = Asset(name="netsuite/ar", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/ar")
RECONCILIATION = Asset(
    name="netsuite/reconciliation", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/reconciliation"
)

DOC = """
### Chargebee ↔ NetSuite reconciliation

Once a day (`CBNS_RECONCILE_SCHEDULE`, default `@daily`) this DAG re-reads the Chargebee
changes of the last interval (a poll backfill for lost webhooks), then asks NetSuite through
SuiteQL for every record carrying this connector's external ids in the period (default: month
to date; the run at midnight on the 1st covers the whole previous month) and compares them
with staging and the ledger:

* in Chargebee but missing in NetSuite → **re-queued**, and the `load` step posts it again;
* a different total, currency, customer or status → **flagged** with both values;
* changed in NetSuite after our last write → **flagged** as edited outside the connector;
* our external-id prefix but unknown to Chargebee → **flagged**.

The report (HTML with charts, CSV, JSON) is written to
`$CBNS_REPORTS_DIR/reconcile/<run_id>/` and shown in the Airflow UI under
**Chargebee ↔ NetSuite**, with the exception queue and a re-drive button.
Params: `window_start` / `window_end` (ISO dates) override the period.
"""


def reconcile_period(**context: Any) -> dict[str, Any]:
    """Adapter: the run's period and connections → ``reconcile.run.reconcile`` → XCom counts."""
    from chargebee_netsuite.reconcile.run import month_to_date, reconcile

    params = context.get("params") or {}
    end = context.get("data_interval_end")
    if params.get("window_end"):
        end = datetime.fromisoformat(str(params["window_end"]))
    start, end = month_to_date(end)
    if params.get("window_start"):
        start = datetime.fromisoformat(str(params["window_start"]))
    config = tasks.sync_config()
    engine = tasks.staging_engine(config)
    client = tasks.netsuite_client(config)
    try:
        summary = reconcile(
            engine,
            client,
            tasks.chargebee_site(config),
            start,
            end,
            str(context.get("run_id") or "manual"),
            config.reports_dir,
            time_zone=config.time_zone,
        )
    finally:
        client.close()
        engine.dispose()
    return summary.as_dict()


@dag(
    dag_id="chargebee_netsuite_reconcile",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=2),
    doc_md=DOC,
    tags=["chargebee", "netsuite", "reconciliation"],
    params={
        "window_start": Param(
            None,
            type=["null", "string"],
            description="Period start (ISO date); default: the first of the month",
        ),
        "window_end": Param(
            None, type=["null", "string"], description="Period end (ISO date); default: now"
        ),
    },
)
def chargebee_netsuite_reconcile() -> None:
    with TaskGroup(
        "preflight",
        tooltip="Connections and staging schema",
        doc_md="Prove both connections work and bring the staging schema up to date.",
    ) as preflight:
        checked = task(task_id="check_connections", retry_policy=POLICY)(tasks.check_connections)()
        migrated = task(task_id="migrate_staging", retry_policy=POLICY)(tasks.migrate_staging)()
        checked >> migrated

    with TaskGroup(
        "backfill",
        tooltip="Re-read Chargebee's changes of the interval",
        doc_md="The poll half of the backfill: every Chargebee change of the run's interval is "
        "staged again, so a change whose webhook was lost is not missed. Newest "
        "`resource_version` wins, so re-reading changes nothing else.",
    ) as backfill:
        for resource in RESOURCES:
            task(task_id=resource, pool=CHARGEBEE_POOL, retry_policy=POLICY)(tasks.extract)(
                resource=resource
            )
        task(task_id="validate_staged", trigger_rule="none_failed", retry_policy=POLICY)(
            tasks.validate
        )()

    with TaskGroup(
        "reconcile",
        tooltip="SuiteQL poll of NetSuite vs staging and the ledger; the report",
        doc_md="Compare, re-queue what is missing in NetSuite, flag the rest, and write the "
        "report (HTML, CSV, JSON) and the findings for the Airflow view.",
    ) as reconcile:
        task(
            task_id="compare_and_report",
            pool=NETSUITE_POOL,
            outlets=[RECONCILIATION],
            retry_policy=POLICY,
        )(reconcile_period)()

    with TaskGroup(
        "load",
        tooltip="Post what reconciliation re-queued",
        doc_md="The ordinary load: re-queued documents post again; everything else is "
        "unchanged and skipped without a request.",
    ) as load:
        task(
            task_id="post_to_netsuite",
            pool=NETSUITE_POOL,
            outlets=[NETSUITE_AR],
            retry_policy=POLICY,
            execution_timeout=timedelta(hours=1),
        )(tasks.load)()

    preflight >> backfill >> reconcile >> load


chargebee_netsuite_reconcile()
