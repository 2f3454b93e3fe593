"""chargebee_netsuite_sync: Chargebee → staging → validation → NetSuite, per data interval."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, CronDataIntervalTimetable, Param, TaskGroup, dag, task

from chargebee_netsuite.airflow import tasks
from chargebee_netsuite.airflow.pools import CHARGEBEE_POOL, NETSUITE_POOL
from chargebee_netsuite.airflow.retry import POLICY, default_args

# One setting: a cron expression or preset, read from the environment (cheap at parse time).
SCHEDULE = os.environ.get("CBNS_SYNC_SCHEDULE", "*/15 * * * *")
# Whether a run that leaves new documents unposted ends failed (the param's default).
UNPOSTED_FAILS_RUN = os.environ.get("CBNS_UNPOSTED_FAILS_RUN", "0") == "1"
RESOURCES = list(tasks.RESOURCES)


def chargebee_asset(resource: str) -> Asset:
    """The staged copy of one Chargebee resource behind the ``chargebee_default`` connection."""
    return Asset(
        name=f"chargebee/{resource}", uri=f"chargebee://{tasks.CHARGEBEE_CONN_ID}/{resource}"
    )


NETSUITE_AR = Asset(name="netsuite/ar", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/ar")
NETSUITE_REFERENCE = Asset(
    name="netsuite/reference", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/reference"
)


def step(task_id: str, **kwargs: Any) -> Any:
    """``@task`` with the project's retry policy; its dict result is one small XCom."""
    return task(task_id=task_id, retry_policy=POLICY, multiple_outputs=False, **kwargs)


DOC = """
### Chargebee → NetSuite AR sync

Every run reads the Chargebee records changed in its **data interval** (plus a 10-minute
overlap), validates what is staged, and upserts the matching NetSuite AR records by external
id. Re-running a run, or backfilling a date range
(`airflow backfill create --dag-id chargebee_netsuite_sync --from-date … --to-date …`),
re-reads exactly those windows; posting is idempotent (payload hashes, `eid:` upserts).

* Schedule: `CBNS_SYNC_SCHEDULE` (cron, default every 15 minutes), `catchup=False`,
  one run at a time.
* Params (manual runs): `full_resync` lists everything instead of the window; `dry_run`
  builds and checks every payload but writes nothing; `resources` limits extraction;
  `fail_on_unposted` (default `CBNS_UNPOSTED_FAILS_RUN`) fails a run that leaves new
  documents unposted.
* A run that leaves new documents quarantined, held or failed sends a notification (e-mail
  through the `cbns_notify_email` connection, JSON POST to `cbns_notify_webhook`) with counts,
  amounts and a link to the finance view.
* Data moves through the staging database; XCom carries counts only.
* Pools: `chargebee_api` (listings side by side), `netsuite_api` (one NetSuite writer).
* Retries: authentication, configuration and validation errors fail at once; 429, 5xx and
  timeouts are retried (`chargebee_netsuite.airflow.retry.ApiRetryPolicy`).
"""


@dag(
    dag_id="chargebee_netsuite_sync",
    schedule=CronDataIntervalTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    dagrun_timeout=timedelta(hours=2),
    doc_md=DOC,
    tags=["chargebee", "netsuite", "ar"],
    params={
        "full_resync": Param(
            False, type="boolean", description="List every record, not just the interval"
        ),
        "dry_run": Param(
            False, type="boolean", description="Build and check payloads; write nothing"
        ),
        "resources": Param(
            RESOURCES,
            type="array",
            items={"type": "string", "enum": RESOURCES},
            description="Chargebee resources to extract",
        ),
        "fail_on_unposted": Param(
            UNPOSTED_FAILS_RUN,
            type="boolean",
            description="End the run failed when it leaves new documents unposted",
        ),
    },
)
def chargebee_netsuite_sync() -> None:
    with TaskGroup(
        "preflight",
        tooltip="Connections, staging schema, NetSuite reference data, mapping file",
        doc_md="Prove both connections, migrate staging, refresh NetSuite reference data "
        "(SuiteQL) and parse the mapping file. A rejected key or a mapping that cannot parse "
        "stops the run here; the mapping is checked against the catalog after extraction.",
    ) as preflight:
        checked = step(task_id="check_connections")(tasks.check_connections)()
        migrated = step(task_id="migrate_staging")(tasks.migrate_staging)()
        reference = step(
            task_id="pull_reference",
            pool=NETSUITE_POOL,
            outlets=[NETSUITE_REFERENCE],
        )(tasks.pull_reference)()
        mapping = step(task_id="parse_mapping")(tasks.parse_mapping)()
        checked >> migrated >> reference >> mapping

    with TaskGroup(
        "extract",
        tooltip="One Chargebee listing per resource, in parallel",
        doc_md="Stage each Chargebee resource for the run's data interval (or all of it on a "
        "full resync), side by side within the `chargebee_api` pool. Newest "
        "`resource_version` wins, so re-reading a window changes nothing.",
    ) as extract:
        for resource in RESOURCES:
            step(
                task_id=resource,
                pool=CHARGEBEE_POOL,
                outlets=[chargebee_asset(resource)],
            )(tasks.extract)(resource=resource)

    with TaskGroup(
        "validate",
        tooltip="Mapping against the staged catalog; Great Expectations; quarantine what fails",
        doc_md="The mapping checked against what is staged (item prices, currencies, gateways; "
        "catch-all rules listed with their amounts), then Great Expectations suites over the "
        "staged documents. A failing document is "
        "quarantined with its reason and stops only itself; the step fails only if every "
        "document failed. Data Docs and reports are written under `CBNS_REPORTS_DIR`.",
    ) as validate:
        mapped = step(task_id="check_mapping", trigger_rule="none_failed")(tasks.check_mapping)()
        mapped >> step(task_id="validate_staged", trigger_rule="none_failed")(tasks.validate)()

    with TaskGroup(
        "load",
        tooltip="Transform and post to NetSuite, dependencies first",
        doc_md="Transform and upsert customers → invoices → credit memos → deletions of "
        "voided refunds → payments → refunds and chargebacks → reversals → re-applications "
        "(the loader orders them). Unchanged payloads are skipped without a "
        "request; every document gets a ledger state and, if it cannot post, a reason.",
    ) as load:
        posted = step(
            task_id="post_to_netsuite",
            pool=NETSUITE_POOL,
            outlets=[NETSUITE_AR],
            execution_timeout=timedelta(hours=1),
        )(tasks.load)()
        # Loud when documents stay unposted: notify, and fail the run if told to.
        step(task_id="notify_unposted")(tasks.notify_unposted)(posted)

    with TaskGroup(
        "reconcile",
        tooltip="Counts and open AR on both sides",
        doc_md="Counts per document kind and ledger state, and open AR per currency in "
        "Chargebee (staged) and NetSuite (SuiteQL), logged and returned through XCom.",
    ) as reconcile:
        step(task_id="summary", pool=NETSUITE_POOL)(tasks.reconcile_summary)()

    preflight >> extract >> validate >> load
    posted >> reconcile  # the summary does not wait for (or fail with) the notification


chargebee_netsuite_sync()
