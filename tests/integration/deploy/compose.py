"""Reading docker-compose.yaml and .env files the way Docker Compose v2 does, without Docker."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parents[3]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
SCHEMA_FILE = REPO_ROOT / "tests" / "data" / "compose-spec.schema.json"

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# ${NAME[op word]}, as in the Compose specification's "Interpolation" section. Operators:
# :- and - (default), :? and ? (required), :+ and + (alternative).
_BRACED = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:-|-|:\?|\?|:\+|\+)(?P<word>.*))?$", re.S
)


class UnsetVariable(KeyError):
    """A variable without a default is unset, or a required (``?``) one is unset or empty."""


@dataclass(frozen=True)
class Reference:
    """One ``${...}`` reference in the compose file."""

    name: str
    op: str | None
    word: str | None

    @property
    def has_default(self) -> bool:
        return self.op in (":-", "-", ":+", "+")

    @property
    def required(self) -> bool:
        return self.op in (":?", "?")


def load_compose(path: Path = COMPOSE_FILE) -> dict[str, Any]:
    """The compose file as YAML data (anchors and ``<<`` merge keys resolved)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    return data


def parse_dotenv(text: str) -> dict[str, str]:
    """``NAME=value`` lines of an env file (comments and blank lines skipped, quotes removed)."""
    env: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line.removeprefix("export ").strip()
        name, sep, value = line.partition("=")
        if not sep:
            raise ValueError(f"not a NAME=value line: {raw!r}")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        env[name.strip()] = value
    return env


def documented_names(text: str) -> set[str]:
    """Names an env file documents, as ``NAME=`` or as a commented-out ``# NAME=`` line."""
    return set(re.findall(r"(?m)^#?\s*([A-Za-z_][A-Za-z0-9_]*)=", text))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


def _tokens(text: str) -> Iterator[str | Reference]:
    """Literal text and references, in order: ``$$`` is a literal ``$``; braces may nest."""
    i = 0
    literal: list[str] = []
    while i < len(text):
        char = text[i]
        if char != "$" or i + 1 == len(text):
            literal.append(char)
            i += 1
            continue
        following = text[i + 1]
        if following == "$":
            literal.append("$")
            i += 2
            continue
        if following == "{":
            depth, j = 1, i + 2
            while j < len(text) and depth:
                if text.startswith("${", j):
                    depth, j = depth + 1, j + 2
                    continue
                depth -= text[j] == "}"
                j += 1
            if depth:
                raise ValueError(f"unclosed ${{ in {text!r}")
            parsed = _BRACED.match(text[i + 2 : j - 1])
            if parsed is None:
                raise ValueError(f"invalid interpolation {text[i:j]!r}")
            if literal:
                yield "".join(literal)
                literal = []
            yield Reference(parsed.group("name"), parsed.group("op"), parsed.group("word"))
            i = j
            continue
        named = _NAME.match(text, i + 1)
        if named is None:
            literal.append(char)
            i += 1
            continue
        if literal:
            yield "".join(literal)
            literal = []
        yield Reference(named.group(), None, None)
        i = named.end()
    if literal:
        yield "".join(literal)


def _references_in(text: str) -> Iterator[Reference]:
    for token in _tokens(text):
        if isinstance(token, Reference):
            yield token
            if token.word:
                yield from _references_in(token.word)


def references(data: Any) -> list[Reference]:
    """Every variable reference in every string of the compose data (``$$`` excluded)."""
    return [ref for text in _strings(data) for ref in _references_in(text)]


def interpolate_text(text: str, env: Mapping[str, str]) -> str:
    """``text`` with its variables substituted, or :class:`UnsetVariable` like ``compose config``.

    Unlike Compose, which warns and substitutes an empty string, a variable without a default
    that is unset is an error here: every such variable must be set by .env.
    """

    return "".join(
        token if isinstance(token, str) else _substitute(token, env) for token in _tokens(text)
    )


def _substitute(ref: Reference, env: Mapping[str, str]) -> str:
    value = env.get(ref.name)
    word = ref.word or ""
    if ref.op is None:
        if value is None:
            raise UnsetVariable(f"${{{ref.name}}} is unset and has no default")
        return value
    if ref.op == ":-":
        return value if value else interpolate_text(word, env)
    if ref.op == "-":
        return value if value is not None else interpolate_text(word, env)
    if ref.op == ":?":
        if not value:
            raise UnsetVariable(f"{ref.name} is required: {word}")
        return value
    if ref.op == "?":
        if value is None:
            raise UnsetVariable(f"{ref.name} is required: {word}")
        return value
    if ref.op == ":+":
        return interpolate_text(word, env) if value else ""
    return interpolate_text(word, env) if value is not None else ""  # "+"


def interpolate(node: Any, env: Mapping[str, str]) -> Any:
    """The compose data with every string interpolated (keys too, as Compose does)."""
    if isinstance(node, str):
        return interpolate_text(node, env)
    if isinstance(node, Mapping):
        return {interpolate(key, env): interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    return node


def services(data: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``services`` section."""
    return dict(data["services"])
