"""Fixtures for reconciliation tests: the load tests' sandboxes, staging and sync, plus a
``reconcile`` helper over the window that covers every generated document."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chargebee_netsuite.reconcile.model import ReconcileSummary
from chargebee_netsuite.reconcile.run import reconcile

from ..load.conftest import (  # noqa: F401 - fixtures re-exported for this folder
    SITE,
    Env,
    StartEnv,
    rsa_key,
    start_env,
    start_env_any_db,
)

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


__all__ = ["SITE", "WINDOW", "Env", "StartEnv", "run_reconcile"]
