"""Read a mapping from YAML, reporting every schema problem at once in plain sentences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from chargebee_netsuite.errors import FatalError
from chargebee_netsuite.mapping.model import MappingConfig


class MappingConfigError(FatalError, ValueError):
    """The mapping file cannot be read or does not fit the schema; ``problems`` lists why."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"{source}: the mapping has {len(problems)} problem(s):\n{lines}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _value in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(f".{part}" if parts else str(part))
    return "".join(parts) or "(top level)"


def _sentence(error: Any) -> str:
    # Drop pydantic's internal branch names (e.g. "function-after[...]") from the path.
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and "[" in p))
    where = _location(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        return f"{where}: this key is not part of the mapping; check its spelling or remove it."
    if kind == "missing":
        return f"{where}: this key is required; add it."
    message = str(error["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}."


def parse_mapping(text: str, source: str = "<mapping>") -> MappingConfig:
    """Parse YAML text into a :class:`MappingConfig`, or raise :class:`MappingConfigError`."""
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise MappingConfigError(source, [f"this is not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise MappingConfigError(source, ["the mapping must be a YAML mapping of keys to values"])
    try:
        return MappingConfig.model_validate(raw)
    except ValidationError as exc:
        raise MappingConfigError(source, [_sentence(e) for e in exc.errors()]) from None


def load_mapping(path: str | Path) -> MappingConfig:
    """Load the mapping file at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise MappingConfigError(str(path), [f"cannot read the file: {exc.strerror}"]) from None
    return parse_mapping(text, str(path))
