"""Plain, in-memory reference data: the NetSuite records a mapping may name, and periods."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

# Reference kinds, named after their SuiteQL tables.
KINDS = (
    "account",
    "item",
    "subsidiary",
    "department",
    "classification",
    "location",
    "currency",
    "accountingperiod",
)
# Item types of tax codes (the salesTaxItem record is itemType TaxItem, HC article_0814121722).
TAX_CODE_TYPES = frozenset({"TaxItem", "TaxGroup"})
LABELS = {
    "account": "account",
    "item": "item",
    "subsidiary": "subsidiary",
    "department": "department",
    "classification": "class",
    "location": "location",
    "currency": "currency",
    "accountingperiod": "accounting period",
}


@dataclass(frozen=True)
class ReferenceRecord:
    """One NetSuite record a mapping can point at."""

    kind: str
    id: str
    name: str
    is_inactive: bool = False
    type: str | None = None  # account type (accttype) or item type (itemtype)
    code: str | None = None  # account number, item name (itemid) or currency symbol
    income_account: str | None = None  # items: the account their revenue posts to
    currency: str | None = None  # subsidiaries: the id of their base currency

    def describe(self) -> str:
        """E.g. ``account 4000 Subscription Revenue (id 54)``."""
        label = LABELS.get(self.kind, self.kind)
        shown = f"{self.code} {self.name}" if self.code and self.code != self.name else self.name
        return f"{label} {shown} (id {self.id})"


@dataclass(frozen=True)
class AccountingPeriod:
    """A NetSuite accounting period and whether A/R may still post into it."""

    id: str
    name: str
    start_date: date
    end_date: date
    is_posting: bool = True
    is_quarter: bool = False
    is_year: bool = False
    is_adjust: bool = False
    closed: bool = False
    ar_locked: bool = False
    all_locked: bool = False

    @property
    def is_month(self) -> bool:
        """A postable base period (not a quarter or year summary)."""
        return self.is_posting and not (self.is_quarter or self.is_year)

    @property
    def open_for_ar(self) -> bool:
        """Whether an A/R transaction can post into it without overriding period locks."""
        return self.is_month and not (self.closed or self.ar_locked or self.all_locked)


@dataclass
class ReferenceData:
    """A snapshot of reference records by kind and id, plus the accounting periods."""

    records: dict[str, dict[str, ReferenceRecord]] = field(default_factory=dict)
    periods: list[AccountingPeriod] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        records: Iterable[ReferenceRecord],
        periods: Iterable[AccountingPeriod] = (),
    ) -> ReferenceData:
        """Index ``records`` by kind and id."""
        data = cls(records={kind: {} for kind in KINDS if kind != "accountingperiod"})
        for record in records:
            data.records.setdefault(record.kind, {})[record.id] = record
        data.periods = sorted(periods, key=lambda p: (p.start_date, p.end_date))
        return data

    def get(self, kind: str, record_id: str) -> ReferenceRecord | None:
        """The record of ``kind`` with internal id ``record_id``, or None."""
        return self.records.get(kind, {}).get(record_id)

    def of_kind(self, kind: str) -> Mapping[str, ReferenceRecord]:
        """Every record of ``kind`` by id."""
        return self.records.get(kind, {})

    def currency_by_code(self, code: str) -> ReferenceRecord | None:
        """The currency whose symbol (NetSuite uses the ISO code) is ``code``."""
        wanted = code.upper()
        matches = [c for c in self.of_kind("currency").values() if (c.code or "").upper() == wanted]
        active = [c for c in matches if not c.is_inactive]
        candidates = active or matches
        return candidates[0] if candidates else None

    def tax_codes(self) -> list[ReferenceRecord]:
        """Active tax codes (items of type TaxItem or TaxGroup): there are some only where the
        account has tax features on (SuiteTax)."""
        return [
            item
            for item in self.of_kind("item").values()
            if item.type in TAX_CODE_TYPES and not item.is_inactive
        ]

    def base_currency_of(self, subsidiary_id: str) -> str | None:
        """The ISO code of a subsidiary's base currency, when the reference data says it."""
        subsidiary = self.get("subsidiary", subsidiary_id)
        if subsidiary is None or subsidiary.currency is None:
            return None
        currency = self.get("currency", subsidiary.currency)
        return currency.code.upper() if currency is not None and currency.code else None

    def period_for(self, day: date) -> AccountingPeriod | None:
        """The base posting period containing ``day``."""
        for period in self.periods:
            if period.is_month and period.start_date <= day <= period.end_date:
                return period
        return None

    def first_open_period_from(self, day: date) -> AccountingPeriod | None:
        """The earliest period open for A/R that ends on or after ``day``."""
        for period in self.periods:
            if period.open_for_ar and period.end_date >= day:
                return period
        return None
