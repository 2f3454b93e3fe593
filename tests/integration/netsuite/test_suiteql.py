"""SuiteQL against the sandbox: pages of 1000 past 1000 rows, literal values, keyset paging."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from chargebee_netsuite.netsuite.suiteql import SuiteQLError
from chargebee_netsuite.netsuite.suiteql_literals import build

ROWS = 2345


def _many_departments(demo: dict[str, Any]) -> dict[str, Any]:
    # /__admin/reset refuses the file's "_comment" key (the file loader skips it).
    data = {k: copy.deepcopy(v) for k, v in demo.items() if not k.startswith("_")}
    data["department"] = [
        {"id": str(i), "name": f"Dept {i:05d}", "isInactive": i % 7 == 0}
        for i in range(1, ROWS + 1)
    ]
    return data


def test_offset_paging_over_more_than_1000_rows(sandbox: Any, demo_reference_data: Any) -> None:
    sandbox.admin("POST", "/reset", _many_departments(demo_reference_data))
    client, transport = sandbox.client()
    query = build("SELECT id, name, isinactive FROM department ORDER BY id")
    rows = list(client.suiteql.query(query))
    assert [row["id"] for row in rows] == [str(i) for i in range(1, ROWS + 1)]
    assert rows[6] == {"id": "7", "name": "Dept 00007", "isinactive": True}
    assert transport.count("/suiteql", 200) == 3


def test_values_are_written_as_literals(sandbox: Any, demo_reference_data: Any) -> None:
    # The sandbox answers 400 to a body with "params", as REST SuiteQL documents only "q".
    sandbox.admin("POST", "/reset", _many_departments(demo_reference_data))
    client, _ = sandbox.client()
    query = build(
        "SELECT id FROM department WHERE isinactive = ? AND name LIKE ? ORDER BY id",
        True,
        "Dept 001%",
    )
    rows = list(client.suiteql.query(query))
    assert [row["id"] for row in rows] == [str(i) for i in range(100, 200) if i % 7 == 0]
    hostile = build("SELECT id FROM department WHERE name = ?", "x' OR '1'='1")
    assert list(client.suiteql.query(hostile)) == []
    listed = build("SELECT id FROM department WHERE id IN (?) ORDER BY id", [3, 1, 2])
    assert [row["id"] for row in client.suiteql.query(listed)] == ["1", "2", "3"]


def test_keyset_paging_beyond_the_result_cap(start_sandbox: Any, demo_reference_data: Any) -> None:
    # The cap is NetSuite's 100,000 rows; the sandbox lets us lower it instead of seeding 100k.
    sandbox = start_sandbox(suiteql_max_results=1000)
    sandbox.admin("POST", "/reset", _many_departments(demo_reference_data))
    client, transport = sandbox.client()
    client.suiteql.max_results = 1000
    with pytest.raises(SuiteQLError, match="keyset"):
        list(client.suiteql.query(build("SELECT id FROM department ORDER BY id")))
    rows = list(
        client.suiteql.query_keyset(
            "id, name", "department", where=build("isinactive = ?", False), limit=500
        )
    )
    expected = [str(i) for i in range(1, ROWS + 1) if i % 7]
    assert [row["id"] for row in rows] == expected
    # 2010 active rows in windows of 1000 (two pages of 500 each), then a short last window.
    assert len(rows) == 2010
    assert transport.count("/suiteql", 200) >= 5
