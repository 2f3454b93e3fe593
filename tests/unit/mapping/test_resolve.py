"""Rule resolution: the most specific rule wins, and the resolution names its rule."""

from __future__ import annotations

from typing import Any

from chargebee_netsuite.mapping import ItemPriceRef, parse_mapping
from chargebee_netsuite.mapping.resolve import (
    credit_note_codes,
    resolve_credit_note,
    resolve_currency,
    resolve_item,
    resolve_payment_account,
    resolve_refund_account,
    resolve_subsidiary,
)

RULES = """
items:
  by_item_price: {pro-EUR: {item: 1}}
  by_item: {pro: {item: 2}}
  by_item_family: {saas: {item: 3}}
  by_entity_type: {addon: {item: 4}, adhoc: {item: 6}}
  default: {item: 5}
payments:
  rules:
    - {gateway: stripe, currency: EUR, account: 10}
    - {gateway: stripe, account: 11}
    - {currency: EUR, account: 12}
  default: 13
credit_notes: {by_reason_code: {write_off: {account: 16}}}
"""


def test_item_rules_from_most_to_least_specific(mapping_with: Any) -> None:
    config = mapping_with(RULES)

    def item(**facts: Any) -> tuple[str, str] | None:
        resolution = resolve_item(config, ItemPriceRef(**facts))
        return (resolution.value.item, resolution.rule) if resolution else None

    full = {"item_id": "pro", "item_family_id": "saas", "entity_type": "addon"}
    assert item(id="pro-EUR", **full) == ("1", "items.by_item_price.pro-EUR")
    assert item(id="pro-USD", **full) == ("2", "items.by_item.pro")
    assert item(id="x", item_id="x", item_family_id="saas", entity_type="addon") == (
        "3",
        "items.by_item_family.saas",
    )
    assert item(id="x", entity_type="addon_item_price") == ("4", "items.by_entity_type.addon")
    assert item(id=None, entity_type="adhoc") == ("6", "items.by_entity_type.adhoc")
    assert item(id="x", entity_type="plan") == ("5", "items.default")


def test_no_rule_and_no_default_resolves_to_none(mapping_with: Any) -> None:
    config = mapping_with("items: {by_item: {pro: {item: 2}}}\n")
    assert resolve_item(config, ItemPriceRef(id="basic-USD", item_id="basic")) is None


def test_payment_accounts_by_gateway_and_currency(mapping_with: Any) -> None:
    config = mapping_with(RULES)
    got = resolve_payment_account(config, "stripe", "eur")
    assert got is not None and (got.value, got.rule) == ("10", "payments.rules[0]")
    got = resolve_payment_account(config, "stripe", "USD")
    assert got is not None and (got.value, got.rule) == ("11", "payments.rules[1]")
    got = resolve_payment_account(config, "gocardless", "EUR")
    assert got is not None and (got.value, got.rule) == ("12", "payments.rules[2]")
    got = resolve_payment_account(config, "gocardless", "USD")
    assert got is not None and (got.value, got.rule) == ("13", "payments.default")
    assert resolve_refund_account(config, "stripe", "USD") is None


def test_subsidiary_currency_and_credit_notes(example_mapping: Any) -> None:
    config = parse_mapping(
        "ar_account: 6\nsubsidiaries: {by_business_entity: {be-uk: 2}, default: 1}\n"
    )
    be_uk = resolve_subsidiary(config, "be-uk")
    assert be_uk is not None and be_uk.value == "2"
    other = resolve_subsidiary(config, "be-fr")
    assert other is not None and (other.value, other.rule) == ("1", "subsidiaries.default")
    site = resolve_subsidiary(config, None)
    assert site is not None and site.value == "1"
    usd = resolve_currency(example_mapping, "usd")
    assert usd is not None and (usd.value, usd.rule) == ("1", "currencies.USD")
    assert resolve_currency(example_mapping, "CHF") is None
    write_off = resolve_credit_note(example_mapping, "write_off")
    assert write_off is not None and write_off.value.item == "11"
    assert resolve_credit_note(example_mapping, "order_change") is None
    # The merchant's create_reason_code first, then the deprecated reason_code.
    note = {"create_reason_code": "Write Off", "reason_code": "order_change"}
    first = resolve_credit_note(example_mapping, *credit_note_codes(note))
    assert first is not None and first.rule == "credit_notes.by_reason_code.Write Off"
    note = {"create_reason_code": "Goodwill", "reason_code": "write_off"}
    fallback = resolve_credit_note(example_mapping, *credit_note_codes(note))
    assert fallback is not None and fallback.rule == "credit_notes.by_reason_code.write_off"
    assert credit_note_codes({"create_reason_code": "", "reason_code": None}) == (None, None)
