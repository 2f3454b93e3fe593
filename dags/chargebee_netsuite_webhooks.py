"""
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

from datetime import timedelta

from airflow.sdk import dag

from chargebee_netsuite.airflow import dag_parts as parts
from chargebee_netsuite.airflow.operators import WebhookInboxToNetSuiteOperator


@dag(
    schedule=parts.webhook_schedule(),
    doc_md=__doc__,
    tags=["chargebee", "netsuite", "webhooks"],
    **parts.dag_defaults(retries=2, delay=timedelta(seconds=30), timeout=timedelta(minutes=30)),
)
def chargebee_netsuite_webhooks() -> None:
    WebhookInboxToNetSuiteOperator(
        task_id="sync_webhook_events",
        outlets=[parts.NETSUITE_AR],
        execution_timeout=timedelta(minutes=20),
    )


chargebee_netsuite_webhooks()
