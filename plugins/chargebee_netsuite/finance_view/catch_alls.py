"""Item prices that post through a catch-all rule (``items.by_entity_type`` or ``items.default``).

A catch-all posts a line somewhere rather than nowhere, which is what finance must hear
about: a $1,500 training charge landing on a set-up fee item is silent otherwise. Each is
reported with the rule, the currency, the amount billed in the period and the documents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, select

from chargebee_netsuite.load.source import read_item_prices
from chargebee_netsuite.mapping.catch_all import is_catch_all
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef, resolve_item
from chargebee_netsuite.staging.chargebee_tables import cb_credit_notes, cb_invoices
from chargebee_netsuite.transform.money import to_money

DOCUMENTS_LISTED = 20  # per item price; the count says how many there are


def _lines(raw: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    lines = raw.get("line_items")
    return [line for line in lines if isinstance(line, Mapping)] if isinstance(lines, list) else []


def catch_alls(
    conn: Connection,
    site: str,
    mapping: MappingConfig,
    window: tuple[datetime, datetime] | None = None,
) -> list[dict[str, Any]]:
    """``[{item_price_id, rule, currency, amount, documents}]`` for every item price billed
    (invoices) or credited (credit notes) in ``window`` that resolves through a catch-all.

    ``amount`` is the Decimal sum of the lines' amounts (credit notes subtract), as text;
    ``documents`` lists ``kind id`` labels, at most :data:`DOCUMENTS_LISTED`.
    """
    prices = read_item_prices(conn, site)
    found: dict[tuple[str, str, str], dict[str, Any]] = {}
    for table, kind, sign in ((cb_invoices, "invoice", 1), (cb_credit_notes, "credit_note", -1)):
        query = select(table.c.id, table.c.currency_code, table.c.raw).where(
            table.c.site == site, table.c.deleted.is_(False)
        )
        if window is not None:
            low, high = (int(moment.timestamp()) for moment in window)
            query = query.where(table.c.date >= low, table.c.date < high)
        for row in conn.execute(query):
            currency = str(row.currency_code or "").upper()
            for line in _lines(row.raw or {}):
                entity_id = line.get("entity_id")
                price = prices.get(str(entity_id)) if entity_id is not None else None
                if price is None:
                    price = ItemPriceRef(id=entity_id, entity_type=line.get("entity_type"))
                resolution = resolve_item(mapping, price)
                if resolution is None or not is_catch_all(resolution.rule, price):
                    continue
                key = (str(entity_id or "(ad-hoc line)"), resolution.rule, currency)
                entry = found.setdefault(
                    key,
                    {
                        "item_price_id": key[0],
                        "rule": resolution.rule,
                        "currency": currency,
                        "amount": Decimal(0),
                        "documents": [],
                        "document_count": 0,
                        "_seen": set(),
                    },
                )
                amount = line.get("amount")
                if isinstance(amount, int) and not isinstance(amount, bool) and currency:
                    entry["amount"] += sign * to_money(amount, currency)
                label = f"{kind.replace('_', ' ')} {row.id}"
                if label not in entry["_seen"]:
                    entry["_seen"].add(label)
                    entry["document_count"] += 1
                    if len(entry["documents"]) < DOCUMENTS_LISTED:
                        entry["documents"].append(label)
    out = sorted(found.values(), key=lambda e: (e["currency"], -e["amount"], e["item_price_id"]))
    for entry in out:
        entry["amount"] = str(entry["amount"])
        del entry["_seen"]
    return out
