"""Catch-all item rules: which Chargebee item prices post through them, and for how much.

``items.by_entity_type`` (for a line with an item price) and ``items.default`` are catch-alls:
an item price nobody mapped posts there without anyone deciding it should, e.g. a $1,500
training charge on the general set-up item. Each such item price is reported with what it
billed; ``items.catch_all: refuse`` quarantines its documents instead.

``items.by_entity_type.adhoc`` is not a catch-all: an ad-hoc line has no item price, so that
rule is the most specific one it can have.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef, Resolution, resolve_item
from chargebee_netsuite.reference.model import ReferenceData

ENTITY_TYPE_RULES = "items.by_entity_type."
DEFAULT_RULE = "items.default"
REFUSED = "CATCH_ALL_REFUSED"


@dataclass
class PriceActivity:
    """What staged invoices and credit notes billed on one item price.

    ``amounts`` are line amounts per currency (before discounts and tax), credit notes
    counted negative; ``documents`` counts each invoice or credit note once.
    """

    amounts: dict[str, Decimal] = field(default_factory=dict)
    lines: int = 0
    documents: int = 0

    def add(self, currency: str, amount: Decimal, *, credit: bool) -> None:
        """Count one line of ``amount`` (a credit note's lines subtract)."""
        signed = -amount if credit else amount
        self.amounts[currency] = self.amounts.get(currency, Decimal(0)) + signed
        self.lines += 1


def is_catch_all(rule: str, price: ItemPriceRef) -> bool:
    """Whether ``rule`` (a resolution's path) is a catch-all for ``price``."""
    if rule == DEFAULT_RULE:
        return True
    return rule.startswith(ENTITY_TYPE_RULES) and price.id is not None


def catch_all_resolution(config: MappingConfig, price: ItemPriceRef) -> Resolution[Any] | None:
    """The catch-all rule ``price`` resolves through, or ``None`` (a specific rule, or none)."""
    resolution = resolve_item(config, price)
    if resolution is None or not is_catch_all(resolution.rule, price):
        return None
    return resolution


def refusal(price: ItemPriceRef, rule: str) -> str:
    """Why ``items.catch_all: refuse`` holds a line back, and the fix."""
    if price.id is None:
        specific = "items.by_entity_type.adhoc"
    else:
        specific = f"items.by_item_price.{price.id}"
        if price.item_id:
            specific += f" or items.by_item.{price.item_id}"
    return (
        f"Chargebee {price.describe()} would post through the catch-all rule {rule}, and the "
        f"mapping says items.catch_all: refuse. Add {specific} to the mapping with the NetSuite "
        "item it should post to (or set items.catch_all: allow)."
    )


@dataclass(frozen=True)
class CatchAllUse:
    """One item price that posts through a catch-all, with what it billed."""

    price: ItemPriceRef
    rule: str
    item: str  # the NetSuite item id the rule posts to
    item_name: str | None = None
    activity: PriceActivity = field(default_factory=PriceActivity)

    def amounts_text(self) -> str:
        """``1500.00 USD, -20.00 EUR`` or ``nothing billed yet``."""
        if not self.activity.amounts:
            return "nothing billed yet"
        amounts = sorted(self.activity.amounts.items())
        return ", ".join(f"{amount} {code}" for code, amount in amounts)

    def describe(self) -> str:
        """One sentence for a log, a check or a summary."""
        target = f"NetSuite item {self.item}" + (f" ({self.item_name})" if self.item_name else "")
        a = self.activity
        billed = (
            f"{self.amounts_text()} on {a.lines} line(s) of {a.documents} document(s)"
            if a.lines
            else "nothing billed yet"
        )
        return (
            f"Chargebee {self.price.describe()} posts through the catch-all {self.rule} to "
            f"{target}: {billed}."
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-safe (amounts as strings, so no float ever touches them)."""
        return {
            "item_price": self.price.id,
            "chargebee_item": self.price.item_id,
            "entity_type": self.price.entity_type,
            "rule": self.rule,
            "netsuite_item": self.item,
            "netsuite_item_name": self.item_name,
            "amounts": {code: str(v) for code, v in sorted(self.activity.amounts.items())},
            "lines": self.activity.lines,
            "documents": self.activity.documents,
            "message": self.describe(),
        }


def item_names(reference: ReferenceData | None) -> dict[str, str]:
    """``{item id: "ADDON-STORAGE Extra storage"}``: how NetSuite users know each item."""
    if reference is None:
        return {}
    names = {}
    for item_id, record in reference.of_kind("item").items():
        code = record.code
        names[item_id] = f"{code} {record.name}" if code and code != record.name else record.name
    return names


def catch_all_uses(
    config: MappingConfig,
    prices: Iterable[ItemPriceRef],
    activity: Mapping[str | None, PriceActivity] | None = None,
    item_names: Mapping[str, str] | None = None,
) -> list[CatchAllUse]:
    """Every price of ``prices`` that resolves through a catch-all, largest activity first."""
    activity = activity or {}
    item_names = item_names or {}
    found: list[CatchAllUse] = []
    seen: set[str | None] = set()
    for price in prices:
        if price.id in seen:
            continue
        seen.add(price.id)
        resolution = catch_all_resolution(config, price)
        if resolution is None:
            continue
        item = str(resolution.value.item)
        found.append(
            CatchAllUse(
                price,
                resolution.rule,
                item,
                item_names.get(item),
                activity.get(price.id) or PriceActivity(),
            )
        )
    return sorted(found, key=lambda u: (-u.activity.lines, str(u.price.id)))


def catch_all_totals(uses: Iterable[CatchAllUse]) -> dict[str, Decimal]:
    """The amounts of ``uses`` per currency."""
    totals: dict[str, Decimal] = {}
    for use in uses:
        for code, amount in use.activity.amounts.items():
            totals[code] = totals.get(code, Decimal(0)) + amount
    return dict(sorted(totals.items()))
