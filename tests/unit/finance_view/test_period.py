"""Picked periods are whole days, both ends included; the first view has data in it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from chargebee_netsuite.finance_view.period import Period, default_period, from_window, parse
from chargebee_netsuite.staging.chargebee_tables import cb_invoices
from chargebee_netsuite.staging.db import create_staging_engine, migrate


def test_an_inclusive_period_is_a_half_open_window_and_back() -> None:
    period = parse("2026-10-01", "2026-10-31")
    start, end = period.window()
    assert (start, end) == (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    assert from_window(start, end) == period
    # A window ending mid-day still covers that day.
    assert from_window(start, datetime(2026, 10, 5, 13, tzinfo=UTC)).last == date(2026, 10, 5)
    with pytest.raises(ValueError):
        parse("2026-10-31", "2026-10-01")


def test_the_default_period_follows_the_data_when_it_is_older(sqlite_url: str) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    today = date(2026, 12, 7)
    with engine.begin() as conn:
        assert default_period(conn, "acme", today) == Period(date(2026, 11, 1), today)
        conn.execute(
            insert(cb_invoices),
            {
                "site": "acme",
                "id": "1",
                "raw": {},
                "extracted_at": datetime(2026, 1, 1, tzinfo=UTC),
                "date": int(datetime(2025, 2, 10, tzinfo=UTC).timestamp()),
            },
        )
        # The newest document is from February 2025: January and February 2025.
        assert default_period(conn, "acme", today) == Period(date(2025, 1, 1), date(2025, 2, 28))
        # Data in this month or the last: the usual two months.
        assert default_period(conn, "other", today) == Period(date(2026, 11, 1), today)
    engine.dispose()
