"""What the finance view needs to know: where staging, reports and the mapping are, which DAGs
it reads and triggers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SYNC_DAG_ID = "chargebee_netsuite_sync"
RECONCILE_DAG_ID = "chargebee_netsuite_reconcile"


@dataclass(frozen=True)
class ViewSettings:
    """The view's configuration, read lazily on the first request."""

    staging_url: str
    site: str | None = None  # None: the site of the newest report, else the only site
    sync_dag_id: str = SYNC_DAG_ID
    reconcile_dag_id: str = RECONCILE_DAG_ID
    # The API server's own URL for the re-drive trigger; None: the URL the browser used.
    api_base_url: str | None = None
    # Where validation writes Data Docs (``<reports_dir>/data_docs/<run>/``); None: none.
    reports_dir: Path | None = None
    # The mapping file, to name item prices posting through a catch-all; None: not shown.
    mapping_path: Path | None = None


def settings_from_environment() -> ViewSettings:
    """Settings from the API server's environment and Airflow configuration (the same
    variables the DAGs read: ``CBNS_REPORTS_DIR``, ``CBNS_MAPPING_PATH``)."""
    from chargebee_netsuite.airflow.settings import MAPPING_PATH_ENV, reports_dir, staging_url

    api_base = os.environ.get("CBNS_API_BASE_URL") or None
    if api_base is None:
        try:
            from airflow.configuration import conf

            api_base = conf.get("api", "base_url", fallback="") or None
        except Exception:
            api_base = None
    mapping = os.environ.get(MAPPING_PATH_ENV, "").strip()
    return ViewSettings(
        staging_url=staging_url(),
        site=os.environ.get("CBNS_SITE") or None,
        api_base_url=api_base,
        reports_dir=reports_dir(),
        mapping_path=Path(mapping) if mapping else None,
    )
