"""
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

from airflow.sdk import dag

from chargebee_netsuite.airflow import dag_parts as parts
from chargebee_netsuite.airflow.operators import (
    GreatExpectationsValidationOperator,
    ReconcileOperator,
)


@dag(
    schedule=parts.reconcile_schedule(),
    doc_md=__doc__,
    tags=["chargebee", "netsuite", "reconciliation"],
    params=parts.RECONCILE_PARAMS,
    **parts.dag_defaults(),
)
def chargebee_netsuite_reconcile() -> None:
    (
        parts.preflight(reference=False)
        >> parts.backfill()
        >> GreatExpectationsValidationOperator(task_id="validate", trigger_rule="none_failed")
        >> ReconcileOperator(task_id="reconcile", outlets=[parts.RECONCILIATION])
        # Post what reconciliation re-queued; everything else is unchanged and skipped.
        >> parts.load()
    )


chargebee_netsuite_reconcile()
