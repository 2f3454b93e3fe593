"""SuiteQL text with every value written in as a checked literal.

REST SuiteQL takes a body of ``{"q": ...}`` alone: Oracle documents no bound parameters for it
(``params`` belongs to SuiteScript's ``query.runSuiteQL``). So values go into the text, and only
through :func:`literal`: integers are checked to be integers, strings are quoted with their
single quotes doubled, dates become ``TO_DATE('YYYY-MM-DD','YYYY-MM-DD')``. A
:class:`Query` can only be made by :func:`build`, and the SuiteQL client sends nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

ISO_DATE = "YYYY-MM-DD"


class SuiteQLError(ValueError):
    """A query this client refuses to send, or a result it cannot page through."""


@dataclass(frozen=True)
class Query:
    """SuiteQL text made by :func:`build`; its values all went through :func:`literal`."""

    text: str

    def __str__(self) -> str:
        return self.text


Value = str | int | bool | Decimal | date | Query | Iterable["Value"]


def literal(value: Value) -> str:
    """``value`` as a SuiteQL literal, or :class:`SuiteQLError` for anything else.

    A list, tuple or set becomes a comma-separated list (for ``IN (?)``); a :class:`Query`
    is inserted as it is (it was built by :func:`build` already).
    """
    if isinstance(value, Query):
        return value.text
    if isinstance(value, bool):
        return "'T'" if value else "'F'"  # SuiteQL booleans are the strings 'T' and 'F'
    if isinstance(value, int):
        return str(int(value))  # int(): an int subclass cannot bring its own __str__
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise SuiteQLError(f"{value} is not a number SuiteQL can hold")
        return format(value, "f")
    if isinstance(value, datetime):
        raise SuiteQLError(f"{value!r}: pass a date; a datetime has no agreed SuiteQL literal")
    if isinstance(value, date):
        return f"TO_DATE('{value.isoformat()}', '{ISO_DATE}')"
    if isinstance(value, str):
        if "\x00" in value:
            raise SuiteQLError(f"{value!r} contains a NUL character")
        if not value:
            # SuiteQL is Oracle SQL, where '' is NULL: "= ''" would silently match nothing.
            raise SuiteQLError("an empty string is NULL in SuiteQL; test IS NULL instead")
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else list(value)
        if not items:
            raise SuiteQLError("an empty list has no SuiteQL literal (IN () is invalid)")
        return ", ".join(literal(item) for item in items)
    # float is refused on purpose: money is Decimal, and repr() of a float is not a price.
    raise SuiteQLError(f"{type(value).__name__} values cannot be written into SuiteQL")


def build(template: str, *values: Value) -> Query:
    """``template`` with each ``?`` outside quotes replaced by the next value's literal."""
    parts: list[str] = []
    index = 0
    quote: str | None = None
    for char in template:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            if index >= len(values):
                raise SuiteQLError(f"the query has more '?' than the {len(values)} values given")
            parts.append(literal(values[index]))
            index += 1
            continue
        parts.append(char)
    if quote:
        raise SuiteQLError("the query template has an unterminated quote")
    if index != len(values):
        raise SuiteQLError(f"the query has {index} '?' but {len(values)} values were given")
    return Query("".join(parts))


def iso_date(column: str, alias: str | None = None) -> str:
    """A select-list item giving ``column`` as ``YYYY-MM-DD`` whatever the user's date format.

    SuiteQL prints a bare date column in the integration user's date-format preference
    (``M/D/YYYY``, ``D/M/YYYY``, ``DD.MM.YYYY`` …), so dates are always read through this.
    """
    name = alias or column.rsplit(".", 1)[-1]
    return f"TO_CHAR({column}, '{ISO_DATE}') AS {name}"
