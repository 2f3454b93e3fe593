"""Report folders per run, and the quarantine table put into GX's index page."""

from __future__ import annotations

import re
from pathlib import Path

from chargebee_netsuite.quality.docs import add_quarantine_page, docs_dir, run_folder
from chargebee_netsuite.quality.quarantine import QuarantineEntry

ENTRY = QuarantineEntry(
    kind="invoice",
    id="1042",
    check="invoice.lines_sum_to_total",
    expectation="expect_column_pair_values_to_be_equal(lines_total, total)",
    reason="invoice 1042: lines sum to 99.00 USD but total is 100.00 USD <fix it>",
)
GX_COLUMN = '<div class="col-md-10 col-lg-10 col-xs-12 pl-md-4 pr-md-3">'


def test_airflow_run_ids_become_safe_folder_names() -> None:
    folder = run_folder("scheduled__2026-11-28T00:00:00+00:00")
    assert re.fullmatch(r"scheduled__2026-11-28T00_00_00_00_00-[0-9a-f]{10}", folder), folder
    assert run_folder("run-1") == "run-1"
    assert re.fullmatch(r"etc-[0-9a-f]{10}", run_folder("../../etc"))
    assert run_folder("").startswith("run")


def test_distinct_run_ids_never_share_a_report_folder() -> None:
    ids = ["a:b", "a_b", "a+b", "a/b", "a b", "a..b", ".a_b", "a_b."]
    assert len({run_folder(i) for i in ids}) == len(ids)


def test_a_rerun_replaces_the_previous_report(tmp_path: Path) -> None:
    first = docs_dir(tmp_path, "run-1")
    (first / "stale.html").write_text("old")
    again = docs_dir(tmp_path, "run-1")
    assert again == tmp_path / "data_docs" / "run-1"
    assert not (again / "stale.html").exists()


def test_the_quarantine_goes_on_top_of_the_index_and_on_its_own_page(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(f"<html><body>{GX_COLUMN}GX</div></body></html>")
    page = add_quarantine_page(tmp_path, [ENTRY], "run-1")
    index = (tmp_path / "index.html").read_text()
    assert index.index("invoice.lines_sum_to_total") < index.index("GX")
    assert "&lt;fix it&gt;" in index  # escaped
    # GX's own markup around the table is left exactly as it was.
    assert index.startswith(f'<html><body>{GX_COLUMN}<div id="cbns-quarantine"')
    assert index.endswith("GX</div></body></html>")
    assert "Quarantined by the data checks in run run-1: 1" in page.read_text()
    assert "By cause: data check 1." in page.read_text()


def test_a_clean_run_says_so(tmp_path: Path) -> None:
    page = add_quarantine_page(tmp_path, [], "run-2")
    text = page.read_text()
    # Only the data checks have run: the page does not claim nothing is held back.
    assert "Every document passed the data checks" in text and "once the load has run" in text
