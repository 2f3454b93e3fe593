"""Mapping lookups that either answer or quarantine the document, and the closed-period policy."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from chargebee_netsuite.mapping.catch_all import REFUSED, is_catch_all, refusal
from chargebee_netsuite.mapping.model import ItemTarget, NetSuiteTax
from chargebee_netsuite.mapping.resolve import (
    ItemPriceRef,
    resolve_currency,
    resolve_item,
    resolve_subsidiary,
)
from chargebee_netsuite.transform.model import Held, Quarantined, TransformContext


def local_date(timestamp: int, ctx: TransformContext) -> date:
    """The calendar day of a Chargebee Unix timestamp in the NetSuite account's time zone."""
    return datetime.fromtimestamp(timestamp, UTC).astimezone(ctx.settings.zone).date()


def _problems(ctx: TransformContext, rule: str) -> str:
    messages = [
        p.message for p in ctx.report.problems if p.rule == rule or p.rule.startswith(rule + ".")
    ]
    return " ".join(messages)


def _blocked(ctx: TransformContext, rule: str) -> bool:
    return any(r == rule or r.startswith(rule + ".") for r in ctx.report.blocked_rules)


def check_everything(ctx: TransformContext, label: str) -> None:
    """Quarantine when a mapping problem (such as the A/R account) stops every document."""
    if ctx.report.blocks_everything:
        reasons = " ".join(p.message for p in ctx.report.problems if p.scope.everything)
        raise Quarantined(
            f"{label} is not posted because the mapping is broken: {reasons}", "MAPPING_RULE"
        )


def currency_id(ctx: TransformContext, code: str, label: str) -> str:
    """The NetSuite currency for ``code``, or quarantine naming the fix."""
    code = code.upper()
    resolution = resolve_currency(ctx.mapping, code)
    if resolution is None or code in ctx.report.blocked_currencies:
        detail = _problems(ctx, f"currencies.{code}") or (
            f"Add `{code}: <NetSuite currency id>` under currencies in the mapping."
        )
        raise Quarantined(f"{label} is in {code}, which cannot post yet. {detail}", "CURRENCY")
    if _blocked(ctx, resolution.rule):
        raise Quarantined(f"{label}: {_problems(ctx, resolution.rule)}", "CURRENCY")
    return resolution.value


def subsidiary_id(ctx: TransformContext, business_entity_id: str | None, label: str) -> str:
    """The NetSuite subsidiary for a business entity, or quarantine naming the fix."""
    resolution = resolve_subsidiary(ctx.mapping, business_entity_id)
    if resolution is None or business_entity_id in ctx.report.blocked_business_entities:
        entity = business_entity_id or "(none)"
        raise Quarantined(
            f"{label} belongs to business entity {entity}, which has no usable subsidiary. "
            f"Add subsidiaries.by_business_entity.{entity} or subsidiaries.default to the "
            "mapping.",
            "SUBSIDIARY",
        )
    if _blocked(ctx, resolution.rule):
        raise Quarantined(f"{label}: {_problems(ctx, resolution.rule)}", "SUBSIDIARY")
    return resolution.value


def item_target(ctx: TransformContext, price: ItemPriceRef, label: str) -> ItemTarget:
    """The item rule of a line, or quarantine naming the rule to add or fix.

    Each reason is the real one: no rule at all; a catch-all the mapping refuses; or a rule
    whose NetSuite item, account or dimension is missing, inactive or unfit (the preflight's
    own sentence, naming the rule and the NetSuite id).
    """
    resolution = resolve_item(ctx.mapping, price)
    if resolution is None:
        key = price.id or "adhoc"
        raise Quarantined(
            f"{label} has a line for Chargebee {price.describe()}, which matches no item rule. "
            f"Add items.by_item_price.{key} (or a rule for its item, family or entity type) "
            "to the mapping, or set items.default.",
            "UNMAPPED_ITEM",
        )
    if ctx.mapping.items.catch_all == "refuse" and is_catch_all(resolution.rule, price):
        raise Quarantined(f"{label}: {refusal(price, resolution.rule)}", REFUSED)
    blocked = price.id is not None and price.id in ctx.report.blocked_item_prices
    if blocked or _blocked(ctx, resolution.rule):
        messages = [
            p.message
            for p in ctx.report.problems
            if p.rule == resolution.rule
            or p.rule.startswith(resolution.rule + ".")
            or (price.id is not None and price.id in p.scope.item_prices)
        ]
        raise Quarantined(
            f"{label} has a line for Chargebee {price.describe()}, which posts through "
            f"{resolution.rule}, and that rule cannot be used: {' '.join(dict.fromkeys(messages))}",
            "MAPPING_RULE",
        )
    return resolution.value


def special_item(ctx: TransformContext, rule: str, item: str | None, what: str, label: str) -> str:
    """The discount, tax or rounding item, or quarantine saying which mapping key to set."""
    if item is None:
        raise Quarantined(
            f"{label} has {what}, but the mapping has no {rule}. Set {rule} to a NetSuite item "
            "so that the lines sum to the Chargebee total.",
            "UNMAPPED_ITEM",
        )
    if _blocked(ctx, rule):
        raise Quarantined(f"{label}: {_problems(ctx, rule)}", "MAPPING_RULE")
    return item


def posting_date(
    ctx: TransformContext, day: date, label: str
) -> tuple[date, str | None, str | None]:
    """Apply the closed-period policy to ``day``: ``(posting date, memo note, period id)``.

    An open period keeps the date (NetSuite picks the period). A closed or A/R-locked one is
    either held (policy ``hold``) or moved to the first open period with a memo saying so.
    A document already in NetSuite is neither: its period's state concerns first postings.
    """
    periods = ctx.reference.periods
    if not periods or ctx.already_posted:
        return day, None, None
    period = ctx.reference.period_for(day)
    if period is None:
        raise Held(
            f"{label} is dated {day.isoformat()}, and NetSuite has no accounting period for that "
            "day. Create the period in NetSuite and refresh the reference data.",
            "NO_PERIOD",
        )
    if period.open_for_ar:
        return day, None, None
    policy = ctx.mapping.accounting_period
    if policy.policy == "hold":
        raise Held(
            f"{label} is dated {day.isoformat()}, in accounting period {period.name}, which is "
            "closed or locked for A/R in NetSuite. The mapping says hold: it posts once the "
            "period is reopened (or set accounting_period.policy: first_open_period).",
            "PERIOD_CLOSED",
        )
    target = ctx.reference.first_open_period_from(day)
    if target is None:
        raise Held(
            f"{label} is dated {day.isoformat()} in closed period {period.name}, and NetSuite has "
            "no later period open for A/R. Open one and refresh the reference data.",
            "PERIOD_CLOSED",
        )
    moved = max(day, target.start_date)
    memo = policy.redate_memo(day.isoformat(), moved.isoformat(), period.name, target.name)
    return moved, memo, target.id


def netsuite_tax(ctx: TransformContext, label: str) -> NetSuiteTax | None:
    """How this document's lines escape NetSuite's own tax engine: ``None`` in an account
    without tax features (nothing to send); quarantine while the mapping leaves it undecided."""
    if not ctx.reference.tax_codes():
        return None
    declared = ctx.mapping.netsuite_tax
    if declared is None or _blocked(ctx, "netsuite_tax"):
        detail = _problems(ctx, "netsuite_tax") or (
            "NetSuite has tax features on, and the mapping has no netsuite_tax: NetSuite would "
            "add its own tax on top of Chargebee's. Add netsuite_tax to the mapping."
        )
        raise Quarantined(f"{label} is not posted: {detail}", "NETSUITE_TAX")
    return declared


def keep_netsuite_tax_off(ctx: TransformContext, body: dict[str, Any], label: str) -> None:
    """Keep NetSuite's own tax engine off a record with item lines (invoice, credit memo), so
    Chargebee's tax lines stay the only tax: each line carries the mapping's non-taxable code,
    or the record overrides its tax details with none. Nothing is sent without tax features."""
    tax = netsuite_tax(ctx, label)
    if tax is None:
        return
    if tax.method == "override":
        body["taxDetailsOverride"] = True
        return
    for line in body["item"]["items"]:
        line["taxCode"] = {"id": tax.exempt_code}
