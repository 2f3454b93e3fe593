"""The webhook path in one task: drain the inbox, validate, post what changed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chargebee_netsuite.airflow.operators.base import RunContext, flag
from chargebee_netsuite.airflow.operators.chargebee import stage_inbox
from chargebee_netsuite.airflow.operators.links import DataDocsLink, FinanceViewLink
from chargebee_netsuite.airflow.operators.netsuite import (
    NetSuiteLoadOperator,
    load,
    notify_unposted,
)
from chargebee_netsuite.airflow.operators.quality import validate
from chargebee_netsuite.airflow.run_resources import run_resources

if TYPE_CHECKING:
    from airflow.sdk import Context

log = logging.getLogger(__name__)


class WebhookInboxToNetSuiteOperator(NetSuiteLoadOperator):
    """Fetch each pending inbox event from Chargebee, stage what it names, validate, post.

    One task rather than extract → validate → load: on this latency-critical path each task
    process costs seconds of start-up and a scheduler round trip, more than the work itself.
    Every stage is idempotent, so a retry runs all three again; a retry also validates and
    loads when the inbox is already empty, since the failed try may have staged documents
    before it stopped. Validation and load are skipped when no event staged anything. The
    loader plans every staged document and skips, without a request, each one whose payload
    NetSuite already has. It holds the ``netsuite_api`` slot, so it never posts while the
    scheduled sync's load does.

    :param is_dry_run: build and check every payload, write nothing (templated; default: the DAG
        param ``dry_run``, else False).
    :param mapping_path: the mapping file (templated; default ``CBNS_MAPPING_PATH``).
    """

    operator_extra_links = (DataDocsLink(), FinanceViewLink())

    def execute(self, context: Context) -> dict[str, Any]:
        """Counts per stage (``inbox``, ``validate``, ``load``) and each stage's seconds."""
        run = RunContext.of(context)
        config = self.sync_config()
        mapping_path = Path(self.mapping_path or config.mapping_path)
        seconds: dict[str, float] = {}
        result: dict[str, Any] = {"inbox": None, "validate": None, "load": None}

        def timed(stage: str, work: Callable[[], dict[str, Any]]) -> None:
            started = time.perf_counter()
            result[stage] = work()
            seconds[stage] = round(time.perf_counter() - started, 3)

        with run_resources(config) as resources:
            timed("inbox", lambda: stage_inbox(resources, run.run_id))
            if not int(result["inbox"].get("documents") or 0) and run.try_number <= 1:
                log.info("No webhook event staged a document: nothing to validate or post")
            else:
                timed(
                    "validate",
                    lambda: validate(
                        resources,
                        run.run_id,
                        mapping_path=mapping_path,
                        reports_dir=config.reports_dir,
                    ),
                )
                timed(
                    "load",
                    lambda: load(
                        resources,
                        run.run_id,
                        mapping_path=mapping_path,
                        dry_run=flag(self.is_dry_run, run.params, "dry_run"),
                    ),
                )
        log.info("Webhook stages took %s seconds", seconds)
        if result["load"] is not None:  # loud here too: new unposted documents are notified
            result["notify"] = notify_unposted(result["load"], context)
        return {**result, "seconds": seconds}
