"""Refresh the staged NetSuite reference data from SuiteQL, on demand."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.reference.model import KINDS
from chargebee_netsuite.reference.queries import REFERENCE_QUERIES
from chargebee_netsuite.reference.store import replace_snapshot

log = logging.getLogger(__name__)


def fetch_reference_rows(client: NetSuiteClient, kind: str) -> list[dict[str, Any]]:
    """Every row of one reference kind, in id order (keyset paging: no size limit)."""
    query = REFERENCE_QUERIES[kind]
    rows = client.suiteql.query_keyset(query.select, query.table, key="id", types=query.columns)
    # SuiteQL leaves null columns out of a row; an absent flag means "not set".
    return [
        {
            column: row.get(column, False if column_type == "bool" else None)
            for column, column_type in query.columns.items()
        }
        for row in rows
    ]


def live_currency_codes(client: NetSuiteClient) -> dict[str, str]:
    """ISO code by NetSuite currency id, read now through SuiteQL (the reference pull's query)."""
    return {
        str(row["id"]): str(row["symbol"]).upper()
        for row in fetch_reference_rows(client, "currency")
    }


def refresh_reference_data(
    client: NetSuiteClient, engine: Engine, kinds: Iterable[str] = KINDS
) -> dict[str, int]:
    """Pull ``kinds`` from NetSuite and replace their staged snapshot atomically.

    Everything is fetched before anything is written, so a failed pull leaves the previous
    snapshot untouched. Returns the row count per kind.
    """
    wanted = list(dict.fromkeys(kinds))
    unknown = set(wanted) - set(REFERENCE_QUERIES)
    if unknown:
        raise ValueError(f"unknown reference kinds: {sorted(unknown)}")
    rows = {kind: fetch_reference_rows(client, kind) for kind in wanted}
    counts = replace_snapshot(engine, rows)
    log.info("Refreshed NetSuite reference data: %s", counts)
    return counts
