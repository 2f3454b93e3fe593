"""What to read from SuiteQL for each reference kind, and how its values decode."""

from __future__ import annotations

from dataclasses import dataclass

from chargebee_netsuite.netsuite.suiteql import ColumnType
from chargebee_netsuite.netsuite.suiteql_literals import iso_date


@dataclass(frozen=True)
class ReferenceQuery:
    """The SuiteQL table, the columns read from it and their types."""

    kind: str
    table: str
    columns: dict[str, ColumnType]

    @property
    def select(self) -> str:
        """The select list; dates through ``TO_CHAR`` (bare, they follow the user's format)."""
        return ", ".join(
            iso_date(name) if kind == "date" else name for name, kind in self.columns.items()
        )


_SEGMENT: dict[str, ColumnType] = {
    "id": "text",
    "name": "text",
    "fullname": "text",
    "parent": "text",
    "subsidiary": "text",
    "isinactive": "bool",
}

REFERENCE_QUERIES: dict[str, ReferenceQuery] = {
    q.kind: q
    for q in (
        ReferenceQuery(
            "account",
            "account",
            {
                "id": "text",
                "acctnumber": "text",
                "acctname": "text",
                "fullname": "text",
                "accttype": "text",
                "currency": "text",
                "subsidiary": "text",
                "isinactive": "bool",
            },
        ),
        ReferenceQuery(
            "item",
            "item",
            {
                "id": "text",
                "itemid": "text",
                "displayname": "text",
                "itemtype": "text",
                "incomeaccount": "text",
                "subsidiary": "text",
                "isinactive": "bool",
            },
        ),
        ReferenceQuery(
            "subsidiary",
            "subsidiary",
            {
                "id": "text",
                "name": "text",
                "fullname": "text",
                "parent": "text",
                "currency": "text",
                "country": "text",
                "iselimination": "bool",
                "isinactive": "bool",
            },
        ),
        ReferenceQuery("department", "department", _SEGMENT),
        ReferenceQuery("classification", "classification", _SEGMENT),
        ReferenceQuery("location", "location", _SEGMENT),
        ReferenceQuery(
            "currency",
            "currency",
            {
                "id": "text",
                "name": "text",
                "symbol": "text",
                "isbasecurrency": "bool",
                "currencyprecision": "int",
                "isinactive": "bool",
            },
        ),
        ReferenceQuery(
            "accountingperiod",
            "accountingperiod",
            {
                "id": "text",
                "periodname": "text",
                "startdate": "date",
                "enddate": "date",
                "isposting": "bool",
                "isquarter": "bool",
                "isyear": "bool",
                "isadjust": "bool",
                "closed": "bool",
                "arlocked": "bool",
                "alllocked": "bool",
            },
        ),
    )
}
