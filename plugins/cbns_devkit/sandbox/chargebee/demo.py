"""Human-readable lines showing a running Chargebee sandbox answer real HTTP requests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx

from .minor_units import format_amount


def demo(section: dict[str, Any]) -> Iterator[str]:
    """Call the sandbox described by ``section`` (from ``describe``) and narrate it."""
    base = section["base_url"]
    auth = (section["api_key"], "")
    with httpx.Client(base_url=base, auth=auth, timeout=30) as client:
        config = client.get("/configurations").json()["configurations"][0]
        yield (
            f"Chargebee site {config['domain']}: product catalog "
            f"{config['product_catalog_version']} at {base}"
        )
        first = client.get("/invoices", params={"limit": 3}).json()
        ids = [row["invoice"]["id"] for row in first["list"]]
        yield f"GET /invoices?limit=3 -> {ids}, next_offset={first.get('next_offset')!r}"
        if first["list"]:
            inv = first["list"][0]["invoice"]
            cur = inv["currency_code"]
            yield (
                f"invoice {inv['id']} ({inv['status']}): total {format_amount(inv['total'], cur)}, "
                f"paid {format_amount(inv['amount_paid'], cur)}, "
                f"due {format_amount(inv['amount_due'], cur)}, {len(inv['line_items'])} line(s)"
            )
        events = client.get("/events", params={"limit": 1, "sort_by[desc]": "occurred_at"})
        rows = events.json()["list"]
        if rows:
            event_id = rows[0]["event"]["id"]
            event = client.get(f"/events/{event_id}").json()["event"]
            yield (
                f"GET /events/{event_id} -> {event['event_type']} "
                f"with content {sorted(event['content'])}"
            )
        anonymous = httpx.get(f"{base}/invoices", timeout=30)
        body = anonymous.json()
        yield (
            f"no credentials -> HTTP {anonymous.status_code} "
            f"{body['api_error_code']}: {body['message']}"
        )
