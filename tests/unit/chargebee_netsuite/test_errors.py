"""The error tree drawn in ``chargebee_netsuite.errors`` is the tree the classes form."""

from __future__ import annotations

import importlib
import inspect
import re

import chargebee_netsuite.errors as root
from chargebee_netsuite.errors import ConnectorError, FatalError, RetriableError

# Modules whose errors the tree draws; a bare name in the tree belongs to the module named by
# its nearest qualified ancestor (``chargebee.errors.FatalAPIError`` → ``AuthenticationError``).
MODULES = ("errors", "chargebee.errors", "netsuite.errors", "mapping.loading")
# Bases shared by both branches of one client; they are never raised themselves.
SHARED_BASES = {"ChargebeeError", "NetSuiteError", "NetSuiteAPIError"}
LINE = re.compile(r"^(?P<indent>[ │├└─]*)(?P<name>[A-Za-z_.]+)")


def drawn_tree() -> list[tuple[type, type | None]]:
    """``(class, drawn parent)`` for every line of the docstring's tree."""
    doc = root.__doc__ or ""
    lines = doc[doc.index("    ConnectorError") :].split("\n\n")[0].splitlines()
    stack: list[tuple[int, type, str]] = []  # (depth, class, module) of the open ancestors
    pairs: list[tuple[type, type | None]] = []
    for line in lines:
        match = LINE.match(line[4:])
        assert match, line
        depth = len(match["indent"]) // 4
        module, _, name = match["name"].rpartition(".")
        stack = stack[:depth]
        module = module or (stack[-1][2] if stack else "errors")
        cls = getattr(importlib.import_module(f"chargebee_netsuite.{module}"), name)
        pairs.append((cls, stack[-1][1] if stack else None))
        stack.append((depth, cls, module))
    return pairs


def test_each_drawn_class_descends_from_its_drawn_parent() -> None:
    pairs = drawn_tree()
    assert pairs[0] == (ConnectorError, None)
    for cls, parent in pairs[1:]:
        assert parent is not None and issubclass(cls, parent), (cls, parent)


def test_every_connector_error_is_drawn_on_exactly_one_branch() -> None:
    drawn = {cls for cls, _ in drawn_tree()}
    for module in MODULES:
        for _, cls in inspect.getmembers(importlib.import_module(f"chargebee_netsuite.{module}")):
            if not (inspect.isclass(cls) and issubclass(cls, ConnectorError)):
                continue
            if cls in (ConnectorError, RetriableError, FatalError):
                continue
            if cls.__name__ in SHARED_BASES:
                assert cls not in drawn
                continue
            assert cls in drawn, f"{cls.__module__}.{cls.__name__} is missing from the tree"
            assert issubclass(cls, RetriableError) != issubclass(cls, FatalError), cls


def test_retries_exhausted_is_retriable_at_task_level() -> None:
    from chargebee_netsuite.chargebee.errors import RetriesExhaustedError

    assert issubclass(RetriesExhaustedError, RetriableError)
    assert RetriableError.attempts == 1 and RetriableError.retry_after is None
