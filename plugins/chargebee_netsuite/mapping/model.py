"""The typed mapping config: which NetSuite records each kind of Chargebee data posts to."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

EntityType = Literal["plan", "addon", "charge", "adhoc"]
PeriodPolicyName = Literal["hold", "first_open_period"]
CatchAllPolicy = Literal["allow", "refuse"]

DEFAULT_REDATE_MEMO = (
    "Re-dated from {original_date} to {posting_date}: accounting period {original_period} "
    "is closed in NetSuite."
)


def _netsuite_id(value: Any) -> Any:
    # YAML reads `account: 54` as an int; NetSuite ids are strings in the REST API.
    if isinstance(value, bool):
        raise ValueError("a NetSuite internal id is a number such as 54, not true/false")
    if isinstance(value, int):
        value = str(value)
    if value == "TODO":  # left by `cbns mapping draft` for a person to decide
        raise ValueError(
            "still TODO: put the NetSuite internal id here (the draft's comment "
            "names the likely candidates)"
        )
    if isinstance(value, str) and not value.strip().isdigit():
        raise ValueError(f"a NetSuite internal id is a number such as 54, not {value!r}")
    return value.strip() if isinstance(value, str) else value


NetSuiteId = Annotated[str, BeforeValidator(_netsuite_id)]


class _Model(BaseModel):
    # Unknown keys are errors: a misspelt key must not silently post to the wrong place.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ItemTarget(_Model):
    """Where a Chargebee line posts: the NetSuite item, its revenue account and dimensions."""

    item: NetSuiteId
    revenue_account: NetSuiteId | None = None
    department: NetSuiteId | None = None
    class_: NetSuiteId | None = Field(default=None, alias="class")
    location: NetSuiteId | None = None


class ItemMapping(_Model):
    """Item rules; the most specific match wins: item price, item, item family, entity type."""

    by_item_price: dict[str, ItemTarget] = Field(default_factory=dict)
    by_item: dict[str, ItemTarget] = Field(default_factory=dict)
    by_item_family: dict[str, ItemTarget] = Field(default_factory=dict)
    by_entity_type: dict[EntityType, ItemTarget] = Field(default_factory=dict)
    # No default: an unmatched item price is reported and its documents are held.
    default: ItemTarget | None = None
    # by_entity_type (for an item price) and default are catch-alls: an item price nobody
    # mapped posts there silently. allow: post, and report each such item price with its
    # amounts; refuse: quarantine its documents until a specific rule exists.
    catch_all: CatchAllPolicy = "allow"


class SubsidiaryMapping(_Model):
    """Chargebee business entity -> NetSuite subsidiary, with a site-wide default."""

    by_business_entity: dict[str, NetSuiteId] = Field(default_factory=dict)
    default: NetSuiteId | None = None


class AccountRule(_Model):
    """A deposit/clearing account for a gateway and currency (either may be omitted = any)."""

    gateway: str | None = None
    currency: str | None = None
    account: NetSuiteId

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str | None) -> str | None:
        return value.upper() if value else value


class AccountRules(_Model):
    """Payment, refund or chargeback accounts by gateway x currency; the most specific rule
    wins."""

    rules: list[AccountRule] = Field(default_factory=list)
    default: NetSuiteId | None = None

    @model_validator(mode="after")
    def _no_duplicates(self) -> AccountRules:
        seen: set[tuple[str | None, str | None]] = set()
        for rule in self.rules:
            key = (rule.gateway, rule.currency)
            if key in seen:
                raise ValueError(
                    f"two rules for gateway {rule.gateway or 'any'} and currency "
                    f"{rule.currency or 'any'}; keep one"
                )
            seen.add(key)
        return self


class CreditNoteTarget(_Model):
    """Where a credit note with a given reason posts: an item, an account, or both."""

    item: NetSuiteId | None = None
    account: NetSuiteId | None = None

    @model_validator(mode="after")
    def _one_target(self) -> CreditNoteTarget:
        if self.item is None and self.account is None:
            raise ValueError("give an item, an account or both")
        return self


class CreditNoteMapping(_Model):
    """Credit notes by Chargebee reason code (e.g. ``Write Off`` -> a bad-debt item).

    A key matches a credit note's ``create_reason_code`` (the merchant's own codes, exactly
    as Chargebee spells them) first, then its deprecated ``reason_code`` (``write_off``, ...).
    A credit note whose codes have no rule (and no default) maps its lines through the item
    rules, like an invoice.
    """

    by_reason_code: dict[str, CreditNoteTarget] = Field(default_factory=dict)
    default: CreditNoteTarget | None = None


class TaxMapping(_Model):
    """Tax posts as its own line, to a tax item or to a tax account (exactly one)."""

    item: NetSuiteId | None = None
    account: NetSuiteId | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> TaxMapping:
        if (self.item is None) == (self.account is None):
            raise ValueError("give either a tax item or a tax account, not both or neither")
        return self


class NetSuiteTax(_Model):
    """How every line keeps NetSuite's own tax engine (SuiteTax) from taxing it again.

    Chargebee's tax lines must be the only tax. In an account whose reference data shows tax
    codes, ``exempt_code`` puts that non-taxable code on every invoice and credit memo line;
    ``override`` sets ``taxDetailsOverride`` (with no tax details) on every such record. In an
    account without tax features neither is sent (the fields do not exist there).
    """

    method: Literal["exempt_code", "override"]
    exempt_code: NetSuiteId | None = None

    @model_validator(mode="after")
    def _code_for_method(self) -> NetSuiteTax:
        if self.method == "exempt_code" and self.exempt_code is None:
            raise ValueError("method exempt_code needs exempt_code: the non-taxable tax code")
        if self.method == "override" and self.exempt_code is not None:
            raise ValueError("method override sends no tax code; remove exempt_code")
        return self


class ExchangeRatePolicy(_Model):
    """What to do when Chargebee's rate converts to another base currency than NetSuite's.

    Chargebee's ``exchange_rate`` converts to the site's base currency, NetSuite's
    ``exchangeRate`` to the subsidiary's. ``netsuite``: leave the rate out, so NetSuite takes
    it from its own exchange-rate table; ``quarantine``: hold the document with a reason.
    """

    other_base_currency: Literal["netsuite", "quarantine"] = "netsuite"


class TaxWithheldMapping(_Model):
    """Tax a customer withheld from an invoice (Chargebee ``linked_taxes_withheld``) posts as
    a customer payment into this account, applied to the invoice: a Bank or Other Current
    Asset account such as "Tax withheld receivable", from which the tax is claimed back."""

    account: NetSuiteId


class AccountingPeriodPolicy(_Model):
    """What to do with a document dated in a closed period."""

    # hold: keep it back and report it; first_open_period: post it re-dated, saying so.
    policy: PeriodPolicyName = "hold"
    memo: str = DEFAULT_REDATE_MEMO

    @field_validator("memo")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        allowed = {"original_date", "posting_date", "original_period", "posting_period"}
        used = set(re.findall(r"{(\w*)}", value))
        if used - allowed:
            raise ValueError(
                f"unknown placeholders {sorted(used - allowed)}; use {sorted(allowed)}"
            )
        return value

    def redate_memo(
        self, original_date: str, posting_date: str, original_period: str, posting_period: str
    ) -> str:
        """The memo saying a document was moved out of a closed period."""
        return self.memo.format(
            original_date=original_date,
            posting_date=posting_date,
            original_period=original_period,
            posting_period=posting_period,
        )


class CustomerMapping(_Model):
    """How a NetSuite customer's Customer ID (``entityId``) is set."""

    # "auto": NetSuite's auto-generated numbering gives it (Setup > Company > Auto-Generated
    # Numbers must be on, or two customers of one name are refused). Otherwise a template,
    # sent with autoName false: {id} is the Chargebee customer id, {site} the Chargebee site.
    entity_id: str = "{id}"

    @field_validator("entity_id")
    @classmethod
    def _template(cls, value: str) -> str:
        if value == "auto":
            return value
        used = set(re.findall(r"{(\w*)}", value))
        if "id" not in used or used - {"id", "site"}:
            raise ValueError(
                "entity_id is 'auto' or a template with {id} (the Chargebee customer id) and "
                f"optionally {{site}}, such as '{{site}}-{{id}}', not {value!r}"
            )
        return value


class MappingConfig(_Model):
    """The whole mapping, as loaded from YAML."""

    version: Literal[1] = 1
    ar_account: NetSuiteId
    subsidiaries: SubsidiaryMapping
    currencies: dict[str, NetSuiteId] = Field(default_factory=dict)
    items: ItemMapping = Field(default_factory=ItemMapping)
    payments: AccountRules = Field(default_factory=AccountRules)
    refunds: AccountRules = Field(default_factory=AccountRules)
    # Where a chargeback takes the money back from (a gateway clearing or chargeback account).
    chargebacks: AccountRules = Field(default_factory=AccountRules)
    # The item of the invoice that re-opens a chargeback on the customer when its payment's
    # period is closed (its income account takes the money back, like ``chargebacks``).
    chargeback_debit_item: NetSuiteId | None = None
    credit_notes: CreditNoteMapping = Field(default_factory=CreditNoteMapping)
    discount_item: NetSuiteId | None = None
    tax: TaxMapping | None = None
    rounding_item: NetSuiteId | None = None
    netsuite_tax: NetSuiteTax | None = None
    exchange_rates: ExchangeRatePolicy = Field(default_factory=ExchangeRatePolicy)
    tax_withheld: TaxWithheldMapping | None = None
    accounting_period: AccountingPeriodPolicy = Field(default_factory=AccountingPeriodPolicy)
    customers: CustomerMapping = Field(default_factory=CustomerMapping)

    @field_validator("currencies")
    @classmethod
    def _iso_codes(cls, value: dict[str, str]) -> dict[str, str]:
        upper = {code.upper(): netsuite_id for code, netsuite_id in value.items()}
        bad = [code for code in upper if not re.fullmatch(r"[A-Z]{3}", code)]
        if bad:
            raise ValueError(f"currency keys are ISO 4217 codes such as USD, not {bad}")
        if len(upper) != len(value):
            raise ValueError("a currency code is listed twice (codes are case-insensitive)")
        return upper
