"""Data Docs pages are served needing nothing off-site, and never a file outside their run."""

from __future__ import annotations

from pathlib import Path

from chargebee_netsuite.finance_view import datadocs

PAGE = """<html><head>
<link rel="stylesheet" href="https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"/>
<link rel="stylesheet" href="./static/styles/data_docs_default_styles.css">
<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>
<script src="//unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js"></script>
</head><body><img src="https://example-assets.s3.amazonaws.com/logo-long.png?d=1">
<img src="https://elsewhere.example/unknown.png"><a href="https://greatexpectations.io">GX</a>
</body></html>"""


def test_offsite_assets_are_replaced_by_the_bundled_ones() -> None:
    html = datadocs.offline(
        PAGE, "/f/assets", "/f/data-docs/run/static/images", frozenset({"logo-long.png"})
    )
    assert "bootstrapcdn" not in html and "jquery-3" not in html and "unpkg" not in html
    assert '<link rel="stylesheet" href="/f/assets/datadocs.css">' in html
    assert '<script src="/f/assets/datadocs.js"></script>' in html
    assert "./static/styles/data_docs_default_styles.css" in html  # local files stay
    assert 'src="/f/data-docs/run/static/images/logo-long.png"' in html
    assert "elsewhere.example" not in html  # an image with no local copy is dropped
    assert 'href="https://greatexpectations.io"' in html  # a link is not a request
    back = datadocs.offline(PAGE, "/f/assets", "/i", frozenset(), back_url="/f/")
    assert '<body><a class="cbns-back" href="/f/">' in back


def test_files_resolve_inside_their_run_only(tmp_path: Path) -> None:
    run = tmp_path / "data_docs" / "run-1"
    (run / "validations").mkdir(parents=True)
    (run / "index.html").write_text("<html></html>")
    (tmp_path / "secret.txt").write_text("no")
    assert datadocs.resolve(tmp_path, "run-1", "") == run / "index.html"
    assert datadocs.resolve(tmp_path, "run-1", "../../secret.txt") is None
    assert datadocs.resolve(tmp_path, "..", "secret.txt") is None
    assert datadocs.resolve(tmp_path, "run-1", "validations") is None  # no index there
    assert [r["run"] for r in datadocs.runs(tmp_path)] == ["run-1"]
    assert datadocs.runs(None) == []
