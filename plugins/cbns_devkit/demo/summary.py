"""The demo's printed summary: the run's headline numbers, then where its reports are."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def report_paths(reports_dir: Path) -> dict[str, list[Path]]:
    """Data Docs index pages and other report files under ``reports_dir``, newest first."""
    if not reports_dir.exists():
        return {"data_docs": [], "reports": []}
    by_age = sorted(reports_dir.rglob("*"), key=lambda p: p.stat().st_mtime, reverse=True)
    docs = [p for p in by_age if p.name == "index.html" and "data_docs" in p.parts]
    reports = [
        p for p in by_age if p.is_file() and "data_docs" not in p.parts and p.suffix != ".json~"
    ]
    return {"data_docs": docs, "reports": reports}


def render(
    site: str,
    overview: dict[str, Any],
    not_posted: list[dict[str, Any]],
    ar: dict[str, dict[str, str]],
    paths: dict[str, list[Path]],
    catch_all: dict[str, Any] | None = None,
) -> str:
    """The summary as text for a terminal.

    ``not_posted`` is :func:`unposted` (every cause, one vocabulary), ``catch_all`` is
    :func:`catch_alls`.
    """
    from chargebee_netsuite.quality.reasons import CAUSES

    lines = [f"Chargebee site {site} → NetSuite", "", "Documents by kind (ledger state: count):"]
    for kind, states in sorted(overview["by_kind"].items()):
        text = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
        lines.append(f"  {kind:<12} {text}")
    by_cause = {cause: 0 for cause in CAUSES}
    for entry in not_posted:
        by_cause[entry["cause"]] = by_cause.get(entry["cause"], 0) + 1
    causes = ", ".join(f"{cause} {n}" for cause, n in by_cause.items() if n) or "none"
    total = len(not_posted)
    lines += ["", f"Not posted (quarantined, held or failed): {total} — by cause: {causes}"]
    for entry in not_posted[:15]:
        amount = f" {entry['amount']} {entry['currency']}" if entry.get("amount") else ""
        kind = str(entry["kind"]).replace("_", " ")
        lines.append(f"  {kind} {entry['id']}{amount} [{entry['state']}, {entry['cause']}]:")
        lines.append(f"      {entry['reason']}")
    if len(not_posted) > 15:
        lines.append(f"  ... and {len(not_posted) - 15} more (see the finance view)")
    if catch_all is not None:
        totals = ", ".join(f"{v} {code}" for code, v in catch_all["totals"].items()) or "nothing"
        lines += [
            "",
            f"Catch-alls (item prices no specific rule maps; items.by_entity_type or "
            f"items.default decide): {catch_all['count']}, billing {totals}",
        ]
        lines += [f"  {item['message']}" for item in catch_all["items"][:15]]
    lines += ["", "Open AR by currency        Chargebee        NetSuite      difference"]
    for code, row in ar.items():
        lines.append(
            f"  {code:<6} {row['chargebee']:>26} {row['netsuite']:>15} {row['difference']:>15}"
        )
    lines += [""]
    docs = paths.get("data_docs") or []
    lines.append(f"Data Docs: {docs[0] if docs else '(none written)'}")
    for report in (paths.get("reports") or [])[:5]:
        lines.append(f"Report:    {report}")
    return "\n".join(lines)
