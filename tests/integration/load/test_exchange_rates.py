"""NetSuite's exchangeRate converts to the subsidiary's base currency, Chargebee's to the site's."""

from __future__ import annotations

from decimal import Decimal

from tests.builders.netsuite_env import Env, StartEnv
from tests.builders.tieout import netsuite_rows

# NetSuite's own rates to USD in the demo reference data (subsidiary 1 books in USD).
NETSUITE_RATES = {"USD": Decimal(1), "EUR": Decimal("1.08"), "GBP": Decimal("1.27")}


def _rates(env: Env) -> dict[str, set[Decimal]]:
    """The exchange rates NetSuite stored, per currency code of the transactions."""
    client = env.netsuite_client()
    currencies = netsuite_rows(client, "SELECT id, symbol FROM currency")
    codes = {str(r["id"]): r["symbol"] for r in currencies}
    found: dict[str, set[Decimal]] = {}
    query = "SELECT currency, exchangerate FROM transaction WHERE externalid IS NOT NULL"
    for row in netsuite_rows(client, query):
        found.setdefault(codes[str(row["currency"])], set()).add(Decimal(str(row["exchangerate"])))
    return found


def test_a_site_with_another_base_currency_leaves_the_rate_to_netsuite(
    start_env: StartEnv,
) -> None:
    # Chargebee converts to EUR; NetSuite's subsidiary books in USD.
    env = start_env(scale=6, chargebee={"base_currency": "EUR"})
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    rates = _rates(env)
    assert set(rates) == {"USD", "EUR", "GBP", "JPY"}
    # USD is the subsidiary's own currency: 1, not Chargebee's USD-to-EUR rate.
    assert rates["USD"] == {Decimal(1)}
    # The rest come from NetSuite's own table (the mapping's default policy).
    assert rates["EUR"] == {NETSUITE_RATES["EUR"]}
    assert rates["GBP"] == {NETSUITE_RATES["GBP"]}


def test_the_same_base_currency_keeps_chargebees_rate(start_env: StartEnv) -> None:
    env = start_env(scale=6)  # Chargebee's site converts to USD, like the subsidiary
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    rates = _rates(env)
    assert rates["USD"] == {Decimal(1)}
    assert rates["EUR"] == {Decimal("1.087")}  # Chargebee's, not NetSuite's 1.08
    # Base-currency amounts of the lines follow the stored rate.
    client = env.netsuite_client()
    query = (
        "SELECT l.foreignamount, l.netamount, t.exchangerate FROM transactionline l "
        "JOIN transaction t ON t.id = l.transaction WHERE t.currency = 3 AND l.mainline = 'F'"
    )
    lines = netsuite_rows(client, query)
    assert lines
    for line in lines:
        expected = Decimal(str(line["foreignamount"])) * Decimal(str(line["exchangerate"]))
        assert Decimal(str(line["netamount"])) == expected.quantize(Decimal("0.01"))
