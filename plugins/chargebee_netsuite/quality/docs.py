"""Where a run's Data Docs live, and the quarantine table added to them for finance."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from chargebee_netsuite.quality.quarantine import QuarantineEntry

QUARANTINE_PAGE = "quarantine.html"
# GX's index page: the quarantine table goes at the top of its main column.
_MAIN_COLUMN = '<div class="col-md-10 col-lg-10 col-xs-12 pl-md-4 pr-md-3">'
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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


def quarantine_table(entries: Sequence[QuarantineEntry], run_id: str) -> str:
    """An HTML section listing every quarantined document, its failed check and the fix."""
    documents = len({(e.kind, e.id) for e in entries})
    title = f"Quarantined documents in run {html.escape(run_id)}: {documents}"
    if not entries:
        body = "<p>Every document passed; nothing is quarantined.</p>"
    else:
        rows = "\n".join(
            "<tr>"
            + "".join(
                f"<td>{html.escape(value)}</td>"
                for value in (e.kind, e.id, e.check, e.expectation, e.reason)
            )
            + "</tr>"
            for e in entries
        )
        body = (
            '<table class="table table-sm table-striped">'
            "<thead><tr><th>Kind</th><th>Document</th><th>Check</th><th>Expectation</th>"
            f"<th>Reason and fix</th></tr></thead><tbody>{rows}</tbody></table>"
            "<p>Quarantined documents are not posted to NetSuite; the rest of the run proceeds. "
            "A document leaves quarantine when a later run validates it clean.</p>"
        )
    return f'<div id="cbns-quarantine" class="mb-4"><h3>{title}</h3>{body}</div>'


def add_quarantine_page(folder: Path, entries: Sequence[QuarantineEntry], run_id: str) -> Path:
    """Write ``quarantine.html`` and put the same table at the top of GX's ``index.html``."""
    section = quarantine_table(entries, run_id)
    page = folder / QUARANTINE_PAGE
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>Quarantine {html.escape(run_id)}</title></head><body>{section}"
        '<p><a href="index.html">Expectation report (Great Expectations Data Docs)</a></p>'
        "</body></html>",
        encoding="utf-8",
    )
    index = folder / "index.html"
    if index.exists():
        text = index.read_text(encoding="utf-8")
        anchor = _MAIN_COLUMN if _MAIN_COLUMN in text else "<body>"
        if anchor in text:
            text = text.replace(anchor, anchor + section, 1)
        else:
            text += section
        index.write_text(text, encoding="utf-8")
    return page
