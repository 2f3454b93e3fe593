"""Data Docs served through the plugin, rendering without the internet.

Great Expectations writes pages that load Bootstrap, bootstrap-table, jQuery, Font Awesome
and Vega from CDNs. Served as they are, they show unstyled (and an offline browser logs a
failed request per asset). Each page is served with every off-site ``<link>`` and
``<script src>`` removed and two local files put in their place: ``datadocs.css`` (the
Bootstrap classes the pages use) and ``datadocs.js`` (the small part of jQuery and
bootstrap-table they call, enough to draw their tables). Links to other sites stay links.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ASSETS = Path(__file__).with_name("static") / "datadocs"
ASSET_FILES = frozenset({"datadocs.css", "datadocs.js"})
# <link ... href="https://…"> and <script src="https://…"></script> (also protocol-relative).
_OFFSITE_LINK = re.compile(r"<link\b[^>]*\bhref=[\"'](?:https?:)?//[^\"']*[\"'][^>]*>", re.I)
_OFFSITE_SCRIPT = re.compile(
    r"<script\b[^>]*\bsrc=[\"'](?:https?:)?//[^\"']*[\"'][^>]*>\s*</script>", re.I
)
_OFFSITE_IMG = re.compile(r"(<img\b[^>]*\bsrc=[\"'])((?:https?:)?//[^\"']*)([\"'][^>]*>)", re.I)
_HEAD = re.compile(r"<head\b[^>]*>", re.I)


_BODY = re.compile(r"<body\b[^>]*>", re.I)


def offline(
    html: str,
    assets_url: str,
    images_url: str,
    images: frozenset[str],
    back_url: str | None = None,
) -> str:
    """``html`` with off-site styles and scripts replaced by the bundled ones, and off-site
    images (GX's logo) by the copy in the run's ``static/images`` (``images_url``), if any.
    ``back_url`` adds a link back to the finance view at the top of the page."""
    html = _OFFSITE_LINK.sub("", html)
    html = _OFFSITE_SCRIPT.sub("", html)

    def image(found: re.Match[str]) -> str:
        name = found.group(2).split("?", 1)[0].rsplit("/", 1)[-1]
        return found.group(1) + f"{images_url}/{name}" + found.group(3) if name in images else ""

    html = _OFFSITE_IMG.sub(image, html)
    local = (
        f'<link rel="stylesheet" href="{assets_url}/datadocs.css">'
        f'<script src="{assets_url}/datadocs.js"></script>'
    )
    if back_url is not None:
        body = _BODY.search(html)
        link = f'<a class="cbns-back" href="{back_url}">← Back to the finance view</a>'
        if body is not None:
            html = html[: body.end()] + link + html[body.end() :]
    found = _HEAD.search(html)
    if found is None:
        return local + html
    return html[: found.end()] + local + html[found.end() :]


def root(reports_dir: Path | None) -> Path | None:
    """``<reports_dir>/data_docs``, if it exists."""
    if reports_dir is None:
        return None
    folder = Path(reports_dir) / "data_docs"
    return folder if folder.is_dir() else None


def runs(reports_dir: Path | None) -> list[dict[str, Any]]:
    """Every run's Data Docs, newest first: ``{"run": folder, "written_at": ISO UTC}``."""
    folder = root(reports_dir)
    if folder is None:
        return []
    found = [
        (child.stat().st_mtime, child.name)
        for child in folder.iterdir()
        if child.is_dir() and (child / "index.html").is_file()
    ]
    return [
        {
            "run": name,
            "written_at": datetime.fromtimestamp(mtime, UTC).isoformat(timespec="seconds"),
        }
        for mtime, name in sorted(found, reverse=True)
    ]


def images(reports_dir: Path | None, run: str) -> frozenset[str]:
    """The image files GX copied into ``run``'s ``static/images``."""
    folder = root(reports_dir)
    if folder is None:
        return frozenset()
    found = folder / run / "static" / "images"
    return frozenset(p.name for p in found.iterdir()) if found.is_dir() else frozenset()


def resolve(reports_dir: Path | None, run: str, path: str) -> Path | None:
    """The file ``path`` of ``run``'s Data Docs, or None (never outside that folder)."""
    folder = root(reports_dir)
    if folder is None or not run or run in (".", "..") or "/" in run or "\\" in run:
        return None
    base = (folder / run).resolve()
    target = (base / (path or "index.html")).resolve()
    if target.is_dir():
        target = target / "index.html"
    if not target.is_relative_to(base) or not target.is_file():
        return None
    return target
