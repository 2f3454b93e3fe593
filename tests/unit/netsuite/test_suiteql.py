"""SuiteQL: bound parameters, transient preference, offset and keyset paging, value decoding."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite.suiteql import (
    SuiteQLError,
    count_placeholders,
    decode_row,
    decode_value,
    encode_param,
)


class FakeTable:
    """Serves ``rows`` the way NetSuite pages SuiteQL, honouring a simple ``id > ?`` filter."""

    def __init__(self, n: int, cap: int = 100_000) -> None:
        self.rows = [{"id": str(i), "isinactive": "F", "rate": f"{i}.50"} for i in range(1, n + 1)]
        self.cap = cap
        self.calls: list[tuple[int, int, dict[str, Any]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        self.calls.append((limit, offset, body))
        assert request.headers["Prefer"] == "transient"
        assert offset % limit == 0
        rows = self.rows
        if "id > ?" in body["q"]:
            rows = [row for row in rows if int(row["id"]) > int(body["params"][-1])]
        rows = rows[: self.cap]
        page = rows[offset : offset + limit]
        items = [{"links": [], **row} for row in page]
        return httpx.Response(
            200,
            json={
                "links": [],
                "count": len(items),
                "offset": offset,
                "totalResults": len(rows),
                "hasMore": offset + limit < len(rows),
                "items": items,
            },
        )


def test_params_are_bound_not_formatted(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(3)
    client = make_client(fake_netsuite(table))
    rows = list(
        client.suiteql.query(
            "SELECT id FROM item WHERE isinactive = ? AND itemid = ?", [False, "O'Brien"]
        )
    )
    assert len(rows) == 3
    body = table.calls[0][2]
    assert body["params"] == ["F", "O'Brien"]
    assert "O'Brien" not in body["q"]


def test_placeholder_count_must_match(make_client: Any, fake_netsuite: Any) -> None:
    client = make_client(fake_netsuite(FakeTable(1)))
    with pytest.raises(SuiteQLError, match="placeholders"):
        list(client.suiteql.query("SELECT id FROM item WHERE itemid = ?"))
    assert count_placeholders("SELECT '?' FROM t WHERE a = ? AND b = \"?\"") == 1


def test_offset_paging_reads_every_page_of_1000(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(2500)
    client = make_client(fake_netsuite(table))
    rows = list(client.suiteql.query("SELECT id FROM item ORDER BY id"))
    assert [row["id"] for row in rows] == [str(i) for i in range(1, 2501)]
    assert [(limit, offset) for limit, offset, _ in table.calls] == [
        (1000, 0),
        (1000, 1000),
        (1000, 2000),
    ]


def test_offset_paging_refuses_results_past_the_cap(make_client: Any, fake_netsuite: Any) -> None:
    client = make_client(fake_netsuite(FakeTable(30, cap=25)))
    client.suiteql.max_results = 25
    with pytest.raises(SuiteQLError, match="keyset"):
        list(client.suiteql.query("SELECT id FROM item ORDER BY id"))


def test_keyset_paging_goes_past_the_cap(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(55, cap=20)
    client = make_client(fake_netsuite(table))
    client.suiteql.max_results = 20
    rows = list(
        client.suiteql.query_keyset(
            "id, isinactive, rate", "item", where="isinactive = ?", params=[False], limit=10
        )
    )
    assert [row["id"] for row in rows] == [str(i) for i in range(1, 56)]
    queries = [(body["q"], body["params"]) for _, _, body in table.calls]
    assert queries[0] == (
        "SELECT id, isinactive, rate FROM item WHERE (isinactive = ?) ORDER BY id",
        ["F"],
    )
    assert queries[2] == (
        "SELECT id, isinactive, rate FROM item WHERE (isinactive = ?) AND id > ? ORDER BY id",
        ["F", "20"],
    )
    assert queries[4][1] == ["F", "40"]


def test_values_are_decoded_from_strings() -> None:
    row = decode_row(
        {
            "links": [],
            "ID": "12",
            "IsInactive": "T",
            "Rate": "10.50",
            "acctnumber": "0042",
            "name": "Fees",
            "startdate": "1/31/2026",
            "externalid": "123",
        },
        types={"startdate": "date"},
    )
    assert row == {
        "id": "12",
        "isinactive": True,
        "rate": Decimal("10.50"),
        "acctnumber": "0042",
        "name": "Fees",
        "startdate": date(2026, 1, 31),
        "externalid": "123",
    }
    assert decode_value("2026-02-01", "date") == date(2026, 2, 1)
    assert decode_value("", "decimal") is None
    assert decode_value("7", "int") == 7
    assert decode_value(True) is True
    assert decode_value(12, "text") == "12"
    assert decode_value(1.5) == Decimal("1.5")
    with pytest.raises(SuiteQLError):
        decode_value("yes", "bool")
    assert encode_param(Decimal("1.10")) == "1.10"
    assert encode_param(date(2026, 1, 2)) == "2026-01-02"
    assert encode_param(True) == "T"


def test_page_size_rules(make_client: Any, fake_netsuite: Any) -> None:
    client = make_client(fake_netsuite(FakeTable(1)))
    with pytest.raises(SuiteQLError):
        client.suiteql.page("SELECT id FROM item", limit=1001)
    with pytest.raises(SuiteQLError, match="multiple"):
        client.suiteql.page("SELECT id FROM item", limit=1000, offset=500)
