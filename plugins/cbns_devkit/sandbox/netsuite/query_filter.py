"""The record-collection ``?q=`` filter language (``email START_WITH "a" AND id ANY_OF [1, 2]``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Predicate = Callable[[Mapping[str, Any]], bool]

_TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(\[)|(\])|(,)|([^\s,\[\]"]+))')
UNARY = frozenset({"EMPTY", "EMPTY_NOT"})
BINARY = frozenset(
    {
        "IS", "IS_NOT", "START_WITH", "START_WITH_NOT", "END_WITH", "END_WITH_NOT", "CONTAIN",
        "CONTAIN_NOT", "EQUAL", "EQUAL_NOT", "GREATER", "GREATER_OR_EQUAL", "LESS",
        "LESS_OR_EQUAL", "ON", "ON_OR_AFTER", "ON_OR_BEFORE", "AFTER", "BEFORE",
    }
)  # fmt: skip
LIST_OPS = frozenset({"ANY_OF", "ANY_OF_NOT", "BETWEEN", "BETWEEN_NOT", "WITHIN", "WITHIN_NOT"})


def _tokens(q: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    q = q.strip()
    while pos < len(q):
        match = _TOKEN.match(q, pos)
        if match is None or match.end() == pos:
            raise ValueError("bad token")
        quoted, lbr, rbr, comma, word = match.groups()
        if quoted is not None:
            out.append(("str", quoted.replace('\\"', '"')))
        elif lbr:
            out.append(("[", lbr))
        elif rbr:
            out.append(("]", rbr))
        elif comma:
            out.append((",", comma))
        else:
            out.append(("word", str(word)))
        pos = match.end()
    return out


def _as_date(value: Any) -> date:
    text = str(value)
    for fmt in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.strptime(text[:10], fmt).date()
        except ValueError:
            continue
    return datetime.fromisoformat(text.replace("Z", "+00:00")).date()


def _compare(left: Any, right: str) -> int:
    try:
        a, b = Decimal(str(left)), Decimal(right)
    except InvalidOperation:
        try:
            da, db = _as_date(left), _as_date(right)
        except ValueError:
            sa, sb = str(left).lower(), right.lower()
            return (sa > sb) - (sa < sb)
        return (da > db) - (da < db)
    return (a > b) - (a < b)


def _condition(field: str, op: str, args: list[str]) -> Predicate:
    def test(values: Mapping[str, Any]) -> bool:
        value = values.get(field)
        if op in ("EMPTY", "EMPTY_NOT"):
            empty = value is None or value == ""
            return empty if op == "EMPTY" else not empty
        if value is None:
            return op.endswith("_NOT")
        text = str(value).lower() if not isinstance(value, bool) else ("true" if value else "false")
        base = op.removesuffix("_NOT")
        if base in ("IS", "EQUAL", "ON"):
            result = _compare(value, args[0]) == 0 if base != "IS" else text == args[0].lower()
        elif base == "START_WITH":
            result = text.startswith(args[0].lower())
        elif base == "END_WITH":
            result = text.endswith(args[0].lower())
        elif base == "CONTAIN":
            result = args[0].lower() in text
        elif base == "ANY_OF":
            result = text in {a.lower() for a in args}
        elif base in ("BETWEEN", "WITHIN"):
            result = _compare(value, args[0]) >= 0 and _compare(value, args[1]) <= 0
        else:
            cmp = _compare(value, args[0])
            result = {
                "GREATER": cmp > 0,
                "AFTER": cmp > 0,
                "GREATER_OR_EQUAL": cmp >= 0,
                "ON_OR_AFTER": cmp >= 0,
                "LESS": cmp < 0,
                "BEFORE": cmp < 0,
                "LESS_OR_EQUAL": cmp <= 0,
                "ON_OR_BEFORE": cmp <= 0,
            }[base]
        return not result if op.endswith("_NOT") else result

    return test


def parse_filter(q: str) -> Predicate:
    """Compile a ``q`` expression; AND binds tighter than OR. Raises ValueError if malformed."""
    tokens = _tokens(q)
    pos = 0

    def take() -> tuple[str, str]:
        nonlocal pos
        if pos >= len(tokens):
            raise ValueError("unexpected end of query")
        pos += 1
        return tokens[pos - 1]

    def value() -> str:
        kind, text = take()
        if kind not in ("str", "word"):
            raise ValueError("value expected")
        return text

    def condition() -> Predicate:
        kind, field = take()
        if kind != "word":
            raise ValueError("field expected")
        _, op = take()
        op = op.upper()
        if op in UNARY:
            return _condition(field.lower(), op, [])
        if op in BINARY:
            return _condition(field.lower(), op, [value()])
        if op in LIST_OPS:
            args: list[str] = []
            if pos < len(tokens) and tokens[pos][0] == "[":
                take()
                while True:
                    args.append(value())
                    sep, _ = take()
                    if sep == "]":
                        break
                    if sep != ",":
                        raise ValueError("',' or ']' expected")
            else:
                args.append(value())
                while pos < len(tokens) and tokens[pos][0] == ",":
                    take()
                    args.append(value())
            if op.startswith(("BETWEEN", "WITHIN")) and len(args) != 2:
                raise ValueError("BETWEEN takes two values")
            return _condition(field.lower(), op, args)
        raise ValueError(f"unknown operator {op}")

    def conjunction() -> Predicate:
        parts = [condition()]
        while pos < len(tokens) and tokens[pos] == ("word", "AND"):
            take()
            parts.append(condition())
        return lambda values: all(p(values) for p in parts)

    alternatives = [conjunction()]
    while pos < len(tokens) and tokens[pos] == ("word", "OR"):
        take()
        alternatives.append(conjunction())
    if pos != len(tokens):
        raise ValueError("trailing input")
    return lambda values: any(p(values) for p in alternatives)
