"""Operator extra links: from a task instance in the Airflow UI to what its run produced.

Airflow 3 computes a link when the task ends (in the worker, stored as an XCom) and the API
server shows it as a button on the task instance. The plugin registers the same classes, so
the API server can also build them itself for runs older than the link.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow.sdk import BaseOperatorLink

from chargebee_netsuite.airflow import urls

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.types import TaskInstanceKey


class DataDocsLink(BaseOperatorLink):
    """This run's Great Expectations Data Docs, with its quarantine table on top."""

    name = "Data Docs"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """``…/chargebee-netsuite/finance/data-docs/<run>/index.html`` (served offline by the
        finance view), or "" (a disabled button) when the run built none: it staged nothing new
        to validate."""
        from chargebee_netsuite.airflow.settings import reports_dir
        from chargebee_netsuite.finance_view.datadocs import resolve
        from chargebee_netsuite.quality.docs import run_folder

        if resolve(reports_dir(), run_folder(ti_key.run_id), "index.html") is None:
            return ""
        return urls.data_docs_url(ti_key.run_id)


class FinanceViewLink(BaseOperatorLink):
    """The finance view: exception queue, newest reconciliation, re-drive."""

    name = "Finance view"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """``…/chargebee-netsuite/finance/``."""
        return urls.finance_view_url()


class ReconciliationReportLink(BaseOperatorLink):
    """The HTML reconciliation report this run wrote."""

    name = "Reconciliation report"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        """``…/chargebee-netsuite/finance/reports/<run_id>/index.html``."""
        return urls.reconcile_report_url(ti_key.run_id)
