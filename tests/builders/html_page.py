"""What a browser builds from a page we write: its tags, handlers, scripts, ids and text."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

# Every element the reconciliation report and the quarantine page are made of.
PAGE_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "script"),
    *("h1", "h2", "h3", "p", "b", "a", "div", "span", "ul", "li", "details", "summary"),
    *("table", "thead", "tbody", "tr", "th", "td"),
    *("svg", "text", "rect"),
}
# In a value, a tag or a handler that must come out as text.
HOSTILE = "<img src=x onerror=alert(1)>&\"'</script><script>alert(2)</script>"


class Page(HTMLParser):
    """One parsed page. ``text`` holds the character data, entities decoded."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.handlers: list[str] = []  # on* attributes
        self.scripts: list[str | None] = []  # the type of each <script>
        self.ids: set[str] = set()
        self.chunks: list[str] = []
        self.feed(html)
        self.close()

    @classmethod
    def read(cls, path: Path) -> Page:
        """The page in ``path``."""
        return cls(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Record the element and what its attributes could run."""
        attributes = dict(attrs)
        self.tags.add(tag)
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(attributes.get("type"))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))

    def handle_data(self, data: str) -> None:
        """Keep the text."""
        self.chunks.append(data)

    @property
    def text(self) -> str:
        """All character data of the page."""
        return "\n".join(self.chunks)

    def only_inert_markup(self) -> bool:
        """Nothing but our own elements, no handler, and no script but the JSON chart spec."""
        return (
            self.tags <= PAGE_TAGS
            and not self.handlers
            and self.scripts in ([], ["application/json"])
        )
