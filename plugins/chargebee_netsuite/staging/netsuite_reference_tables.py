"""Staging tables holding the latest snapshot of NetSuite reference data (pulled via SuiteQL)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String, Table

from chargebee_netsuite.staging.schema import metadata

# Column names follow the SuiteQL columns they are read from, so a query and its table read
# alike. Ids are text: NetSuite's REST API treats internal ids as strings.
_ID = 32
_NAME = 400


def _id() -> Column[str]:
    return Column("id", String(_ID), primary_key=True)


def _inactive() -> Column[bool]:
    return Column("isinactive", Boolean, nullable=False, default=False)


ns_ref_account = Table(
    "ns_ref_account",
    metadata,
    _id(),
    Column("acctnumber", String(60)),
    Column("acctname", String(_NAME), nullable=False),
    Column("fullname", String(_NAME)),
    Column("accttype", String(40), nullable=False),
    Column("currency", String(_ID)),
    Column("subsidiary", String(_NAME)),  # "1, 2": the subsidiaries it is restricted to
    _inactive(),
)

ns_ref_item = Table(
    "ns_ref_item",
    metadata,
    _id(),
    Column("itemid", String(_NAME), nullable=False),
    Column("displayname", String(_NAME)),
    Column("itemtype", String(40), nullable=False),
    Column("incomeaccount", String(_ID)),
    Column("subsidiary", String(_NAME)),
    _inactive(),
)

ns_ref_subsidiary = Table(
    "ns_ref_subsidiary",
    metadata,
    _id(),
    Column("name", String(_NAME), nullable=False),
    Column("fullname", String(_NAME)),
    Column("parent", String(_ID)),
    Column("currency", String(_ID)),
    Column("country", String(8)),
    Column("iselimination", Boolean, nullable=False, default=False),
    _inactive(),
)


def _segment_table(name: str) -> Table:
    """Department, class and location share one shape."""
    return Table(
        name,
        metadata,
        _id(),
        Column("name", String(_NAME), nullable=False),
        Column("fullname", String(_NAME)),
        Column("parent", String(_ID)),
        Column("subsidiary", String(_NAME)),
        _inactive(),
    )


ns_ref_department = _segment_table("ns_ref_department")
ns_ref_classification = _segment_table("ns_ref_classification")
ns_ref_location = _segment_table("ns_ref_location")

ns_ref_currency = Table(
    "ns_ref_currency",
    metadata,
    _id(),
    Column("name", String(_NAME), nullable=False),
    Column("symbol", String(8), nullable=False),
    Column("isbasecurrency", Boolean, nullable=False, default=False),
    Column("currencyprecision", Integer),
    _inactive(),
)

ns_ref_accountingperiod = Table(
    "ns_ref_accountingperiod",
    metadata,
    _id(),
    Column("periodname", String(_NAME), nullable=False),
    Column("startdate", Date, nullable=False),
    Column("enddate", Date, nullable=False),
    Column("isposting", Boolean, nullable=False, default=True),
    Column("isquarter", Boolean, nullable=False, default=False),
    Column("isyear", Boolean, nullable=False, default=False),
    Column("isadjust", Boolean, nullable=False, default=False),
    Column("closed", Boolean, nullable=False, default=False),
    Column("arlocked", Boolean, nullable=False, default=False),
    Column("alllocked", Boolean, nullable=False, default=False),
)

# One row per reference kind: when its snapshot was taken and how many rows it holds.
ns_ref_snapshot = Table(
    "ns_ref_snapshot",
    metadata,
    Column("kind", String(40), primary_key=True),
    Column("pulled_at", DateTime(timezone=True), nullable=False),
    Column("row_count", Integer, nullable=False),
)

REFERENCE_TABLES: dict[str, Table] = {
    "account": ns_ref_account,
    "item": ns_ref_item,
    "subsidiary": ns_ref_subsidiary,
    "department": ns_ref_department,
    "classification": ns_ref_classification,
    "location": ns_ref_location,
    "currency": ns_ref_currency,
    "accountingperiod": ns_ref_accountingperiod,
}
