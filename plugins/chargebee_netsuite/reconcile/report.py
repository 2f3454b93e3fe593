"""The reconciliation report on disk: an HTML page for people, CSV and JSON for machines.

Everything lands in ``<reports_dir>/reconcile/<run_id>/``; the page is self-contained (inline
CSS and SVG), so it opens from a file share or an e-mail without Airflow or the internet.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from .charts import bars_svg, vega_lite_spec

MEANINGS = {
    "billed": "Σ total of the Chargebee invoices dated in the period (voided and deleted ones "
    "left out) beside the NetSuite total of the invoices posted for them.",
    "credited": "Σ total of the Chargebee credit notes dated in the period beside the NetSuite "
    "credit memos posted for them.",
    "collected": "Σ amount of the successful Chargebee payments in the period beside the "
    "NetSuite customer payments posted for them.",
    "refunded": "Σ amount of the successful Chargebee refunds and chargebacks in the period "
    "beside the NetSuite customer refunds posted for them.",
    "outstanding": "Σ amount due of those Chargebee invoices now beside the amount remaining "
    "on the NetSuite invoices (open AR of the period's invoices), counting what a chargeback "
    "re-opened on an invoice whose payment's period was closed where NetSuite holds it: on the "
    "debit invoice (see Document links).",
    "difference": "Chargebee minus NetSuite, exact to the cent (or whole unit for JPY/KRW). "
    "A document missing in NetSuite counts as zero there.",
}
CHECK_WORDS = {
    "missing": "In Chargebee, not in NetSuite",
    "mismatch": "Different in NetSuite",
    "edited": "Edited in NetSuite by hand",
    "unknown": "In NetSuite, unknown to Chargebee",
}
_SAFE_RUN = re.compile(r"[^A-Za-z0-9._+-]")

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#1b1b1b}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:14px;margin:16px 0 6px} .muted{color:#666;font-size:13px}
table{border-collapse:collapse;font-size:13px;margin:6px 0 12px}
th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f5f7} td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.diff td{background:#fff3f0} .chips span{display:inline-block;margin:4px 8px 4px 0;
padding:4px 10px;border-radius:12px;background:#eef2f7;font-size:13px}
.chips span.bad{background:#ffe1dc} .group{display:flex;gap:24px;flex-wrap:wrap}
details{margin:4px 0} code{font-size:12px}
"""


def run_dir(reports_dir: Path | str, run_id: str) -> Path:
    """``<reports_dir>/reconcile/<run_id>`` (the run id made safe for a path)."""
    name = _SAFE_RUN.sub("_", run_id)
    # "." and ".." survive the character filter but name the folder itself or its parent:
    # a run id made only of dots must not write outside its own folder.
    if not name.strip("."):
        name = "run_" + name.replace(".", "_")
    return Path(reports_dir) / "reconcile" / name


def _td(value: Any, numeric: bool = False) -> str:
    text = "" if value is None else escape(str(value))
    return f'<td class="num">{text}</td>' if numeric else f"<td>{text}</td>"


def _table(rows: Sequence[dict[str, Any]], columns: Sequence[str], numeric: set[str]) -> str:
    if not rows:
        return '<p class="muted">None.</p>'
    head = "".join(f"<th>{escape(c.replace('_', ' '))}</th>" for c in columns)
    body = []
    for row in rows:
        diff = row.get("difference") not in (None, "0", "0.00", "0.0")
        cls = ' class="diff"' if "difference" in row and diff else ""
        cells = "".join(_td(row.get(c), c in numeric) for c in columns)
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _groups(totals: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in totals:
        groups.setdefault((row["subsidiary"], row["currency"]), []).append(row)
    return groups


def render_html(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML page."""
    money = {"chargebee", "netsuite", "difference"}
    figures = report["figures"]
    counts = report["summary"]["counts"]
    chips = [
        f'<span class="{"bad" if counts.get(check) else ""}">{escape(words)}: '
        f"{counts.get(check, 0)}</span>"
        for check, words in CHECK_WORDS.items()
    ]
    chips.append(f"<span>Re-queued: {report['summary']['requeued']}</span>")
    chips.append(
        f'<span class="{"bad" if report["exceptions"] else ""}">Exception queue: '
        f"{len(report['exceptions'])}</span>"
    )
    sections = []
    for (subsidiary, currency), rows in _groups(figures["totals"]).items():
        table = _table(rows, ["measure", "chargebee", "netsuite", "difference"], money)
        sections.append(
            f"<div><h3>{escape(subsidiary)} · {escape(currency)}</h3>"
            f'<div class="group"><div>{table}</div><div>{bars_svg(rows)}</div></div></div>'
        )
    meanings = "".join(
        f"<tr><th>{escape(name)}</th><td>{escape(text)}</td></tr>"
        for name, text in MEANINGS.items()
    )
    audits = []
    for trail in report.get("audit", []):
        attempts = _table(
            trail["attempts"],
            ["attempted_at", "run_id", "role", "outcome", "netsuite_id", "status_code", "error"],
            set(),
        )
        ledger = _table(
            trail["ledger"],
            ["role", "state", "netsuite_type", "netsuite_id", "posted_hash", "posted_at", "reason"],
            set(),
        )
        audits.append(
            f'<details id="audit-{escape(trail["kind"])}-{escape(trail["id"])}"><summary>'
            f"{escape(trail['kind'])} {escape(trail['id'])}</summary>{ledger}{attempts}</details>"
        )
    links = "".join(f"<li>{escape(text)}</li>" for text in report.get("links", []))
    spec = json.dumps(report["charts"]).replace("</", "<\\/")
    window = report["window"]
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Chargebee ↔ NetSuite reconciliation {escape(report["run_id"])}</title>
<style>{_CSS}</style></head><body>
<h1>Chargebee ↔ NetSuite reconciliation</h1>
<p class="muted">Site <b>{escape(report["site"])}</b> · period {escape(window[0])} to
{escape(window[1])} · run {escape(report["run_id"])} · generated {escape(report["created_at"])}</p>
<div class="chips">{"".join(chips)}</div>
<h2>Per subsidiary and currency</h2>
{"".join(sections) or '<p class="muted">No documents in the period.</p>'}
<h2>Customers with a difference</h2>
{
        _table(
            figures["customers"],
            [
                "subsidiary",
                "currency",
                "customer_id",
                "measure",
                "chargebee",
                "netsuite",
                "difference",
            ],
            money,
        )
    }
<h2>Documents with a difference</h2>
{
        _table(
            figures["documents"],
            [
                "customer_id",
                "kind",
                "id",
                "measure",
                "netsuite_id",
                "chargebee",
                "netsuite",
                "difference",
            ],
            money,
        )
    }
<h2>Findings</h2>
{
        _table(
            report["findings"],
            [
                "check",
                "action",
                "source_kind",
                "source_id",
                "field",
                "chargebee_value",
                "netsuite_value",
                "detail",
            ],
            set(),
        )
    }
<h2>Document links</h2>
<p class="muted">Where one Chargebee document is not one NetSuite record of the same kind.</p>
{f"<ul>{links}</ul>" if links else '<p class="muted">None.</p>'}
<h2>Exception queue (oldest first)</h2>
{
        _table(
            report["exceptions"],
            ["since", "kind", "id", "state", "code", "reason", "fix", "attempts"],
            {"attempts"},
        )
    }
<h2>Audit trail</h2>
<p class="muted">Every write attempt of the documents above, from the ledger.</p>
{"".join(audits) or '<p class="muted">None.</p>'}
<h2>What each number means</h2>
<table>{meanings}</table>
<script type="application/json" id="vega-lite-spec">{spec}</script>
</body></html>
"""


def _csv(path: Path, rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)


def build_charts(report: dict[str, Any]) -> dict[str, Any]:
    """The report's Vega-Lite spec."""
    return vega_lite_spec(report["figures"]["totals"])


def write_report(reports_dir: Path | str, report: dict[str, Any]) -> Path:
    """Write ``index.html``, ``report.json``, the CSV files and ``chart.vl.json``."""
    target = run_dir(reports_dir, report["run_id"])
    target.mkdir(parents=True, exist_ok=True)
    report.setdefault("charts", build_charts(report))
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
        [
            "check",
            "action",
            "source_kind",
            "source_id",
            "role",
            "external_id",
            "netsuite_type",
            "netsuite_id",
            "field",
            "chargebee_value",
            "netsuite_value",
            "detail",
        ],
    )
    _csv(
        target / "exceptions.csv",
        report["exceptions"],
        [
            "since",
            "kind",
            "id",
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
