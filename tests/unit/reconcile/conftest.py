"""A migrated SQLite staging database seeded with ledger rows, attempts and a quarantine."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.ledger_queries import add_attempts, upsert_entries
from chargebee_netsuite.staging.quality_tables import dq_quarantine

SITE = "acme"
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def ledger_row(kind: str, source_id: str, state: str, **values: Any) -> dict[str, Any]:
    at = values.pop("at", T0)
    return {
        "site": SITE,
        "source_kind": kind,
        "source_id": source_id,
        "role": "main",
        "state": state,
        "first_seen_at": at,
        "updated_at": at,
        **values,
    }


@pytest.fixture
def seeded(sqlite_url: str) -> Iterator[Engine]:
    """Ledger: a posted invoice (two attempts), a failed payment, a held credit note; one
    quarantined invoice; all for site ``acme``."""
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    with engine.begin() as conn:
        upsert_entries(
            conn,
            [
                ledger_row(
                    "invoice",
                    "inv_1",
                    "posted",
                    netsuite_type="invoice",
                    netsuite_id="101",
                    external_id="cb-acme-inv-inv_5F1",
                    payload_hash="h1",
                    posted_hash="h1",
                    attempts=2,
                    posted_at=T0,
                    last_attempt_at=T0,
                ),
                ledger_row(
                    "transaction",
                    "txn_9",
                    "failed",
                    reason="NetSuite rejected it: period closed.",
                    last_error_code="USER_ERROR",
                    external_id="cb-acme-txn-txn_5F9",
                    attempts=1,
                    at=T0 + timedelta(hours=2),
                ),
                ledger_row(
                    "credit_note",
                    "cn_4",
                    "held",
                    reason="Waits for invoice inv_3.",
                    last_error_code="DEPENDENCY",
                    at=T0 + timedelta(hours=1),
                ),
            ],
        )
        add_attempts(
            conn,
            [
                {
                    "site": SITE,
                    "source_kind": "invoice",
                    "source_id": "inv_1",
                    "role": "main",
                    "external_id": "cb-acme-inv-inv_5F1",
                    "netsuite_type": "invoice",
                    "run_id": run,
                    "attempted_at": T0 - timedelta(minutes=5 - i),
                    "outcome": outcome,
                    "status_code": code,
                    "netsuite_id": ns_id,
                    "error": error,
                }
                for i, (run, outcome, code, ns_id, error) in enumerate(
                    [
                        ("run-1", "failed", 500, None, "UNEXPECTED_ERROR"),
                        ("run-2", "posted", 204, "101", None),
                    ]
                )
            ],
        )
        conn.execute(
            insert(dq_quarantine),
            {
                "site": SITE,
                "kind": "invoice",
                "document_id": "inv_7",
                "check_name": "invoice.lines_sum_to_total",
                "expectation": "expect_column_pair_values_to_be_equal",
                "reason": "Chargebee invoice inv_7: lines add up to 10.00, the total is 12.00.",
                "quarantined_at": T0 - timedelta(days=1),
            },
        )
    yield engine
    engine.dispose()
