"""The SQLite store: SuiteQL-shaped tables (queried by SuiteQL) plus the stored record documents."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import dateformat, jsonout

# Money and rates are TEXT so SQLite never turns them into binary floats; the Python side
# does all arithmetic in Decimal. Booleans are 'T'/'F' as SuiteQL returns them. Dates are
# ISO text declared NSDATE / NSDATETIME (TEXT affinity): SuiteQL prints those columns, when
# selected bare, in the user's date format (see dateformat.py).
SUITEQL_SCHEMA = """
CREATE TABLE subsidiary (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, fullname TEXT, parent INTEGER, currency INTEGER,
    country TEXT, iselimination TEXT DEFAULT 'F', isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE currency (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, symbol TEXT NOT NULL, displaysymbol TEXT,
    exchangerate TEXT NOT NULL, isbasecurrency TEXT DEFAULT 'F', currencyprecision INTEGER,
    isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE account (
    id INTEGER PRIMARY KEY, acctnumber TEXT, acctname TEXT NOT NULL, fullname TEXT,
    accountsearchdisplayname TEXT, accttype TEXT NOT NULL, description TEXT, currency INTEGER,
    subsidiary TEXT, isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE item (
    id INTEGER PRIMARY KEY, itemid TEXT NOT NULL, displayname TEXT, fullname TEXT,
    itemtype TEXT NOT NULL, description TEXT, incomeaccount INTEGER, subsidiary TEXT,
    isinactive TEXT DEFAULT 'F', externalid TEXT, rate TEXT, salestaxcode INTEGER
);
CREATE TABLE department (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, fullname TEXT, parent INTEGER, subsidiary TEXT,
    isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE classification (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, fullname TEXT, parent INTEGER, subsidiary TEXT,
    isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE location (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, fullname TEXT, parent INTEGER, subsidiary TEXT,
    isinactive TEXT DEFAULT 'F', externalid TEXT
);
CREATE TABLE accountingperiod (
    id INTEGER PRIMARY KEY, periodname TEXT NOT NULL, startdate NSDATE TEXT NOT NULL,
    enddate NSDATE TEXT NOT NULL, isposting TEXT DEFAULT 'T', isquarter TEXT DEFAULT 'F',
    isyear TEXT DEFAULT 'F', isadjust TEXT DEFAULT 'F', closed TEXT DEFAULT 'F',
    arlocked TEXT DEFAULT 'F', aplocked TEXT DEFAULT 'F', alllocked TEXT DEFAULT 'F',
    allownonglchanges TEXT DEFAULT 'F', parent INTEGER
);
CREATE TABLE customer (
    id INTEGER PRIMARY KEY, entityid TEXT, altname TEXT, companyname TEXT, firstname TEXT,
    lastname TEXT, isperson TEXT DEFAULT 'F', email TEXT, phone TEXT, externalid TEXT,
    subsidiary INTEGER, currency INTEGER, receivablesaccount INTEGER, creditlimit TEXT,
    isinactive TEXT DEFAULT 'F', datecreated NSDATETIME TEXT,
    lastmodifieddate NSDATETIME TEXT
);
CREATE TABLE "transaction" (
    id INTEGER PRIMARY KEY, tranid TEXT, trandate NSDATE TEXT, duedate NSDATE TEXT,
    type TEXT NOT NULL,
    recordtype TEXT NOT NULL, entity INTEGER, externalid TEXT, currency INTEGER,
    exchangerate TEXT, foreigntotal TEXT, foreignamountremaining TEXT, foreignamountpaid TEXT,
    foreignamountunapplied TEXT, status TEXT, subsidiary INTEGER, postingperiod INTEGER,
    department INTEGER, class INTEGER, location INTEGER, memo TEXT, otherrefnum TEXT,
    posting TEXT DEFAULT 'T', voided TEXT DEFAULT 'F', createddate NSDATETIME TEXT,
    lastmodifieddate NSDATETIME TEXT
);
CREATE TABLE transactionline (
    id INTEGER NOT NULL, "transaction" INTEGER NOT NULL, linesequencenumber INTEGER,
    uniquekey INTEGER PRIMARY KEY, mainline TEXT, taxline TEXT DEFAULT 'F', item INTEGER,
    account INTEGER, entity INTEGER, subsidiary INTEGER, department INTEGER, class INTEGER,
    location INTEGER, quantity TEXT, rate TEXT, foreignamount TEXT, netamount TEXT,
    debitforeignamount TEXT, creditforeignamount TEXT, memo TEXT, isclosed TEXT DEFAULT 'F'
);
CREATE INDEX transactionline_tx ON transactionline("transaction");
CREATE TABLE nexttransactionlinelink (
    previousdoc INTEGER NOT NULL, previousline INTEGER, previoustype TEXT,
    nextdoc INTEGER NOT NULL, nextline INTEGER, nexttype TEXT, linktype TEXT,
    foreignamount TEXT NOT NULL, linkdate NSDATE TEXT
);
CREATE INDEX link_prev ON nexttransactionlinelink(previousdoc);
CREATE INDEX link_next ON nexttransactionlinelink(nextdoc);
"""

# Internal bookkeeping, never visible to SuiteQL.
INTERNAL_SCHEMA = """
CREATE TABLE ns_record (
    recordtype TEXT NOT NULL, id INTEGER NOT NULL, externalid TEXT, doc TEXT NOT NULL,
    PRIMARY KEY (recordtype, id)
);
CREATE UNIQUE INDEX ns_record_eid ON ns_record(recordtype, externalid)
    WHERE externalid IS NOT NULL;
CREATE INDEX ns_record_id ON ns_record(id);
CREATE TABLE ns_sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# The reference tables in seeding order: later tables reference earlier ones.
REFERENCE_TABLE_ORDER = (
    "currency",
    "subsidiary",
    "account",
    "item",
    "department",
    "classification",
    "location",
    "accountingperiod",
)
SUITEQL_TABLES = frozenset(
    {
        *REFERENCE_TABLE_ORDER,
        "customer",
        "transaction",
        "transactionline",
        "nexttransactionlinelink",
    }
)


class Store:
    """One SQLite database guarded by a lock (the API handlers run in a thread pool)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.lock = threading.RLock()
        # Declared types drive SuiteQL's date output (dateformat.output_in); elsewhere the
        # converters hand the stored text back unchanged.
        dateformat.register_converters()
        self.conn = sqlite3.connect(
            str(path) if path else ":memory:",
            check_same_thread=False,
            isolation_level=None,
            detect_types=sqlite3.PARSE_DECLTYPES,
        )
        self.conn.row_factory = sqlite3.Row
        if not self._has_schema():
            self.create_schema()
        # A transaction is found by id alone (any transaction type); databases made before
        # this index existed get it here, or that lookup scans every record.
        self.conn.execute("CREATE INDEX IF NOT EXISTS ns_record_id ON ns_record(id)")

    def _has_schema(self) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='ns_record'"
        ).fetchone()
        return row is not None

    def create_schema(self) -> None:
        """Create every table (on an empty database)."""
        with self.lock:
            self.conn.executescript(SUITEQL_SCHEMA + INTERNAL_SCHEMA)

    def drop_all(self) -> None:
        """Remove every table, for a reset."""
        with self.lock:
            names = [
                r[0]
                for r in self.conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                ).fetchall()
            ]
            for name in names:
                self.conn.execute(f'DROP TABLE IF EXISTS "{name}"')

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Hold the lock and run the body as one SQLite transaction."""
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        """First row of a query, or None."""
        with self.lock:
            row: sqlite3.Row | None = self.conn.execute(sql, params).fetchone()
            return row

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        """Every row of a query."""
        with self.lock:
            return list(self.conn.execute(sql, params).fetchall())

    def insert(self, table: str, row: Mapping[str, Any]) -> None:
        """Insert one row (column names are ours, never user input)."""
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        with self.lock:
            self.conn.execute(
                f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values())
            )

    def next_id(self, family: str, floor: int = 100) -> int:
        """Next internal id in a family (entities and transactions share NetSuite-wide ids)."""
        with self.lock:
            row = self.conn.execute(
                "SELECT value FROM ns_sequence WHERE name = ?", (family,)
            ).fetchone()
            value = max(int(row[0]) + 1 if row else floor, floor)
            self.conn.execute(
                "INSERT INTO ns_sequence(name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                (family, value),
            )
            return value

    # Stored record documents -------------------------------------------------------------

    def get_doc(self, recordtype: str, record_id: int) -> dict[str, Any] | None:
        """The stored body of a record, or None."""
        row = self.one(
            "SELECT doc FROM ns_record WHERE recordtype = ? AND id = ?", (recordtype, record_id)
        )
        return None if row is None else dict(jsonout.loads(row[0].encode()))

    def get_transaction_doc(self, record_id: int) -> dict[str, Any] | None:
        """The stored body of a transaction, whatever its type."""
        row = self.one(
            "SELECT doc FROM ns_record WHERE id = ? AND recordtype != 'customer'", (record_id,)
        )
        return None if row is None else dict(jsonout.loads(row[0].encode()))

    def id_for_external(self, recordtype: str, external_id: str) -> int | None:
        """Internal id of the record of this type with this externalId."""
        row = self.one(
            "SELECT id FROM ns_record WHERE recordtype = ? AND externalid = ?",
            (recordtype, external_id),
        )
        return None if row is None else int(row[0])

    def put_doc(self, recordtype: str, record_id: int, doc: Mapping[str, Any]) -> None:
        """Insert or replace the stored body of a record."""
        with self.lock:
            self.conn.execute(
                "INSERT INTO ns_record(recordtype, id, externalid, doc) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(recordtype, id) DO UPDATE SET externalid = excluded.externalid, "
                "doc = excluded.doc",
                (recordtype, record_id, doc.get("externalId"), jsonout.dumps(doc)),
            )

    def delete_doc(self, recordtype: str, record_id: int) -> None:
        """Forget the stored body of a record."""
        with self.lock:
            self.conn.execute(
                "DELETE FROM ns_record WHERE recordtype = ? AND id = ?", (recordtype, record_id)
            )

    def ids_of(self, recordtype: str) -> list[int]:
        """Every internal id of a record type, ascending."""
        rows = self.all("SELECT id FROM ns_record WHERE recordtype = ? ORDER BY id", (recordtype,))
        return [int(r[0]) for r in rows]
