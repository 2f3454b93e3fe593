"""A first (full) extraction against the sandbox stages exactly what Chargebee holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from chargebee_netsuite.chargebee.endpoints import ENDPOINTS
from chargebee_netsuite.extract.documents import RESOURCES, extract_all
from chargebee_netsuite.extract.windows import Window

from .conftest import StartSandbox
from .helpers import assert_staging_matches, staged_rows, staged_versions


def test_full_extraction_stages_every_document_and_sends_only_gets(
    start_sandbox: StartSandbox, engine: Engine
) -> None:
    sandbox = start_sandbox(scale=40)
    client = sandbox.client()
    stats = extract_all(client, engine, run_id="run-1")
    assert {s.resource for s in stats} == set(RESOURCES)
    assert all(s.mode == "full" for s in stats)
    export = sandbox.export()
    assert_staging_matches(engine, export)
    # Chargebee is the system of record: the server saw reads only.
    assert set(sandbox.counter.methods) == {"GET"}
    assert sandbox.counter.methods["GET"] == client.requests_sent


def test_legacy_records_without_updated_at_come_in_on_the_first_sync(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=10)
    export = sandbox.export()
    legacy = {
        resource: {d["id"] for d in export[resource] if "updated_at" not in d}
        for resource in ("customers", "invoices", "transactions")
    }
    assert all(legacy.values()), "the sandbox seeds pre-2016 records without updated_at"
    client = sandbox.client()
    # A window-filtered listing cannot see them at all — which is why the first sync is full.
    low, high = 1_000_000_000, int(datetime.now(UTC).timestamp())
    filtered = {
        e["invoice"]["id"]
        for page in client.list_pages("/invoices", ENDPOINTS["invoices"].window_params(low, high))
        for e in page
    }
    assert not legacy["invoices"] & filtered

    # Even when the caller passes a window, a never-synced site gets a full listing.
    now = datetime.now(UTC)
    stats = extract_all(client, sqlite_engine, Window(now - timedelta(hours=1), now))
    assert all(s.mode == "full" for s in stats)
    for resource, ids in legacy.items():
        assert ids <= set(staged_rows(sqlite_engine, resource)), resource
    # Later windows are incremental.
    stats = extract_all(client, sqlite_engine, Window(now, now + timedelta(hours=1)))
    assert all(s.mode == "window" for s in stats)
    # An explicit full resync is unfiltered again.
    stats = extract_all(client, sqlite_engine, Window(now, now + timedelta(hours=1)), full=True)
    assert all(s.mode == "full" for s in stats)


def test_many_line_documents_are_completed_before_they_count_as_ready(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=10, list_line_items_limit=50)
    export = sandbox.export()
    long_docs = [d for d in export["invoices"] if len(d.get("line_items", [])) > 300]
    assert long_docs, "the generator makes a usage invoice with 320 lines"
    stats = extract_all(sandbox.client(), sqlite_engine, resources=["invoices", "credit_notes"])
    assert sum(s.line_fetches for s in stats) >= len(long_docs)
    rows = staged_rows(sqlite_engine, "invoices")
    for doc in long_docs:
        row = rows[doc["id"]]
        assert row.lines_complete and row.line_count == len(doc["line_items"])
        assert [li["id"] for li in row.raw["line_items"]] == [li["id"] for li in doc["line_items"]]
        assert "line_items_next_offset" not in row.raw
        taxes = sorted(t["line_item_id"] for t in row.raw.get("line_item_taxes", []))
        assert taxes == sorted(t["line_item_id"] for t in doc.get("line_item_taxes", []))


def test_deleted_documents_are_kept_with_deleted_true(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=40)
    extract_all(sandbox.client(), sqlite_engine)
    export = sandbox.export()
    deleted = {
        resource: {d["id"] for d in export[resource] if d.get("deleted")}
        for resource in ("invoices", "credit_notes", "customers", "transactions")
    }
    assert deleted["invoices"], "the generator deletes some invoices"
    for resource, ids in deleted.items():
        rows = staged_rows(sqlite_engine, resource)
        assert {i for i, r in rows.items() if r.deleted} == ids, resource


def test_rerunning_a_window_is_idempotent(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=20)
    client = sandbox.client()
    extract_all(client, sqlite_engine)
    before = staged_versions(sqlite_engine)
    now = datetime.now(UTC)
    window = Window(now - timedelta(days=3650), now)
    extract_all(client, sqlite_engine, window, run_id="again")
    extract_all(client, sqlite_engine, window, run_id="again")
    assert staged_versions(sqlite_engine) == before
