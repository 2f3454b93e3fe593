"""Accounts-receivable arithmetic: line amounts, totals, what is left, statuses (Decimal)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .error_bodies import NetSuiteError, user_error

ZERO = Decimal(0)

# transaction.type -> {status letter: display}. The enum letters come from the API browser;
# reading A as Open and B as Paid In Full / Fully Applied is common knowledge (UNVERIFIED).
STATUS_NAMES: dict[str, dict[str, str]] = {
    "CustInvc": {"A": "Open", "B": "Paid In Full"},
    "CustCred": {"A": "Open", "B": "Fully Applied"},
    "CustPymt": {"B": "Not Deposited", "C": "Deposited"},
    "CustRfnd": {},
    "Journal": {"B": "Approved for Posting"},
}
TYPE_NAMES = {
    "CustInvc": "Invoice",
    "CustCred": "Credit Memo",
    "CustPymt": "Payment",
    "CustRfnd": "Customer Refund",
    "Journal": "Journal",
}


def quantize(amount: Decimal, precision: int) -> Decimal:
    """Round half-up to the currency's number of decimals (0 for JPY)."""
    return amount.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def line_amount(line: Mapping[str, Any], precision: int) -> Decimal:
    """An item line's amount: ``amount`` if given, else ``quantity * rate``."""
    if line.get("amount") is not None:
        return quantize(Decimal(line["amount"]), precision)
    raw_quantity = line.get("quantity")
    quantity = Decimal(1) if raw_quantity is None else Decimal(raw_quantity)
    rate = line.get("rate")
    if rate is None:
        raise user_error("Please enter a value for amount.", None)
    return quantize(quantity * Decimal(rate), precision)


def item_total(lines: Sequence[Mapping[str, Any]], precision: int) -> Decimal:
    """Total of an invoice or credit memo: the sum of its line amounts."""
    return sum((line_amount(line, precision) for line in lines), ZERO)


def journal_total(lines: Sequence[Mapping[str, Any]], path: str = "line") -> Decimal:
    """Check a journal balances (debits == credits) and return the total debit.

    The REST wording for an unbalanced journal is UNVERIFIED; we answer a USER_ERROR.
    """
    if len(lines) < 2:
        raise user_error("You must enter at least two lines for a journal entry.", path)
    debit = credit = ZERO
    for index, line in enumerate(lines):
        d = Decimal(line.get("debit") or 0)
        c = Decimal(line.get("credit") or 0)
        if d < 0 or c < 0 or (d and c) or not (d or c):
            raise user_error(
                "Each journal line needs either a debit or a credit amount.",
                f"{path}.items[{index}]",
            )
        debit += d
        credit += c
    if debit != credit:
        raise user_error(
            f"The total of debit entries ({debit}) must equal the total of credit entries "
            f"({credit}).",
            path,
        )
    return debit


def remaining(total: Decimal, applications: Iterable[Decimal]) -> Decimal:
    """What is left of a document after every application touching it."""
    return total - sum(applications, ZERO)


def status_of(tran_type: str, left: Decimal, *, deposited: bool = False) -> str | None:
    """The status letter of a transaction from what is left to apply."""
    if tran_type in ("CustInvc", "CustCred"):
        return "A" if left > 0 else "B"
    if tran_type == "CustPymt":
        return "C" if deposited else "B"
    if tran_type == "Journal":
        return "B"
    return None


def over_applied(doc_label: str, left: Decimal, path: str | None) -> NetSuiteError:
    """The error for applying more than a document has left.

    SOAP says INVALID_LINK_SUM "Links sum to more than …"; the REST wording is UNVERIFIED, so
    this is a USER_ERROR naming the document and the excess.
    """
    return user_error(
        f"Links sum to more than the amount available on {doc_label}: the application "
        f"exceeds it by {-left}.",
        path,
    )
