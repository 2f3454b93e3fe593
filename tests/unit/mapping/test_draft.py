"""Drafting a mapping from staged facts: what is filled in, what is left TODO, and where."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest
import yaml

from chargebee_netsuite.mapping import (
    ChargebeeUsage,
    ItemPriceRef,
    MappingConfigError,
    parse_mapping,
    validate_mapping,
)
from chargebee_netsuite.mapping.draft import (
    StagedFacts,
    describe_todos,
    draft_mapping,
    find_todos,
    normalise,
)
from chargebee_netsuite.reference.model import ReferenceData

AT = datetime(2026, 12, 7, tzinfo=UTC)


def _facts(**usage: object) -> StagedFacts:
    values: dict[str, object] = {
        "item_prices": [
            ItemPriceRef("seats-USD", "extra-storage", "fam", "addon"),
            ItemPriceRef("gold-USD", "gold", "fam", "plan"),
        ],
        "currencies": ["USD", "CHF"],
        "payment_gateways": [("stripe", "USD")],
        "business_entities": [None, "acme-uk"],
    }
    values.update(usage)
    facts = StagedFacts("acme", ChargebeeUsage(**values))  # type: ignore[arg-type]
    facts.items = {
        "extra-storage": ("Extra storage", "addon", "fam"),
        "gold": ("Gold", "plan", "fam"),
    }
    facts.needs = Counter(discount=2)
    facts.reasons = Counter({"Write Off": 1, "Customer: unhappy": 2})
    return facts


def test_sure_matches_are_filled_and_the_rest_is_todo_with_candidates(
    demo_reference: ReferenceData,
) -> None:
    draft = draft_mapping(_facts(), demo_reference, AT)
    raw = yaml.safe_load(draft.text)
    assert raw["currencies"] == {"USD": 1, "CHF": "TODO"}  # by ISO code; CHF is not in NetSuite
    assert raw["ar_account"] == 6 and raw["discount_item"] == 8
    assert raw["items"]["by_item"]["extra-storage"]["item"] == 5  # "Extra storage" by name
    assert raw["items"]["by_item"]["gold"]["item"] == "TODO"
    assert raw["credit_notes"]["by_reason_code"]["Write Off"]["item"] == 11
    assert {t.path for t in draft.todos} == {
        "subsidiaries.by_business_entity.acme-uk",
        "subsidiaries.default",
        "currencies.CHF",
        "items.by_item.gold.item",
        "payments.rules[0].account",
    }
    gold = next(t for t in draft.todos if t.path == "items.by_item.gold.item")
    assert gold.note.startswith("candidates") and "= " in gold.note
    assert draft.text.splitlines()[gold.line - 1].strip().startswith("item: TODO")
    # An unusual reason code stays a comment, quoted so it pastes as valid YAML.
    assert '#   "Customer: unhappy": {item: <id>}' in draft.text
    assert draft.problems == []


def test_filled_in_the_draft_validates_against_what_is_in_use(
    demo_reference: ReferenceData,
) -> None:
    facts = _facts(currencies=["USD"])
    draft = draft_mapping(facts, demo_reference, AT)
    with pytest.raises(MappingConfigError) as raised:
        parse_mapping(draft.text)
    assert all("still TODO" in p for p in raised.value.problems)
    filled = draft.text.replace(": TODO", ": 1").replace("account: 1", "account: 2")
    report = validate_mapping(parse_mapping(filled), demo_reference, facts.usage)
    assert report.ok, report.summary()


def test_a_wrong_prefilled_id_is_a_problem_outside_the_todos(
    demo_reference: ReferenceData,
) -> None:
    draft = draft_mapping(_facts(), demo_reference, AT)
    broken = draft.text.replace("ar_account: 6", "ar_account: 10")
    from chargebee_netsuite.mapping.draft import problems_outside_todos

    problems = problems_outside_todos(broken, demo_reference, _facts().usage)
    assert len(problems) == 1 and problems[0].startswith("ar_account:")


def test_find_todos_names_each_path_and_line_and_check_lists_them() -> None:
    text = (
        "ar_account: 6\n"
        "payments:\n"
        "  rules:\n"
        "    - gateway: stripe\n"
        "      account: TODO  # candidates: Bank = 1\n"
        "note: 'TODO'\n"  # a quoted string is a value, not a TODO
    )
    todos = find_todos(text)
    assert [(t.path, t.line, t.note) for t in todos] == [
        ("payments.rules[0].account", 5, "candidates: Bank = 1")
    ]
    listed = describe_todos(
        text, ["x: still TODO: …", "subsidiaries: this key is required; add it."]
    )
    assert listed is not None
    assert "line 5: payments.rules[0].account (candidates: Bank = 1)" in listed
    assert "and: subsidiaries: this key is required" in listed and "x: still" not in listed
    assert describe_todos("ar_account: 6\n") is None


def test_names_match_whatever_their_case_spaces_and_punctuation() -> None:
    assert normalise("Extra Seats") == normalise("EXTRA-SEATS") == normalise("extra_seats")
