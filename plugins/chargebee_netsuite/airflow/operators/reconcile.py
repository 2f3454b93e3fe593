"""Reconciliation: the headline after a sync, and the full NetSuite ↔ Chargebee tie-out."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chargebee_netsuite.airflow.operators.base import RunContext
from chargebee_netsuite.airflow.operators.links import FinanceViewLink, ReconciliationReportLink
from chargebee_netsuite.airflow.operators.netsuite import NetSuiteOperator
from chargebee_netsuite.airflow.run_resources import RunResources, run_resources

if TYPE_CHECKING:
    from airflow.sdk import Context

log = logging.getLogger(__name__)


def headline(resources: RunResources, run_id: str) -> dict[str, Any]:
    """Counts per document kind and state, every unposted document by cause, the item prices
    catch-all rules decide, and open AR per currency on both sides."""
    from chargebee_netsuite.reconcile.headline import (
        ar_comparison,
        catch_alls,
        ledger_overview,
        quarantined,
    )
    from chargebee_netsuite.reconcile.unposted import unposted_report

    engine, site = resources.engine, resources.site
    overview = ledger_overview(engine, site)
    ar = ar_comparison(engine, resources.netsuite, site)
    held = quarantined(engine, site)
    # Every cause in one vocabulary, and the item prices catch-all rules decide.
    with engine.connect() as conn:
        unposted = unposted_report(conn, site, run_id).as_dict()["all"]
    catch_all = catch_alls(engine, site, resources.config.mapping_path, limit=20)
    for code, row in ar.items():
        log.info(
            "Open AR %s: Chargebee %s, NetSuite %s (difference %s)",
            code,
            row["chargebee"],
            row["netsuite"],
            row["difference"],
        )
    log.info("Ledger by kind and state: %s", overview["by_kind"])
    log.info("Not posted: %s", unposted)
    for item in catch_all["items"]:
        log.warning("Catch-all: %s", item["message"])
    return {
        "by_kind": overview["by_kind"],
        "not_posted": overview["not_posted_total"],
        "quarantined": len(held),
        "unposted": unposted,
        "catch_alls": catch_all,
        "open_ar": ar,
    }


def period(
    start: str | datetime | None, end: str | datetime | None, interval_end: datetime | None
) -> tuple[datetime, datetime]:
    """The period to reconcile: month to date at the run's interval end, unless overridden."""
    from chargebee_netsuite.reconcile.run import month_to_date

    end_at = _moment(end) or interval_end
    first, end_at = month_to_date(end_at)
    return _moment(start) or first, end_at


def _moment(value: str | datetime | None) -> datetime | None:
    # A rendered template of an unset param reads "None".
    if value is None or isinstance(value, datetime):
        return value
    text = str(value).strip()
    return datetime.fromisoformat(text) if text and text != "None" else None


class ReconcileSummaryOperator(NetSuiteOperator):
    """Log and return the headline numbers: documents per kind and ledger state, quarantined
    documents, and open AR per currency in Chargebee (staged) and NetSuite (SuiteQL), with
    NetSuite's currency ids read from the staged reference data.
    """

    operator_extra_links = (FinanceViewLink(),)

    def execute(self, context: Context) -> dict[str, Any]:
        """``{"by_kind", "not_posted", "quarantined", "unposted", "catch_alls", "open_ar"}``."""
        with run_resources(self.sync_config()) as resources:
            return headline(resources, RunContext.of(context).run_id)


class ReconcileOperator(NetSuiteOperator):
    """Compare NetSuite (SuiteQL) with staged Chargebee and the ledger over a period.

    Missing in NetSuite → re-queued for the next load; a different total, currency, customer
    or status, a record edited in NetSuite, or one Chargebee does not know → flagged. The
    report (HTML with charts, CSV, JSON) goes to ``<reports_dir>/reconcile/<run_id>/``; the
    task's links open it and the finance view.

    :param window_start: period start, ISO date (templated; default: the DAG param
        ``window_start``, else the first of the month).
    :param window_end: period end, ISO date (templated; default: the DAG param
        ``window_end``, else the run's data interval end).
    """

    template_fields: Sequence[str] = ("window_start", "window_end")
    operator_extra_links = (ReconciliationReportLink(), FinanceViewLink())

    def __init__(
        self,
        *,
        window_start: str | datetime | None = None,
        window_end: str | datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.window_start = window_start
        self.window_end = window_end

    def execute(self, context: Context) -> dict[str, Any]:
        """The report's counts (matched, re-queued, flagged) and where it is."""
        from chargebee_netsuite.reconcile.run import reconcile

        run = RunContext.of(context)
        start, end = period(
            self.window_start or run.params.get("window_start"),
            self.window_end or run.params.get("window_end"),
            run.data_interval_end,
        )
        config = self.sync_config()
        with run_resources(config) as resources:
            summary = reconcile(
                resources.engine,
                resources.netsuite,
                resources.site,
                start,
                end,
                run.run_id,
                config.reports_dir,
                time_zone=config.time_zone,
            )
        return summary.as_dict()
