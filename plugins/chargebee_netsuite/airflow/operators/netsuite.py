"""Staging → NetSuite: the reference-data pull, and the load (transform and upsert)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chargebee_netsuite.airflow.operators.base import ConnectorOperator, RunContext, flag
from chargebee_netsuite.airflow.operators.links import FinanceViewLink
from chargebee_netsuite.airflow.pools import NETSUITE_POOL
from chargebee_netsuite.airflow.run_resources import RunResources, run_resources

if TYPE_CHECKING:
    from airflow.sdk import BaseOperatorLink, Context

    from chargebee_netsuite.airflow.settings import SyncConfig


def load(
    resources: RunResources, run_id: str, *, mapping_path: Path, dry_run: bool, full: bool = False
) -> dict[str, Any]:
    """Post every staged document to NetSuite, dependencies first; unchanged ones skipped.

    The result carries ``unposted``: every document the run leaves quarantined, held or
    failed, by cause, with amounts, and which of them are new since before this load.
    """
    from chargebee_netsuite.load.run import SyncSettings, sync
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.reconcile.unposted import after_load, exception_keys
    from chargebee_netsuite.reference.store import read_reference_data
    from chargebee_netsuite.transform.model import TransformSettings

    config: SyncConfig = resources.config
    mapping = load_mapping(mapping_path)
    settings = SyncSettings(
        TransformSettings(config.time_zone, line_service_dates=config.line_service_dates)
    )
    # What did not post before this run, so that the notification names only new ones.
    with resources.engine.connect() as conn:
        before = exception_keys(conn, resources.site)
    summary = sync(
        resources.engine,
        resources.netsuite,
        mapping,
        read_reference_data(resources.engine),
        run_id,
        site=resources.site,
        settings=settings,
        dry_run=dry_run,
        reports_dir=config.reports_dir,  # a dry run writes its per-line report there
        full=full,  # full_resync: plan every document, not only what changed
    )
    result = summary.as_dict()
    if not dry_run:  # a dry run changes no ledger state
        result["unposted"] = after_load(
            resources.engine, resources.site, run_id, before, config.reports_dir
        )
    return result


def notify_unposted(load_result: dict[str, Any], context: Context) -> dict[str, Any]:
    """Notify (e-mail, webhook) when the load left NEW documents unposted; fail the run too
    when the ``fail_on_unposted`` param (``CBNS_UNPOSTED_FAILS_RUN``) says so."""
    from chargebee_netsuite.airflow.notifiers import notify_unposted as send
    from chargebee_netsuite.airflow.notifiers import unposted_fails_run

    params = RunContext.of(context).params
    return send(load_result, context, fail=unposted_fails_run(params))


class NetSuiteOperator(ConnectorOperator):
    """Base of the tasks that call NetSuite: in the one-slot ``netsuite_api`` pool by default.

    NetSuite governs concurrency per account, and one task already keeps the connection's
    ``concurrency`` requests in flight; a second writer would double that and earn 429s.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("pool", NETSUITE_POOL)
        super().__init__(**kwargs)


class NetSuiteReferenceOperator(NetSuiteOperator):
    """Refresh NetSuite reference data (accounts, items, dimensions, currencies, periods)
    in staging through SuiteQL.

    :param netsuite_conn_id: the ``netsuite`` connection.
    """

    def execute(self, context: Context) -> dict[str, int]:
        """Rows staged per reference kind."""
        from chargebee_netsuite.reference.pull import refresh_reference_data

        with run_resources(self.sync_config()) as resources:
            return refresh_reference_data(resources.netsuite, resources.engine)


class NetSuiteLoadOperator(NetSuiteOperator):
    """Transform the staged documents and upsert them into NetSuite.

    Customers → invoices → credit memos → deletions of voided refunds → payments → refunds
    and chargebacks → reversals → re-applications (the loader orders them). Every write is a
    ``PUT /record/v1/{type}/eid:{externalId}`` upsert; a payload whose hash NetSuite already
    has is skipped without a request; every document gets a ledger state and, if it cannot
    post, a reason. The client comes from ``NetSuiteHook``: it mints the M2M token, reuses it
    for its hour and re-mints it once on a 401.

    :param is_dry_run: build and check every payload, write nothing (templated; default: the DAG
        param ``dry_run``, else False).
    :param mapping_path: the mapping file (templated; default ``CBNS_MAPPING_PATH``).
    :param netsuite_conn_id: the ``netsuite`` connection.
    :param chargebee_conn_id: the ``chargebee`` connection (its site names the documents).
    """

    template_fields: Sequence[str] = ("is_dry_run", "mapping_path")
    operator_extra_links: Collection[BaseOperatorLink] = (FinanceViewLink(),)

    def __init__(
        self,
        *,
        is_dry_run: bool | str | None = None,
        mapping_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.is_dry_run = is_dry_run
        self.mapping_path = mapping_path

    def execute(self, context: Context) -> dict[str, Any]:
        """Counts per state, writes, requests."""
        run = RunContext.of(context)
        config = self.sync_config()
        with run_resources(config) as resources:
            result = load(
                resources,
                run.run_id,
                mapping_path=Path(self.mapping_path or config.mapping_path),
                dry_run=flag(self.is_dry_run, run.params, "dry_run"),
                full=flag(None, run.params, "full_resync"),
            )
        result["notify"] = notify_unposted(result, context)
        return result
