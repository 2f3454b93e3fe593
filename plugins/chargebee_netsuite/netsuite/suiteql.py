"""SuiteQL over REST: bound parameters, offset paging, keyset paging, typed value decoding."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from chargebee_netsuite.netsuite.client import NetSuiteClient

SUITEQL_PATH = "/query/v1/suiteql"
PAGE_SIZE = 1000  # NetSuite's maximum page size
MAX_RESULTS = 100_000  # NetSuite stops serving a query's rows beyond this many

ColumnType = Literal["text", "bool", "decimal", "int", "date"]
Param = str | int | Decimal | bool | date
_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_.]*$")


class SuiteQLError(ValueError):
    """A query this client refuses to send, or a result it cannot page through."""


def count_placeholders(query: str) -> int:
    """How many ``?`` placeholders ``query`` has outside quoted literals."""
    count = 0
    quote: str | None = None
    for char in query:
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "?":
            count += 1
    return count


def encode_param(value: Param) -> str:
    """A bound parameter as NetSuite takes it: a string ('T'/'F' for booleans)."""
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


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
        return parse_date(raw)
    if raw in ("T", "F"):
        return raw == "T"
    if _NUMBER.match(raw):
        return Decimal(raw)
    return raw


def parse_date(raw: str) -> date:
    """A SuiteQL date: ISO ``YYYY-MM-DD`` (``TO_CHAR``) or NetSuite's default ``M/D/YYYY``."""
    us = _US_DATE.match(raw)
    if us:
        month, day, year = (int(part) for part in us.groups())
        return date(year, month, day)
    return date.fromisoformat(raw[:10])


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
        decoded[name] = decode_value(raw, column_type)
    return decoded


class SuiteQLAPI:
    """``POST /query/v1/suiteql`` with ``Prefer: transient``."""

    def __init__(self, client: NetSuiteClient, max_results: int = MAX_RESULTS) -> None:
        self._client = client
        self.max_results = max_results

    def page(
        self, query: str, params: Sequence[Param] = (), *, limit: int = PAGE_SIZE, offset: int = 0
    ) -> dict[str, Any]:
        """One raw result page (``items``, ``hasMore``, ``totalResults``…)."""
        if not 0 < limit <= PAGE_SIZE:
            raise SuiteQLError(f"limit must be between 1 and {PAGE_SIZE}")
        if offset % limit:
            raise SuiteQLError("NetSuite requires the offset to be a multiple of the limit")
        expected = count_placeholders(query)
        if expected != len(params):
            raise SuiteQLError(
                f"the query has {expected} '?' placeholders but {len(params)} parameters; "
                "bind every value as a parameter"
            )
        body: dict[str, Any] = {"q": query}
        if params:
            body["params"] = [encode_param(value) for value in params]
        response = self._client.request(
            "POST",
            SUITEQL_PATH,
            params={"limit": limit, "offset": offset},
            json=body,
            headers={"Prefer": "transient"},
        )
        result: dict[str, Any] = response.json()
        return result

    def query(
        self,
        query: str,
        params: Sequence[Param] = (),
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
            page = self.page(query, params, limit=limit, offset=offset)
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
        where: str | None = None,
        params: Sequence[Param] = (),
        key: str = "id",
        types: Mapping[str, ColumnType] | None = None,
        limit: int = PAGE_SIZE,
    ) -> Iterator[dict[str, Any]]:
        """Every row of ``SELECT {select} FROM {from_} WHERE {where}``, however many there are.

        Rows come in ``key`` order. Each window is offset-paged up to NetSuite's cap, and the
        next window restarts after the last key seen (``WHERE key > ?``). ``key`` must be a
        unique column that ``select`` returns; values always go in ``params``.
        """
        if not _IDENT.match(key):
            raise SuiteQLError(f"{key!r} is not a column name")
        column = key.rsplit(".", 1)[-1].lower()
        after: str | None = None
        while True:
            conditions = [f"({where})"] if where else []
            window_params = list(params)
            if after is not None:
                conditions.append(f"{key} > ?")
                window_params.append(after)
            query = f"SELECT {select} FROM {from_}"
            if conditions:
                query += " WHERE " + " AND ".join(conditions)
            query += f" ORDER BY {key}"
            offset, last, seen, exhausted = 0, None, 0, False
            while True:
                page = self.page(query, window_params, limit=limit, offset=offset)
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
            after = str(last)
