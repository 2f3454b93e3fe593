"""Integer money helpers: minor units, zero-decimal currencies, rounding and allocation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# Amounts in these currencies are whole units, not cents (apidocs "currencies", support 254748).
ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "XAF", "XOF"})


def minor_units_per_major(currency_code: str) -> int:
    """100 for two-decimal currencies, 1 for zero-decimal ones (JPY, KRW, XAF, XOF)."""
    return 1 if currency_code.upper() in ZERO_DECIMAL_CURRENCIES else 100


def to_minor(major: Decimal | int | str, currency_code: str) -> int:
    """Convert a major-unit amount (e.g. ``"49.99"``) to the integer the API carries."""
    scaled = Decimal(str(major)) * minor_units_per_major(currency_code)
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def format_amount(amount: int, currency_code: str) -> str:
    """Human form of an API amount, e.g. ``12345, "USD" -> "USD 123.45"``."""
    per = minor_units_per_major(currency_code)
    if per == 1:
        return f"{currency_code} {amount}"
    return f"{currency_code} {Decimal(amount) / per:.2f}"


def percent_of(amount: int, rate: Decimal | float | str) -> int:
    """``amount * rate / 100`` rounded half-up to an integer (rates are percentages)."""
    value = Decimal(amount) * Decimal(str(rate)) / 100
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def tax_inside(gross: int, rate: Decimal | float | str) -> int:
    """The tax part of a tax-inclusive ``gross`` amount at ``rate`` percent."""
    r = Decimal(str(rate))
    value = Decimal(gross) * r / (100 + r)
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def allocate(total: int, weights: list[int]) -> list[int]:
    """Split ``total`` over ``weights`` proportionally; the parts sum exactly to ``total``.

    Largest-remainder method, ties broken by position, so the result is deterministic.
    """
    if not weights:
        return []
    weight_sum = sum(weights)
    if weight_sum == 0:
        parts = [0] * len(weights)
        parts[0] = total
        return parts
    floors = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    short = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def round_to_unit(amount: int, currency_code: str) -> int:
    """``amount`` rounded half-up to a whole major unit (unchanged in zero-decimal currencies)."""
    per = minor_units_per_major(currency_code)
    return int((Decimal(amount) / per).quantize(Decimal(1), rounding=ROUND_HALF_UP)) * per
