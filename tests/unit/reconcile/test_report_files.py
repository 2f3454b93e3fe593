"""The report on disk: a self-contained HTML page, CSV and JSON, nothing fetched at view time."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from chargebee_netsuite.reconcile.report import run_dir, write_report


def report(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "site": "acme",
        "run_id": "scheduled__2026-11-28T00:00:00+00:00",
        "window": ["2026-11-01T00:00:00+00:00", "2026-11-28T00:00:00+00:00"],
        "created_at": "2026-11-28T00:05:00+00:00",
        "figures": {
            "totals": [
                {
                    "subsidiary": "US Inc.",
                    "currency": "USD",
                    "measure": m,
                    "chargebee": cb,
                    "netsuite": ns,
                    "difference": d,
                }
                for m, cb, ns, d in [
                    ("billed", "120.00", "110.00", "10.00"),
                    ("outstanding", "20.00", "10.00", "10.00"),
                ]
            ],
            "customers": [],
            "documents": [],
        },
        "findings": [
            {
                "check": "mismatch",
                "action": "flagged",
                "source_kind": "invoice",
                "source_id": "<script>alert(1)</script>",
                "field": "total",
                "chargebee_value": "120.00",
                "netsuite_value": "110.00",
                "detail": "differs",
            }
        ],
        "exceptions": [],
        "audit": [],
        "summary": {"counts": {"mismatch": 1}, "requeued": 0},
    }
    base.update(overrides)
    return base


def test_files_land_under_reconcile_run_id_and_agree(tmp_path: Path) -> None:
    target = write_report(tmp_path, report())
    assert target == run_dir(tmp_path, "scheduled__2026-11-28T00:00:00+00:00")
    assert target.parent == tmp_path / "reconcile"
    names = {p.name for p in target.iterdir()}
    assert {"index.html", "report.json", "chart.vl.json", "totals.csv", "findings.csv"} <= names
    spec = json.loads((target / "chart.vl.json").read_text())
    assert spec["$schema"].endswith("vega-lite/v5.json")
    assert {v["amount"] for v in spec["data"]["values"]} >= {"120.00", "110.00"}
    assert (target / "totals.csv").read_text().splitlines()[
        1
    ] == "US Inc.,USD,billed,120.00,110.00,10.00"


def test_the_page_is_self_contained_and_escapes_what_it_shows(tmp_path: Path) -> None:
    html = (write_report(tmp_path, report()) / "index.html").read_text()
    assert "<svg" in html and "120.00" in html and "What each number means" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    assert "src=" not in html and "<link" not in html  # nothing loaded from anywhere
