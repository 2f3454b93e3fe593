"""Minor units <-> Decimal, for every active ISO 4217 currency and any Chargebee amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.builders.iso4217 import ACTIVE_CODES, CHARGEBEE_ZERO_DECIMAL

from chargebee_netsuite.load.wire import to_json_number, to_record
from chargebee_netsuite.transform.money import decimals, to_money

# Amounts that still travel as exact JSON numbers (fewer than 15 significant digits).
amounts = st.integers(min_value=-(10**13), max_value=10**13)
codes = st.sampled_from(ACTIVE_CODES)


def test_the_list_covers_the_zero_decimal_currencies() -> None:
    assert set(ACTIVE_CODES) >= CHARGEBEE_ZERO_DECIMAL
    assert len(ACTIVE_CODES) == len(set(ACTIVE_CODES)) > 170


@pytest.mark.parametrize("code", ACTIVE_CODES)
def test_each_currency_has_chargebees_number_of_decimals(code: str) -> None:
    expected = 0 if code in CHARGEBEE_ZERO_DECIMAL else 2
    assert decimals(code) == expected
    assert decimals(code.lower()) == expected
    assert to_money(12345, code) == Decimal(12345) / 10**expected


@given(amount=amounts, code=codes)
def test_minor_units_round_trip_exactly(amount: int, code: str) -> None:
    money = to_money(amount, code)
    places = decimals(code)
    assert isinstance(money, Decimal)
    # Exact: scaling back gives the very integer, and nothing was rounded on the way.
    assert money.scaleb(places) == amount
    assert int(money.scaleb(places)) == amount
    assert money.as_tuple().exponent == -places or amount == 0


@given(amount=amounts, code=codes)
def test_the_wire_and_ledger_forms_keep_every_digit(amount: int, code: str) -> None:
    money = to_money(amount, code)
    assert Decimal(repr(to_json_number(money))) == money
    assert Decimal(to_record(money)) == money


@given(a=amounts, b=amounts, code=codes)
def test_conversion_is_additive(a: int, b: int, code: str) -> None:
    assert to_money(a, code) + to_money(b, code) == to_money(a + b, code)


@given(value=st.one_of(st.floats(allow_nan=False), st.booleans(), st.text(max_size=3)))
def test_anything_but_an_integer_is_refused(value: object) -> None:
    with pytest.raises(TypeError):
        to_money(value, "USD")  # type: ignore[arg-type]
