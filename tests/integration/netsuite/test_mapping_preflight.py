"""Mapping preflight end to end: reference data pulled from the sandbox, then validated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from chargebee_netsuite.mapping import (
    ChargebeeUsage,
    ItemPriceRef,
    load_mapping,
    parse_mapping,
    validate_mapping,
)
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.staging.db import create_staging_engine, migrate

EXAMPLE = Path(__file__).resolve().parents[3] / "include" / "mapping.example.yaml"


def _pull(sandbox: Any, url: str) -> Any:
    engine = create_staging_engine(url)
    migrate(engine)
    client, _ = sandbox.client()
    refresh_reference_data(client, engine)
    reference = read_reference_data(engine)
    engine.dispose()
    return reference


def test_the_example_mapping_validates_against_the_pulled_demo_data(
    sandbox: Any, sqlite_url: str
) -> None:
    reference = _pull(sandbox, sqlite_url)
    usage = ChargebeeUsage(
        item_prices=[
            ItemPriceRef(
                "platform-growth-USD-monthly", "platform-growth", "cloud-platform", "plan"
            ),
            ItemPriceRef("sso-EUR-monthly", "sso", "cloud-platform", "addon"),
            ItemPriceRef("onboarding-GBP", "onboarding", None, "charge"),
        ],
        currencies=["USD", "EUR", "GBP", "JPY"],
        payment_gateways=[("stripe", "USD"), ("not_applicable", "EUR")],
        refund_gateways=[("stripe", "JPY")],
        business_entities=[None],
        credit_note_reasons=["write_off"],
    )
    report = validate_mapping(load_mapping(EXAMPLE), reference, usage)
    assert report.ok, report.summary()


def test_one_report_names_every_problem(
    sandbox: Any, sqlite_url: str, demo_reference_data: dict[str, Any]
) -> None:
    data = {k: v for k, v in demo_reference_data.items() if not k.startswith("_")}
    data["item"] = [dict(item, isInactive=item["id"] == "5") for item in data["item"]]
    sandbox.admin("POST", "/reset", data)
    reference = _pull(sandbox, sqlite_url)

    mapping = yaml.safe_load(EXAMPLE.read_text())
    mapping["ar_account"] = 6
    mapping["items"]["by_item"]["platform-growth"]["revenue_account"] = 4999  # unknown account
    mapping["payments"]["rules"][0]["account"] = 15  # an Expense account as a deposit account
    config = parse_mapping(yaml.safe_dump(mapping))
    usage = ChargebeeUsage(
        item_prices=[
            ItemPriceRef(
                "platform-growth-USD-monthly", "platform-growth", "cloud-platform", "plan"
            ),
            # addon rule -> item 5 (ADDON-STORAGE), which is now inactive
            ItemPriceRef("sso-USD-monthly", "sso", "cloud-platform", "addon"),
            # a plan with no item rule, no plan rule and no default
            ItemPriceRef(
                "platform-classic-USD-monthly", "platform-classic", "cloud-platform", "plan"
            ),
            ItemPriceRef("extra-seats-USD-monthly", "extra-seats", "cloud-platform", "addon"),
        ],
        currencies=["USD"],
        payment_gateways=[("stripe", "USD"), ("stripe", "EUR")],
    )

    report = validate_mapping(config, reference, usage)

    rules = sorted(p.rule for p in report.problems)
    assert rules == [
        "items",
        "items.by_entity_type.addon.item",
        "items.by_item.platform-growth.revenue_account",
        "payments.rules[0]",
    ], report.summary()
    text = report.summary()
    assert "account 4999 does not exist in NetSuite" in text
    assert "item ADDON-STORAGE Extra storage (id 5) is inactive" in text
    assert "account 6050 Payment Processing Fees (id 15) is an Expense account" in text
    assert "'platform-classic-USD-monthly'" in text
    # Only the affected documents are held back.
    assert report.blocked_item_prices == {
        "platform-growth-USD-monthly",
        "sso-USD-monthly",
        "platform-classic-USD-monthly",
    }
    assert report.blocked_payment_gateways == {("stripe", "USD")}
    assert not report.blocks_everything
