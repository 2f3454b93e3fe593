"""The seeding contract: load API-shaped objects into a site, and dump a site back out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .jsoncopy import json_copy
from .site_store import KINDS, Record, Store

SEED_KEYS: dict[str, str] = {
    "customers": "customer",
    "items": "item",
    "item_prices": "item_price",
    "invoices": "invoice",
    "credit_notes": "credit_note",
    "transactions": "transaction",
}
# Optional beside them: "site", the Chargebee site the data describes (the sandbox serves it
# under that name), and "_…" keys for comments.
SITE_KEY = "site"
_CREATED_EVENT = {
    "customer": "customer_created",
    "item": "item_created",
    "item_price": "item_price_created",
    "invoice": "invoice_generated",
    "credit_note": "credit_note_created",
    "transaction": "transaction_created",
}


def _created_at(kind: str, record: Record, fallback: int) -> int:
    for key in ("created_at", "generated_at", "date", "updated_at"):
        if key in record:
            return int(record[key])
    return fallback


def load_seed(store: Store, data: dict[str, Any]) -> int:
    """Add every object of ``data`` to ``store`` as given; returns how many were loaded.

    Each object gets its ``*_created`` event (invoices ``invoice_generated``) with source
    ``migration`` and ``occurred_at`` = the object's creation time; they are not pushed as
    webhooks (they describe the past).
    """
    unknown = {k for k in data if not k.startswith("_")} - set(SEED_KEYS) - {SITE_KEY}
    if unknown:
        raise ValueError(f"unknown seed keys {sorted(unknown)}; expected {sorted(SEED_KEYS)}")
    now = store.now()
    loaded: list[tuple[int, int, str, Record]] = []
    for key, kind in SEED_KEYS.items():
        for record in data.get(key, []):
            if not isinstance(record, dict) or not isinstance(record.get("id"), str):
                raise ValueError(f"{key}: every object needs a string id")
            if record.get("object", kind) != kind:
                raise ValueError(f"{key}: object {record['id']} is a {record.get('object')!r}")
            own = json_copy(record)
            own.setdefault("object", kind)
            store.insert(kind, own)
            loaded.append((_created_at(kind, own, now), KINDS.index(kind), kind, own))
    for occurred_at, _, kind, record in sorted(loaded, key=lambda row: (row[0], row[1])):
        store.emit(
            _CREATED_EVENT[kind],
            {kind: record},
            source="migration",
            occurred_at=occurred_at,
            deliver=False,
        )
        version = record.get("resource_version")
        if isinstance(version, int):
            store.observe_version(version)
    return len(loaded)


def dump_seed(store: Store) -> dict[str, list[Record]]:
    """Every record of ``store`` in seeding-contract form (insertion order)."""
    return {key: json_copy(store.all(kind)) for key, kind in SEED_KEYS.items()}


def seed_site(data: dict[str, Any]) -> str | None:
    """The site a seed describes (its ``site`` key), if it names one."""
    site = data.get(SITE_KEY)
    if site is not None and not (isinstance(site, str) and site):
        raise ValueError(f"{SITE_KEY}: a Chargebee site name such as 'acme-test', not {site!r}")
    return site


def read_seed_file(path: Path) -> dict[str, Any]:
    """Parse a seeding-contract JSON file."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object with {sorted(SEED_KEYS)}")
    return data
