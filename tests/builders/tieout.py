"""Both sides of the AR tie-out, computed independently: Chargebee's API vs NetSuite's SuiteQL."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import httpx

from chargebee_netsuite.netsuite import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql_literals import Value, build
from chargebee_netsuite.transform.identity import parse_external_id

WHOLE_UNIT_CURRENCIES = {"JPY", "KRW", "XAF", "XOF"}


def chargebee_list(base_url: str, api_key: str, resource: str) -> list[dict[str, Any]]:
    """Every object of a Chargebee list endpoint, read straight from the API."""
    found: list[dict[str, Any]] = []
    offset: str | None = None
    singular = resource[:-1]
    with httpx.Client(base_url=f"{base_url}/api/v2", auth=(api_key, ""), timeout=60) as http:
        while True:
            params = {"limit": "100", **({"offset": offset} if offset else {})}
            body = http.get(f"/{resource}", params=params).raise_for_status().json()
            found += [entry[singular] for entry in body["list"]]
            offset = body.get("next_offset")
            if not offset:
                return found


def chargebee_open_ar(base_url: str, api_key: str) -> dict[tuple[str, str], Decimal]:
    """Σ amount_due of non-voided invoices by (customer id, currency), in major units."""
    totals: dict[tuple[str, str], Decimal] = {}
    for invoice in chargebee_list(base_url, api_key, "invoices"):
        if invoice["status"] == "voided" or invoice.get("deleted"):
            continue
        currency = invoice["currency_code"]
        scale = 1 if currency in WHOLE_UNIT_CURRENCIES else 100
        key = (invoice["customer_id"], currency)
        totals[key] = totals.get(key, Decimal(0)) + Decimal(invoice["amount_due"]) / scale
    return {key: value for key, value in totals.items() if value}


def netsuite_rows(client: NetSuiteClient, query: str, *values: Value) -> list[dict[str, Any]]:
    """Every row of a SuiteQL query (``?`` in ``query`` become literals of ``values``)."""
    return list(client.suiteql.query(build(query, *values)))


def netsuite_open_ar(client: NetSuiteClient) -> dict[tuple[str, str], Decimal]:
    """Σ amountRemaining of NetSuite invoices by (Chargebee customer id, currency code)."""
    customers = {
        str(r["id"]): parse_external_id(r["externalid"])[2]
        for r in netsuite_rows(client, "SELECT id, externalid FROM customer")
        if r.get("externalid")
    }
    currencies = {
        str(r["id"]): r["symbol"] for r in netsuite_rows(client, "SELECT id, symbol FROM currency")
    }
    totals: dict[tuple[str, str], Decimal] = {}
    query = (
        "SELECT id, entity, currency, foreignamountremaining FROM transaction "
        "WHERE type = 'CustInvc'"
    )
    for row in netsuite_rows(client, query):
        key = (customers[str(row["entity"])], currencies[str(row["currency"])])
        totals[key] = totals.get(key, Decimal(0)) + Decimal(
            str(row.get("foreignamountremaining") or 0)
        )
    return {key: value for key, value in totals.items() if value}


def netsuite_external_ids(client: NetSuiteClient) -> Counter[str]:
    """How many NetSuite records carry each external id (customers and transactions)."""
    ids: Counter[str] = Counter()
    for query in ("SELECT externalid FROM customer", "SELECT externalid FROM transaction"):
        ids.update(
            str(r["externalid"]) for r in netsuite_rows(client, query) if r.get("externalid")
        )
    return ids


def netsuite_external_ids_of_type(client: NetSuiteClient, tran_type: str) -> set[str]:
    """The external ids of NetSuite transactions of one type (``CustRfnd``, ...)."""
    query = "SELECT externalid FROM transaction WHERE type = ?"
    rows = netsuite_rows(client, query, tran_type)
    return {str(r["externalid"]) for r in rows if r.get("externalid")}
