"""The display name of a referenced record: the REST ``refName`` and SuiteQL's ``BUILTIN.DF``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .ar import TYPE_NAMES

# The columns that make each table's display name. A customer shows its name also when
# entityId is an auto-generated number (the REST refName of an auto-numbered customer is
# UNVERIFIED); a transaction shows "<type name> #<tranid>".
DISPLAY_NAME_COLUMNS: dict[str, str] = {
    "customer": "COALESCE(altname, entityid)",
    "subsidiary": "name",
    "currency": "name",
    "account": "accountsearchdisplayname",
    "item": "itemid",
    "department": "name",
    "classification": "name",
    "location": "name",
    "accountingperiod": "periodname",
    "transaction": "type, tranid",
}


def display_name_query(table: str) -> str:
    """``SELECT id, <display name columns> FROM <table>`` (add a ``WHERE`` for one record)."""
    return f'SELECT id, {DISPLAY_NAME_COLUMNS[table]} FROM "{table}"'


def display_name(table: str, row: Sequence[Any]) -> str:
    """The display name from a row of :func:`display_name_query` (its id first)."""
    if table == "transaction":
        type_id, tranid = row[1], row[2]
        return f"{TYPE_NAMES.get(type_id, type_id)} #{tranid}"
    return str(row[1])
