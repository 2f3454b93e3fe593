"""Catch-all item rules are reported with their amounts, refused on request, and a line held by
a broken rule says which rule and which NetSuite id (not "matches no item rule")."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from chargebee_netsuite.mapping import ChargebeeUsage, MappingConfig, validate_mapping
from chargebee_netsuite.mapping.catch_all import PriceActivity, is_catch_all
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.transform.checks import item_target
from chargebee_netsuite.transform.model import Quarantined, TransformContext, TransformSettings

TRAINING = ItemPriceRef("training-USD", "training", None, "charge_item_price")
STARTER = ItemPriceRef("platform-starter-USD-monthly", "platform-starter", "cloud-platform", "plan")
ADHOC = ItemPriceRef(None, entity_type="adhoc")
LABEL = "Chargebee invoice 1001"


def activity() -> dict[str | None, PriceActivity]:
    training = PriceActivity()
    training.add("USD", Decimal("1500.00"), credit=False)
    training.add("USD", Decimal("200.00"), credit=True)
    training.documents = 2
    return {"training-USD": training}


def usage(*prices: ItemPriceRef) -> ChargebeeUsage:
    return ChargebeeUsage(item_prices=prices, item_price_activity=activity())


def context(
    mapping: MappingConfig, reference: ReferenceData, *prices: ItemPriceRef
) -> TransformContext:
    report = validate_mapping(mapping, reference, usage(*prices))
    return TransformContext("acme", mapping, reference, TransformSettings("UTC"), report)


def test_which_rules_are_catch_alls() -> None:
    assert is_catch_all("items.by_entity_type.charge", TRAINING)
    assert is_catch_all("items.default", TRAINING)
    assert is_catch_all("items.default", ADHOC)
    # An ad-hoc line has no item price: its entity-type rule is as specific as it gets.
    assert not is_catch_all("items.by_entity_type.adhoc", ADHOC)
    assert not is_catch_all("items.by_item.training", TRAINING)


def test_item_prices_through_catch_alls_are_reported_with_their_amounts(
    example_mapping: MappingConfig, demo_reference: ReferenceData
) -> None:
    report = validate_mapping(example_mapping, demo_reference, usage(TRAINING, STARTER, ADHOC))
    assert report.ok, report.summary()  # allowed: a warning, not a problem
    [use] = report.catch_alls
    assert (use.price.id, use.rule, use.item) == (
        "training-USD",
        "items.by_entity_type.charge",
        "6",
    )
    assert use.activity.amounts == {"USD": Decimal("1300.00")}
    assert (use.activity.lines, use.activity.documents) == (2, 2)
    sentence = use.describe()
    assert "item price 'training-USD' (item 'training', charge)" in sentence
    assert "items.by_entity_type.charge to NetSuite item 6 (CHARGE-SETUP" in sentence
    assert "1300.00 USD on 2 line(s) of 2 document(s)" in sentence
    assert "Catch-alls: 1 Chargebee item price(s)" in report.summary()
    assert use.as_dict()["amounts"] == {"USD": "1300.00"}


def test_refuse_makes_each_catch_all_a_problem_naming_the_fix(
    example_mapping: MappingConfig, demo_reference: ReferenceData
) -> None:
    strict = example_mapping.model_copy(
        update={"items": example_mapping.items.model_copy(update={"catch_all": "refuse"})}
    )
    ctx = context(strict, demo_reference, TRAINING, STARTER)
    [problem] = ctx.report.problems
    assert problem.rule == "items.catch_all"
    assert "training-USD" in problem.message and "items.by_item.training" in problem.message
    assert ctx.report.blocked_item_prices == {"training-USD"}
    with pytest.raises(Quarantined) as caught:
        item_target(ctx, TRAINING, LABEL)
    assert caught.value.code == "CATCH_ALL_REFUSED"
    reason = caught.value.reason
    assert reason.startswith(LABEL) and "items.by_entity_type.charge" in reason
    assert "Add items.by_item_price.training-USD or items.by_item.training" in reason
    assert "matches no item rule" not in reason
    assert item_target(ctx, STARTER, LABEL).item == "1"  # a rule of its own still posts
    allowed = context(example_mapping, demo_reference, TRAINING)
    assert item_target(allowed, TRAINING, LABEL).item == "6"


@pytest.mark.parametrize(
    ("snippet", "rule", "missing"),
    [
        ("by_entity_type: {charge: {item: 99}}", "items.by_entity_type.charge.item", "item 99"),
        (
            "by_item: {training: {item: 6, revenue_account: 4999}}",
            "items.by_item.training.revenue_account",
            "account 4999",
        ),
    ],
)
def test_a_rule_pointing_at_a_missing_netsuite_record_is_named_with_the_id(
    mapping_with: Callable[[str], MappingConfig],
    demo_reference: ReferenceData,
    snippet: str,
    rule: str,
    missing: str,
) -> None:
    mapping = mapping_with(f"items: {{{snippet}}}")
    ctx = context(mapping, demo_reference, TRAINING)
    with pytest.raises(Quarantined) as caught:
        item_target(ctx, TRAINING, LABEL)
    reason = caught.value.reason
    assert caught.value.code == "MAPPING_RULE"
    assert "matches no item rule" not in reason
    assert f"{rule}: {missing} does not exist in NetSuite" in reason
    assert "item price 'training-USD'" in reason


def test_a_line_no_rule_matches_still_says_so(
    mapping_with: Callable[[str], MappingConfig], demo_reference: ReferenceData
) -> None:
    ctx = context(mapping_with(""), demo_reference, TRAINING)
    with pytest.raises(Quarantined, match="matches no item rule") as caught:
        item_target(ctx, TRAINING, LABEL)
    assert caught.value.code == "UNMAPPED_ITEM"
