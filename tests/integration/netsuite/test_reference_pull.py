"""Reference data pulled through SuiteQL into staging (SQLite and Postgres), replaced atomically."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from chargebee_netsuite.netsuite import ServerError
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data, snapshot_times
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.netsuite_reference_tables import REFERENCE_TABLES, ns_ref_item


def _without_comment(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if not k.startswith("_")}


def test_reference_data_is_pulled_into_staging(
    sandbox: Any, staging_url: str, demo_reference_data: dict[str, Any]
) -> None:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    client, _ = sandbox.client()

    counts = refresh_reference_data(client, engine)

    assert counts == {
        "account": len(demo_reference_data["account"]),
        "item": len(demo_reference_data["item"]),
        "subsidiary": 3,
        "department": 3,
        "classification": 3,
        "location": 3,
        "currency": 6,
        "accountingperiod": len(demo_reference_data["accountingPeriod"]),
    }
    reference = read_reference_data(engine)
    receivables = reference.get("account", "6")
    assert receivables is not None and receivables.type == "AcctRec"
    assert receivables.describe() == "account 1200 Accounts Receivable (id 6)"
    seats = reference.get("item", "4")
    assert seats is not None and (seats.code, seats.type, seats.income_account) == (
        "ADDON-SEATS",
        "Service",
        "11",
    )
    jpy = reference.currency_by_code("jpy")
    assert jpy is not None and jpy.id == "4"
    january = reference.period_for(date(2015, 1, 15))
    assert january is not None and january.closed and not january.open_for_ar
    first_open = reference.first_open_period_from(date(2015, 1, 15))
    assert first_open is not None and first_open.open_for_ar
    assert set(snapshot_times(engine)) == set(REFERENCE_TABLES)
    engine.dispose()


def test_a_refresh_replaces_the_snapshot(
    sandbox: Any, sqlite_url: str, demo_reference_data: dict[str, Any]
) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    client, _ = sandbox.client()
    refresh_reference_data(client, engine)

    changed = _without_comment(demo_reference_data)
    changed["item"] = [dict(item) for item in changed["item"] if item["id"] != "10"]
    changed["item"][3]["isInactive"] = True  # ADDON-SEATS
    sandbox.admin("POST", "/reset", changed)
    refresh_reference_data(client, engine, kinds=["item"])

    reference = read_reference_data(engine)
    assert reference.get("item", "10") is None  # gone from NetSuite, gone from the snapshot
    seats = reference.get("item", "4")
    assert seats is not None and seats.is_inactive
    with engine.connect() as conn:
        expected = len(demo_reference_data["item"]) - 1
        assert conn.execute(select(func.count()).select_from(ns_ref_item)).scalar() == expected
    engine.dispose()


def test_a_failed_pull_leaves_the_previous_snapshot(
    sandbox: Any, sqlite_url: str, demo_reference_data: dict[str, Any]
) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    client, _ = sandbox.client(max_attempts=2)
    refresh_reference_data(client, engine)
    before = snapshot_times(engine)
    # Accounts are pulled first and succeed; every later query fails.
    sandbox.admin("POST", "/faults", {"kind": "error", "count": 50, "path_contains": "suiteql"})
    with pytest.raises(ServerError):
        refresh_reference_data(client, engine)
    assert snapshot_times(engine) == before
    demo_chart = len(demo_reference_data["account"])
    assert len(read_reference_data(engine).of_kind("account")) == demo_chart
    engine.dispose()


@pytest.mark.parametrize("preference", ["M/D/YYYY", "D/M/YYYY", "DD.MM.YYYY"])
def test_accounting_periods_read_right_whatever_the_users_date_format(
    start_sandbox: Any, sqlite_url: str, demo_reference_data: dict[str, Any], preference: str
) -> None:
    # SuiteQL prints bare dates in the integration user's preference; 1/3/2024 is January 3rd
    # in one account and March 1st in another, so the pull must never parse them.
    sandbox = start_sandbox(suiteql_date_format=preference)
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    client, _ = sandbox.client()
    refresh_reference_data(client, engine, kinds=["accountingperiod"])
    periods = {p.id: p for p in read_reference_data(engine).periods}
    expected = demo_reference_data["accountingPeriod"]
    assert len(periods) == len(expected)
    for period in expected:
        got = periods[str(period["id"])]
        assert (got.start_date.isoformat(), got.end_date.isoformat()) == (
            period["startDate"],
            period["endDate"],
        ), period["periodName"]
    engine.dispose()
