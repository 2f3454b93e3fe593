"""Templates from package data: every value is escaped unless it is Markup; typos fail loudly."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from chargebee_netsuite.rendering import environment, render

HOSTILE = "<img src=x onerror=alert(1)>&\"'"


@pytest.fixture
def package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A throwaway package whose ``templates/`` holds one ``.j2`` template (no ``.html``)."""
    root = tmp_path / "cbns_rendering_probe"
    (root / "templates").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "templates" / "probe.j2").write_text(
        '<p title="{{ value }}">{{ value }}</p>{{ trusted }}'
        "<script>{{ spec | tojson }}</script>{% if strict %}{{ missing }}{% endif %}"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield root.name
    environment.cache_clear()
    sys.modules.pop(root.name, None)


def test_values_are_escaped_in_text_and_attributes_whatever_the_template_is_named(
    package: str,
) -> None:
    spec = {"b": "</script><script>alert(2)</script>", "a": 1}
    page = render(
        package, "probe.j2", value=HOSTILE, trusted=Markup("<svg/>"), spec=spec, strict=False
    )
    assert "<img" not in page and "</script><script>" not in page
    assert page.startswith('<p title="&lt;img src=x onerror=alert(1)&gt;&amp;&#34;&#39;">')
    assert "<svg/>" in page  # markup built by a template of ours goes in as it is
    embedded = page.split("<script>")[1].removesuffix("</script>")
    assert json.loads(embedded) == spec
    assert list(json.loads(embedded)) == ["b", "a"]  # in the order it was built


def test_an_unknown_name_in_a_template_raises_instead_of_printing_nothing(package: str) -> None:
    with pytest.raises(jinja2.UndefinedError):
        render(package, "probe.j2", value="", trusted="", spec={}, strict=True)
