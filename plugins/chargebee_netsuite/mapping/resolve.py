"""Resolve Chargebee facts to mapping rules; the most specific rule wins, and says which it was."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from chargebee_netsuite.mapping.model import (
    AccountRules,
    CreditNoteTarget,
    ItemTarget,
    MappingConfig,
)

T = TypeVar("T")

# Chargebee names line-item entity types in several ways across API versions.
_ENTITY_ALIASES = {
    "plan_item_price": "plan",
    "addon_item_price": "addon",
    "charge_item_price": "charge",
    "plan_setup": "plan",
}


def normalize_entity_type(entity_type: str | None) -> str | None:
    """``plan_item_price`` -> ``plan`` and so on; unknown values pass through."""
    if entity_type is None:
        return None
    return _ENTITY_ALIASES.get(entity_type, entity_type)


@dataclass(frozen=True)
class Resolution(Generic[T]):
    """What a rule maps to, and the rule's path in the config (e.g. ``items.by_item.pro``)."""

    value: T
    rule: str


@dataclass(frozen=True)
class ItemPriceRef:
    """What we know about a Chargebee item price (or an ad-hoc line without one)."""

    id: str | None
    item_id: str | None = None
    item_family_id: str | None = None
    entity_type: str | None = None

    def describe(self) -> str:
        """E.g. ``item price 'pro-USD-monthly' (item 'pro', family 'saas', plan)``."""
        facts = []
        if self.item_id:
            facts.append(f"item '{self.item_id}'")
        if self.item_family_id:
            facts.append(f"family '{self.item_family_id}'")
        if self.entity_type:
            facts.append(normalize_entity_type(self.entity_type) or "")
        head = f"item price '{self.id}'" if self.id else "ad-hoc line"
        return f"{head} ({', '.join(facts)})" if facts else head


def resolve_item(config: MappingConfig, price: ItemPriceRef) -> Resolution[ItemTarget] | None:
    """The item rule for ``price``: item price, then item, item family, entity type, default."""
    items = config.items
    entity_type = normalize_entity_type(price.entity_type)
    candidates = (
        ("by_item_price", price.id, items.by_item_price),
        ("by_item", price.item_id, items.by_item),
        ("by_item_family", price.item_family_id, items.by_item_family),
        ("by_entity_type", entity_type, items.by_entity_type),
    )
    for section, key, rules in candidates:
        if key is not None and key in rules:
            return Resolution(rules[key], f"items.{section}.{key}")  # type: ignore[index]
    if items.default is not None:
        return Resolution(items.default, "items.default")
    return None


def resolve_subsidiary(
    config: MappingConfig, business_entity_id: str | None
) -> Resolution[str] | None:
    """The subsidiary for a business entity (``None``: a site without business entities)."""
    by_entity = config.subsidiaries.by_business_entity
    if business_entity_id is not None and business_entity_id in by_entity:
        rule = f"subsidiaries.by_business_entity.{business_entity_id}"
        return Resolution(by_entity[business_entity_id], rule)
    if config.subsidiaries.default is not None:
        return Resolution(config.subsidiaries.default, "subsidiaries.default")
    return None


def resolve_currency(config: MappingConfig, code: str) -> Resolution[str] | None:
    """The NetSuite currency id for an ISO code."""
    code = code.upper()
    if code in config.currencies:
        return Resolution(config.currencies[code], f"currencies.{code}")
    return None


def _resolve_account(
    rules: AccountRules, section: str, gateway: str, currency: str
) -> Resolution[str] | None:
    currency = currency.upper()
    ranked = [
        (gateway, currency),
        (gateway, None),
        (None, currency),
        (None, None),
    ]
    by_key = {
        (rule.gateway, rule.currency): (index, rule) for index, rule in enumerate(rules.rules)
    }
    for key in ranked:
        if key in by_key:
            index, rule = by_key[key]
            return Resolution(rule.account, f"{section}.rules[{index}]")
    if rules.default is not None:
        return Resolution(rules.default, f"{section}.default")
    return None


def resolve_payment_account(
    config: MappingConfig, gateway: str, currency: str
) -> Resolution[str] | None:
    """The deposit/clearing account for a payment through ``gateway`` in ``currency``."""
    return _resolve_account(config.payments, "payments", gateway, currency)


def resolve_refund_account(
    config: MappingConfig, gateway: str, currency: str
) -> Resolution[str] | None:
    """The account a refund through ``gateway`` in ``currency`` is paid from."""
    return _resolve_account(config.refunds, "refunds", gateway, currency)


def resolve_chargeback_account(
    config: MappingConfig, gateway: str, currency: str
) -> Resolution[str] | None:
    """The account a chargeback through ``gateway`` in ``currency`` takes the money from."""
    return _resolve_account(config.chargebacks, "chargebacks", gateway, currency)


def credit_note_codes(doc: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """``(create_reason_code, reason_code)`` of a credit note, in the order rules match them.

    ``reason_code`` is deprecated in favour of the merchant-defined ``create_reason_code``
    (Chargebee API reference, credit_notes), so the merchant's code comes first.
    """
    return _code(doc.get("create_reason_code")), _code(doc.get("reason_code"))


def _code(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def resolve_credit_note(
    config: MappingConfig, *codes: str | None
) -> Resolution[CreditNoteTarget] | None:
    """Where a credit note posts: the rule of its first code that has one (pass
    :func:`credit_note_codes`), else ``credit_notes.default``."""
    by_reason = config.credit_notes.by_reason_code
    for code in codes:
        if code is not None and code in by_reason:
            return Resolution(by_reason[code], f"credit_notes.by_reason_code.{code}")
    if config.credit_notes.default is not None:
        return Resolution(config.credit_notes.default, "credit_notes.default")
    return None
