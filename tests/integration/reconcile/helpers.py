"""Small helpers for reconciliation tests: pick documents, edit NetSuite by hand, read findings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chargebee_netsuite.reconcile.model import ReconcileSummary

from ..load.conftest import Env
from ..load.tieout import chargebee_list


def untouched_open_invoices(env: Env) -> list[dict[str, Any]]:
    """Invoices nothing was paid, credited or adjusted against (NetSuite lets us delete them)."""
    return [
        inv
        for inv in chargebee_list(
            env.chargebee.base_url, env.chargebee_settings.test_key, "invoices"
        )
        if inv["status"] in ("posted", "payment_due", "not_paid")
        and inv["amount_due"] == inv["total"]
        and not inv.get("amount_paid")
        and not inv.get("credits_applied")
        and not inv.get("amount_adjusted")
        # A payment that was charged back in full still applies to it in NetSuite.
        and not any(p.get("txn_status") == "success" for p in inv.get("linked_payments", []))
    ]


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
