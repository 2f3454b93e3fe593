"""Human sentences for failed checks: which document, what is wrong, and how to fix it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from chargebee_netsuite.transform.money import to_money

_NOUNS = {
    "customer": "customer",
    "item": "item",
    "item_price": "item price",
    "invoice": "invoice",
    "credit_note": "credit note",
}


def noun(kind: str, row: Mapping[str, Any]) -> str:
    """What finance calls the document: ``invoice``, ``credit note``, ``payment``, ``refund``."""
    if kind == "transaction":
        return str(row.get("type") or "transaction").replace("_", " ")
    return _NOUNS.get(kind, kind)


def label(kind: str, row: Mapping[str, Any]) -> str:
    """How finance would name the document: ``invoice 1042``, ``payment txn_9``."""
    return f"{noun(kind, row)} {row.get('id')}"


def money(amount: Any, row: Mapping[str, Any]) -> str:
    """``99.00 USD`` from a Chargebee integer amount and the row's currency."""
    currency = row.get("currency_code")
    if not isinstance(amount, int) or isinstance(amount, bool):
        return "nothing"
    if not currency:
        return f"{amount} (minor units, no currency)"
    return f"{to_money(amount, str(currency))} {currency}"


def day(timestamp: Any) -> str:
    """A Chargebee Unix timestamp as an ISO date (UTC)."""
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        return "no date"
    try:
        return datetime.fromtimestamp(timestamp, UTC).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return f"timestamp {timestamp}"


EXCLUDE = "fix it in Chargebee or exclude it from the sync"


def unique(kind: str, row: Mapping[str, Any]) -> str:
    """The id occurs twice in one validation batch."""
    return (
        f"{label(kind, row)}: the id occurs more than once in this run, so it cannot be posted "
        "under one NetSuite external id. Re-run the extraction; if it persists, report it."
    )


def required(field: str) -> Any:
    """A reason for a missing required field."""

    def reason(kind: str, row: Mapping[str, Any]) -> str:
        return (
            f"{label(kind, row)} has no {field}, which NetSuite needs to post it. "
            f"Chargebee data is incomplete; {EXCLUDE}, then re-extract."
        )

    return reason


def currency_known(kind: str, row: Mapping[str, Any]) -> str:
    """The currency is not in the mapping."""
    code = row.get("currency_code")
    verb = "prefers" if kind == "customer" else "is in"
    return (
        f"{label(kind, row)} {verb} {code}, which the mapping does not know. Add "
        f"`{code}: <NetSuite currency id>` under currencies in the mapping, or exclude the "
        "document."
    )


LINE_PARTS = (
    "line amounts less discounts, plus taxes, round-off and any fractional correction or "
    "store credit taken before tax"
)
INVOICE_BALANCES = (
    "amount paid + amount due + credits applied + adjustment credit notes (write-offs "
    "included) + tax withheld"
)


def lines_sum_to_total(kind: str, row: Mapping[str, Any]) -> str:
    """Lines, discounts, taxes and round-off do not add up to the total."""
    return (
        f"{label(kind, row)}: lines sum to {money(row.get('lines_total'), row)} but total is "
        f"{money(row.get('total'), row)} ({LINE_PARTS} counted) — Chargebee data is "
        f"inconsistent; fix the {noun(kind, row)} in Chargebee or exclude it."
    )


def settled_equals_total(kind: str, row: Mapping[str, Any]) -> str:
    """The balance fields do not add up to the total."""
    parts = (
        INVOICE_BALANCES
        if kind == "invoice"
        else "amount allocated + amount refunded + amount available"
    )
    return (
        f"{label(kind, row)}: {parts} come to {money(row.get('settled_total'), row)} but total "
        f"is {money(row.get('total'), row)} — Chargebee data is inconsistent; {EXCLUDE}."
    )


def lines_complete(kind: str, row: Mapping[str, Any]) -> str:
    """Some line items could not be fetched."""
    return (
        f"{label(kind, row)}: only {row.get('line_count')} of its lines could be staged "
        "(Chargebee truncated the list and the rest could not be fetched). Re-run the "
        "extraction; it posts once all lines are staged."
    )


def customer_staged(kind: str, row: Mapping[str, Any]) -> str:
    """The customer it belongs to is not staged."""
    return (
        f"{label(kind, row)} belongs to customer {row.get('missing_customer_id')}, which is not "
        "staged. Re-extract customers (a full sync of customers) so the customer posts first, "
        "or fix the customer reference in Chargebee."
    )


def reference_resolvable(ref_noun: str, column: str) -> Any:
    """A reason for a reference to a document that is neither staged nor posted."""

    def reason(kind: str, row: Mapping[str, Any]) -> str:
        return (
            f"{label(kind, row)} refers to {ref_noun} {row.get(column)}, which is neither "
            f"staged nor posted to NetSuite. Re-extract {ref_noun}s (a full sync) so it posts "
            f"first, or fix the {noun(kind, row)} in Chargebee."
        )

    return reason


def applied_within_amount(kind: str, row: Mapping[str, Any]) -> str:
    """A transaction applies more than its amount."""
    return (
        f"{label(kind, row)} applies {money(row.get('applied_total'), row)} to invoices or "
        f"credit notes but its amount is only {money(row.get('amount'), row)} — Chargebee data "
        f"is inconsistent; {EXCLUDE}."
    )


def date_sane(column: str) -> Any:
    """A reason for a date before 2005 or far in the future."""

    def reason(kind: str, row: Mapping[str, Any]) -> str:
        return (
            f"{label(kind, row)} has {column} {day(row.get(column))}, which is before 2005 or "
            f"more than a year ahead. Correct the date in Chargebee, or exclude the document."
        )

    return reason


def due_after_date(kind: str, row: Mapping[str, Any]) -> str:
    """The due date is before the document date."""
    return (
        f"{label(kind, row)} is due {day(row.get('due_date'))}, before its date "
        f"{day(row.get('date'))}. Correct the due date (or payment terms) in Chargebee."
    )


def item_staged(kind: str, row: Mapping[str, Any]) -> str:
    """The item of an item price is not staged."""
    return (
        f"{label(kind, row)} belongs to item {row.get('missing_item_id')}, which is not staged. "
        "Re-extract items (a full sync of the catalog)."
    )


# -- one vocabulary -------------------------------------------------------------------------
# Every reason a document did not post falls under one of these causes, whichever stage found
# it. The validation report, the loader's ledger, the exception queue, the per-run report,
# the demo summary and the notifications all name causes (and fixes) from here.

DATA_CHECK = "data check"
MAPPING = "mapping"
CLOSED_PERIOD = "closed period"
DEPENDENCY = "dependency"
NETSUITE = "NetSuite refusal"
CAUSES = (DATA_CHECK, MAPPING, CLOSED_PERIOD, DEPENDENCY, NETSUITE)

CAUSE_TITLES = {
    DATA_CHECK: "Data check: the Chargebee document is incomplete or inconsistent",
    MAPPING: "Mapping: the mapping file has no usable rule for it",
    CLOSED_PERIOD: "Closed period: its accounting period is closed in NetSuite",
    DEPENDENCY: "Dependency: it waits for another document",
    NETSUITE: "NetSuite refusal: NetSuite did not accept it",
}

# The codes the loader and validation record (ledger ``last_error_code``), by cause.
_CODE_CAUSES = {
    DATA_CHECK: (
        "DATA_QUALITY",
        "LINES_INCOMPLETE",
        "LINES_DO_NOT_SUM",
        "SEVERAL_CUSTOMERS",
        "UNLINKED_REFUND",
        "UNLINKED_CHARGEBACK",
    ),
    MAPPING: (
        "UNMAPPED_ITEM",
        "UNMAPPED_TAX",
        "UNMAPPED_REASON",
        "UNMAPPED_ACCOUNT",
        "UNMAPPED_TAX_WITHHELD",
        "CURRENCY",
        "SUBSIDIARY",
        "NETSUITE_TAX",
        "EXCHANGE_RATE",
        "MAPPING_RULE",
        "CATCH_ALL_REFUSED",
    ),
    CLOSED_PERIOD: ("PERIOD_CLOSED", "NO_PERIOD"),
    DEPENDENCY: ("DEPENDENCY", "CUSTOMER_INACTIVE"),
}
CODE_CAUSES = {code: cause for cause, codes in _CODE_CAUSES.items() for code in codes}
# Without a known code, the ledger state says enough.
_STATE_CAUSES = {"quarantined": DATA_CHECK, "held": DEPENDENCY, "failed": NETSUITE}


def cause_of(state: str, code: str | None) -> str:
    """The cause (one of :data:`CAUSES`) of a document in ``state`` with error ``code``.

    A data-quality check name (``invoice.lines_sum_to_total``) is a data check; a document
    NetSuite refused (state ``failed``) is a NetSuite refusal whatever NetSuite's code.
    """
    if code in CODE_CAUSES:
        return CODE_CAUSES[code]
    if state == "failed":
        return NETSUITE
    if code and "." in code:
        return DATA_CHECK
    return _STATE_CAUSES.get(state, DEPENDENCY)
