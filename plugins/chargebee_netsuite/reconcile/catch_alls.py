"""Which staged Chargebee item prices post through a catch-all rule, and for how much.

For the finance view and the run summary: one pass over the staged invoices and credit notes
(a chunk at a time, as the loader reads them) against the mapping file in force.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.load.run import staged_usage
from chargebee_netsuite.load.source import read_item_prices
from chargebee_netsuite.mapping.catch_all import (
    CatchAllUse,
    catch_all_totals,
    catch_all_uses,
    item_names,
)
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.reference.store import read_reference_data


def staged_catch_alls(engine: Engine, site: str, mapping: MappingConfig) -> list[CatchAllUse]:
    """Every staged item price of ``site`` that resolves through a catch-all, with amounts."""
    with engine.connect() as conn:
        item_prices = read_item_prices(conn, site)
    usage = staged_usage(engine, site, item_prices)
    prices = [p if isinstance(p, ItemPriceRef) else ItemPriceRef(id=p) for p in usage.item_prices]
    names = item_names(read_reference_data(engine))
    return catch_all_uses(mapping, prices, usage.item_price_activity, names)


def catch_all_summary(uses: list[CatchAllUse], limit: int = 50) -> dict[str, Any]:
    """JSON-safe: the item prices (largest first), their count and the totals per currency."""
    return {
        "count": len(uses),
        "totals": {code: str(v) for code, v in catch_all_totals(uses).items()},
        "items": [use.as_dict() for use in uses[:limit]],
    }
