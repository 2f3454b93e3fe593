"""The checks per document kind: each one GX expectation, a description and a reason writer.

The definitions are plain data so they can be read (and unit tested) without importing Great
Expectations; :func:`build_expectation` turns one into a GX expectation when a run needs it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chargebee_netsuite.quality import reasons

# Nothing in this business predates 2005; a date before it is a typo or an epoch default.
EARLIEST = int(datetime(2005, 1, 1, tzinfo=UTC).timestamp())
# Documents may be dated ahead (advance invoices), but not by more than this.
HORIZON = timedelta(days=366)

Reason = Callable[[str, Mapping[str, Any]], str]


@dataclass(frozen=True)
class Check:
    """One rule about one document kind, as a GX expectation over that kind's asset."""

    name: str  # stable, e.g. "invoice.lines_sum_to_total"
    expectation: str  # GX class name, e.g. "ExpectColumnPairValuesToBeEqual"
    kwargs: Mapping[str, Any]
    description: str  # shown in Data Docs as the expectation's notes
    reason: Reason = field(compare=False)

    @property
    def columns(self) -> tuple[str, ...]:
        """The asset columns the expectation reads."""
        keys = ("column", "column_A", "column_B")
        return tuple(str(self.kwargs[k]) for k in keys if k in self.kwargs)

    @property
    def expectation_name(self) -> str:
        """``expect_column_pair_values_to_be_equal(lines_total, total)``."""
        snake = "".join("_" + c.lower() if c.isupper() else c for c in self.expectation)
        return f"{snake.lstrip('_')}({', '.join(self.columns)})"


def _unique(kind: str) -> Check:
    return Check(
        f"{kind}.unique_id",
        "ExpectColumnValuesToBeUnique",
        {"column": "id"},
        "Each document id occurs once (one NetSuite external id per document).",
        reasons.unique,
    )


def _required(kind: str, column: str, what: str) -> Check:
    return Check(
        f"{kind}.has_{column}",
        "ExpectColumnValuesToNotBeNull",
        {"column": column},
        f"Every {kind.replace('_', ' ')} has {what}.",
        reasons.required(what),
    )


def _currency(kind: str, known: frozenset[str]) -> Check:
    return Check(
        f"{kind}.currency_known",
        "ExpectColumnValuesToBeInSet",
        {"column": "currency_code", "value_set": sorted(known)},
        "The currency is one the mapping maps to a NetSuite currency.",
        reasons.currency_known,
    )


def _dated(kind: str, column: str, latest: int) -> Check:
    return Check(
        f"{kind}.{column}_sane",
        "ExpectColumnValuesToBeBetween",
        {"column": column, "min_value": EARLIEST, "max_value": latest},
        f"The {column} is not before 2005 and not more than a year ahead.",
        reasons.date_sane(column),
    )


def _customer(kind: str) -> Check:
    return Check(
        f"{kind}.customer_staged",
        "ExpectColumnValuesToBeNull",
        {"column": "missing_customer_id"},
        "The customer it belongs to is staged (it posts first).",
        reasons.customer_staged,
    )


def _reference(kind: str, ref_kind: str) -> Check:
    noun = ref_kind.replace("_", " ")
    column = f"missing_{ref_kind}_id"
    return Check(
        f"{kind}.{ref_kind}_resolvable",
        "ExpectColumnValuesToBeNull",
        {"column": column},
        f"Every {noun} it refers to is staged or already posted to NetSuite.",
        reasons.reference_resolvable(noun, column),
    )


def _document_amounts(kind: str) -> list[Check]:
    settled = (
        reasons.INVOICE_BALANCES
        if kind == "invoice"
        else "amount allocated + amount refunded + amount available"
    )
    return [
        Check(
            f"{kind}.lines_sum_to_total",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "lines_total",
                "column_B": "total",
                "ignore_row_if": "either_value_is_missing",
            },
            "Lines - discounts + taxes + round-off (+ a fractional correction, - store credit "
            "taken before tax) equal the total.",
            reasons.lines_sum_to_total,
        ),
        Check(
            f"{kind}.balances_sum_to_total",
            "ExpectColumnPairValuesToBeEqual",
            {
                "column_A": "settled_total",
                "column_B": "total",
                "ignore_row_if": "either_value_is_missing",
            },
            f"{settled.capitalize()} equal the total (voided documents excepted).",
            reasons.settled_equals_total,
        ),
        Check(
            f"{kind}.lines_complete",
            "ExpectColumnValuesToBeInSet",
            {"column": "lines_complete", "value_set": [1]},
            "Every line item was staged (none left behind by list truncation).",
            reasons.lines_complete,
        ),
    ]


def _sales_document(kind: str, known: frozenset[str]) -> list[Check]:
    """The checks an invoice and a credit note share, in the order they run."""
    return [
        _unique(kind),
        _required(kind, "customer_id", "a customer"),
        _required(kind, "currency_code", "a currency"),
        _required(kind, "date", "a date"),
        _required(kind, "total", "a total"),
        _currency(kind, known),
        *_document_amounts(kind),
        _customer(kind),
    ]


def checks_for(kind: str, known_currencies: Iterable[str], now: datetime) -> list[Check]:
    """The checks of ``kind`` for a run at ``now`` with the mapping's ``known_currencies``."""
    known = frozenset(code.upper() for code in known_currencies)
    latest = int((now + HORIZON).timestamp())
    if kind == "customer":
        return [
            _unique(kind),
            _required(kind, "created_at", "a creation date"),
            _dated(kind, "created_at", latest),
            # Nulls are ignored: a customer without a preferred currency is fine.
            _currency(kind, known),
        ]
    if kind == "item":
        return [_unique(kind), _required(kind, "name", "a name")]
    if kind == "item_price":
        return [
            _unique(kind),
            _required(kind, "item_id", "an item"),
            Check(
                "item_price.item_staged",
                "ExpectColumnValuesToBeNull",
                {"column": "missing_item_id"},
                "The item it prices is staged.",
                reasons.item_staged,
            ),
        ]
    if kind == "invoice":
        return [
            *_sales_document(kind, known),
            _dated(kind, "date", latest),
            Check(
                "invoice.due_date_not_before_date",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "due_date",
                    "column_B": "date",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "The due date is on or after the invoice date.",
                reasons.due_after_date,
            ),
        ]
    if kind == "credit_note":
        return [
            *_sales_document(kind, known),
            _reference(kind, "invoice"),
            _dated(kind, "date", latest),
        ]
    if kind == "transaction":
        return [
            _unique(kind),
            _required(kind, "currency_code", "a currency"),
            _required(kind, "amount", "an amount"),
            _required(kind, "date", "a date"),
            _currency(kind, known),
            Check(
                "transaction.applied_within_amount",
                "ExpectColumnPairValuesAToBeGreaterThanB",
                {
                    "column_A": "amount",
                    "column_B": "applied_total",
                    "or_equal": True,
                    "ignore_row_if": "either_value_is_missing",
                },
                "What it applies to invoices or credit notes does not exceed its amount.",
                reasons.applied_within_amount,
            ),
            _customer(kind),
            _reference(kind, "invoice"),
            _reference(kind, "credit_note"),
            _reference(kind, "transaction"),
            _dated(kind, "date", latest),
        ]
    raise ValueError(f"no checks for document kind {kind!r}")


def build_expectation(check: Check) -> Any:
    """The GX expectation of ``check`` (imports Great Expectations)."""
    from great_expectations import expectations

    cls = getattr(expectations, check.expectation)
    return cls(**dict(check.kwargs), meta={"check": check.name}, notes=check.description)
