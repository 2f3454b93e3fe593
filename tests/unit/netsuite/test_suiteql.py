"""SuiteQL: a body of {"q"} alone, transient preference, offset and keyset paging, decoding."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite.suiteql import SuiteQLError, decode_row, decode_value
from chargebee_netsuite.netsuite.suiteql_literals import Query, build


class FakeTable:
    """Serves ``rows`` the way NetSuite pages SuiteQL, honouring a simple ``id > n`` filter."""

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
        assert set(body) == {"q"}  # REST SuiteQL takes no bound parameters
        assert offset % limit == 0
        rows = self.rows
        after = re.search(r"id > (\d+)", body["q"])
        if after:
            rows = [row for row in rows if int(row["id"]) > int(after.group(1))]
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


def test_values_travel_as_checked_literals_in_q(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(3)
    client = make_client(fake_netsuite(table))
    query = build("SELECT id FROM item WHERE isinactive = ? AND itemid = ?", False, "O'Brien")
    assert len(list(client.suiteql.query(query))) == 3
    assert table.calls[0][2] == {
        "q": "SELECT id FROM item WHERE isinactive = 'F' AND itemid = 'O''Brien'"
    }


def test_only_built_queries_are_sent(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(1)
    client = make_client(fake_netsuite(table))
    with pytest.raises(TypeError, match="build"):
        client.suiteql.page("SELECT id FROM item")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        list(client.suiteql.query(build("SELECT id FROM item"), ["x"]))  # type: ignore[misc]
    with pytest.raises(TypeError, match="build"):
        list(client.suiteql.query_keyset("id", "item", where="id = 1"))  # type: ignore[arg-type]
    assert table.calls == []


def test_offset_paging_reads_every_page_of_1000(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(2500)
    client = make_client(fake_netsuite(table))
    rows = list(client.suiteql.query(build("SELECT id FROM item ORDER BY id")))
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
        list(client.suiteql.query(build("SELECT id FROM item ORDER BY id")))


def test_keyset_paging_goes_past_the_cap(make_client: Any, fake_netsuite: Any) -> None:
    table = FakeTable(55, cap=20)
    client = make_client(fake_netsuite(table))
    client.suiteql.max_results = 20
    rows = list(
        client.suiteql.query_keyset(
            "id, isinactive, rate", "item", where=build("isinactive = ?", False), limit=10
        )
    )
    assert [row["id"] for row in rows] == [str(i) for i in range(1, 56)]
    queries = [body["q"] for _, _, body in table.calls]
    select = "SELECT id, isinactive, rate FROM item WHERE (isinactive = 'F')"
    assert queries[0] == f"{select} ORDER BY id"
    assert queries[2] == f"{select} AND id > 20 ORDER BY id"
    assert queries[4].endswith("AND id > 40 ORDER BY id")


def test_keyset_paging_refuses_a_key_that_is_not_an_integer(
    make_client: Any, fake_netsuite: Any
) -> None:
    table = FakeTable(30, cap=20)
    table.rows = [{**row, "id": f"A{row['id']}"} for row in table.rows]
    client = make_client(fake_netsuite(table))
    client.suiteql.max_results = 20
    with pytest.raises(SuiteQLError, match="integer key"):
        list(client.suiteql.query_keyset("id", "item", limit=10))


def test_values_are_decoded_from_strings() -> None:
    row = decode_row(
        {
            "links": [],
            "ID": "12",
            "IsInactive": "T",
            "Rate": "10.50",
            "acctnumber": "0042",
            "name": "Fees",
            "startdate": "2026-01-31",
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


@pytest.mark.parametrize("shown", ["1/31/2026", "31/1/2026", "31.01.2026", "2026-1-31"])
def test_a_date_not_read_through_to_char_is_an_error_not_a_guess(shown: str) -> None:
    with pytest.raises(SuiteQLError, match=r"startdate.*TO_CHAR"):
        decode_row({"startdate": shown}, types={"startdate": "date"})
    with pytest.raises(SuiteQLError, match="not a calendar date"):
        decode_value("2026-02-30", "date")


def test_page_size_rules(make_client: Any, fake_netsuite: Any) -> None:
    client = make_client(fake_netsuite(FakeTable(1)))
    with pytest.raises(SuiteQLError):
        client.suiteql.page(Query("SELECT id FROM item"), limit=1001)
    with pytest.raises(SuiteQLError, match="multiple"):
        client.suiteql.page(Query("SELECT id FROM item"), limit=1000, offset=500)
