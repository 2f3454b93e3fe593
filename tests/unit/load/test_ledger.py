"""The ledger tables: migrated on both backends, upserts keep what a row does not mention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, inspect

from chargebee_netsuite.staging.chargebee_tables import cb_transactions
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.ledger_queries import (
    add_attempts,
    attempts_for,
    read_entries,
    read_ledger,
    state_counts,
    upsert_entries,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
KEY = {"site": "s", "source_kind": "invoice", "source_id": "1", "role": "main"}


@pytest.fixture
def engine(staging_url: str) -> Iterator[Engine]:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    yield engine
    engine.dispose()


def test_the_migration_creates_both_tables_next_to_the_other_branches(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert {"ns_ledger", "ns_ledger_attempts", "cb_invoices"} <= tables


def test_an_upsert_updates_only_the_columns_it_names(engine: Engine) -> None:
    first = {
        **KEY,
        "state": "posted",
        "netsuite_id": "42",
        "posted_hash": "h1",
        "first_seen_at": NOW,
        "updated_at": NOW,
    }
    later = datetime(2026, 2, 1, tzinfo=UTC)
    with engine.begin() as conn:
        upsert_entries(conn, [first])
        upsert_entries(
            conn,
            [
                {
                    **KEY,
                    "state": "failed",
                    "reason": "why",
                    "first_seen_at": later,
                    "updated_at": later,
                }
            ],
        )
    with engine.connect() as conn:
        entry = read_ledger(conn, "s")[("invoice", "1", "main")]
        assert (entry.state, entry.reason, entry.netsuite_id, entry.posted_hash) == (
            "failed",
            "why",
            "42",
            "h1",
        )
        assert state_counts(conn, "s") == {"failed": 1}
        assert read_ledger(conn, "other") == {}


def test_attempts_are_appended_in_order(engine: Engine) -> None:
    attempt = {
        **KEY,
        "external_id": "e",
        "netsuite_type": "invoice",
        "run_id": "r",
        "attempted_at": NOW,
        "outcome": "failed",
        "status_code": 500,
    }
    with engine.begin() as conn:
        add_attempts(conn, [attempt, {**attempt, "outcome": "posted", "status_code": 204}])
    with engine.connect() as conn:
        log = attempts_for(conn, "s", "invoice", "1")
    assert [(a["outcome"], a["status_code"]) for a in log] == [("failed", 500), ("posted", 204)]


def test_entries_are_read_by_key_and_the_posted_payload_only_when_asked_for(
    engine: Engine,
) -> None:
    payload = {"apply": {"items": [{"doc": {"id": "11"}}]}}
    rows = [
        {
            **KEY,
            "source_kind": "credit_note",
            "source_id": str(n),
            "role": role,
            "state": "posted",
            "netsuite_id": f"{n}{role[0]}",
            "posted_payload": payload,
            "first_seen_at": NOW,
            "updated_at": NOW,
        }
        for n in range(1200)  # more keys than one IN list carries
        for role in ("main", "reversal")
    ]
    with engine.begin() as conn:
        upsert_entries(conn, rows)
    keys = [("credit_note", str(n), "main") for n in range(0, 1200, 2)]
    with engine.connect() as conn:
        found = read_entries(
            conn, "s", [*keys, ("credit_note", "missing", "main")], payload_ids={"4"}
        )
        assert read_entries(conn, "other", keys) == {}
    assert set(found) == set(keys)
    assert found[("credit_note", "8", "main")].netsuite_id == "8m"
    assert found[("credit_note", "4", "main")].posted_payload == payload
    assert all(e.posted_payload is None for k, e in found.items() if k[1] != "4")


def test_the_migrated_transactions_table_has_the_indexes_the_loader_looks_payments_up_by(
    engine: Engine,
) -> None:
    ours = MetaData()
    cb_transactions.to_metadata(ours)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ours)
    indexes = [d for d in diff if d[0] in ("add_index", "remove_index")]
    assert [d for d in indexes if d[1].table.name == "cb_transactions"] == []
    names = {index["name"] for index in inspect(engine).get_indexes("cb_transactions")}
    assert {"ix_cb_transactions_site_reference_txn", "ix_cb_transactions_site_refunded_txn"} <= (
        names
    )
