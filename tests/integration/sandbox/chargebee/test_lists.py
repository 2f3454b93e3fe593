"""List endpoints: limit, opaque offsets, sorting rules, bracket filters, include_deleted."""

from __future__ import annotations

import json

import pytest

from .conftest import Sandbox, Schemas, schema_errors


def test_limit_defaults_to_10_and_next_offset_is_opaque_json(generated: Sandbox) -> None:
    body = generated.api.get("/invoices").json()
    assert len(body["list"]) == 10
    sort_value, internal_id = json.loads(body["next_offset"])
    assert sort_value.isdigit() and internal_id.isdigit()


@pytest.mark.parametrize("limit", ["0", "101", "ten"])
def test_limit_outside_1_to_100_is_400(generated: Sandbox, limit: str, schemas: Schemas) -> None:
    response = generated.api.get("/invoices", params={"limit": limit})
    assert response.status_code == 400
    assert response.json()["api_error_code"] == "param_wrong_value"
    assert response.json()["param"] == "limit"
    assert schema_errors(schemas("400"), response.json()) == []


def test_paging_visits_every_row_once_and_last_page_has_no_next_offset(
    generated: Sandbox,
) -> None:
    seen: list[str] = []
    params: dict[str, object] = {"limit": 7}
    pages = 0
    while True:
        body = generated.api.get("/transactions", params=params).json()
        pages += 1
        seen += [row["transaction"]["id"] for row in body["list"]]
        if "next_offset" not in body:
            break
        params["offset"] = body["next_offset"]
    everything = generated.list_all("transactions")
    assert pages > 2
    assert sorted(seen) == sorted(row["transaction"]["id"] for row in everything)
    assert len(seen) == len(set(seen))


def test_exactly_full_last_page_has_no_next_offset(generated: Sandbox) -> None:
    total = len(generated.list_all("customers"))
    body = generated.api.get("/customers", params={"limit": total}).json()
    assert len(body["list"]) == total
    assert "next_offset" not in body


@pytest.mark.parametrize("offset", ["garbage", '["x"]', "[1,2]", "x" * 1001])
def test_garbled_offset_is_400(generated: Sandbox, offset: str) -> None:
    response = generated.api.get("/invoices", params={"offset": offset})
    assert response.status_code == 400
    assert response.json()["param"] == "offset"


def test_default_order_is_creation_ascending(generated: Sandbox) -> None:
    rows = [r["customer"]["created_at"] for r in generated.list_all("customers")]
    assert rows == sorted(rows)


def test_sort_by_desc_updated_at_on_invoices(generated: Sandbox) -> None:
    rows = generated.list_all("invoices", **{"sort_by[desc]": "updated_at"})
    values = [r["invoice"].get("updated_at", 0) for r in rows]
    assert values == sorted(values, reverse=True)


@pytest.mark.parametrize(
    ("path", "attr", "status"),
    [
        ("credit_notes", "updated_at", 400),
        ("credit_notes", "date", 200),
        ("invoices", "date", 200),
        ("invoices", "total", 400),
        ("customers", "created_at", 200),
        ("items", "name", 200),
        ("events", "occurred_at", 200),
        ("events", "updated_at", 400),
    ],
)
def test_sort_by_is_restricted_per_resource(
    generated: Sandbox, path: str, attr: str, status: int
) -> None:
    assert generated.api.get(f"/{path}", params={"sort_by[asc]": attr}).status_code == status


@pytest.mark.parametrize(
    "value",
    ['["paid","voided"]', "['paid', 'voided']", "[paid,voided]"],
    ids=["json", "python-repr", "bare"],
)
def test_status_in_accepts_json_and_python_repr(generated: Sandbox, value: str) -> None:
    rows = generated.list_all("invoices", **{"status[in]": value})
    statuses = {r["invoice"]["status"] for r in rows}
    assert statuses == {"paid", "voided"}


def test_updated_at_between_json_and_repr_agree_and_are_inclusive(generated: Sandbox) -> None:
    rows = generated.list_all("invoices")
    updated = sorted(r["invoice"]["updated_at"] for r in rows if "updated_at" in r["invoice"])
    low, high = updated[len(updated) // 4], updated[3 * len(updated) // 4]
    as_json = generated.list_all("invoices", **{"updated_at[between]": f"[{low},{high}]"})
    as_repr = generated.list_all("invoices", **{"updated_at[between]": f"['{low}', '{high}']"})
    assert [r["invoice"]["id"] for r in as_json] == [r["invoice"]["id"] for r in as_repr]
    expected = [u for u in updated if low <= u <= high]
    assert len(as_json) == len(expected)


def test_updated_at_filters_exclude_records_without_updated_at(generated: Sandbox) -> None:
    everything = generated.list_all("transactions")
    legacy = [r for r in everything if "updated_at" not in r["transaction"]]
    assert legacy, "generated data must contain pre-2016 records without updated_at"
    filtered = generated.list_all("transactions", **{"updated_at[after]": "1000000000"})
    ids = {r["transaction"]["id"] for r in filtered}
    assert not ids & {r["transaction"]["id"] for r in legacy}
    assert len(filtered) == len(everything) - len(legacy)


@pytest.mark.parametrize(
    "params",
    [
        {"updated_at[after]": "123"},
        {"updated_at[between]": "[1,2,3]"},
        {"status[is]": "nonsense"},
        {"total[starts_with]": "1"},
        {"not_a_field[is]": "x"},
        {"include_deleted": "yes"},
    ],
)
def test_bad_filters_are_400(generated: Sandbox, params: dict[str, str]) -> None:
    response = generated.api.get("/invoices", params=params)
    assert response.status_code == 400
    assert response.json()["api_error_code"] == "param_wrong_value"


def test_number_and_string_filters(generated: Sandbox) -> None:
    # currency_code is not a filter of the invoice list (SPEC), so it is refused.
    assert generated.api.get("/invoices", params={"currency_code[is]": "USD"}).status_code == 400
    due = generated.list_all("invoices", **{"amount_due[gt]": "0"})
    assert due and all(r["invoice"]["amount_due"] > 0 for r in due)
    customer = due[0]["invoice"]["customer_id"]
    mine = generated.list_all("invoices", **{"customer_id[is]": customer})
    assert mine and all(r["invoice"]["customer_id"] == customer for r in mine)


def test_include_deleted(generated: Sandbox) -> None:
    visible = generated.list_all("invoices")
    everything = generated.list_all("invoices", include_deleted="true")
    deleted = [r for r in everything if r["invoice"]["deleted"]]
    assert deleted
    assert not any(r["invoice"]["deleted"] for r in visible)
    assert len(everything) == len(visible) + len(deleted)


def test_items_have_no_include_deleted_but_filter_by_status(generated: Sandbox) -> None:
    archived = generated.list_all("items", **{"status[is]": "archived"})
    assert [r["item"]["id"] for r in archived] == ["platform-classic"]


def test_events_filters(generated: Sandbox) -> None:
    events = generated.list_all("events", **{"event_type[in]": '["invoice_generated"]'})
    assert events and {r["event"]["event_type"] for r in events} == {"invoice_generated"}
    times = sorted(r["event"]["occurred_at"] for r in events)
    middle = times[len(times) // 2]
    later = generated.list_all(
        "events", **{"event_type[is]": "invoice_generated", "occurred_at[after]": str(middle)}
    )
    assert all(r["event"]["occurred_at"] > middle for r in later)
    window = generated.list_all(
        "events",
        start_time=str(middle),
        end_time=str(times[-1]),
        **{"sort_by[desc]": "occurred_at"},
    )
    occurred = [r["event"]["occurred_at"] for r in window]
    assert occurred == sorted(occurred, reverse=True)
    assert all(middle <= t <= times[-1] for t in occurred)
    sources = generated.list_all("events", **{"source[is]": "migration"})
    assert len(sources) == len(generated.list_all("events"))
