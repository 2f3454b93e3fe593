"""SuiteQL over REST: literal-built queries, offset paging, keyset paging, typed value decoding."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

from chargebee_netsuite.netsuite.suiteql_literals import Query, SuiteQLError, build, literal

if TYPE_CHECKING:
    from chargebee_netsuite.netsuite.client import NetSuiteClient

__all__ = ["Query", "SuiteQLAPI", "SuiteQLError", "build", "decode_row", "decode_value"]

SUITEQL_PATH = "/query/v1/suiteql"
PAGE_SIZE = 1000  # NetSuite's maximum page size
MAX_RESULTS = 100_000  # NetSuite stops serving a query's rows beyond this many

ColumnType = Literal["text", "bool", "decimal", "int", "date"]
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


def decode_value(raw: Any, column_type: ColumnType | None = None) -> Any:
    """Turn one SuiteQL string value into Python.

    With a ``column_type`` the value is decoded as that type. Without one: ``'T'``/``'F'``
    become booleans and plain numbers become :class:`Decimal`; anything else (including codes
    with leading zeros such as ``"0042"``) stays text.
    """
    if raw is None or raw == "":
        return None
    if not isinstance(raw, str):
        # NetSuite sends strings; tolerate JSON scalars without turning True into a number.
        if isinstance(raw, bool) or column_type == "bool":
            return bool(raw)
        if column_type == "text":
            return str(raw)
        if isinstance(raw, int | float):
            return int(raw) if column_type == "int" else Decimal(str(raw))
        return raw
    if column_type == "text":
        return raw
    if column_type == "bool":
        if raw not in ("T", "F"):
            raise SuiteQLError(f"expected 'T' or 'F', got {raw!r}")
        return raw == "T"
    if column_type == "int":
        return int(raw)
    if column_type == "decimal":
        try:
            return Decimal(raw)
        except InvalidOperation:
            raise SuiteQLError(f"expected a number, got {raw!r}") from None
    if column_type == "date":
        return parse_iso_date(raw)
    if raw in ("T", "F"):
        return raw == "T"
    if _NUMBER.match(raw):
        return Decimal(raw)
    return raw


def parse_iso_date(raw: str) -> date:
    """A date column read through ``TO_CHAR(col, 'YYYY-MM-DD')``; anything else is an error.

    A bare date column comes back in the integration user's date-format preference, where
    ``3/5/2025`` is March 5th or May 3rd depending on the account: never guess.
    """
    if not _ISO_DATE.match(raw):
        raise SuiteQLError(
            f"expected a YYYY-MM-DD date, got {raw!r}: select date columns through "
            "TO_CHAR(column, 'YYYY-MM-DD') (suiteql_literals.iso_date), because a bare date "
            "column follows the NetSuite user's date-format preference"
        )
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SuiteQLError(f"{raw!r} is not a calendar date") from None


def decode_row(
    row: Mapping[str, Any], types: Mapping[str, ColumnType] | None = None
) -> dict[str, Any]:
    """A result row without its ``links``, with column names lowercased and values decoded.

    Columns named ``id`` or ending in ``id`` are identifiers: they stay text unless typed.
    """
    types = {key.lower(): value for key, value in (types or {}).items()}
    decoded: dict[str, Any] = {}
    for key, raw in row.items():
        name = key.lower()
        if name == "links":
            continue
        column_type = types.get(name)
        if column_type is None and name.endswith("id"):
            column_type = "text"
        try:
            decoded[name] = decode_value(raw, column_type)
        except SuiteQLError as exc:
            raise SuiteQLError(f"column {name!r}: {exc}") from None
    return decoded


class SuiteQLAPI:
    """``POST /query/v1/suiteql`` with ``Prefer: transient`` and a body of ``{"q": ...}``."""

    def __init__(self, client: NetSuiteClient, max_results: int = MAX_RESULTS) -> None:
        self._client = client
        self.max_results = max_results

    def page(self, query: Query, *, limit: int = PAGE_SIZE, offset: int = 0) -> dict[str, Any]:
        """One raw result page (``items``, ``hasMore``, ``totalResults``…)."""
        if not isinstance(query, Query):
            raise TypeError(
                "SuiteQL queries are made with suiteql_literals.build(): REST SuiteQL takes no "
                "bound parameters, so every value must go through its literal checks"
            )
        if not 0 < limit <= PAGE_SIZE:
            raise SuiteQLError(f"limit must be between 1 and {PAGE_SIZE}")
        if offset % limit:
            raise SuiteQLError("NetSuite requires the offset to be a multiple of the limit")
        response = self._client.request(
            "POST",
            SUITEQL_PATH,
            params={"limit": limit, "offset": offset},
            json={"q": query.text},
            headers={"Prefer": "transient"},
        )
        result: dict[str, Any] = response.json()
        return result

    def query(
        self,
        query: Query,
        *,
        types: Mapping[str, ColumnType] | None = None,
        limit: int = PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every row of ``query``, page by page (offset paging).

        Add an ``ORDER BY`` on a unique key: pages are only stable with one. Raises
        :class:`SuiteQLError` rather than silently stopping when the result is larger than
        NetSuite serves by offset; use :meth:`query_keyset` for those.
        """
        offset = 0
        while True:
            page = self.page(query, limit=limit, offset=offset)
            total = int(page.get("totalResults") or 0)
            if offset == 0 and total >= self.max_results:
                raise SuiteQLError(
                    f"the query matches {total} rows, and NetSuite serves at most "
                    f"{self.max_results} by offset; use keyset paging (query_keyset)"
                )
            for row in page.get("items") or []:
                yield decode_row(row, types)
            if not page.get("hasMore"):
                return
            offset += limit

    def query_keyset(
        self,
        select: str,
        from_: str,
        *,
        where: Query | None = None,
        key: str = "id",
        types: Mapping[str, ColumnType] | None = None,
        limit: int = PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every row of ``SELECT {select} FROM {from_} WHERE {where}``, however many there are.

        Rows come in ``key`` order. Each window is offset-paged up to NetSuite's cap, and the
        next window restarts after the last key seen (``WHERE key > <integer literal>``).
        ``key`` must be a unique integer column that ``select`` returns; ``select`` and
        ``from_`` are code, every value belongs in ``where`` (built by :func:`build`).
        """
        if not _IDENT.match(key):
            raise SuiteQLError(f"{key!r} is not a column name")
        if where is not None and not isinstance(where, Query):
            raise TypeError("'where' is made with suiteql_literals.build()")
        column = key.rsplit(".", 1)[-1].lower()
        after: int | None = None
        while True:
            conditions = [f"({where.text})"] if where is not None else []
            if after is not None:
                conditions.append(f"{key} > {literal(after)}")
            text = f"SELECT {select} FROM {from_}"
            if conditions:
                text += " WHERE " + " AND ".join(conditions)
            # Built from a checked ``where`` and an integer literal: a Query by construction.
            query = Query(text + f" ORDER BY {key}")
            offset, last, seen, exhausted = 0, None, 0, False
            while True:
                page = self.page(query, limit=limit, offset=offset)
                for row in page.get("items") or []:
                    seen += 1
                    last = row.get(column, row.get(key))
                    yield decode_row(row, types)
                exhausted = not page.get("hasMore")
                offset += limit
                if exhausted or offset + limit > self.max_results:
                    break
            # A window that ended below the cap saw everything; one that reached the cap may
            # have been cut short by NetSuite, so continue after the last key.
            if (exhausted and seen < self.max_results) or last is None:
                return
            after = _integer_key(last, key)


def _integer_key(raw: Any, key: str) -> int:
    try:
        return int(str(raw))
    except ValueError:
        raise SuiteQLError(f"keyset paging needs an integer key; {key} was {raw!r}") from None
