"""Chargebee staging tables on SQLite and Postgres: migrations, the newest-wins upsert, inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, select

from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import cb_invoices, cb_transactions
from chargebee_netsuite.staging.db import create_staging_engine, migrate

NOW = datetime(2026, 11, 28, tzinfo=UTC)


@pytest.fixture
def engine(staging_url: str) -> Engine:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    return engine


def invoice(id_: str, version: int | None, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": id_,
        "customer_id": "cust_1",
        "currency_code": "EUR",
        "total": 12345,
        "status": "paid",
        "deleted": False,
        "line_items": [{"id": "li_1"}],
    }
    if version is not None:
        doc["resource_version"] = version
        doc["updated_at"] = version // 1000
    doc.update(extra)
    return doc


def row(doc: dict[str, Any], site: str = "acme-test", **kw: Any) -> dict[str, Any]:
    return document_row("invoices", doc, site=site, run_id="run", extracted_at=NOW, **kw)


def stored(engine: Engine, site: str = "acme-test") -> dict[str, Any]:
    with engine.connect() as conn:
        return {
            r.id: r for r in conn.execute(select(cb_invoices).where(cb_invoices.c.site == site))
        }


def test_migration_creates_every_chargebee_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {
        "cb_customers",
        "cb_items",
        "cb_item_prices",
        "cb_invoices",
        "cb_credit_notes",
        "cb_transactions",
        "cb_events",
        "cb_webhook_inbox",
        "cb_sync_state",
    } <= tables
    migrate(engine)  # idempotent


def test_typed_columns_keep_integer_minor_units_and_raw_json(engine: Engine) -> None:
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 1_700_000_000_123))])
    got = stored(engine)["inv_1"]
    assert got.total == 12345 and isinstance(got.total, int)
    assert got.currency_code == "EUR" and got.customer_id == "cust_1"
    assert got.raw["line_items"] == [{"id": "li_1"}]
    assert got.lines_complete is True and got.line_count == 1


def test_out_of_order_versions_newest_wins(engine: Engine) -> None:
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 2000, status="voided"))])
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 1000, status="paid"))])
    assert stored(engine)["inv_1"].status == "voided"
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 3000, status="paid"))])
    assert stored(engine)["inv_1"].resource_version == 3000


def test_one_batch_with_the_same_id_twice_keeps_the_newest(engine: Engine) -> None:
    rows = [row(invoice("inv_1", 5000, total=5)), row(invoice("inv_1", 4000, total=4))]
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, rows)
    assert stored(engine)["inv_1"].total == 5


def test_deleted_documents_are_kept_flagged(engine: Engine) -> None:
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 1000))])
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 2000, deleted=True))])
    assert stored(engine)["inv_1"].deleted is True


def test_same_version_with_complete_lines_replaces_an_incomplete_row(engine: Engine) -> None:
    partial = invoice("inv_1", 1000, line_items_next_offset='["1"]')
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(partial)])
    assert stored(engine)["inv_1"].lines_complete is False
    full = invoice("inv_1", 1000, line_items=[{"id": "li_1"}, {"id": "li_2"}])
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(full)])
        q.upsert_documents(conn, cb_invoices, [row(partial)])  # stale partial copy loses
    got = stored(engine)["inv_1"]
    assert got.lines_complete is True and got.line_count == 2


def test_legacy_rows_without_version_lose_to_versioned_ones(engine: Engine) -> None:
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("old", None, total=1))])
        q.upsert_documents(conn, cb_invoices, [row(invoice("old", None, total=2))])
    assert stored(engine)["old"].total == 1
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("old", 10, total=3))])
    assert stored(engine)["old"].total == 3


def test_two_sites_share_one_database(engine: Engine) -> None:
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 1, total=1), site="a")])
        q.upsert_documents(conn, cb_invoices, [row(invoice("inv_1", 1, total=2), site="b")])
    assert stored(engine, "a")["inv_1"].total == 1
    assert stored(engine, "b")["inv_1"].total == 2


def test_only_successful_payments_refunds_and_chargebacks_are_postable(engine: Engine) -> None:
    docs = [
        {"id": "t1", "type": "payment", "status": "success", "amount": 100},
        {"id": "t2", "type": "payment", "status": "failure", "amount": 100},
        {"id": "t3", "type": "refund", "status": "success", "amount": 50},
        {"id": "t4", "type": "authorization", "status": "success", "amount": 1},
        {"id": "t5", "type": "payment_reversal", "status": "success", "amount": 50},
        {"id": "t6", "type": "payment_reversal", "status": "voided", "amount": 50},
    ]
    rows = [document_row("transactions", d, site="s", run_id=None, extracted_at=NOW) for d in docs]
    with engine.begin() as conn:
        q.upsert_documents(conn, cb_transactions, rows)
        got = dict(conn.execute(select(cb_transactions.c.id, cb_transactions.c.postable)).all())
    assert got == {"t1": True, "t2": False, "t3": True, "t4": False, "t5": True, "t6": False}


def test_inbox_dedupes_ids_and_tracks_states(engine: Engine) -> None:
    with engine.begin() as conn:
        assert q.enqueue_events(conn, "s", ["ev_1", "ev_2", "ev_1"], NOW) == 2
        q.enqueue_events(conn, "s", ["ev_2", "ev_3"], NOW)
        assert q.pending_event_ids(conn, "s") == ["ev_1", "ev_2", "ev_3"]
        q.mark_event(conn, "s", "ev_1", q.PROCESSED, NOW, event_type="invoice_updated")
        q.mark_event(conn, "s", "ev_2", q.REJECTED, NOW, error="unknown")
        assert q.pending_event_ids(conn, "s") == ["ev_3"]
        assert q.event_states(conn, "s", ["ev_1", "ev_2"]) == {
            "ev_1": q.PROCESSED,
            "ev_2": q.REJECTED,
        }
        assert q.event_attempts(conn, "s", "ev_2") == 1


def test_sync_state_records_full_syncs(engine: Engine) -> None:
    with engine.begin() as conn:
        assert q.full_synced_at(conn, "s", "invoices") is None
        q.record_sync(conn, "s", "invoices", NOW, "r1", full=False, window=(1, 2))
        assert q.full_synced_at(conn, "s", "invoices") is None
        q.record_sync(conn, "s", "invoices", NOW, "r2", full=True)
        assert q.full_synced_at(conn, "s", "invoices") is not None
