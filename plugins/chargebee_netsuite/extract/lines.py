"""Completing documents whose list entry was truncated (``line_items_next_offset`` present)."""

from __future__ import annotations

import json
import logging
from typing import Any

from chargebee_netsuite.chargebee.client import ChargebeeClient
from chargebee_netsuite.chargebee.endpoints import Endpoint

log = logging.getLogger(__name__)

# Invoice-level arrays tied to lines by `line_item_id`; a page of lines brings its own rows.
LINE_ARRAYS = (
    "line_items",
    "line_item_tiers",
    "line_item_discounts",
    "line_item_taxes",
    "line_item_credits",
    "line_item_addresses",
)
RETRIEVE_LINE_LIMIT = "300"  # the documented maximum of `line_items_limit`
MAX_RESTARTS = 3


def needs_lines(doc: dict[str, Any]) -> bool:
    """True when the document's lines continue beyond what it carries."""
    return bool(doc.get("line_items_next_offset"))


def _identity(array: str, entry: Any) -> str:
    if array == "line_items" and isinstance(entry, dict) and "id" in entry:
        return str(entry["id"])
    return json.dumps(entry, sort_keys=True)


def _merge(into: dict[str, Any], page: dict[str, Any]) -> None:
    for array in LINE_ARRAYS:
        extra = page.get(array)
        if not extra:
            continue
        target = into.setdefault(array, [])
        seen = {_identity(array, e) for e in target}
        for entry in extra:
            if _identity(array, entry) not in seen:
                target.append(entry)
                seen.add(_identity(array, entry))


def complete_lines(
    client: ChargebeeClient, endpoint: Endpoint, doc: dict[str, Any]
) -> tuple[dict[str, Any], bool]:
    """Fetch the rest of ``doc``'s lines; returns ``(document, lines_complete)``.

    Pages continue from the list entry's offset with ``GET /{collection}/{id}``. If the document
    changes meanwhile (another ``resource_version``) the pages no longer belong together, so
    the whole document is fetched again from its first line, a bounded number of times.
    """
    base = dict(doc)
    doc_id = str(doc["id"])
    for _ in range(MAX_RESTARTS):
        merged = {k: (list(v) if k in LINE_ARRAYS else v) for k, v in base.items()}
        offset = merged.pop("line_items_next_offset", None)
        consistent = True
        while offset:
            body = client.retrieve(
                endpoint.name,
                doc_id,
                line_items_limit=RETRIEVE_LINE_LIMIT,
                line_items_offset=str(offset),
            )
            page = endpoint.unwrap(body)
            if page.get("resource_version") != merged.get("resource_version"):
                consistent = False
                break
            _merge(merged, page)
            offset = page.get("line_items_next_offset")
        if consistent:
            return merged, True
        # Start over from a fresh copy of the whole document.
        base = endpoint.unwrap(client.retrieve(endpoint.name, doc_id, line_items_limit="300"))
        if not needs_lines(base):
            return base, True
    log.warning(
        "%s %s kept changing while its lines were read; staged as incomplete",
        endpoint.wrapper,
        doc_id,
    )
    return doc, False
