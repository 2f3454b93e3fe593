"""Periods as finance picks them: first and last day, both inclusive.

A reconciliation window is ``[start, end)`` in UTC; a picked period ``1 Oct to 31 Oct`` is the
window ``[1 Oct 00:00, 1 Nov 00:00)``. The first view needs a period with data in it: the
current and previous month, unless the newest staged document is older (a demo seed, a
site at rest), then the month of that document and the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Connection, func, select

from chargebee_netsuite.staging.chargebee_tables import (
    cb_credit_notes,
    cb_invoices,
    cb_transactions,
)


@dataclass(frozen=True)
class Period:
    """A period of whole days, ``first`` to ``last`` inclusive."""

    first: date
    last: date

    def window(self) -> tuple[datetime, datetime]:
        """The reconciliation window ``[first 00:00 UTC, day after last 00:00 UTC)``."""
        start = datetime(self.first.year, self.first.month, self.first.day, tzinfo=UTC)
        after = self.last + timedelta(days=1)
        return start, datetime(after.year, after.month, after.day, tzinfo=UTC)

    def as_dict(self) -> dict[str, str]:
        """``{"first": "2026-10-01", "last": "2026-10-31"}``."""
        return {"first": self.first.isoformat(), "last": self.last.isoformat()}


def from_window(start: datetime, end: datetime) -> Period:
    """The days a window ``[start, end)`` covers (an end at midnight is the day before)."""
    start, end = _utc(start), _utc(end)
    last = end.date()
    if end == datetime(last.year, last.month, last.day, tzinfo=UTC):
        last -= timedelta(days=1)
    return Period(start.date(), max(last, start.date()))


def parse(first: str, last: str) -> Period:
    """A period from two ISO dates; ``ValueError`` unless ``first <= last``."""
    period = Period(date.fromisoformat(first), date.fromisoformat(last))
    if period.last < period.first:
        raise ValueError("the period ends before it starts")
    return period


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _month_start(day: date) -> date:
    return day.replace(day=1)


def previous_and_current_month(today: date) -> Period:
    """From the first of last month to ``today``."""
    first_of_this = _month_start(today)
    return Period(_month_start(first_of_this - timedelta(days=1)), today)


def newest_document_day(conn: Connection, site: str | None) -> date | None:
    """The date of the newest staged invoice, credit note or transaction (UTC)."""
    newest: int | None = None
    for table in (cb_invoices, cb_credit_notes, cb_transactions):
        query = select(func.max(table.c.date))
        if site is not None:
            query = query.where(table.c.site == site)
        value = conn.scalar(query)
        if value is not None and (newest is None or int(value) > newest):
            newest = int(value)
    return None if newest is None else datetime.fromtimestamp(newest, UTC).date()


def default_period(conn: Connection, site: str | None, today: date) -> Period:
    """Last month and this one, or, when the data ends earlier, its last two months."""
    newest = newest_document_day(conn, site)
    period = previous_and_current_month(today)
    if newest is None or newest >= period.first:
        return period
    last_of_month = _month_start(newest + timedelta(days=32)) - timedelta(days=1)
    return Period(previous_and_current_month(newest).first, last_of_month)
