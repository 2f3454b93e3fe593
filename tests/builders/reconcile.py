"""Reconciliation helpers: run it over all generated history, pick documents, read findings."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.builders.netsuite_env import SITE, Env

from chargebee_netsuite.reconcile.model import ReconcileSummary
from chargebee_netsuite.reconcile.run import reconcile


def report_of(summary: ReconcileSummary) -> dict[str, Any]:
    """The run's ``report.json``."""
    assert summary.report_dir is not None
    report: dict[str, Any] = json.loads((Path(summary.report_dir) / "report.json").read_text())
    return report


def findings_for(summary: ReconcileSummary, source_id: str) -> list[dict[str, Any]]:
    """The run's findings about one Chargebee document."""
    return [f for f in report_of(summary)["findings"] if f["source_id"] == source_id]


def advance_netsuite_clock(env: Env, seconds: int) -> None:
    """Move the NetSuite sandbox clock forward, so a later edit is clearly after our writes."""
    env.ns_admin("POST", "/clock/advance", {"seconds": seconds})


# The Chargebee generator dates documents from 2015 on; one wide window sees all of them.
WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def run_reconcile(env: Env, run_id: str, reports: Path, **kwargs: Any) -> ReconcileSummary:
    """Reconcile the whole generated history of the sandbox site."""
    return reconcile(
        env.engine,
        env.netsuite_client(),
        SITE,
        WINDOW[0],
        WINDOW[1],
        run_id,
        reports,
        **kwargs,
    )
