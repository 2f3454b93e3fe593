"""Where a run's Data Docs live, and the quarantine table added to them for finance."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from chargebee_netsuite.quality.quarantine import QuarantineEntry
from chargebee_netsuite.quality.reasons import DATA_CHECK
from chargebee_netsuite.rendering import render

QUARANTINE_PAGE = "quarantine.html"
# GX's index page: the quarantine table goes at the top of its main column.
_MAIN_COLUMN = '<div class="col-md-10 col-lg-10 col-xs-12 pl-md-4 pr-md-3">'
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TEMPLATES = "chargebee_netsuite.quality"
QUARANTINE_HINT = (
    "Correct the document in Chargebee (or what it refers to); every sync re-validates it."
)


def run_folder(run_id: str) -> str:
    """A file-system-safe folder name for ``run_id`` (Airflow run ids contain ``:`` and ``+``).

    A safe id is its own folder; any other gets a digest of the original appended, so two
    run ids that clean up alike (``a:b``, ``a_b``) never share, and overwrite, one report.
    """
    cleaned = _UNSAFE.sub("_", run_id).strip("._") or "run"
    if cleaned == run_id:
        return cleaned
    return f"{cleaned}-{hashlib.sha256(run_id.encode()).hexdigest()[:10]}"


def docs_dir(reports_dir: Path | str, run_id: str) -> Path:
    """``<reports_dir>/data_docs/<run>``, emptied: a re-run's report replaces the last one."""
    folder = Path(reports_dir) / "data_docs" / run_folder(run_id)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


@dataclass(frozen=True)
class ReportRow:
    """One document that did not post, as the run's report shows it."""

    kind: str
    id: str
    state: str
    cause: str
    check: str | None
    reason: str
    fix: str
    expectation: str | None = None  # the GX expectation behind a data check


# Validation writes the section first; the load rewrites it with every cause.
_VALIDATION = {
    "heading": "Quarantined by the data checks in run {run_id}",
    "empty": "Every document passed the data checks. Documents the load holds back (mapping, "
    "closed period, dependency, NetSuite refusal) are added here once the load has run.",
    "note": "A document leaves quarantine when a later run validates it clean.",
}
_AFTER_LOAD = {
    "heading": "Not posted after run {run_id}",
    "empty": "Every document posted: nothing is quarantined, held or failed.",
    "note": "Each posts once its fix is made (see the finance view's exception queue).",
}
_SECTION = re.compile(r'<div id="cbns-quarantine".*?<!-- /cbns-quarantine -->', re.DOTALL)


def quarantine_table(rows: Sequence[ReportRow], run_id: str, *, after_load: bool = False) -> Markup:
    """An HTML section listing every document that did not post, its cause, reason and fix."""
    words = _AFTER_LOAD if after_load else _VALIDATION
    by_cause: dict[str, int] = {}
    for cause in (row.cause for row in {(r.kind, r.id): r for r in rows}.values()):
        by_cause[cause] = by_cause.get(cause, 0) + 1
    return render(
        _TEMPLATES,
        "quarantine_section.html.j2",
        rows=rows,
        run_id=run_id,
        documents=len({(r.kind, r.id) for r in rows}),
        by_cause=by_cause,
        heading=words["heading"].format(run_id=run_id),
        empty=words["empty"],
        note=words["note"],
    )


def add_quarantine_page(folder: Path, entries: Sequence[QuarantineEntry], run_id: str) -> Path:
    """Write ``quarantine.html`` and put the same table at the top of GX's ``index.html``."""
    rows = [
        ReportRow(
            e.kind,
            e.id,
            "quarantined",
            DATA_CHECK,
            e.check,
            e.reason,
            QUARANTINE_HINT,
            e.expectation,
        )
        for e in entries
    ]
    return write_report(folder, rows, run_id)


def write_report(
    folder: Path, rows: Sequence[ReportRow], run_id: str, *, after_load: bool = False
) -> Path:
    """Write (or rewrite) the run's report: ``quarantine.html`` and the index's section."""
    section = quarantine_table(rows, run_id, after_load=after_load)
    page = folder / QUARANTINE_PAGE
    page.write_text(
        render(_TEMPLATES, "quarantine.html.j2", section=section, run_id=run_id), encoding="utf-8"
    )
    index = folder / "index.html"
    if index.exists():
        # Splice as plain text: ``str + Markup`` would escape GX's page instead.
        table = str(section)
        text = index.read_text(encoding="utf-8")
        if _SECTION.search(text):
            text = _SECTION.sub(lambda _: table, text, count=1)
        else:
            anchor = _MAIN_COLUMN if _MAIN_COLUMN in text else "<body>"
            if anchor in text:
                text = text.replace(anchor, anchor + table, 1)
            else:
                text += table
        index.write_text(text, encoding="utf-8")
    return page


def report_folder(reports_dir: Path | str, run_id: str) -> Path:
    """``<reports_dir>/data_docs/<run>`` as it is (unlike :func:`docs_dir`, never emptied)."""
    return Path(reports_dir) / "data_docs" / run_folder(run_id)
