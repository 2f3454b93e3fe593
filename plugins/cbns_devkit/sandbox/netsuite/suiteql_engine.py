"""SuiteQL over the SQLite store: query rewriting, a read-only guard, paging and row shaping."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from . import ar, dateformat
from .account_settings import NetSuiteSandboxSettings
from .display_names import DISPLAY_NAME_COLUMNS, display_name, display_name_query
from .error_bodies import NetSuiteError
from .sqlite_store import SUITEQL_TABLES, Store

MAX_LIMIT = 1000
_LEX = re.compile(
    r"""(?P<str>'(?:[^']|'')*')|(?P<qid>"[^"]*")|(?P<word>[A-Za-z_][A-Za-z0-9_$#]*)"""
    r"""|(?P<space>\s+)|(?P<other>.)""",
    re.DOTALL,
)
_IDENT = re.compile(r"^[a-z_][a-z0-9_$#]*$")
# BUILTIN.DF(<column>) shows the display name of the record the column references.
_DF_COLUMNS = {
    "entity": "customer",
    "customer": "customer",
    "currency": "currency",
    "subsidiary": "subsidiary",
    "account": "account",
    "incomeaccount": "account",
    "receivablesaccount": "account",
    "item": "item",
    "department": "department",
    "class": "classification",
    "location": "location",
    "postingperiod": "accountingperiod",
    "transaction": "transaction",
    "previousdoc": "transaction",
    "nextdoc": "transaction",
}


def rewrite(q: str) -> str:
    """Turn SuiteQL into SQLite SQL: quote ``transaction`` and rewrite ``BUILTIN.DF(x)``."""
    tokens = [(m.lastgroup or "other", m.group()) for m in _LEX.finditer(q)]
    out: list[str] = []
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        if kind == "word" and text.upper() == "BUILTIN" and _is_df(tokens, i):
            j = i + 4  # after BUILTIN . DF (
            depth = 1
            while j < len(tokens) and depth:
                depth += {"(": 1, ")": -1}.get(tokens[j][1], 0)
                j += 1
            inner = tokens[i + 4 : j - 1]
            arg = rewrite("".join(t for _, t in inner))
            words = [t for k, t in inner if k == "word"]
            column = words[-1].lower() if words else ""
            dotted = [t for _, t in inner if t.strip()]
            alias = dotted[0] + "." if len(dotted) == 3 and dotted[1] == "." else ""
            extra = f"{alias}type" if column == "status" else "NULL"
            out.append(f"builtin_df('{column}', {arg}, {extra})")
            i = j
            continue
        if kind == "word" and text.lower() == "transaction":
            out.append('"transaction"')
        else:
            out.append(text)
        i += 1
    return "".join(out)


def _is_df(tokens: Sequence[tuple[str, str]], i: int) -> bool:
    texts = [t for _, t in tokens[i + 1 : i + 4]]
    return len(texts) == 3 and texts[0] == "." and texts[1].upper() == "DF" and texts[2] == "("


class _DecimalSum:
    """``SUM`` without binary floats: TEXT amounts add up exactly."""

    def __init__(self) -> None:
        self.total: Decimal | None = None

    def step(self, value: Any) -> None:
        if value is None:
            return
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            amount = Decimal(0)
        self.total = amount if self.total is None else self.total + amount

    def finalize(self) -> str | None:
        return None if self.total is None else format(self.total.normalize(), "f")


def _negate(value: Any) -> Any:
    """An amount with its sign flipped, exactly (TEXT in, TEXT out; zero stays "0")."""
    if value is None:
        return None
    try:
        amount = -Decimal(str(value))
    except InvalidOperation:
        return value
    return format(amount.normalize() if amount else Decimal(0), "f")


def _install_functions(conn: sqlite3.Connection, date_format: str) -> None:
    conn.create_aggregate("sum", 1, _DecimalSum)  # type: ignore[arg-type]
    conn.create_function("nvl", 2, lambda a, b: b if a is None else a)
    conn.create_function("nvl2", 3, lambda a, b, c: c if a is None else b)
    conn.create_function("ns_negate", 1, _negate)
    # TO_DATE without a format model reads the user's date format, as Oracle reads NLS's.
    conn.create_function("to_date", 2, lambda v, m: dateformat.to_date(v, m, date_format))
    conn.create_function("to_date", 1, lambda v: dateformat.to_date(v, None, date_format))
    conn.create_function("to_char", 2, dateformat.to_char)
    conn.create_function("to_char", 1, dateformat.to_char)


# Amount columns whose sign depends on the transaction type (see the sign settings).
_SIGNED_COLUMNS = (
    "foreigntotal",
    "foreignamountremaining",
    "foreignamountpaid",
    "foreignamountunapplied",
)


def _format(value: Any) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _suiteql_error(detail: str) -> NetSuiteError:
    return NetSuiteError(
        400, "USER_ERROR", f"Search error occurred: {detail}", title="Invalid search query."
    )


class SuiteQL:
    """Runs SuiteQL against the store, one page at a time."""

    def __init__(
        self,
        store: Store,
        max_results: int = 100_000,
        settings: NetSuiteSandboxSettings | None = None,
    ) -> None:
        self.store = store
        self.max_results = max_results
        self.settings = settings or NetSuiteSandboxSettings()
        self._functions_for = self.settings.suiteql_date_format
        with store.lock:
            _install_functions(store.conn, self._functions_for)

    def page(self, body: Any, limit: int, offset: int, self_url: str) -> dict[str, Any]:
        """One page of results in NetSuite's collection shape."""
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        q = body.get("q")
        # REST SuiteQL documents a body of {"q"} only (HC section_157909186990; activepieces
        # PR #10040: "no native way to parameterize queries through the API"); params belong
        # to SuiteScript's query.runSuiteQL. Refusing rather than ignoring them is our choice.
        unknown = sorted(str(key) for key in body if key != "q")
        if unknown:
            raise NetSuiteError(
                400,
                "INVALID_CONTENT",
                f"Invalid content in the request body: unknown property '{unknown[0]}'. A "
                "SuiteQL request body has only 'q'; write values into the query text.",
            )
        if not isinstance(q, str) or not q.strip():
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must contain 'q'.")
        if offset >= self.max_results:
            raise NetSuiteError(
                400,
                "INVALID_PARAMETER",
                f"Invalid offset: a query returns at most {self.max_results} results; page "
                "with a WHERE id > last condition instead.",
                query_param="offset",
            )
        sql = rewrite(q.strip().rstrip(";"))
        store = self.store
        preference = self.settings.suiteql_date_format
        with store.lock:
            if self._functions_for != preference:  # the setting changed since
                _install_functions(store.conn, preference)
                self._functions_for = preference
            # Display names are loaded before the read-only guard goes up.
            self._prepare_df(q)
            with self._signed_amounts():
                store.conn.set_authorizer(_read_only)
                try:
                    count_row = store.conn.execute(
                        f"SELECT COUNT(*) FROM (SELECT 1 FROM ({sql}) LIMIT {self.max_results})"
                    ).fetchone()
                    total = int(count_row[0])
                    size = max(0, min(limit, self.max_results - offset))
                    cursor = store.conn.execute(
                        f"SELECT * FROM ({sql}) LIMIT {size} OFFSET {offset}"
                    )
                    with dateformat.output_in(preference):
                        rows = cursor.fetchall()
                    names = [d[0].lower() for d in cursor.description or ()]
                except sqlite3.Error as err:
                    raise _map_error(err) from None
                finally:
                    store.conn.set_authorizer(None)
        columns = [n if _IDENT.match(n) else f"expr{i + 1}" for i, n in enumerate(names)]
        items = []
        for row in rows:
            item: dict[str, Any] = {"links": []}
            for name, value in zip(columns, row, strict=True):
                # SuiteQL leaves out null columns rather than sending null (assumption; our
                # reference does not show a null value).
                if value is not None:
                    item[name] = _format(value)
            items.append(item)
        has_more = offset + len(items) < total
        return {
            "links": _links(self_url, limit, offset, total, has_more),
            "count": len(items),
            "hasMore": has_more,
            "offset": offset,
            "totalResults": total,
            "items": items,
        }

    @contextmanager
    def _signed_amounts(self) -> Iterator[None]:
        """While a query runs, let ``transaction`` show credit memos and refunds signed.

        The store keeps every amount positive (the record API works on those); a TEMP view
        named ``transaction`` shadows the table for unqualified names, so SuiteQL alone sees
        the configured signs. Callers hold the store lock.
        """
        negative = [
            code
            for code, sign in (
                ("CustCred", self.settings.suiteql_credit_memo_sign),
                ("CustRfnd", self.settings.suiteql_refund_sign),
            )
            if sign == "negative"
        ]
        if not negative:
            yield
            return
        conn = self.store.conn
        types = ", ".join(f"'{code}'" for code in negative)
        columns = [row[1] for row in conn.execute('PRAGMA main.table_info("transaction")')]
        select = ", ".join(
            f"CASE WHEN type IN ({types}) THEN ns_negate({c}) ELSE {c} END AS {c}"
            if c in _SIGNED_COLUMNS
            else f'"{c}"'
            for c in columns
        )
        conn.execute(f'CREATE TEMP VIEW "transaction" AS SELECT {select} FROM main."transaction"')
        try:
            yield
        finally:
            conn.execute('DROP VIEW temp."transaction"')

    def _prepare_df(self, q: str) -> None:
        if "builtin" not in q.lower():
            return
        conn = self.store.conn
        maps: dict[str, dict[int, str]] = {}
        for table in DISPLAY_NAME_COLUMNS:
            rows = conn.execute(display_name_query(table)).fetchall()
            maps[table] = {int(r[0]): display_name(table, r) for r in rows}

        def builtin_df(column: str, value: Any, tran_type: Any) -> Any:
            if value is None:
                return None
            if column == "status" and tran_type is not None:
                name = ar.STATUS_NAMES.get(str(tran_type), {}).get(str(value), str(value))
                return f"{ar.TYPE_NAMES.get(str(tran_type), tran_type)} : {name}"
            if column == "type":
                return ar.TYPE_NAMES.get(str(value), value)
            table = _DF_COLUMNS.get(column)
            if table is None:
                return value
            try:
                return maps[table].get(int(value), value)
            except (TypeError, ValueError):
                return value

        conn.create_function("builtin_df", 3, builtin_df)


def _read_only(
    action: int, arg1: str | None, arg2: str | None, db: str | None, trigger: str | None
) -> int:
    # Only reads of the SuiteQL tables: no writes, no PRAGMA, no internal tables.
    if action in (sqlite3.SQLITE_SELECT, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in SUITEQL_TABLES:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _map_error(err: sqlite3.Error) -> NetSuiteError:
    message = str(err)
    if message.startswith("no such column:"):
        name = message.split(":", 1)[1].strip().split(".")[-1]
        return _suiteql_error(f"Field '{name}' not found.")
    if message.startswith("no such table:"):
        name = message.split(":", 1)[1].strip()
        return _suiteql_error(f"Record '{name}' was not found.")
    if message.startswith("access to "):
        name = message.removeprefix("access to ").split(".")[0]
        return _suiteql_error(f"Record '{name}' was not found.")
    if "not authorized" in message:
        return _suiteql_error("Only SELECT statements are allowed.")
    return _suiteql_error(f"Invalid search query: {message}.")


def _links(url: str, limit: int, offset: int, total: int, has_more: bool) -> list[dict[str, str]]:
    def href(off: int) -> str:
        return f"{url}?limit={limit}&offset={off}"

    last = max(0, (max(total, 1) - 1) // limit * limit)
    links = [{"rel": "first", "href": href(0)}]
    if offset > 0:
        links.append({"rel": "prev", "href": href(max(0, offset - limit))})
    if has_more:
        links.append({"rel": "next", "href": href(offset + limit)})
    links.append({"rel": "last", "href": href(last)})
    links.append({"rel": "self", "href": href(offset)})
    return links
