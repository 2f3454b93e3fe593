"""Seed the reference tables (accounts, items, subsidiaries, currencies, periods…) from JSON."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import jsonout
from .sqlite_store import REFERENCE_TABLE_ORDER, Store

# JSON key (record type, case-insensitive) -> SuiteQL table.
REFERENCE_TABLES = {
    "subsidiary": "subsidiary",
    "currency": "currency",
    "account": "account",
    "item": "item",
    "department": "department",
    "classification": "classification",
    "class": "classification",
    "location": "location",
    "accountingperiod": "accountingperiod",
    # Tax codes are items of type TaxItem (HC article_0814121722: salesTaxItem GET answers
    # "itemType": "TaxItem"); they exist only where SuiteTax is on.
    "salestaxitem": "item",
}


def repository_reference_data() -> Path:
    """The demo chart of accounts shipped in the repository (``include/netsuite``)."""
    return Path(__file__).resolve().parents[4] / "include" / "netsuite" / "reference_data.json"


def load_reference_data(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Read a reference-data file: ``{record type: [records with NetSuite field names]}``."""
    raw = jsonout.loads(path.read_bytes())
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: expected an object keyed by record type")
    return {str(k): list(v) for k, v in raw.items()}


def _column_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "T" if value else "F"
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Mapping):
        return int(value["id"])
    if isinstance(value, list):
        # Multi-select references (e.g. subsidiary restrictions) as "1, 2" like BUILTIN.DF.
        return ", ".join(str(v["id"] if isinstance(v, Mapping) else v) for v in value)
    return value


def seed(store: Store, data: Mapping[str, Any], *, tax_engine: bool = False) -> None:
    """Insert reference records; unknown record types or fields are errors, not silence.

    ``salesTaxItem`` records (tax codes, with a ``rate`` in percent) are seeded as items of
    type TaxItem, and only with ``tax_engine`` (SuiteTax) on.
    """
    by_table: dict[str, list[Mapping[str, Any]]] = {}
    for key, records in data.items():
        if key.startswith("_"):
            continue  # comments such as "_comment", as in the shipped file
        table = REFERENCE_TABLES.get(key.lower())
        if table is None:
            raise ValueError(f"unknown reference record type {key!r}")
        if key.lower() == "salestaxitem":
            if not tax_engine:
                continue
            records = [{**record, "itemType": "TaxItem"} for record in records]
        by_table.setdefault(table, []).extend(records)
    with store.transaction() as conn:
        for table in REFERENCE_TABLE_ORDER:
            columns = {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")').fetchall()}
            for record in by_table.get(table, []):
                row = {str(k).lower(): _column_value(v) for k, v in record.items()}
                unknown = set(row) - columns
                if unknown:
                    raise ValueError(
                        f"{table} {record.get('id')}: unknown fields {sorted(unknown)}"
                    )
                if "fullname" in columns and "name" in row:
                    row.setdefault("fullname", row["name"])
                if table == "account":
                    number = row.get("acctnumber")
                    display = f"{number} {row['acctname']}" if number else row["acctname"]
                    row.setdefault("fullname", row["acctname"])
                    row.setdefault("accountsearchdisplayname", display)
                if table == "item":
                    row.setdefault("fullname", row["itemid"])
                    row.setdefault("displayname", row["itemid"])
                cols = ", ".join(f'"{c}"' for c in row)
                marks = ", ".join("?" for _ in row)
                conn.execute(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(row.values()))
