"""External ids: ``cb-{site}-{kind}-{id}`` with a reversible escape to NetSuite-safe characters."""

from __future__ import annotations

import re

PREFIX = "cb"
_SAFE = re.compile(r"[A-Za-z0-9]")
_ESCAPE = re.compile(r"_([0-9A-F]{2})")

# Document kinds as they appear in external ids (short: NetSuite caps external ids at 255).
CUSTOMER = "cust"
INVOICE = "inv"
CREDIT_NOTE = "cn"
TRANSACTION = "txn"
INVOICE_REVERSAL = "invrev"
CREDIT_NOTE_REVERSAL = "cnrev"
# The customer refund that takes back a payment voided or deleted after it was posted.
TRANSACTION_REVERSAL = "txnrev"
# The customer payment for the tax a customer withheld from an invoice (one per invoice).
TAX_WITHHELD = "invtwh"


def escape(value: str) -> str:
    """Keep letters and digits; write every other byte of the UTF-8 text as ``_XX`` (hex).

    ``-`` is escaped too, because it separates the parts of an external id.
    """
    out: list[str] = []
    for char in value:
        if _SAFE.fullmatch(char):
            out.append(char)
        else:
            out.extend(f"_{byte:02X}" for byte in char.encode("utf-8"))
    return "".join(out)


def unescape(value: str) -> str:
    """Invert :func:`escape`."""
    raw = bytearray()
    index = 0
    while index < len(value):
        match = _ESCAPE.match(value, index)
        if match:
            raw.append(int(match.group(1), 16))
            index = match.end()
        else:
            raw.extend(value[index].encode("ascii"))
            index += 1
    return raw.decode("utf-8")


def external_id(site: str, kind: str, source_id: str) -> str:
    """The NetSuite external id of a Chargebee document: unique per site, kind and id."""
    if not site or not source_id:
        raise ValueError("an external id needs a Chargebee site and a document id")
    return "-".join((PREFIX, escape(site), escape(kind), escape(source_id)))


def parse_external_id(value: str) -> tuple[str, str, str]:
    """``(site, kind, id)`` back from an external id made by :func:`external_id`."""
    parts = value.split("-")
    if len(parts) != 4 or parts[0] != PREFIX:
        raise ValueError(f"{value!r} is not an external id made by this connector")
    return unescape(parts[1]), unescape(parts[2]), unescape(parts[3])
