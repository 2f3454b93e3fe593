"""Preflight validation: ids exist and are active, account types fit, all Chargebee data maps."""

from __future__ import annotations

import copy
from typing import Any

from chargebee_netsuite.mapping import ChargebeeUsage, ItemPriceRef, validate_mapping

CATALOG = [
    ("platform-starter", "plan"),
    ("platform-growth", "plan"),
    ("platform-enterprise", "plan"),
    ("extra-seats", "addon"),
    ("priority-support", "addon"),
    ("sso", "addon"),
    ("api-calls", "addon"),
    ("onboarding", "charge"),
    ("implementation-day", "charge"),
]


def demo_usage() -> ChargebeeUsage:
    """What the demo Chargebee site uses: its catalog in four currencies, stripe and offline."""
    prices = [
        ItemPriceRef(
            id=f"{item}-{currency}" + ("-monthly" if kind != "charge" else ""),
            item_id=item,
            item_family_id="cloud-platform",
            entity_type=kind,
        )
        for item, kind in CATALOG
        for currency in ("USD", "EUR", "GBP", "JPY")
    ]
    currencies = ["USD", "EUR", "GBP", "JPY"]
    return ChargebeeUsage(
        item_prices=[*prices, ItemPriceRef(id=None, entity_type="adhoc")],
        currencies=currencies,
        payment_gateways=[(g, c) for g in ("stripe", "not_applicable") for c in currencies],
        refund_gateways=[("stripe", c) for c in currencies],
        business_entities=[None],
        credit_note_reasons=["write_off", "order_change", "product_unsatisfactory"],
        chargeback_gateways=[("stripe", c) for c in currencies],
    )


def test_the_example_mapping_is_valid_for_the_demo_data(
    example_mapping: Any, demo_reference: Any
) -> None:
    report = validate_mapping(example_mapping, demo_reference, demo_usage())
    assert report.problems == [], report.summary()
    assert report.ok and report.summary().startswith("The mapping is valid.\nCatch-alls: 12 ")
    # The demo's add-ons without a rule of their own (api-calls, sso, priority-support) post
    # on the general add-on item through items.by_entity_type.addon: said, not silent.
    assert {use.rule for use in report.catch_alls} == {"items.by_entity_type.addon"}
    assert "\nNotes:\n" in report.summary()
    # The reason codes in use without a rule are listed (they post through the item rules).
    assert [n.split(";")[0] for n in report.notices] == [
        "credit_notes: no rule for reason 'order_change'",
        "credit_notes: no rule for reason 'product_unsatisfactory'",
    ]


def test_four_kinds_of_problem_in_one_report(
    example_mapping: Any, demo_reference_json: Any, reference_from: Any, mapping_with: Any
) -> None:
    raw = copy.deepcopy(demo_reference_json)
    next(i for i in raw["item"] if i["id"] == "4")["isInactive"] = True  # ADDON-SEATS
    reference = reference_from(raw)
    config = mapping_with(
        """
items:
  by_item:
    platform-starter: {item: 1, revenue_account: 999}
    extra-seats: {item: 4}
    onboarding: {item: 7, revenue_account: 2}
"""
    )
    usage = ChargebeeUsage(
        item_prices=[
            ItemPriceRef(
                "platform-starter-USD-monthly", "platform-starter", "cloud-platform", "plan"
            ),
            ItemPriceRef("extra-seats-USD-monthly", "extra-seats", "cloud-platform", "addon"),
            ItemPriceRef("onboarding-USD", "onboarding", None, "charge"),
            ItemPriceRef("sso-USD-monthly", "sso", "cloud-platform", "addon"),
        ],
        currencies=["USD"],
    )
    report = validate_mapping(config, reference, usage)
    messages = [p.message for p in report.problems]
    assert len(messages) == 4, report.summary()
    unknown, inactive, wrong_type, unmapped = (
        next(m for m in messages if needle in m)
        for needle in (
            "does not exist",
            "is inactive",
            "is an Other Current Asset",
            "matches no rule",
        )
    )
    assert unknown.startswith("items.by_item.platform-starter.revenue_account: account 999")
    assert "Set it to the internal id of an active Income or Other Income account" in unknown
    assert inactive.startswith(
        "items.by_item.extra-seats.item: item ADDON-SEATS Additional seats (id 4) is inactive"
    )
    assert "Reactivate it in NetSuite" in inactive
    assert wrong_type.startswith(
        "items.by_item.onboarding.revenue_account: account 1010 Undeposited Funds (id 2)"
    )
    assert "revenue needs Income or Other Income" in wrong_type
    assert "sso-USD-monthly" in unmapped and "items.by_item_price.sso-USD-monthly" in unmapped
    # Each problem holds back exactly the item prices it affects, and nothing else.
    assert report.blocked_item_prices == {
        "platform-starter-USD-monthly",
        "extra-seats-USD-monthly",
        "onboarding-USD",
        "sso-USD-monthly",
    }
    assert not report.blocks_everything
    assert report.blocked_currencies == frozenset()
    assert "items.by_item.onboarding.revenue_account" in report.blocked_rules
    assert report.summary().startswith("The mapping has 4 problem(s):\n1. ")


def test_a_bad_ar_account_blocks_everything(demo_reference: Any, mapping_with: Any) -> None:
    report = validate_mapping(
        mapping_with("").model_copy(update={"ar_account": "10"}), demo_reference
    )
    (problem,) = report.problems
    assert problem.rule == "ar_account"
    assert (
        "is an Income account, but the receivables account needs Accounts Receivable"
        in problem.message
    )
    assert report.blocks_everything


def test_currencies_missing_or_pointing_at_another_code(
    demo_reference: Any, mapping_with: Any
) -> None:
    config = mapping_with("").model_copy(update={"currencies": {"USD": "1", "GBP": "3"}})
    report = validate_mapping(
        config, demo_reference, ChargebeeUsage(currencies=["usd", "EUR", "GBP"])
    )
    messages = {p.rule: p.message for p in report.problems}
    assert (
        "Add `EUR: <currency id>` under currencies (NetSuite's EUR is id 3)"
        in messages["currencies.EUR"]
    )
    assert "NetSuite currency 3 is EUR, not GBP" in messages["currencies.GBP"]
    assert report.blocked_currencies == {"EUR", "GBP"}


def test_gateways_without_an_account_and_wrong_deposit_types(
    demo_reference: Any, mapping_with: Any
) -> None:
    config = mapping_with(
        """
payments:
  rules:
    - {gateway: stripe, currency: USD, account: 3}
    - {gateway: stripe, account: 10}
refunds:
  default: 2
"""
    )
    usage = ChargebeeUsage(
        payment_gateways=[("stripe", "USD"), ("stripe", "EUR"), ("paypal", "USD")],
        refund_gateways=[("stripe", "USD")],
    )
    report = validate_mapping(config, demo_reference, usage)
    messages = {p.rule: p.message for p in report.problems}
    assert set(messages) == {"payments", "payments.rules[1]"}
    assert "gateway 'paypal' in USD have no account" in messages["payments"]
    assert "needs Bank or Other Current Asset" in messages["payments.rules[1]"]
    assert report.blocked_payment_gateways == {("paypal", "USD"), ("stripe", "EUR")}
    assert report.blocked_refund_gateways == frozenset()


def test_item_and_line_rules(demo_reference: Any, mapping_with: Any) -> None:
    config = mapping_with(
        """
items:
  by_entity_type:
    plan: {item: 1, revenue_account: 11, department: 9, class: 1, location: 1}
    addon: {item: 8}
credit_notes: {by_reason_code: {write_off: {account: 7}}}
discount_item: 9
tax: {account: 10}
rounding_item: 77
subsidiaries: {by_business_entity: {be-x: 42}, default: 1}
accounting_period: {policy: first_open_period}
"""
    )
    report = validate_mapping(
        config,
        demo_reference,
        ChargebeeUsage(business_entities=["be-x", "be-y"], credit_note_reasons=["write_off"]),
    )
    messages = {p.rule: p.message for p in report.problems}
    assert (
        "NetSuite posts item PLAN-STARTER Starter plan (id 1) to its income account 10"
        in (messages["items.by_entity_type.plan.revenue_account"])
    )
    assert "department 9 does not exist" in messages["items.by_entity_type.plan.department"]
    assert (
        "is a Discount item, which cannot carry revenue"
        in messages["items.by_entity_type.addon.item"]
    )
    assert (
        "needs Expense, Income, Other Expense or Other Income"
        in (messages["credit_notes.by_reason_code.write_off.account"])
    )
    assert "is an OthCharge item, not a Discount item" in messages["discount_item"]
    assert "tax payable needs Other Current Liability" in messages["tax.account"]
    assert "item 77 does not exist" in messages["rounding_item"]
    assert "subsidiary 42 does not exist" in messages["subsidiaries.by_business_entity.be-x"]
    assert "accounting_period.policy" not in messages  # the demo has open periods
    assert report.blocked_business_entities == {"be-x"}
    assert report.blocked_credit_note_reasons == {"write_off"}


def test_first_open_period_needs_an_open_period(
    demo_reference_json: Any, reference_from: Any, mapping_with: Any
) -> None:
    raw = copy.deepcopy(demo_reference_json)
    for period in raw["accountingPeriod"]:
        period["closed"] = True
    config = mapping_with("accounting_period: {policy: first_open_period}\n")
    report = validate_mapping(config, reference_from(raw))
    assert [p.rule for p in report.problems] == ["accounting_period.policy"]


def test_plain_item_price_ids_only_match_price_rules_or_the_default(
    demo_reference: Any, mapping_with: Any
) -> None:
    config = mapping_with("items: {by_item_price: {a-USD: {item: 1}}}\n")
    report = validate_mapping(
        config, demo_reference, ChargebeeUsage(item_prices=["a-USD", "b-USD"])
    )
    assert report.blocked_item_prices == {"b-USD"}


def test_chargeback_accounts_are_checked_in_the_same_report(
    demo_reference: Any, mapping_with: Any
) -> None:
    config = mapping_with(
        """
payments: {default: 2}
chargebacks:
  rules:
    - {gateway: stripe, account: 10}
"""
    )
    usage = ChargebeeUsage(
        currencies=["USD", "EUR"],
        payment_gateways=[("stripe", "USD")],
        chargeback_gateways=[("stripe", "USD"), ("paypal", "eur")],
    )
    report = validate_mapping(config, demo_reference, usage)
    messages = {p.rule: p.message for p in report.problems}
    assert set(messages) == {"currencies.EUR", "chargebacks", "chargebacks.rules[0]"}
    assert "chargebacks through gateway 'paypal' in EUR have no account" in messages["chargebacks"]
    assert "or set chargebacks.default" in messages["chargebacks"]
    assert (
        "account 4000 Subscription Revenue (id 10) is an Income account, but a chargeback "
        "account needs Bank or Other Current Asset" in messages["chargebacks.rules[0]"]
    )
    # Each problem holds back only the chargebacks it affects; payments still post.
    assert report.blocked_chargeback_gateways == {("paypal", "EUR"), ("stripe", "USD")}
    assert report.blocked_payment_gateways == frozenset()
    assert report.blocked_refund_gateways == frozenset()


def test_the_example_chargeback_account_is_the_demo_chargebacks_clearing_account(
    example_mapping: Any, demo_reference: Any
) -> None:
    assert example_mapping.chargebacks.default == "17"
    account = demo_reference.get("account", "17")
    assert account is not None and account.type == "OthCurrAsset"
    assert "Chargebacks" in account.name


def test_withheld_tax_in_use_needs_a_deposit_type_account(
    demo_reference: Any, mapping_with: Any
) -> None:
    usage = ChargebeeUsage(currencies=["USD"], tax_withheld_currencies=["usd", "EUR"])
    missing = validate_mapping(mapping_with(), demo_reference, usage)
    assert [p.rule for p in missing.problems] == ["tax_withheld"]
    assert missing.problems[0].message.startswith(
        "tax_withheld: Chargebee invoices in EUR, USD carry tax the customer withheld"
    )
    assert "Add tax_withheld.account" in missing.problems[0].message
    wrong = validate_mapping(mapping_with("tax_withheld: {account: 10}"), demo_reference, usage)
    assert [p.rule for p in wrong.problems] == ["tax_withheld.account"]
    assert "is an Income account, but tax withheld" in wrong.problems[0].message
    right = validate_mapping(mapping_with("tax_withheld: {account: 31}"), demo_reference, usage)
    assert right.ok
    # Not in use: the section may be left out.
    assert validate_mapping(mapping_with(), demo_reference, ChargebeeUsage()).ok


def test_reason_codes_match_create_reason_code_first_and_unmapped_ones_are_listed(
    demo_reference: Any, mapping_with: Any
) -> None:
    config = mapping_with(
        """
credit_notes:
  by_reason_code:
    Write Off: {item: 11}
    waiver: {item: 99}
"""
    )
    usage = ChargebeeUsage(
        credit_note_reasons=[
            ("Write Off", "write_off"),
            ("Write Off", None),
            ("Goodwill", "waiver"),
            ("Goodwill", None),
            (None, None),
        ]
    )
    report = validate_mapping(config, demo_reference, usage)
    # The broken waiver rule blocks the credit notes that resolve to it by "waiver".
    assert [p.rule for p in report.problems] == ["credit_notes.by_reason_code.waiver.item"]
    assert report.blocked_credit_note_reasons == {"waiver"}
    assert report.notices == [
        "credit_notes: no rule for reason 'Goodwill'; those credit notes post their lines "
        "through the item rules, as an invoice's do. Add credit_notes.by_reason_code.Goodwill "
        "(or credit_notes.default) to post them on an item of their own.",
        "credit_notes: some credit notes have no reason code; their lines post through the item "
        "rules, as an invoice's do. Set credit_notes.default to post them elsewhere.",
    ]
    assert "Notes:" in report.summary()
