"""Where a run's Data Docs live, and the quarantine table added to them for finance."""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

from markupsafe import Markup

from chargebee_netsuite.quality.quarantine import QuarantineEntry
from chargebee_netsuite.rendering import render

QUARANTINE_PAGE = "quarantine.html"
# GX's index page: the quarantine table goes at the top of its main column.
_MAIN_COLUMN = '<div class="col-md-10 col-lg-10 col-xs-12 pl-md-4 pr-md-3">'
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_TEMPLATES = "chargebee_netsuite.quality"


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


def quarantine_table(entries: Sequence[QuarantineEntry], run_id: str) -> Markup:
    """An HTML section listing every quarantined document, its failed check and the fix."""
    documents = len({(e.kind, e.id) for e in entries})
    return render(
        _TEMPLATES,
        "quarantine_section.html.j2",
        entries=entries,
        run_id=run_id,
        documents=documents,
    )


def add_quarantine_page(folder: Path, entries: Sequence[QuarantineEntry], run_id: str) -> Path:
    """Write ``quarantine.html`` and put the same table at the top of GX's ``index.html``."""
    section = quarantine_table(entries, run_id)
    page = folder / QUARANTINE_PAGE
    page.write_text(
        render(_TEMPLATES, "quarantine.html.j2", section=section, run_id=run_id), encoding="utf-8"
    )
    index = folder / "index.html"
    if index.exists():
        # Splice as plain text: ``str + Markup`` would escape GX's page instead.
        table = str(section)
        text = index.read_text(encoding="utf-8")
        anchor = _MAIN_COLUMN if _MAIN_COLUMN in text else "<body>"
        if anchor in text:
            text = text.replace(anchor, anchor + table, 1)
        else:
            text += table
        index.write_text(text, encoding="utf-8")
    return page
