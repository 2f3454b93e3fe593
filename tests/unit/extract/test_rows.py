"""Chargebee objects → staging rows, and the background prefetch of pages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from chargebee_netsuite.extract.prefetch import prefetched
from chargebee_netsuite.extract.rows import document_row

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_catalog_rows_rename_type_and_treat_status_deleted_as_deleted() -> None:
    row = document_row(
        "items",
        {"id": "plan-pro", "type": "plan", "status": "deleted", "name": "Pro"},
        site="s",
        run_id="r",
        extracted_at=NOW,
    )
    assert row["item_type"] == "plan" and row["deleted"] is True and row["name"] == "Pro"


def test_truncated_documents_are_never_complete() -> None:
    doc = {"id": "inv", "line_items": [{"id": "a"}], "line_items_next_offset": '["1"]'}
    row = document_row("invoices", doc, site="s", run_id=None, extracted_at=NOW)
    assert row["lines_complete"] is False and row["line_count"] == 1


def test_prefetch_yields_everything_in_order() -> None:
    assert list(prefetched(iter(range(50)), depth=2)) == list(range(50))


def test_prefetch_reraises_the_source_error() -> None:
    def source() -> Iterator[int]:
        yield 1
        raise RuntimeError("page 2 failed")

    got = []
    with pytest.raises(RuntimeError, match="page 2 failed"):
        for item in prefetched(source()):
            got.append(item)
    assert got == [1]
