"""The reconciliation report on disk: an HTML page for people, CSV and JSON for machines.

Everything lands in ``<reports_dir>/reconcile/<run_id>/``; the page is self-contained (inline
CSS and SVG), so it opens from a file share or an e-mail without Airflow or the internet.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chargebee_netsuite.rendering import render

from .charts import chart_groups, vega_lite_spec
from .model import FINDING_DETAIL_FIELDS

_SAFE_RUN = re.compile(r"[^A-Za-z0-9._+-]")


def run_dir(reports_dir: Path | str, run_id: str) -> Path:
    """``<reports_dir>/reconcile/<run_id>`` (the run id made safe for a path)."""
    name = _SAFE_RUN.sub("_", run_id)
    # "." and ".." survive the character filter but name the folder itself or its parent:
    # a run id made only of dots must not write outside its own folder.
    if not name.strip("."):
        name = "run_" + name.replace(".", "_")
    return Path(reports_dir) / "reconcile" / name


def render_html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page (``templates/report.html.j2``)."""
    groups = chart_groups(report["figures"]["totals"])
    return str(
        render("chargebee_netsuite.reconcile", "report.html.j2", report=report, groups=groups)
    )


def _csv(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def write_report(reports_dir: Path | str, report: dict[str, Any]) -> Path:
    """Write ``index.html``, ``report.json``, the CSV files and ``chart.vl.json``."""
    target = run_dir(reports_dir, report["run_id"])
    target.mkdir(parents=True, exist_ok=True)
    report.setdefault("charts", vega_lite_spec(report["figures"]["totals"]))
    (target / "index.html").write_text(render_html(report), encoding="utf-8")
    (target / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    (target / "chart.vl.json").write_text(json.dumps(report["charts"], indent=2), "utf-8")
    figures = report["figures"]
    money = ["chargebee", "netsuite", "difference"]
    _csv(target / "totals.csv", figures["totals"], ["subsidiary", "currency", "measure", *money])
    _csv(
        target / "customers.csv",
        figures["customers"],
        ["subsidiary", "currency", "customer_id", "measure", *money],
    )
    _csv(
        target / "documents.csv",
        figures["documents"],
        [
            "subsidiary",
            "currency",
            "customer_id",
            "kind",
            "id",
            "external_id",
            "netsuite_id",
            "measure",
            *money,
        ],
    )
    _csv(
        target / "findings.csv",
        report["findings"],
        ["check", "action", "source_kind", "source_id", *FINDING_DETAIL_FIELDS],
    )
    _csv(
        target / "exceptions.csv",
        report["exceptions"],
        [
            "since",
            "kind",
            "id",
            "label",
            "customer_name",
            "customer_email",
            "currency",
            "amount",
            "role",
            "state",
            "code",
            "reason",
            "fix",
            "external_id",
            "attempts",
        ],
    )
    return target
