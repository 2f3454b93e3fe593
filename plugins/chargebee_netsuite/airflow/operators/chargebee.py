"""Chargebee → staging: one resource's listing for the run's interval, or the webhook inbox."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowSkipException

from chargebee_netsuite.airflow.operators.base import ConnectorOperator, RunContext, flag
from chargebee_netsuite.airflow.pools import CHARGEBEE_POOL
from chargebee_netsuite.airflow.run_resources import RunResources, run_resources
from chargebee_netsuite.errors import ConfigurationError
from chargebee_netsuite.extract.resources import RESOURCES

if TYPE_CHECKING:
    from airflow.sdk import Context

    from chargebee_netsuite.extract.windows import Window

log = logging.getLogger(__name__)


def selected_resources(chosen: Sequence[str] | None) -> list[str]:
    """The resources a run extracts: ``chosen``, or all of them, in dependency order."""
    wanted = list(chosen or RESOURCES)
    unknown = sorted(set(wanted) - set(RESOURCES))
    if unknown:
        raise ConfigurationError(f"unknown resources {unknown}; choose from {list(RESOURCES)}")
    return [r for r in RESOURCES if r in wanted]


def window_from_interval(start: datetime | None, end: datetime | None) -> Window | None:
    """The extraction window of a run's data interval; ``None`` when the run has none."""
    from chargebee_netsuite.extract.windows import Window

    if start is None or end is None or end <= start:
        return None
    return Window(start, end)


def stage_resource(
    resources: RunResources, resource: str, window: Window | None, run_id: str, *, full: bool
) -> dict[str, Any]:
    """Stage one resource for ``window`` (everything when None or ``full``); small counts."""
    from chargebee_netsuite.extract.documents import extract_resource

    stats = extract_resource(
        resources.chargebee, resources.engine, resource, window, run_id=run_id, full=full
    )
    result = stats.as_dict()
    if window is not None:
        result["window"] = [window.start.isoformat(), window.end.isoformat()]
    return result


def stage_inbox(resources: RunResources, run_id: str) -> dict[str, Any]:
    """Fetch the webhook inbox's pending events from Chargebee and stage what they name.

    Its requests draw on the site's shared budget too, since it may run beside extractions.
    """
    from chargebee_netsuite.extract.events import process_events
    from chargebee_netsuite.staging.chargebee_queries import pending_event_ids

    with resources.engine.connect() as conn:
        pending = pending_event_ids(conn, resources.site)
    if not pending:
        return {"pending": 0, "processed": 0, "documents": 0}
    stats = process_events(resources.chargebee, resources.engine, pending, run_id=run_id)
    result = stats.as_dict()
    result["pending"] = len(pending)
    log.info("Webhook inbox: %s", result)
    return result


class ChargebeeToStagingOperator(ConnectorOperator):
    """Stage one Chargebee resource for the run's data interval (or all of it).

    A run without a data interval, or with ``full_resync``, lists everything. The task is
    skipped when ``resource`` is not among ``chargebee_resources``. Listings run side by side
    in the ``chargebee_api`` pool, each drawing on one request budget for the site kept in
    staging, so a finished listing's budget goes to those still running.

    :param resource: ``customers``, ``items``, ``item_prices``, ``invoices``,
        ``credit_notes`` or ``transactions`` (templated).
    :param full_resync: list everything, not just the interval (templated; default: the DAG
        param ``full_resync``, else False).
    :param chargebee_resources: the resources this run extracts (default: the DAG param
        ``resources``, else all).
    :param chargebee_conn_id: the ``chargebee`` connection.
    """

    template_fields: Sequence[str] = ("resource", "full_resync", "chargebee_resources")

    def __init__(
        self,
        *,
        resource: str,
        full_resync: bool | str | None = None,
        chargebee_resources: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("pool", CHARGEBEE_POOL)
        super().__init__(**kwargs)
        self.resource = resource
        self.full_resync = full_resync
        self.chargebee_resources = chargebee_resources

    def execute(self, context: Context) -> dict[str, Any]:
        """The listing's counts (documents, pages, window)."""
        run = RunContext.of(context)
        chosen = self.chargebee_resources
        if chosen is None:
            chosen = run.params.get("resources")
        if self.resource not in selected_resources(chosen):
            raise AirflowSkipException(f"{self.resource} is not in this run's resources")
        window = window_from_interval(run.data_interval_start, run.data_interval_end)
        full = flag(self.full_resync, run.params, "full_resync")
        with run_resources(self.sync_config()) as resources:
            return stage_resource(resources, self.resource, window, run.run_id, full=full)
