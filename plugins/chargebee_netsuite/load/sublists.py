"""Which sublists an upsert replaces, and the line keys it must not send.

A NetSuite update merges a sublist: lines it names by key are updated, lines without a key are
added and every other line stays (HC section_1545295601), so an invoice re-posted with one line
fewer would keep its old line and its total. The connector always sends the whole of the item
lines and of the applications it owns, so it replaces those sublists (``?replace=``, HC
section_1545297048). It sends no ``line`` numbers: NetSuite numbers lines itself and never
renumbers them (HC section_N3443715), so a number the connector made up could match some other
line and merge into it (keeping that line's old fields) instead of replacing it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Per record type, the sublists whose every line comes from Chargebee. A customer's
# currencyList is not one of them: a currency NetSuite has transactions in must stay.
OWNED_SUBLISTS: dict[str, tuple[str, ...]] = {
    "invoice": ("item",),
    "creditMemo": ("item", "apply"),
    "customerPayment": ("apply",),
    "customerRefund": ("apply",),
}


def replaced_sublists(record_type: str) -> tuple[str, ...]:
    """The sublists an upsert of ``record_type`` replaces."""
    return OWNED_SUBLISTS.get(record_type, ())


def for_replace(record_type: str, body: Mapping[str, Any]) -> dict[str, Any]:
    """``body`` as an upsert that replaces the owned sublists sends it.

    Item lines lose their ``line`` numbers. An owned ``apply`` sublist the body leaves out is
    sent empty, so applications Chargebee no longer has are removed, not kept.
    """
    out = dict(body)
    for name in replaced_sublists(record_type):
        sublist = out.get(name)
        if sublist is None:
            if name == "apply":
                out[name] = {"items": []}
            continue
        items = [
            {key: value for key, value in line.items() if key != "line"}
            if name == "item" and isinstance(line, Mapping)
            else line
            for line in sublist.get("items") or []
        ]
        out[name] = {**sublist, "items": items}
    return out
