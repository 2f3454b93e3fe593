"""The ``exchangeRate`` a NetSuite transaction carries, from Chargebee's rate when it fits.

Chargebee's ``exchange_rate`` converts a document to the site's base currency
(``base_currency_code``); NetSuite's ``exchangeRate`` is "base currency amount divided by
foreign currency amount" for the transaction's subsidiary. The two agree only when the two base
currencies are the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from chargebee_netsuite.transform.model import Quarantined, TransformContext
from chargebee_netsuite.transform.money import rate

ONE = Decimal(1)


def exchange_rate(
    ctx: TransformContext, doc: Mapping[str, Any], subsidiary: str, label: str
) -> Decimal | None:
    """The rate to send: 1 in the subsidiary's own currency, Chargebee's when both base
    currencies agree, else ``None`` (NetSuite's own rate table) or quarantine, as the mapping's
    ``exchange_rates.other_base_currency`` says."""
    currency = str(doc["currency_code"]).upper()
    base = ctx.reference.base_currency_of(subsidiary)
    if base is not None and currency == base:
        return ONE
    site_base = str(doc.get("base_currency_code") or "").upper() or None
    given = doc.get("exchange_rate")
    if base is not None and site_base == base and given is not None:
        return rate(given)
    if ctx.mapping.exchange_rates.other_base_currency == "netsuite":
        return None
    theirs = f"Chargebee's base currency {site_base}" if site_base else "an unnamed base currency"
    ours = f"the subsidiary's base currency {base}" if base else "the subsidiary's base currency"
    ours += f" (NetSuite subsidiary {subsidiary})"
    raise Quarantined(
        f"{label} is in {currency}, and its Chargebee exchange rate converts to {theirs}, not to "
        f"{ours}, so it cannot be sent to NetSuite. Set exchange_rates.other_base_currency: "
        "netsuite in the mapping to let NetSuite use its own exchange-rate table (or refresh the "
        "reference data if the subsidiary's currency is missing).",
        "EXCHANGE_RATE",
    )
