"""A site's base currency and exchange rates: ``exchange_rate`` and ``base_currency_code``.

Chargebee converts every document to the site's base currency: ``exchange_rate`` is "used for
base currency conversion" (chargebee-node ``Invoice.d.ts``), and captured documents carry
``base_currency_code`` beside it (bonusly/mock_chargebee ``fixtures/webhooks/
payment_succeeded.json``, ``credit_note_updated.json``). Sites keep one rate per currency
(chargebee-node ``Currency.d.ts``: ``is_base_currency``, ``manual_exchange_rate``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# US dollars per unit of each currency: mid-market rates of early 2024, for realistic data.
USD_PER_UNIT: dict[str, Decimal] = {
    "USD": Decimal("1"),
    "EUR": Decimal("1.0870"),
    "GBP": Decimal("1.2658"),
    "JPY": Decimal("0.006667"),
    "CAD": Decimal("0.7407"),
    "AUD": Decimal("0.6579"),
    "CHF": Decimal("1.1364"),
}
# Chargebee sends rates as JSON numbers; eight decimals keep the yen's rate meaningful.
_PLACES = Decimal("0.00000001")


@dataclass(frozen=True)
class SiteCurrencies:
    """The base currency of a site and what one unit of each currency is worth in it."""

    base: str = "USD"
    usd_per_unit: Mapping[str, Decimal] = field(default_factory=lambda: dict(USD_PER_UNIT))

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", self.base.upper())
        if self.base not in self.usd_per_unit:
            raise ValueError(f"base currency {self.base} has no rate in the rate table")

    def rate(self, currency_code: str) -> float:
        """Base-currency units per unit of ``currency_code`` (1.0 for the base currency)."""
        code, base = currency_code.upper(), self.base.upper()
        if code == base:
            return 1.0
        if code not in self.usd_per_unit:
            raise ValueError(f"no exchange rate for {code} on this site")
        value = self.usd_per_unit[code] / self.usd_per_unit[base]
        return float(value.quantize(_PLACES).normalize())

    def stamp(self, document: dict[str, Any]) -> None:
        """Set a document's ``exchange_rate`` and ``base_currency_code`` from its currency."""
        document["exchange_rate"] = self.rate(str(document["currency_code"]))
        document["base_currency_code"] = self.base.upper()
