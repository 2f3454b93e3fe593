"""Preflight operators: prove the connections, migrate staging, check the mapping file."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chargebee_netsuite.airflow.operators.base import ConnectorOperator
from chargebee_netsuite.airflow.run_resources import RunResources, run_resources
from chargebee_netsuite.errors import ConfigurationError

if TYPE_CHECKING:
    from airflow.sdk import Context

    from chargebee_netsuite.airflow.settings import SyncConfig

log = logging.getLogger(__name__)


def check_connections(config: SyncConfig) -> dict[str, Any]:
    """List one Chargebee customer and mint a NetSuite token.

    Errors propagate typed, so the retry policy fails a rejected key at once and retries an
    outage. The Chargebee client here is not the budgeted one: staging may not exist yet.
    """
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook

    with ChargebeeHook(config.chargebee_conn_id).get_conn() as chargebee:
        chargebee.get("/customers", {"limit": "1"})
        site = chargebee.settings.site
    with run_resources(config) as resources:
        resources.netsuite.tokens.token()
        account = resources.netsuite.config.account_id
    log.info("Chargebee site %s and NetSuite account %s are reachable", site, account)
    return {"site": site, "account": account}


def check_mapping(resources: RunResources, mapping_path: Path) -> dict[str, Any]:
    """Check the mapping against reference data and what is staged (after extraction).

    A file that does not parse fails (nothing could post). Problems with single rules are
    logged with their fix and hold only the documents they affect, at load time. Item prices
    posting through a catch-all rule are logged with their amounts.
    """
    from chargebee_netsuite.load.run import staged_usage
    from chargebee_netsuite.load.source import read_item_prices
    from chargebee_netsuite.mapping import load_mapping, validate_mapping
    from chargebee_netsuite.reference.store import read_reference_data

    mapping = load_mapping(mapping_path)
    reference = read_reference_data(resources.engine)
    with resources.engine.connect() as conn:
        item_prices = read_item_prices(conn, resources.site)
    usage = staged_usage(resources.engine, resources.site, item_prices)  # chunked: flat memory
    report = validate_mapping(mapping, reference, usage)
    if report.blocks_everything:
        raise ConfigurationError(f"{mapping_path}: {report.summary()}")
    if not report.ok or report.catch_alls:
        log.warning("%s", report.summary())
    elif report.notices:  # e.g. reason codes in use without a rule
        log.info("%s", report.summary())
    return {
        "mapping": str(mapping_path),
        "problems": len(report.problems),
        "notices": len(report.notices),
        "catch_alls": [use.as_dict() for use in report.catch_alls[:20]],
    }


class CheckConnectionsOperator(ConnectorOperator):
    """Prove both connections work: one Chargebee listing call, one NetSuite token.

    :param chargebee_conn_id: the ``chargebee`` connection.
    :param netsuite_conn_id: the ``netsuite`` connection.
    """

    def execute(self, context: Context) -> dict[str, Any]:
        """``{"site": …, "account": …}``."""
        return check_connections(self.sync_config())


class MigrateStagingOperator(ConnectorOperator):
    """Bring the staging schema up to date (Alembic; idempotent)."""

    def execute(self, context: Context) -> dict[str, Any]:
        """``{"dialect": …}``."""
        from chargebee_netsuite.staging.db import migrate

        with run_resources(self.sync_config()) as resources:
            migrate(resources.engine)
            return {"dialect": resources.engine.dialect.name}


class MappingParseOperator(ConnectorOperator):
    """Preflight's cheap check: the mapping file parses (else nothing could post).

    Checking it against the catalog waits for extraction (:class:`MappingCheckOperator`): on a
    first sync nothing is staged yet, and an empty catalog has no problems.

    :param mapping_path: the mapping YAML (templated); default ``CBNS_MAPPING_PATH``.
    """

    template_fields: Sequence[str] = ("mapping_path",)

    def __init__(self, *, mapping_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.mapping_path = mapping_path

    def execute(self, context: Context) -> dict[str, Any]:
        """``{"mapping": …, "catch_all": "allow" | "refuse"}``."""
        from chargebee_netsuite.mapping import load_mapping

        path = Path(self.mapping_path) if self.mapping_path else self.sync_config().mapping_path
        return {"mapping": str(path), "catch_all": load_mapping(path).items.catch_all}


class MappingCheckOperator(MappingParseOperator):
    """Check the mapping file against NetSuite reference data and the staged catalog.

    :param mapping_path: the mapping YAML (templated); default ``CBNS_MAPPING_PATH``.
    """

    def execute(self, context: Context) -> dict[str, Any]:
        """``{"mapping": …, "problems": n, "notices": n, "catch_alls": [...]}``."""
        config = self.sync_config()
        path = Path(self.mapping_path) if self.mapping_path else config.mapping_path
        with run_resources(config) as resources:
            return check_mapping(resources, path)
