"""The SuiteQL literal builder: what each value becomes, and what it refuses."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from chargebee_netsuite.netsuite.suiteql_literals import (
    Query,
    SuiteQLError,
    build,
    iso_date,
    literal,
)

HOSTILE = [
    "O'Brien",
    "x' OR '1'='1",
    "'; DROP TABLE customer;--",
    "a''b",
    "'",
    "\\'",
    'quote"d',
    "?",
    "%s",
    "cüst🙂|eid:1 2",
    "line\nbreak",
]


def test_each_kind_of_value_has_one_literal() -> None:
    assert literal("O'Brien") == "'O''Brien'"
    assert literal(42) == "42"
    assert literal(-7) == "-7"
    assert literal(True) == "'T'" and literal(False) == "'F'"
    assert literal(Decimal("10.50")) == "10.50"
    assert literal(Decimal("1E+3")) == "1000"
    assert literal(date(2026, 1, 31)) == "TO_DATE('2026-01-31', 'YYYY-MM-DD')"
    assert literal(["a", 1]) == "'a', 1"
    assert literal(Query("SELECT 1")) == "SELECT 1"


@pytest.mark.parametrize(
    "value",
    [
        1.5,
        Decimal("NaN"),
        Decimal("Infinity"),
        datetime(2026, 1, 1, tzinfo=UTC),
        [],
        None,
        b"bytes",
        "nul\x00byte",
        "",
        {"a": 1},
    ],
)
def test_anything_without_a_safe_literal_is_refused(value: object) -> None:
    with pytest.raises(SuiteQLError):
        literal(value)  # type: ignore[arg-type]


def test_an_int_subclass_cannot_bring_its_own_text() -> None:
    class Sneaky(int):
        def __str__(self) -> str:
            return "1 OR 1=1"

        __repr__ = __str__

    assert literal(Sneaky(5)) == "5"


@pytest.mark.parametrize("text", HOSTILE)
def test_a_string_literal_reads_back_as_exactly_that_string(text: str) -> None:
    # SQLite quotes strings as Oracle (and so SuiteQL) does: '' inside '...', no backslash.
    row = sqlite3.connect(":memory:").execute(build("SELECT ?", text).text).fetchone()
    assert row == (text,)


def test_placeholders_are_filled_outside_quotes_only() -> None:
    query = build("SELECT '?' AS q, \"?\" FROM t WHERE a = ? AND b IN (?)", "x?", [1, 2])
    assert query.text == "SELECT '?' AS q, \"?\" FROM t WHERE a = 'x?' AND b IN (1, 2)"
    # A value containing '?' is never re-read as a placeholder.
    assert build("? ?", "?", 3).text == "'?' 3"


def test_the_number_of_values_must_match() -> None:
    with pytest.raises(SuiteQLError, match="more '\\?'"):
        build("SELECT id FROM t WHERE a = ? AND b = ?", 1)
    with pytest.raises(SuiteQLError, match="2 values"):
        build("SELECT id FROM t WHERE a = ?", 1, 2)
    with pytest.raises(SuiteQLError, match="unterminated"):
        build("SELECT 'oops FROM t")


def test_dates_are_selected_as_iso_text() -> None:
    assert iso_date("trandate") == "TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate"
    assert iso_date("p.startdate") == "TO_CHAR(p.startdate, 'YYYY-MM-DD') AS startdate"
    assert iso_date("enddate", "ends") == "TO_CHAR(enddate, 'YYYY-MM-DD') AS ends"
