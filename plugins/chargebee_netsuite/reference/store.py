"""Write a reference snapshot to staging atomically, and read it back as :class:`ReferenceData`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from chargebee_netsuite.reference.model import AccountingPeriod, ReferenceData, ReferenceRecord
from chargebee_netsuite.staging.netsuite_reference_tables import (
    REFERENCE_TABLES,
    ns_ref_currency,
    ns_ref_snapshot,
)

Rows = Sequence[Mapping[str, Any]]


def replace_snapshot(
    engine: Engine, rows_by_kind: Mapping[str, Rows], pulled_at: datetime | None = None
) -> dict[str, int]:
    """Replace the stored rows of every kind in ``rows_by_kind`` in one transaction.

    Readers see either the whole old snapshot or the whole new one, never a mix. Returns the
    row count per kind.
    """
    unknown = set(rows_by_kind) - set(REFERENCE_TABLES)
    if unknown:
        raise ValueError(f"unknown reference kinds: {sorted(unknown)}")
    pulled_at = pulled_at or datetime.now(UTC)
    counts: dict[str, int] = {}
    with engine.begin() as conn:
        for kind, rows in rows_by_kind.items():
            table = REFERENCE_TABLES[kind]
            names = {column.name for column in table.columns}
            conn.execute(delete(table))
            clean = [{k: v for k, v in row.items() if k in names} for row in rows]
            if clean:
                conn.execute(insert(table), clean)
            conn.execute(delete(ns_ref_snapshot).where(ns_ref_snapshot.c.kind == kind))
            conn.execute(
                insert(ns_ref_snapshot).values(kind=kind, pulled_at=pulled_at, row_count=len(clean))
            )
            counts[kind] = len(clean)
    return counts


def snapshot_times(engine: Engine) -> dict[str, datetime]:
    """When each kind was last pulled."""
    with engine.connect() as conn:
        rows = conn.execute(select(ns_ref_snapshot.c.kind, ns_ref_snapshot.c.pulled_at)).all()
    return {kind: pulled_at for kind, pulled_at in rows}


def _record(kind: str, row: Mapping[Any, Any]) -> ReferenceRecord:
    if kind == "account":
        name, type_, code = row["acctname"], row["accttype"], row["acctnumber"]
    elif kind == "item":
        name, type_, code = row["displayname"] or row["itemid"], row["itemtype"], row["itemid"]
    elif kind == "currency":
        name, type_, code = row["name"], None, row["symbol"]
    else:
        name, type_, code = row["fullname"] or row["name"], None, None
    return ReferenceRecord(
        kind=kind,
        id=str(row["id"]),
        name=str(name),
        is_inactive=bool(row["isinactive"]),
        type=type_,
        code=code,
        income_account=row["incomeaccount"] if kind == "item" else None,
        currency=row["currency"] if kind == "subsidiary" else None,
    )


def _period(row: Mapping[Any, Any]) -> AccountingPeriod:
    return AccountingPeriod(
        id=str(row["id"]),
        name=row["periodname"],
        start_date=row["startdate"],
        end_date=row["enddate"],
        is_posting=row["isposting"],
        is_quarter=row["isquarter"],
        is_year=row["isyear"],
        is_adjust=row["isadjust"],
        closed=row["closed"],
        ar_locked=row["arlocked"],
        all_locked=row["alllocked"],
    )


def read_reference_data(engine: Engine) -> ReferenceData:
    """The stored snapshot as :class:`ReferenceData`."""
    records: list[ReferenceRecord] = []
    periods: list[AccountingPeriod] = []
    with engine.connect() as conn:
        for kind, table in REFERENCE_TABLES.items():
            rows = conn.execute(select(table)).mappings().all()
            if kind == "accountingperiod":
                periods.extend(_period(row) for row in rows)
            else:
                records.extend(_record(kind, row) for row in rows)
    return ReferenceData.build(records, periods)


def staged_currency_codes(conn: Connection) -> dict[str, str]:
    """ISO code by NetSuite currency id, from the staged snapshot (no request to NetSuite)."""
    rows = conn.execute(select(ns_ref_currency.c.id, ns_ref_currency.c.symbol))
    return {str(currency_id): str(symbol).upper() for currency_id, symbol in rows}
