"""Posting-period choice and the closed / A/R-locked rules for transactions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from .account_settings import DatePeriodMismatch, DefaultPeriodIfClosed
from .error_bodies import NetSuiteError, invalid_field_value, user_error


@dataclass(frozen=True)
class Period:
    """One accounting period row."""

    id: int
    name: str
    start: date
    end: date
    is_posting: bool
    closed: bool
    ar_locked: bool
    all_locked: bool

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls inside the period."""
        return self.start <= day <= self.end

    def blocks(self, ar: bool) -> str | None:
        """Why nothing may post here (None if it is open)."""
        if self.closed:
            return f"The accounting period {self.name} is closed."
        if self.all_locked or (ar and self.ar_locked):
            return f"The accounting period {self.name} is locked for A/R."
        return None


def choose_period(
    periods: Sequence[Period],
    tran_date: date,
    requested: int | None,
    *,
    ar: bool,
    today: date,
    date_mismatch: DatePeriodMismatch,
    default_if_closed: DefaultPeriodIfClosed,
) -> tuple[int, list[str]]:
    """Return the posting period id for a transaction, and any warnings.

    The exact REST wording for a closed period is UNVERIFIED; per the reference we answer 400
    ``USER_ERROR`` with a descriptive detail.
    """
    warnings: list[str] = []
    posting = sorted((p for p in periods if p.is_posting), key=lambda p: p.start)
    if requested is not None:
        period = next((p for p in periods if p.id == requested), None)
        if period is None:
            raise invalid_field_value(requested, "postingperiod", "postingPeriod")
        if not period.is_posting:
            raise user_error(f"{period.name} is not a posting period.", "postingPeriod")
        reason = period.blocks(ar)
        if reason:
            raise user_error(reason, "postingPeriod")
        if not period.contains(tran_date):
            message = (
                f"The transaction date {tran_date.isoformat()} is not within the date range "
                f"of the posting period {period.name}."
            )
            if date_mismatch == "disallow":
                raise user_error(message, "tranDate")
            if date_mismatch == "warn":
                warnings.append(message)
        return period.id, warnings
    period = next((p for p in posting if p.contains(tran_date)), None)
    if period is None:
        raise NetSuiteError(
            400,
            "USER_ERROR",
            "Error while accessing a resource. Accounting period setup is required for "
            f"{tran_date.isoformat()}.",
            "tranDate",
        )
    reason = period.blocks(ar)
    if reason is None:
        return period.id, warnings
    if default_if_closed == "first_open":
        later = next((p for p in posting if p.start > period.start and not p.blocks(ar)), None)
        if later is not None:
            return later.id, warnings
    elif default_if_closed == "current":
        current = next((p for p in posting if p.contains(today)), None)
        if current is not None and not current.blocks(ar):
            return current.id, warnings
    raise user_error(reason, "tranDate")
