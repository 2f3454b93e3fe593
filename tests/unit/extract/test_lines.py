"""Completing truncated documents: pages of lines, restarts when the document changes."""

from __future__ import annotations

import json
from typing import Any

import httpx

from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.chargebee.endpoints import ENDPOINTS
from chargebee_netsuite.extract.lines import complete_lines

INVOICES = ENDPOINTS["invoices"]


def lines(start: int, stop: int) -> list[dict[str, Any]]:
    return [{"id": f"li_{n}", "amount": n} for n in range(start, stop)]


def page(version: int, start: int, stop: int, total: int) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "inv_1",
        "resource_version": version,
        "line_items": lines(start, stop),
        "line_item_taxes": [
            {"line_item_id": f"li_{n}", "tax_amount": 1} for n in range(start, stop)
        ],
    }
    if stop < total:
        doc["line_items_next_offset"] = json.dumps([str(stop)])
    return doc


def client_serving(versions: list[int], total: int = 250, size: int = 100) -> ChargebeeClient:
    """A client whose GET /invoices/inv_1 pages lines; each call takes the next version."""
    calls = iter(versions)

    def handler(request: httpx.Request) -> httpx.Response:
        offset = request.url.params.get("line_items_offset")
        start = int(json.loads(offset)[0]) if offset else 0
        version = next(calls)
        return httpx.Response(
            200, json={"invoice": page(version, start, min(start + size, total), total)}
        )

    settings = ChargebeeSettings(site="acme", api_key="k", base_url="http://cb.test")
    return ChargebeeClient(settings, transport=httpx.MockTransport(handler), sleep=lambda s: None)


def test_pages_of_lines_are_merged_in_order_with_their_taxes() -> None:
    listed = page(5, 0, 100, 250)
    doc, complete = complete_lines(client_serving([5, 5]), INVOICES, listed)
    assert complete
    assert [li["id"] for li in doc["line_items"]] == [f"li_{n}" for n in range(250)]
    assert len(doc["line_item_taxes"]) == 250
    assert "line_items_next_offset" not in doc
    assert "line_items_next_offset" in listed  # the list entry itself is not modified
    assert len(listed["line_items"]) == 100


def test_a_document_that_changes_mid_lines_is_read_again_from_the_start() -> None:
    listed = page(5, 0, 100, 250)
    # Page 2 already shows version 6 → restart: fresh first page, then pages 2 and 3 at v6.
    doc, complete = complete_lines(client_serving([6, 6, 6, 6]), INVOICES, listed)
    assert complete and doc["resource_version"] == 6
    assert [li["id"] for li in doc["line_items"]] == [f"li_{n}" for n in range(250)]


def test_a_document_that_never_settles_is_left_incomplete() -> None:
    listed = page(1, 0, 100, 250)
    doc, complete = complete_lines(client_serving(list(range(2, 40))), INVOICES, listed)
    assert not complete
    assert doc is listed
