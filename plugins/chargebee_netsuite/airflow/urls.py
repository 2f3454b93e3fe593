"""The paths the plugin serves on the Airflow API server, and absolute links to them.

Import-light: the operators' extra links build their URLs from these at the end of each task.
"""

from __future__ import annotations

from urllib.parse import quote

URL_PREFIX = "/chargebee-netsuite"
FINANCE_PATH = "/finance"
# The finance view: https://<airflow api server>/chargebee-netsuite/finance/
FINANCE_URL_PATH = f"{URL_PREFIX}{FINANCE_PATH}/"


def api_base_url() -> str:
    """``[api] base_url`` without its trailing slash, or "" (links relative to the UI's host)."""
    from airflow.sdk.configuration import conf

    return str(conf.get("api", "base_url", fallback="") or "").rstrip("/")


def finance_view_url() -> str:
    """The finance view (exception queue, newest reconciliation, re-drive)."""
    return f"{api_base_url()}{FINANCE_URL_PATH}"


def reconcile_report_url(run_id: str) -> str:
    """The HTML reconciliation report a run of the reconcile DAG wrote."""
    return f"{api_base_url()}{URL_PREFIX}{FINANCE_PATH}/reports/{quote(run_id, safe='')}/index.html"


def data_docs_url(run_id: str) -> str:
    """The Great Expectations Data Docs a run's validation built."""
    from chargebee_netsuite.quality.docs import run_folder

    return f"{api_base_url()}{FINANCE_URL_PATH}data-docs/{run_folder(run_id)}/index.html"
