"""A quiet, file-less Great Expectations context whose only Data Docs site is a given folder.

Great Expectations takes seconds to import, so nothing here imports it at module level: DAG
files can import the quality package without paying for it.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

DOCS_SITE = "run_docs"
DATASOURCE = "staging"


def quiet_gx() -> None:
    """Silence GX's info-level chatter (e.g. "Skipping registering function …" at import)."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


def build_context(docs_dir: Path) -> Any:
    """An ephemeral GX context (in-memory stores) that builds Data Docs into ``docs_dir`` only.

    No temporary docs site, no progress bars, no usage analytics (the workers have no
    internet, and a report must not depend on it).
    """
    quiet_gx()
    with warnings.catch_warnings():
        # GX 1.24 still imports sre_constants/sre_parse, deprecated since Python 3.11.
        warnings.simplefilter("ignore", DeprecationWarning)
        import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def add_staging_datasource(context: Any, engine: Engine) -> Any:
    """A GX data source on the staging database behind ``engine`` (SQLite or Postgres).

    GX builds its own SQLAlchemy engine from the URL; the URL never reaches the Data Docs.
    """
    url = engine.url.render_as_string(hide_password=False)
    if engine.dialect.name == "postgresql":
        return context.data_sources.add_postgres(
            DATASOURCE, connection_string=url, create_temp_table=False
        )
    if engine.dialect.name == "sqlite":
        return context.data_sources.add_sqlite(
            DATASOURCE, connection_string=url, create_temp_table=False
        )
    raise NotImplementedError(
        f"quality checks support SQLite and PostgreSQL, not {engine.dialect.name}"
    )


def dispose_datasource(datasource: Any) -> None:
    """Close the connections GX opened (Postgres would otherwise keep them until collected)."""
    try:
        datasource.get_execution_engine().engine.dispose()
    finally:
        datasource.get_engine().dispose()
