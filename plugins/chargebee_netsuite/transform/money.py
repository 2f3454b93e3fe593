"""The one place Chargebee's integer amounts become Decimal money."""

from __future__ import annotations

from decimal import Decimal

# Chargebee sends these in whole units, every other currency in hundredths (chargebee-api §3.2).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "XAF", "XOF"})


def decimals(currency: str) -> int:
    """How many decimal places an amount in ``currency`` has: 0 for JPY, KRW, XAF, XOF, else 2."""
    return 0 if currency.upper() in ZERO_DECIMAL_CURRENCIES else 2


def to_money(amount: int, currency: str) -> Decimal:
    """A Chargebee amount (minor units, or whole units for zero-decimal currencies) as Decimal.

    ``to_money(49999, "USD") == Decimal("499.99")``; ``to_money(1500, "JPY") == Decimal("1500")``.
    """
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError(f"Chargebee amounts are integers, not {type(amount).__name__}")
    return Decimal(amount).scaleb(-decimals(currency))


def rate(value: float | int | str) -> Decimal:
    """An exchange rate Chargebee sends as a JSON number, exactly as it was written."""
    return Decimal(str(value))
