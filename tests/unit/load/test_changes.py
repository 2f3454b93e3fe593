"""What a load plans: the queue of changed documents, their dependents, and the fingerprint."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.load import changes
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.ledger_queries import upsert_entries
from chargebee_netsuite.staging.ledger_tables import HELD, POSTED

SITE = "acme-test"
NOW = datetime(2026, 12, 7, tzinfo=UTC)


@pytest.fixture
def engine(staging_url: str) -> Engine:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    return engine


def stage(engine: Engine, resource: str, *docs: dict[str, Any]) -> None:
    rows = [document_row(resource, d, site=SITE, run_id="r", extracted_at=NOW) for d in docs]
    with engine.begin() as conn:
        q.upsert_documents(conn, DOCUMENT_TABLES[resource], rows)


def ledger(engine: Engine, kind: str, source_id: str, state: str, version: int) -> None:
    row = {
        "site": SITE,
        "source_kind": kind,
        "source_id": source_id,
        "role": "main",
        "state": state,
        "resource_version": version,
        "first_seen_at": NOW,
        "updated_at": NOW,
    }
    with engine.begin() as conn:
        upsert_entries(conn, [row])


def queued(engine: Engine) -> changes.Ids:
    with engine.connect() as conn:
        return {kind: ids for kind, ids in changes.queued(conn, SITE).items() if ids}


def test_staging_a_new_or_newer_version_queues_it_and_an_old_one_does_not(engine: Engine) -> None:
    stage(engine, "invoices", {"id": "inv_1", "resource_version": 5, "customer_id": "c1"})
    stage(engine, "items", {"id": "item_1", "resource_version": 5})
    assert queued(engine) == {"invoice": {"inv_1"}}
    ledger(engine, "invoice", "inv_1", POSTED, 5)
    with engine.begin() as conn:
        assert changes.clear_planned(conn, SITE) == 1
    stage(engine, "invoices", {"id": "inv_1", "resource_version": 5, "customer_id": "c1"})
    stage(engine, "invoices", {"id": "inv_1", "resource_version": 4, "customer_id": "c1"})
    assert queued(engine) == {}
    stage(engine, "invoices", {"id": "inv_1", "resource_version": 6, "customer_id": "c1"})
    assert queued(engine) == {"invoice": {"inv_1"}}


def test_a_version_staged_after_the_planned_one_stays_queued(engine: Engine) -> None:
    stage(engine, "customers", {"id": "c1", "resource_version": 7})
    ledger(engine, "customer", "c1", POSTED, 6)  # planned before version 7 arrived
    with engine.begin() as conn:
        assert changes.clear_planned(conn, SITE) == 0
    assert queued(engine) == {"customer": {"c1"}}


def test_unsettled_rows_are_planned_again(engine: Engine) -> None:
    ledger(engine, "invoice", "inv_1", POSTED, 1)
    ledger(engine, "invoice", "inv_2", HELD, 1)
    with engine.connect() as conn:
        assert changes.unsettled(conn, SITE)["invoice"] == {"inv_2"}


def _stage_family(engine: Engine) -> None:
    """Invoice inv_1 of c1, paid by pay_1 and pay_2; pay_1 charged back by cb_1 (online,
    named by the payment only) and refunded by ref_1; credit note cn_1 paid out by ref_2."""
    stage(
        engine,
        "invoices",
        {
            "id": "inv_1",
            "resource_version": 1,
            "customer_id": "c1",
            "linked_payments": [
                {"txn_id": "pay_1", "txn_status": "success"},
                {"txn_id": "pay_2", "txn_status": "success"},
            ],
        },
        {"id": "inv_9", "resource_version": 1, "customer_id": "c9"},
    )
    stage(
        engine,
        "credit_notes",
        {"id": "cn_1", "resource_version": 1, "customer_id": "c1", "linked_refunds": []},
    )
    applied = [{"invoice_id": "inv_1", "applied_amount": 100}]
    stage(
        engine,
        "transactions",
        {
            "id": "pay_1",
            "type": "payment",
            "status": "success",
            "resource_version": 1,
            "customer_id": "c1",
            "linked_invoices": applied,
            "reversal_transaction_id": "cb_1",
        },
        {
            "id": "pay_2",
            "type": "payment",
            "status": "success",
            "resource_version": 1,
            "customer_id": "c1",
            "linked_invoices": applied,
        },
        {"id": "cb_1", "type": "payment_reversal", "status": "success", "resource_version": 1},
        {
            "id": "ref_1",
            "type": "refund",
            "status": "success",
            "resource_version": 1,
            "refunded_txn_id": "pay_1",
        },
        {"id": "pay_9", "type": "payment", "status": "success", "resource_version": 1},
    )


def test_a_chargeback_brings_its_payment_its_siblings_and_the_invoices_other_payments(
    engine: Engine,
) -> None:
    _stage_family(engine)
    with engine.connect() as conn:
        scope = changes.with_dependents(conn, SITE, {"transaction": {"cb_1"}})
    assert scope["transaction"] == {"cb_1", "pay_1", "ref_1", "pay_2"}
    assert scope["customer"] == {"c1"}
    assert not scope["invoice"]


def test_an_invoice_brings_its_payments_and_their_chargebacks(engine: Engine) -> None:
    _stage_family(engine)
    with engine.connect() as conn:
        scope = changes.with_dependents(conn, SITE, {"invoice": {"inv_1"}})
    assert scope["invoice"] == {"inv_1"}
    assert scope["transaction"] == {"pay_1", "pay_2", "cb_1", "ref_1"}
    assert scope["customer"] == {"c1"}


def test_the_usage_kept_between_loads_round_trips() -> None:
    from chargebee_netsuite.load.run import UsageCollector
    from chargebee_netsuite.load.source import SourceDocument

    def doc(kind: str, raw: dict[str, Any]) -> SourceDocument:
        return SourceDocument(kind, str(raw["id"]), raw, 1, False)

    collector = UsageCollector({})
    collector.add(
        "invoice", doc("invoice", {"id": "i", "currency_code": "eur", "line_items": [{}]})
    )
    collector.add(
        "transaction",
        doc("transaction", {"id": "t", "type": "payment", "status": "success", "gateway": "g"}),
    )
    again = UsageCollector({}, collector.as_json())
    assert again.as_json() == collector.as_json()
    # Amounts per item price are not kept: they cover the documents a collector reads.
    assert replace(again.usage(), item_price_activity={}) == replace(
        collector.usage(), item_price_activity={}
    )
    assert collector.usage().item_price_activity and not again.usage().item_price_activity
