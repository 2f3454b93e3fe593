"""Loading the mapping YAML into the typed model; every schema problem reported at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chargebee_netsuite.mapping import MappingConfigError, load_mapping, parse_mapping


def test_the_example_loads(example_mapping: Any) -> None:
    assert example_mapping.ar_account == "6"
    assert example_mapping.currencies == {"USD": "1", "GBP": "2", "EUR": "3", "JPY": "4"}
    assert example_mapping.items.by_item["platform-enterprise"].class_ == "2"
    assert example_mapping.items.default is None
    assert example_mapping.payments.rules[0].currency == "USD"
    assert example_mapping.tax is not None and example_mapping.tax.item == "9"
    assert example_mapping.accounting_period.policy == "hold"


def test_ids_may_be_numbers_or_strings() -> None:
    config = parse_mapping("ar_account: '6'\nsubsidiaries: {default: 1}\ncurrencies: {usd: 1}")
    assert config.ar_account == "6" and config.subsidiaries.default == "1"
    assert config.currencies == {"USD": "1"}


def test_every_schema_problem_is_reported_at_once() -> None:
    text = """
ar_acount: 6
subsidiaries: {default: 1}
currencies: {DOLLARS: 1}
items:
  by_item:
    pro: {item: abc, revenue_acount: 10}
  by_entity_type:
    subscription: {item: 1}
tax: {item: 9, account: 7}
accounting_period: {policy: post_anyway}
"""
    with pytest.raises(MappingConfigError) as raised:
        parse_mapping(text, "mapping.yaml")
    problems = raised.value.problems
    joined = "\n".join(problems)
    assert "ar_acount: this key is not part of the mapping" in joined
    assert "ar_account: this key is required" in joined
    assert "currencies: currency keys are ISO 4217 codes" in joined
    assert "items.by_item.pro.item: a NetSuite internal id is a number" in joined
    assert "items.by_item.pro.revenue_acount: this key is not part of the mapping" in joined
    assert "items.by_entity_type.subscription" in joined
    assert "tax: give either a tax item or a tax account" in joined
    assert "accounting_period.policy" in joined
    assert len(problems) == 8
    assert str(raised.value).startswith("mapping.yaml: the mapping has 8 problem(s)")


def test_duplicate_keys_are_refused() -> None:
    text = "ar_account: 6\nar_account: 7\nsubsidiaries: {default: 1}\n"
    with pytest.raises(MappingConfigError, match="'ar_account' appears twice"):
        parse_mapping(text)


def test_duplicate_gateway_rules_are_refused() -> None:
    text = """
ar_account: 6
subsidiaries: {default: 1}
payments:
  rules:
    - {gateway: stripe, currency: usd, account: 3}
    - {gateway: stripe, currency: USD, account: 2}
"""
    with pytest.raises(MappingConfigError, match="two rules for gateway stripe and currency USD"):
        parse_mapping(text)


def test_credit_note_rule_needs_a_target_and_memo_placeholders_are_checked() -> None:
    text = """
ar_account: 6
subsidiaries: {default: 1}
credit_notes: {by_reason_code: {write_off: {}}}
accounting_period: {memo: "moved from {old_date}"}
"""
    with pytest.raises(MappingConfigError) as raised:
        parse_mapping(text)
    joined = "\n".join(raised.value.problems)
    assert "credit_notes.by_reason_code.write_off: give an item, an account or both" in joined
    assert "unknown placeholders ['old_date']" in joined


def test_unreadable_and_non_mapping_files(tmp_path: Path) -> None:
    with pytest.raises(MappingConfigError, match="cannot read the file"):
        load_mapping(tmp_path / "missing.yaml")
    with pytest.raises(MappingConfigError, match="not valid YAML"):
        parse_mapping("a: [1,")
    with pytest.raises(MappingConfigError, match="must be a YAML mapping"):
        parse_mapping("- 1\n- 2\n")


def test_redate_memo(example_mapping: Any) -> None:
    memo = example_mapping.accounting_period.redate_memo(
        "2026-01-31", "2026-03-01", "Jan 2026", "Mar 2026"
    )
    assert memo == (
        "Re-dated from 2026-01-31 to 2026-03-01: accounting period Jan 2026 is closed in NetSuite."
    )
