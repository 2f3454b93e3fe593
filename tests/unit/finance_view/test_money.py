"""Amounts as finance reads them, from exact decimals."""

from __future__ import annotations

from decimal import Decimal

from chargebee_netsuite.finance_view.money import excel_format, format_money


def test_symbols_separators_and_the_currencys_decimals() -> None:
    assert format_money("1234567.5", "USD") == "$1,234,567.50"
    assert format_money(Decimal("-12"), "EUR") == "-€12.00"
    assert format_money("907665", "JPY") == "¥907,665"
    assert format_money("1000", "CHF") == "CHF 1,000.00"
    assert format_money(None, "USD") == "" and format_money("", "USD") == ""


def test_half_a_cent_rounds_half_up_and_never_through_a_float() -> None:
    assert format_money("0.125", "USD") == "$0.13"
    assert format_money("2.675", "GBP") == "£2.68"  # float(2.675) would give 2.67


def test_excel_formats_follow_the_currency() -> None:
    assert excel_format("USD") == '"$"#,##0.00;-"$"#,##0.00'
    assert excel_format("JPY") == '"¥"#,##0;-"¥"#,##0'
    assert excel_format("CHF").startswith('"CHF "#,##0.00')
