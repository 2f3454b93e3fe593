"""
### Chargebee → NetSuite AR sync

Every run reads the Chargebee records changed in its **data interval** (plus a 10-minute
overlap), validates what is staged, and upserts the matching NetSuite AR records by external
id. Re-running a run, or backfilling a date range
(`airflow backfill create --dag-id chargebee_netsuite_sync --from-date … --to-date …`),
re-reads exactly those windows; posting is idempotent (payload hashes, `eid:` upserts).

* Schedule: `CBNS_SYNC_SCHEDULE` (cron, default every 15 minutes), `catchup=False`,
  one run at a time.
* Params (manual runs): `full_resync` lists everything instead of the window; `dry_run`
  builds and checks every payload, writes nothing, and writes a per-line report (NetSuite
  item, account, dimensions, amount; totals per account and currency) under
  `CBNS_REPORTS_DIR/dry_run/`; `resources` limits extraction. With `CBNS_DRY_RUN_DEFAULT=1`
  (a new account, until you confirm) `dry_run` is on unless a manual run turns it off;
  `fail_on_unposted` (default `CBNS_UNPOSTED_FAILS_RUN`) fails a run that leaves new
  documents unposted.
* The mapping is parsed in preflight and checked against what is staged after extraction (a
  first sync checks the real catalog, not an empty one); item prices that post through a
  catch-all rule are logged with their amounts.
* A run that leaves new documents quarantined, held or failed sends a notification (e-mail
  through the `cbns_notify_email` connection, JSON POST to `cbns_notify_webhook`) with counts,
  amounts and a link to the finance view.
* Data moves through the staging database; XCom carries counts only.
* Pools: `chargebee_api` (listings side by side), `netsuite_api` (one NetSuite writer).
* Retries: authentication, configuration and validation errors fail at once; 429, 5xx and
  timeouts are retried (`chargebee_netsuite.airflow.retry.ApiRetryPolicy`).
"""

from airflow.sdk import dag

from chargebee_netsuite.airflow import dag_parts as parts
from chargebee_netsuite.airflow.operators import (
    GreatExpectationsValidationOperator,
    MappingCheckOperator,
    ReconcileSummaryOperator,
)


@dag(
    schedule=parts.sync_schedule(),
    doc_md=__doc__,
    tags=["chargebee", "netsuite", "ar"],
    params=parts.sync_params(),
    **parts.dag_defaults(),
)
def chargebee_netsuite_sync() -> None:
    (
        parts.preflight()
        >> parts.extract()
        >> MappingCheckOperator(task_id="check_mapping", trigger_rule="none_failed")
        # A resource left out of the `resources` param is skipped; validation still runs.
        >> GreatExpectationsValidationOperator(task_id="validate", trigger_rule="none_failed")
        >> parts.load()
        >> ReconcileSummaryOperator(task_id="reconcile")
    )


chargebee_netsuite_sync()
