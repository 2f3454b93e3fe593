"""Preflight: check a mapping against NetSuite reference data and the Chargebee data in use.

Every problem is collected (never the first only), each as a sentence naming the rule and the
fix, and each says which documents it blocks, so that posting stops for those alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from chargebee_netsuite.mapping.catch_all import (
    CatchAllUse,
    PriceActivity,
    catch_all_uses,
    item_names,
    refusal,
)
from chargebee_netsuite.mapping.model import (
    AccountRules,
    ItemTarget,
    MappingConfig,
)
from chargebee_netsuite.mapping.resolve import (
    ItemPriceRef,
    Resolution,
    resolve_chargeback_account,
    resolve_credit_note,
    resolve_currency,
    resolve_item,
    resolve_payment_account,
    resolve_refund_account,
    resolve_subsidiary,
)
from chargebee_netsuite.reference.model import LABELS, TAX_CODE_TYPES, ReferenceData

# NetSuite account type codes (SuiteQL ``account.accttype``) and their names in the UI.
ACCOUNT_TYPE_NAMES = {
    "AcctPay": "Accounts Payable",
    "AcctRec": "Accounts Receivable",
    "Bank": "Bank",
    "COGS": "Cost of Goods Sold",
    "CredCard": "Credit Card",
    "DeferExpense": "Deferred Expense",
    "DeferRevenue": "Deferred Revenue",
    "Equity": "Equity",
    "Expense": "Expense",
    "FixedAsset": "Fixed Asset",
    "Income": "Income",
    "LongTermLiab": "Long Term Liability",
    "NonPosting": "Non-Posting",
    "OthAsset": "Other Asset",
    "OthCurrAsset": "Other Current Asset",
    "OthCurrLiab": "Other Current Liability",
    "OthExpense": "Other Expense",
    "OthIncome": "Other Income",
    "Stat": "Statistical",
    "UnbilledRec": "Unbilled Receivable",
}

AR_TYPES = frozenset({"AcctRec"})
REVENUE_TYPES = frozenset({"Income", "OthIncome"})
# Undeposited Funds and gateway clearing accounts are Other Current Assets.
DEPOSIT_TYPES = frozenset({"Bank", "OthCurrAsset"})
# A write-off goes to bad-debt expense; other credits usually reduce income.
CREDIT_TYPES = frozenset({"Income", "OthIncome", "Expense", "OthExpense"})
TAX_ACCOUNT_TYPES = frozenset({"OthCurrLiab"})
# Item types that cannot carry a sale line's revenue.
NON_SALE_ITEM_TYPES = frozenset(
    {"Discount", "Subtotal", "Description", "Payment", "Markup", "TaxItem", "TaxGroup", "EndGroup"}
)


def _a(noun: str | None) -> str:
    """``an Income``, ``a Bank``."""
    text = noun or "unknown"
    return f"an {text}" if text[:1].upper() in "AEIOU" else f"a {text}"


def _type_names(types: Iterable[str]) -> str:
    names = sorted(ACCOUNT_TYPE_NAMES.get(t, t) for t in types)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


@dataclass(frozen=True)
class Scope:
    """The documents a problem blocks. ``everything`` stops the whole run's posting."""

    everything: bool = False
    item_prices: frozenset[str] = frozenset()
    currencies: frozenset[str] = frozenset()
    payment_gateways: frozenset[tuple[str, str]] = frozenset()
    refund_gateways: frozenset[tuple[str, str]] = frozenset()
    business_entities: frozenset[str | None] = frozenset()
    credit_note_reasons: frozenset[str | None] = frozenset()
    chargeback_gateways: frozenset[tuple[str, str]] = frozenset()
    tax_withheld: bool = False


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the mapping: the rule, a sentence with the fix, what it blocks."""

    rule: str
    message: str
    scope: Scope = field(default_factory=Scope)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ChargebeeUsage:
    """What the staged Chargebee data uses, so that gaps in the mapping are found up front.

    ``item_prices`` may be plain item price ids when nothing more is known, though then only
    ``items.by_item_price`` and ``items.default`` can match them. ``None`` as a business entity
    or reason code stands for "none given". A credit note's reasons are its codes in the order
    rules match them, ``(create_reason_code, reason_code)``, or one code alone.
    ``tax_withheld_currencies`` are the currencies of invoices with tax withheld.
    ``item_price_activity`` says what staged documents billed on each item price (``None``:
    ad-hoc lines), so that catch-alls are reported with their amounts.
    """

    item_prices: Iterable[ItemPriceRef | str] = ()
    currencies: Iterable[str] = ()
    payment_gateways: Iterable[tuple[str, str]] = ()
    refund_gateways: Iterable[tuple[str, str]] = ()
    business_entities: Iterable[str | None] = ()
    credit_note_reasons: Iterable[str | tuple[str | None, ...] | None] = ()
    chargeback_gateways: Iterable[tuple[str, str]] = ()
    tax_withheld_currencies: Iterable[str] = ()
    item_price_activity: Mapping[str | None, PriceActivity] = field(default_factory=dict)


@dataclass
class ValidationReport:
    """Every problem found; the ``blocked_*`` sets say which documents must not post.

    ``notices`` are worth knowing but block nothing (reason codes in use without a rule).
    ``catch_alls`` are the item prices in use that post through a catch-all rule.
    """

    problems: list[Problem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    catch_alls: list[CatchAllUse] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when nothing is wrong."""
        return not self.problems

    @property
    def blocked_rules(self) -> frozenset[str]:
        """Rule paths with a problem: a document resolving to one of them must not post."""
        return frozenset(p.rule for p in self.problems)

    @property
    def blocks_everything(self) -> bool:
        """Whether a problem (such as the A/R account) stops every document."""
        return any(p.scope.everything for p in self.problems)

    def _union(self, name: str) -> frozenset[object]:
        values: set[object] = set()
        for problem in self.problems:
            values |= getattr(problem.scope, name)
        return frozenset(values)

    @property
    def blocked_item_prices(self) -> frozenset[str]:
        """Item price ids whose lines (and so their invoices and credit notes) are held."""
        return self._union("item_prices")  # type: ignore[return-value]

    @property
    def blocked_currencies(self) -> frozenset[str]:
        """Currency codes whose documents are held."""
        return self._union("currencies")  # type: ignore[return-value]

    @property
    def blocked_payment_gateways(self) -> frozenset[tuple[str, str]]:
        """(gateway, currency) pairs whose payments are held."""
        return self._union("payment_gateways")  # type: ignore[return-value]

    @property
    def blocked_refund_gateways(self) -> frozenset[tuple[str, str]]:
        """(gateway, currency) pairs whose refunds are held."""
        return self._union("refund_gateways")  # type: ignore[return-value]

    @property
    def blocked_chargeback_gateways(self) -> frozenset[tuple[str, str]]:
        """(gateway, currency) pairs whose chargebacks are held."""
        return self._union("chargeback_gateways")  # type: ignore[return-value]

    @property
    def blocked_business_entities(self) -> frozenset[str | None]:
        """Business entities whose documents are held (``None``: the site default)."""
        return self._union("business_entities")  # type: ignore[return-value]

    @property
    def blocked_credit_note_reasons(self) -> frozenset[str | None]:
        """Credit note reason codes whose credit notes are held."""
        return self._union("credit_note_reasons")  # type: ignore[return-value]

    def summary(self) -> str:
        """All problems as a numbered list (then the notices), for a task log or a report."""
        if self.ok:
            lines = ["The mapping is valid."]
        else:
            lines = [f"The mapping has {len(self.problems)} problem(s):"]
            lines += [f"{n}. {p.message}" for n, p in enumerate(self.problems, 1)]
        if self.catch_alls:
            lines.append(
                f"Catch-alls: {len(self.catch_alls)} Chargebee item price(s) post through "
                "items.by_entity_type or items.default, which nobody chose for them:"
            )
            lines += [f"- {use.describe()}" for use in self.catch_alls]
        if self.notices:
            lines.append("Notes:")
            lines += [f"- {notice}" for notice in self.notices]
        return "\n".join(lines)


class _Validator:
    def __init__(self, config: MappingConfig, reference: ReferenceData) -> None:
        self.config = config
        self.reference = reference
        self.problems: list[Problem] = []
        self.notices: list[str] = []
        self.catch_alls: list[CatchAllUse] = []

    def add(self, rule: str, message: str, scope: Scope | None = None) -> None:
        self.problems.append(Problem(rule, message, scope or Scope()))

    def check_ref(
        self,
        rule: str,
        kind: str,
        record_id: str | None,
        scope: Scope,
        *,
        account_types: frozenset[str] | None = None,
        purpose: str = "",
    ) -> bool:
        """Check that ``record_id`` exists, is active and (for accounts) has a fitting type."""
        if record_id is None:
            return True
        label = LABELS[kind]
        wanted = (
            f"an active {_type_names(account_types)} account"
            if account_types
            else (f"an active {label}")
        )
        record = self.reference.get(kind, record_id)
        if record is None:
            self.add(
                rule,
                f"{rule}: {label} {record_id} does not exist in NetSuite. Set it to the internal "
                f"id of {wanted}, or refresh the reference data if it was created recently.",
                scope,
            )
            return False
        if record.is_inactive:
            self.add(
                rule,
                f"{rule}: {record.describe()} is inactive in NetSuite. Reactivate it in "
                f"NetSuite or point {rule} at {wanted}.",
                scope,
            )
            return False
        if account_types is not None and record.type not in account_types:
            actual = ACCOUNT_TYPE_NAMES.get(record.type or "", record.type or "unknown")
            self.add(
                rule,
                f"{rule}: {record.describe()} is {_a(actual)} account, but {purpose} needs "
                f"{_type_names(account_types)}. Point {rule} at {wanted}.",
                scope,
            )
            return False
        return True

    def check_item_target(self, rule: str, target: ItemTarget, scope: Scope) -> None:
        item_ok = self.check_ref(f"{rule}.item", "item", target.item, scope)
        revenue_ok = self.check_ref(
            f"{rule}.revenue_account",
            "account",
            target.revenue_account,
            scope,
            account_types=REVENUE_TYPES,
            purpose="revenue",
        )
        self.check_ref(f"{rule}.department", "department", target.department, scope)
        self.check_ref(f"{rule}.class", "classification", target.class_, scope)
        self.check_ref(f"{rule}.location", "location", target.location, scope)
        item = self.reference.get("item", target.item)
        if not item_ok or item is None:
            return
        if item.type in NON_SALE_ITEM_TYPES:
            self.add(
                f"{rule}.item",
                f"{rule}.item: {item.describe()} is {_a(item.type)} item, which cannot carry "
                "revenue. Point it at a service, non-inventory or other-charge item.",
                scope,
            )
        revenue = target.revenue_account
        if revenue_ok and revenue and item.income_account and item.income_account != revenue:
            # On invoices NetSuite posts an item line to the item's income account; a
            # different revenue_account here would be silently ignored.
            self.add(
                f"{rule}.revenue_account",
                f"{rule}.revenue_account: NetSuite posts {item.describe()} to its income "
                f"account {item.income_account}, not to account {revenue}. Set "
                f"revenue_account to {item.income_account}, or change the item's income "
                "account in NetSuite.",
                scope,
            )


def validate_mapping(
    config: MappingConfig, reference: ReferenceData, usage: ChargebeeUsage | None = None
) -> ValidationReport:
    """Check ``config`` against ``reference`` and ``usage``; return every problem found."""
    usage = usage or ChargebeeUsage()
    v = _Validator(config, reference)
    v.check_ref(
        "ar_account",
        "account",
        config.ar_account,
        Scope(everything=True),
        account_types=AR_TYPES,
        purpose="the receivables account",
    )
    _check_items(v, usage)
    _check_subsidiaries(v, usage)
    _check_currencies(v, usage)
    _check_gateway_accounts(v, "payments", set(usage.payment_gateways))
    _check_gateway_accounts(v, "refunds", set(usage.refund_gateways))
    _check_gateway_accounts(v, "chargebacks", set(usage.chargeback_gateways))
    _check_credit_notes(v, usage)
    _check_tax_withheld(v, usage)
    _check_special_lines(v)
    _check_netsuite_tax(v)
    return ValidationReport(v.problems, v.notices, v.catch_alls)


T = TypeVar("T")


def _keyed(prefix: str, rules: Mapping[str, T]) -> list[tuple[str, T]]:
    """The keyed rules of a mapping section, named ``{prefix}.{key}`` as problems cite them."""
    return [(f"{prefix}.{key}", value) for key, value in rules.items()]


def _with_default(
    section: str, rules: list[tuple[str, T]], default: T | None
) -> list[tuple[str, T]]:
    """``rules`` then ``{section}.default`` if the mapping sets one: every rule that can serve."""
    return [*rules, (f"{section}.default", default)] if default is not None else rules


def _check_items(v: _Validator, usage: ChargebeeUsage) -> None:
    config = v.config
    # Which known item prices each rule serves, so that a bad rule holds exactly those.
    prices = [p if isinstance(p, ItemPriceRef) else ItemPriceRef(id=p) for p in usage.item_prices]
    served: dict[str, set[str]] = {}
    for price in prices:
        resolution = resolve_item(config, price)
        if resolution is not None:
            if price.id is not None:
                served.setdefault(resolution.rule, set()).add(price.id)
        elif price.id is None:
            v.add(
                "items",
                "items: ad-hoc lines match no rule and there is no items.default. Add "
                "items.by_entity_type.adhoc or items.default.",
            )
        else:
            v.add(
                "items",
                f"items: Chargebee {price.describe()} matches no rule and there is no "
                f"items.default. Add items.by_item_price.{price.id} (or a rule for its item, "
                "item family or entity type), or set items.default.",
                Scope(item_prices=frozenset({price.id})),
            )
    item_rules: list[tuple[str, ItemTarget]] = []
    for section in ("by_item_price", "by_item", "by_item_family", "by_entity_type"):
        item_rules += _keyed(f"items.{section}", getattr(config.items, section))
    for rule, target in _with_default("items", item_rules, config.items.default):
        v.check_item_target(rule, target, Scope(item_prices=frozenset(served.get(rule, ()))))
    _check_catch_alls(v, prices, usage.item_price_activity)


def _check_catch_alls(
    v: _Validator, prices: list[ItemPriceRef], activity: Mapping[str | None, PriceActivity]
) -> None:
    v.catch_alls = catch_all_uses(v.config, prices, activity, item_names(v.reference))
    if v.config.items.catch_all != "refuse":
        return
    for use in v.catch_alls:
        scope = Scope(item_prices=frozenset({use.price.id})) if use.price.id else Scope()
        v.add("items.catch_all", f"items.catch_all: {refusal(use.price, use.rule)}", scope)


def _check_subsidiaries(v: _Validator, usage: ChargebeeUsage) -> None:
    config = v.config
    entities = set(usage.business_entities)
    for entity in entities:
        if resolve_subsidiary(config, entity) is not None:
            continue
        if entity is None:
            message = (
                "subsidiaries: documents without a business entity need subsidiaries.default. "
                "Add it."
            )
        else:
            message = (
                f"subsidiaries: business entity '{entity}' has no subsidiary and there is no "
                f"subsidiaries.default. Add subsidiaries.by_business_entity.{entity} or "
                "subsidiaries.default."
            )
        v.add("subsidiaries", message, Scope(business_entities=frozenset({entity})))
    rules = _with_default(
        "subsidiaries",
        _keyed("subsidiaries.by_business_entity", config.subsidiaries.by_business_entity),
        config.subsidiaries.default,
    )
    for rule, subsidiary_id in rules:
        affected = frozenset(
            e for e in entities if (r := resolve_subsidiary(config, e)) and r.rule == rule
        )
        v.check_ref(rule, "subsidiary", subsidiary_id, Scope(business_entities=affected))


def _check_currencies(v: _Validator, usage: ChargebeeUsage) -> None:
    config, reference = v.config, v.reference
    for code in sorted({code.upper() for code in usage.currencies}):
        if resolve_currency(config, code) is None:
            found = reference.currency_by_code(code)
            hint = f" (NetSuite's {code} is id {found.id})" if found else ""
            v.add(
                f"currencies.{code}",
                f"currencies.{code}: Chargebee uses {code} but the mapping has no NetSuite "
                f"currency for it. Add `{code}: <currency id>` under currencies{hint}.",
                Scope(currencies=frozenset({code})),
            )
    for code, currency_id in config.currencies.items():
        rule = f"currencies.{code}"
        scope = Scope(currencies=frozenset({code}))
        if not v.check_ref(rule, "currency", currency_id, scope):
            continue
        record = reference.get("currency", currency_id)
        if record is not None and record.code and record.code.upper() != code:
            v.add(
                rule,
                f"{rule}: NetSuite currency {currency_id} is {record.code}, not {code}. Point "
                f"it at the NetSuite currency whose symbol is {code}.",
                scope,
            )


_Pairs = frozenset[tuple[str, str]]
_GatewaySection = tuple[
    Callable[[MappingConfig], AccountRules],
    Callable[[MappingConfig, str, str], Resolution[str] | None],
    Callable[[_Pairs], Scope],
]
# Each gateway x currency section: its rules, its resolver, and what a problem there blocks.
_GATEWAY_SECTIONS: dict[str, _GatewaySection] = {
    "payments": (
        lambda c: c.payments,
        resolve_payment_account,
        lambda pairs: Scope(payment_gateways=pairs),
    ),
    "refunds": (
        lambda c: c.refunds,
        resolve_refund_account,
        lambda pairs: Scope(refund_gateways=pairs),
    ),
    "chargebacks": (
        lambda c: c.chargebacks,
        resolve_chargeback_account,
        lambda pairs: Scope(chargeback_gateways=pairs),
    ),
}


def _check_gateway_accounts(
    v: _Validator, section: str, pairs_in_use: set[tuple[str, str]]
) -> None:
    config = v.config
    rules_of, resolver, scope_of = _GATEWAY_SECTIONS[section]
    rules_obj = rules_of(config)
    noun = section[:-1]

    def scope(pairs: Iterable[tuple[str, str]]) -> Scope:
        return scope_of(frozenset(pairs))

    pairs = {(gateway, currency.upper()) for gateway, currency in pairs_in_use}
    resolved = {pair: resolver(config, *pair) for pair in pairs}
    for (gateway, currency), resolution in sorted(resolved.items()):
        if resolution is None:
            v.add(
                section,
                f"{section}: {noun}s through gateway '{gateway}' in {currency} have no account. "
                f"Add a rule under {section}.rules with gateway {gateway} and currency "
                f"{currency} (or either alone), or set {section}.default.",
                scope([(gateway, currency)]),
            )
    account_rules = _with_default(
        section,
        [(f"{section}.rules[{i}]", r.account) for i, r in enumerate(rules_obj.rules)],
        rules_obj.default,
    )
    for rule, account_id in account_rules:
        affected = [pair for pair, r in resolved.items() if r is not None and r.rule == rule]
        v.check_ref(
            rule,
            "account",
            account_id,
            scope(affected),
            account_types=DEPOSIT_TYPES,
            purpose=f"a {noun} account",
        )


def _codes(entry: str | tuple[str | None, ...] | None) -> tuple[str | None, ...]:
    return entry if isinstance(entry, tuple) else (entry,)


def _check_credit_notes(v: _Validator, usage: ChargebeeUsage) -> None:
    config = v.config
    # Codes without a rule are fine (their lines follow the item rules), but worth a note.
    used = {_codes(entry) for entry in usage.credit_note_reasons}
    matched: dict[str, set[str | None]] = {}
    unmapped: set[tuple[str | None, ...]] = set()
    for codes in used:
        resolution = resolve_credit_note(config, *codes)
        if resolution is None:
            unmapped.add(codes)
            continue
        key = resolution.rule.removeprefix("credit_notes.by_reason_code.")
        hit = next((c for c in codes if c == key), None)
        matched.setdefault(resolution.rule, set()).add(hit)
    for codes in sorted(unmapped, key=lambda c: [str(x) for x in c]):
        v.notices.append(_unmapped_reason(codes))
    rules = _with_default(
        "credit_notes",
        _keyed("credit_notes.by_reason_code", config.credit_notes.by_reason_code),
        config.credit_notes.default,
    )
    for rule, target in rules:
        scope = Scope(credit_note_reasons=frozenset(matched.get(rule, ())))
        v.check_ref(f"{rule}.item", "item", target.item, scope)
        v.check_ref(
            f"{rule}.account",
            "account",
            target.account,
            scope,
            account_types=CREDIT_TYPES,
            purpose="a credit note account",
        )


def _unmapped_reason(codes: tuple[str | None, ...]) -> str:
    named = [c for c in codes if c is not None]
    if not named:
        return (
            "credit_notes: some credit notes have no reason code; their lines post through the "
            "item rules, as an invoice's do. Set credit_notes.default to post them elsewhere."
        )
    shown = " / ".join(f"'{c}'" for c in named)
    return (
        f"credit_notes: no rule for reason {shown}; those credit notes post their lines "
        f"through the item rules, as an invoice's do. Add credit_notes.by_reason_code.{named[0]} "
        "(or credit_notes.default) to post them on an item of their own."
    )


def _check_tax_withheld(v: _Validator, usage: ChargebeeUsage) -> None:
    config = v.config
    currencies = sorted({c.upper() for c in usage.tax_withheld_currencies})
    scope = Scope(tax_withheld=bool(currencies))
    if config.tax_withheld is not None:
        v.check_ref(
            "tax_withheld.account",
            "account",
            config.tax_withheld.account,
            scope,
            account_types=DEPOSIT_TYPES,
            purpose="tax withheld (a receivable claimed back from the tax authority)",
        )
    elif currencies:
        v.add(
            "tax_withheld",
            f"tax_withheld: Chargebee invoices in {', '.join(currencies)} carry tax the "
            "customer withheld, and the mapping says nowhere to post it. Add "
            "tax_withheld.account: a Bank or Other Current Asset account such as 'Tax withheld "
            "receivable'. Until then each withholding is held, and its invoice stays open in "
            "NetSuite by that amount.",
            scope,
        )


def _check_special_lines(v: _Validator) -> None:
    """Discount, tax and rounding lines; documents needing them are held via blocked_rules."""
    config, reference = v.config, v.reference
    if config.discount_item is not None and v.check_ref(
        "discount_item", "item", config.discount_item, Scope()
    ):
        item = reference.get("item", config.discount_item)
        if item is not None and item.type != "Discount":
            v.add(
                "discount_item",
                f"discount_item: {item.describe()} is {_a(item.type)} item, not a Discount item. "
                "Point discount_item at a NetSuite Discount item.",
            )
    if config.tax is not None:
        v.check_ref("tax.item", "item", config.tax.item, Scope())
        v.check_ref(
            "tax.account",
            "account",
            config.tax.account,
            Scope(),
            account_types=TAX_ACCOUNT_TYPES,
            purpose="tax payable",
        )
    v.check_ref("rounding_item", "item", config.rounding_item, Scope())
    v.check_ref("chargeback_debit_item", "item", config.chargeback_debit_item, Scope())
    if config.accounting_period.policy == "first_open_period" and not any(
        p.open_for_ar for p in reference.periods
    ):
        v.add(
            "accounting_period.policy",
            "accounting_period.policy: first_open_period is set but NetSuite has no accounting "
            "period open for A/R. Open a period in NetSuite (or refresh the reference data), "
            "or use policy: hold.",
        )


def _check_netsuite_tax(v: _Validator) -> None:
    """With tax codes in NetSuite, the mapping must say how lines escape NetSuite's own tax.

    A problem here holds every invoice and credit memo (through ``blocked_rules``): posted
    without it, NetSuite would add tax on top of Chargebee's and overstate A/R.
    """
    config, reference = v.config, v.reference
    codes = reference.tax_codes()
    if not codes:
        return  # no tax features: nothing is sent, whatever netsuite_tax says
    if config.netsuite_tax is None:
        shown = ", ".join(code.describe() for code in codes[:3])
        v.add(
            "netsuite_tax",
            f"netsuite_tax: NetSuite has tax features on (tax codes such as {shown}), so it "
            "would add its own tax to every invoice and credit memo line on top of Chargebee's "
            "tax lines. Add netsuite_tax with method: exempt_code and exempt_code: <the id of "
            "a non-taxable tax code>, or method: override.",
        )
        return
    code = config.netsuite_tax.exempt_code
    if code is None:
        return
    rule = "netsuite_tax.exempt_code"
    if v.check_ref(rule, "item", code, Scope()):
        item = reference.get("item", code)
        if item is not None and item.type not in TAX_CODE_TYPES:
            v.add(
                rule,
                f"{rule}: {item.describe()} is {_a(item.type)} item, not a tax code. Point it "
                "at a non-taxable tax code (an item of type TaxItem).",
            )
