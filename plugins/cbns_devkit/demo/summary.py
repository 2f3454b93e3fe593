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
    held: list[dict[str, Any]],
    ar: dict[str, dict[str, str]],
    paths: dict[str, list[Path]],
) -> str:
    """The summary as text for a terminal."""
    lines = [f"Chargebee site {site} → NetSuite", "", "Documents by kind (ledger state: count):"]
    for kind, states in sorted(overview["by_kind"].items()):
        text = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
        lines.append(f"  {kind:<12} {text}")
    lines += ["", f"Quarantined by validation (Great Expectations): {len(held)}"]
    for entry in held[:15]:
        lines.append(f"  {entry.get('kind')} {entry.get('id')} [{entry.get('check')}]:")
        lines.append(f"      {entry.get('reason')}")
    lines += ["", f"Not posted (quarantined, held or failed): {overview['not_posted_total']}"]
    for entry in overview["not_posted"][:15]:
        lines.append(f"  {entry['kind']} {entry['id']} [{entry['state']}]:")
        lines.append(f"      {entry['reason']}")
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
