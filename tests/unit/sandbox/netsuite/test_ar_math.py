"""Pure AR arithmetic and posting-period rules."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from cbns_devkit.sandbox.netsuite import ar
from cbns_devkit.sandbox.netsuite.error_bodies import NetSuiteError
from cbns_devkit.sandbox.netsuite.periods import Period, choose_period


def test_line_amount_prefers_amount_and_rounds_half_up_to_currency_precision() -> None:
    assert ar.line_amount({"amount": Decimal("10.005")}, 2) == Decimal("10.01")
    assert ar.line_amount({"quantity": Decimal(3), "rate": Decimal("33.335")}, 2) == Decimal(
        "100.01"
    )
    assert ar.line_amount({"rate": Decimal("99.5")}, 0) == Decimal(100)


def test_item_total_is_exact() -> None:
    lines = [{"amount": Decimal("0.1")}, {"amount": Decimal("0.2")}]
    assert ar.item_total(lines, 2) == Decimal("0.30")


def test_journal_must_balance_and_lines_need_one_side() -> None:
    balanced = [{"debit": Decimal(5)}, {"credit": Decimal(5)}]
    assert ar.journal_total(balanced) == 5
    with pytest.raises(NetSuiteError, match="must equal"):
        ar.journal_total([{"debit": Decimal(5)}, {"credit": Decimal(4)}])
    with pytest.raises(NetSuiteError, match="either a debit or a credit"):
        ar.journal_total([{"debit": Decimal(5), "credit": Decimal(5)}, {"credit": Decimal(0)}])


def test_status_follows_what_is_left() -> None:
    assert ar.status_of("CustInvc", Decimal("0.01")) == "A"
    assert ar.status_of("CustInvc", Decimal(0)) == "B"
    assert ar.status_of("CustCred", Decimal(0)) == "B"
    assert ar.remaining(Decimal(100), [Decimal(40), Decimal("59.99")]) == Decimal("0.01")


def _period(pid: int, month: int, **flags: bool) -> Period:
    return Period(
        pid,
        f"M{month}",
        date(2024, month, 1),
        date(2024, month, 28),
        True,
        flags.get("closed", False),
        flags.get("ar_locked", False),
        False,
    )


PERIODS = [_period(1, 1, closed=True), _period(2, 2, ar_locked=True), _period(3, 3)]
KW = {"today": date(2024, 3, 10), "date_mismatch": "disallow", "default_if_closed": "reject"}


def test_period_is_found_from_the_date() -> None:
    assert choose_period(PERIODS, date(2024, 3, 5), None, ar=True, **KW) == (3, [])  # type: ignore[arg-type]


def test_closed_and_ar_locked_periods_are_refused() -> None:
    with pytest.raises(NetSuiteError, match="M1 is closed"):
        choose_period(PERIODS, date(2024, 1, 5), None, ar=True, **KW)  # type: ignore[arg-type]
    with pytest.raises(NetSuiteError, match="locked"):
        choose_period(PERIODS, date(2024, 2, 5), None, ar=True, **KW)  # type: ignore[arg-type]
    # An A/R lock does not stop a journal.
    assert choose_period(PERIODS, date(2024, 2, 5), None, ar=False, **KW)[0] == 2  # type: ignore[arg-type]


def test_default_period_if_closed_moves_to_the_first_open_one() -> None:
    kw = {**KW, "default_if_closed": "first_open"}
    assert choose_period(PERIODS, date(2024, 1, 5), None, ar=True, **kw)[0] == 3  # type: ignore[arg-type]


def test_date_outside_the_requested_period() -> None:
    with pytest.raises(NetSuiteError, match="not within"):
        choose_period(PERIODS, date(2024, 2, 5), 3, ar=True, **KW)  # type: ignore[arg-type]
    warn = {**KW, "date_mismatch": "warn"}
    period, warnings = choose_period(PERIODS, date(2024, 2, 5), 3, ar=True, **warn)  # type: ignore[arg-type]
    assert period == 3 and warnings
