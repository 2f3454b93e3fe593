"""Exception queue, audit trail, re-queue and re-drive over a real (SQLite) ledger."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select

from chargebee_netsuite.reconcile.ledger import redrive, requeue
from chargebee_netsuite.reconcile.queue import audit_trail, exception_queue
from chargebee_netsuite.staging.ledger_tables import ns_ledger

from .conftest import SITE

NOW = datetime(2026, 11, 3, tzinfo=UTC)


def row(engine: Engine, kind: str, source_id: str) -> dict:
    with engine.connect() as conn:
        found = (
            conn.execute(
                select(ns_ledger).where(
                    ns_ledger.c.source_kind == kind, ns_ledger.c.source_id == source_id
                )
            )
            .mappings()
            .one()
        )
    return dict(found)


def test_the_exception_queue_is_oldest_first_with_reasons_hints_and_search(seeded: Engine) -> None:
    with seeded.connect() as conn:
        items = exception_queue(conn, SITE)
        assert [(i["id"], i["state"]) for i in items] == [
            ("inv_7", "quarantined"),
            ("cn_4", "held"),
            ("txn_9", "failed"),
        ]
        assert "lines add up" in items[0]["reason"]
        assert items[1]["fix"].startswith("Nothing to do for this one: it posts on its own")
        assert "Re-drive" in items[2]["fix"] and "NetSuite admin" in items[2]["fix"]
        assert [i["id"] for i in exception_queue(conn, SITE, search="txn_9")] == ["txn_9"]
        assert [i["id"] for i in exception_queue(conn, SITE, search="5F9")] == ["txn_9"]
        assert exception_queue(conn, "other-site") == []


def test_the_audit_trail_has_every_attempt_the_internal_id_and_the_hash(seeded: Engine) -> None:
    with seeded.connect() as conn:
        trail = audit_trail(conn, SITE, "invoice", "inv_1")
    [ledger] = trail["ledger"]
    assert (ledger["netsuite_id"], ledger["posted_hash"], ledger["attempts"]) == ("101", "h1", 2)
    assert [(a["run_id"], a["outcome"]) for a in trail["attempts"]] == [
        ("run-1", "failed"),
        ("run-2", "posted"),
    ]


def test_requeue_clears_the_hash_so_the_next_load_posts_again(seeded: Engine) -> None:
    with seeded.begin() as conn:
        assert requeue(conn, SITE, [("invoice", "inv_1", "main")], "gone", run_id="r", now=NOW) == 1
    after = row(seeded, "invoice", "inv_1")
    assert (after["state"], after["posted_hash"], after["reason"]) == ("ready", None, "gone")
    assert after["netsuite_id"] == "101" and after["attempts"] == 2  # history stays


def test_redrive_requeues_failed_and_held_only(seeded: Engine) -> None:
    with seeded.begin() as conn:
        picked = redrive(conn, SITE, documents=[("transaction", "txn_9")], actor="ann", now=NOW)
    assert picked == [("transaction", "txn_9", "main")]
    assert row(seeded, "credit_note", "cn_4")["state"] == "held"
    redriven = row(seeded, "transaction", "txn_9")
    assert redriven["state"] == "ready"
    assert "Re-driven by ann" in redriven["reason"] and "period closed" in redriven["reason"]
    with seeded.begin() as conn:
        rest = redrive(conn, SITE, actor="ann", now=NOW)
    assert rest == [("credit_note", "cn_4", "main")]
    assert row(seeded, "invoice", "inv_1")["state"] == "posted"


def test_the_age_counts_from_the_first_failure_not_the_last_check(seeded: Engine) -> None:
    from datetime import timedelta

    from chargebee_netsuite.quality.quarantine import QuarantineEntry, replace_quarantine
    from chargebee_netsuite.staging.ledger_queries import upsert_entries

    from .conftest import T0, ledger_row

    later = T0 + timedelta(days=3)
    with seeded.begin() as conn:
        # Validation checks inv_7 again and it fails again; the credit note is touched again.
        replace_quarantine(
            conn,
            SITE,
            {"invoice": ["inv_7"]},
            [QuarantineEntry("invoice", "inv_7", "invoice.lines_sum_to_total", "x", "still off")],
            run_id="validate-2",
            at=later,
        )
        upsert_entries(conn, [ledger_row("credit_note", "cn_4", "held", at=later)])
    with seeded.connect() as conn:
        items = {i["id"]: i for i in exception_queue(conn, SITE)}
    assert items["inv_7"]["since"] == (T0 - timedelta(days=1)).isoformat()
    assert items["inv_7"]["updated"] == later.isoformat()
    assert items["cn_4"]["since"] == (T0 + timedelta(hours=1)).isoformat()
    assert items["cn_4"]["updated"] == later.isoformat()
