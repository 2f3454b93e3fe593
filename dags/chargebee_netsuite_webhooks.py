"""chargebee_netsuite_webhooks: post what Chargebee webhooks announce, seconds after arrival."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, dag, task

from chargebee_netsuite.airflow import tasks
from chargebee_netsuite.airflow.assets import webhooks_asset
from chargebee_netsuite.airflow.pools import NETSUITE_POOL
from chargebee_netsuite.airflow.retry import POLICY, default_args

# The safety net: a run on this schedule takes whatever is pending even if no asset event
# ever came (Airflow was down when the id arrived, or recording the event failed).
SAFETY_NET = os.environ.get("CBNS_WEBHOOK_SCHEDULE", "*/10 * * * *")
WEBHOOKS = webhooks_asset()
NETSUITE_AR = Asset(name="netsuite/ar", uri=f"netsuite://{tasks.NETSUITE_CONN_ID}/ar")

DOC = """
### Chargebee webhooks → NetSuite

The webhook receiver (on the Airflow API server, `/chargebee-netsuite/…`) stores only the
event ids it is sent, in the staging inbox, answers Chargebee, and then records an **asset
event** on `chargebee://chargebee_default/webhooks`. This DAG is scheduled on that asset, so
a run starts within a scheduler loop of the webhook's arrival. The run takes *every* pending
id, fetches each event and the resources it names **from the Chargebee API** (a pushed body is
never trusted), validates, and posts what changed. Duplicate and out-of-order deliveries are
harmless: ids are deduplicated and the newest `resource_version` wins.

**Why an asset event recorded by the receiver.** It is Airflow's own event-driven
scheduling, with no polling: the receiver records the event in the API server's process with
the same call as `POST /api/v2/assets/events` (no token needed, no HTTP round trip), right
after the ids are committed. An `AssetWatcher` trigger polling the inbox would add a poll
interval and a query a second for something the receiver knows at once.

**Bursts coalesce.** The receiver records at most about two asset events a second however
many webhooks arrive, and with `max_active_runs=1` Airflow keeps every event that arrives
while a run is active queued into *one* next run; each run drains the whole inbox. Runs never
overlap, so no document is posted by two runs at once.

**Nothing waits forever.** The id is in the inbox before the asset event is recorded; if
recording fails (or Airflow is down), the id waits there, and the safety-net schedule
(`CBNS_WEBHOOK_SCHEDULE`, default every 10 minutes) takes it.

**One task.** Extract, validate and load run in one task process: each extra task process
costs seconds of start-up and a scheduler round trip, more than the work on a few events.
The task is retried as a whole (every stage is idempotent) and logs each stage's time. It
holds the single `netsuite_api` slot, so it never posts while the scheduled sync's load does.
"""


@dag(
    dag_id="chargebee_netsuite_webhooks",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(SAFETY_NET, timezone="UTC"), assets=[WEBHOOKS]
    ),
    start_date=datetime(2024, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=default_args(retries=2, delay=timedelta(seconds=30)),
    dagrun_timeout=timedelta(minutes=30),
    doc_md=DOC,
    tags=["chargebee", "netsuite", "webhooks"],
)
def chargebee_netsuite_webhooks() -> None:
    task(
        task_id="sync_webhook_events",
        retry_policy=POLICY,
        multiple_outputs=False,  # one small XCom: counts per stage
        pool=NETSUITE_POOL,
        outlets=[NETSUITE_AR],
        execution_timeout=timedelta(minutes=20),
        doc_md="Fetch each pending inbox event with `GET /events/{id}`, re-read every "
        "resource it names and stage it (unknown ids are rejected, transient failures stay "
        "pending); run the data-quality suites (failing documents are quarantined); post "
        "what changed (unchanged payloads are skipped without a request). Validation and "
        "load are skipped when no event staged anything.",
    )(tasks.sync_webhook_events)()


chargebee_netsuite_webhooks()
