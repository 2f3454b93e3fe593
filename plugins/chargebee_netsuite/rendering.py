"""HTML from Jinja2 templates shipped in a package's ``templates/`` folder, always autoescaped."""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup


@cache
def environment(package: str) -> jinja2.Environment:
    """The Jinja2 environment over ``<package>/templates``.

    Autoescaping is on for every template whatever its name (``select_autoescape`` would leave
    ``*.j2`` unescaped), so every value from Chargebee or NetSuite is escaped by the template;
    a value that is already markup must say so by being :class:`markupsafe.Markup`.
    """
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(package, "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # ``tojson`` sorts keys by default; a spec reads best in the order it was built.
    env.policies["json.dumps_kwargs"] = {}
    return env


def render(package: str, template: str, /, **context: Any) -> Markup:
    """``template`` of ``package`` rendered with ``context``."""
    return Markup(environment(package).get_template(template).render(**context))
