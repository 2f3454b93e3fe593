"""Amounts as finance reads them: currency symbol, thousands separators, the currency's decimals.

Amounts stay :class:`~decimal.Decimal` until they become text (here) or a spreadsheet cell with
a number format (:func:`excel_format`); the digits after the point follow the currency's minor
units, so yen show none.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from chargebee_netsuite.transform.money import decimals

# Symbols finance recognises; any other currency is written with its ISO code.
SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "KRW": "₩",
    "CAD": "CA$",
    "AUD": "A$",
    "NZD": "NZ$",
    "SGD": "S$",
    "BRL": "R$",
    "MXN": "MX$",
}


def as_decimal(value: Any) -> Decimal | None:
    """A stored amount (Decimal, int or its exact text) as Decimal; None when it is none."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # never produced by us; kept exact to what was written
        value = repr(value)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def quantize(amount: Decimal, currency: str | None) -> Decimal:
    """``amount`` with exactly the currency's number of decimals."""
    places = decimals(currency or "")
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_money(value: Any, currency: str | None) -> str:
    """``$1,234.56``, ``-€12.00``, ``¥12,345``, ``CHF 1,000.00``; empty for no amount."""
    amount = as_decimal(value)
    if amount is None:
        return ""
    code = (currency or "").upper()
    amount = quantize(amount, code)
    digits = f"{abs(amount):,.{decimals(code)}f}"
    symbol = SYMBOLS.get(code)
    text = f"{symbol}{digits}" if symbol else f"{code} {digits}".strip()
    return f"-{text}" if amount < 0 else text


def excel_format(currency: str | None) -> str:
    """An Excel number format showing the currency like :func:`format_money` does."""
    code = (currency or "").upper()
    places = decimals(code)
    number = "#,##0" + ("." + "0" * places if places else "")
    symbol = SYMBOLS.get(code, f"{code} " if code else "")
    quoted = '"' + symbol.replace('"', "") + '"' if symbol else ""
    return f"{quoted}{number};-{quoted}{number}"
