"""chargebee_netsuite_webhooks: drain the webhook inbox every minute and post what changed."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, CronTriggerTimetable, TaskGroup, dag, task

from chargebee_netsuite.airflow import tasks
from chargebee_netsuite.airflow.pools import CHARGEBEE_POOL, NETSUITE_POOL
from chargebee_netsuite.airflow.retry import POLICY, default_args

SCHEDULE = os.environ.get("CBNS_WEBHOOK_SCHEDULE", "* * * * *")
INBOX = Asset(name="chargebee/webhook_inbox", uri=f"chargebee://{tasks.CHARGEBEE_CONN_ID}/events")
NETSUITE_AR = Asset(name="netsuite/ar", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/ar")


def step(task_id: str, **kwargs: Any) -> Any:
    """``@task`` with the project's retry policy; its dict result is one small XCom."""
    return task(task_id=task_id, retry_policy=POLICY, multiple_outputs=False, **kwargs)


DOC = """
### Chargebee webhooks → NetSuite

The webhook receiver (on the Airflow API server, `/chargebee-netsuite/…`) stores only the
event ids it is sent, in the staging inbox. Every minute this DAG takes the pending ids,
fetches each event and the resources it names **from the Chargebee API** (a pushed body is
never trusted), validates, and posts what changed. Duplicate and out-of-order deliveries are
harmless: ids are deduplicated and the newest `resource_version` wins.

A short schedule over the inbox keeps everything in ordinary Airflow runs (visible,
retried, paused with the DAG) and bounds the delay from receipt to NetSuite at about one
minute plus a run. It shares the `netsuite_api` pool with `chargebee_netsuite_sync`, so the
two never write to NetSuite at the same time. Schedule: `CBNS_WEBHOOK_SCHEDULE`.
"""


@dag(
    dag_id="chargebee_netsuite_webhooks",
    schedule=CronTriggerTimetable(SCHEDULE, timezone="UTC"),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2, delay=timedelta(seconds=30)),
    dagrun_timeout=timedelta(minutes=30),
    doc_md=DOC,
    tags=["chargebee", "netsuite", "webhooks"],
)
def chargebee_netsuite_webhooks() -> None:
    with TaskGroup(
        "extract",
        tooltip="Pending inbox events → staging",
        doc_md="Fetch each pending event with `GET /events/{id}`, re-read every resource it "
        "names, and stage it; unknown ids are rejected, transient failures stay pending.",
    ) as extract:
        inbox = step(
            task_id="process_inbox",
            pool=CHARGEBEE_POOL,
            outlets=[INBOX],
        )(tasks.process_inbox)()

    with TaskGroup(
        "validate",
        tooltip="Great Expectations over staging",
        doc_md="The same suites as the scheduled sync; failing documents are quarantined.",
    ) as validate:
        step(task_id="validate_staged")(tasks.validate_webhook_changes)(inbox)

    with TaskGroup(
        "load",
        tooltip="Post the changed documents",
        doc_md="Posts what the events changed (unchanged payloads are skipped without a "
        "request). Validation and load are skipped when no event staged anything.",
    ) as load:
        step(
            task_id="post_to_netsuite",
            pool=NETSUITE_POOL,
            outlets=[NETSUITE_AR],
            execution_timeout=timedelta(minutes=20),
        )(tasks.load_webhook_changes)()

    extract >> validate >> load


chargebee_netsuite_webhooks()
