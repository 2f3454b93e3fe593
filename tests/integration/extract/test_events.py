"""Webhook event ids → GET /events/{id} → re-fetch the named resources → staging."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from chargebee_netsuite.extract.events import extract_events, process_events
from chargebee_netsuite.extract.windows import Window
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import cb_events

from .conftest import SITE, Sandbox, StartSandbox
from .helpers import staged_rows


def new_invoice(sandbox: Sandbox, lines: int = 1) -> dict[str, Any]:
    customer = sandbox.export()["customers"][-1]["id"]
    return dict(
        sandbox.admin(
            "POST",
            "/invoices",
            {
                "customer_id": customer,
                "currency_code": "USD",
                "lines": [
                    {"description": f"Consulting {n}", "unit_amount": 10_000, "quantity": 1}
                    for n in range(lines)
                ],
            },
        )
    )


def current(sandbox: Sandbox, resource: str, doc_id: str) -> dict[str, Any]:
    return next(d for d in sandbox.export()[resource] if d["id"] == doc_id)


def test_events_are_deduplicated_and_unknown_ids_rejected_once(
    start_sandbox: StartSandbox, engine: Engine
) -> None:
    sandbox = start_sandbox(scale=5)
    created = new_invoice(sandbox)
    invoice_id = created["invoice"]["id"]
    paid = sandbox.admin("POST", f"/invoices/{invoice_id}/payments", {})
    e_created, e_paid = created["events"][0], paid["events"][0]  # payment_succeeded
    client = sandbox.client()

    # Out of order, duplicated, plus an id Chargebee never issued.
    ids = [e_paid, e_created, e_paid, "ev_does_not_exist", e_created]
    stats = process_events(client, engine, ids, run_id="hook-1")
    assert (stats.received, stats.unique, stats.processed) == (5, 3, 2)
    assert stats.rejected == ["ev_does_not_exist"] and not stats.failed

    invoice = staged_rows(engine, "invoices")[invoice_id]
    truth = current(sandbox, "invoices", invoice_id)
    assert invoice.resource_version == truth["resource_version"]
    assert invoice.status == "paid" and invoice.amount_paid == truth["amount_paid"]
    payment_ids = {p["txn_id"] for p in truth["linked_payments"]}
    assert payment_ids <= set(staged_rows(engine, "transactions"))
    with engine.connect() as conn:
        staged_events = set(conn.scalars(select(cb_events.c.id)))
        assert staged_events == {e_created, e_paid}
        assert q.event_states(conn, SITE, [e_created, "ev_does_not_exist"]) == {
            e_created: q.PROCESSED,
            "ev_does_not_exist": q.REJECTED,
        }

    # Redelivery later: nothing is fetched again, the unknown id is not retried.
    sent = client.requests_sent
    again = process_events(client, engine, [e_created, e_paid, "ev_does_not_exist"])
    assert again.already_done == 3 and client.requests_sent == sent
    with engine.connect() as conn:
        assert q.event_attempts(conn, SITE, "ev_does_not_exist") == 1


def test_a_deletion_event_stages_the_document_as_deleted(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=5)
    created = new_invoice(sandbox)
    invoice_id = created["invoice"]["id"]
    deleted = sandbox.admin("DELETE", f"/invoices/{invoice_id}")
    client = sandbox.client()
    # The deletion arrives first, the older creation event afterwards.
    stats = process_events(client, sqlite_engine, [deleted["events"][-1], created["events"][0]])
    assert stats.processed == 2
    row = staged_rows(sqlite_engine, "invoices")[invoice_id]
    assert row.deleted is True
    assert row.resource_version == current(sandbox, "invoices", invoice_id)["resource_version"]


def test_an_event_for_a_long_invoice_stages_all_its_lines(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=1, retrieve_line_items_default=100)
    created = new_invoice(sandbox, lines=250)
    invoice_id = created["invoice"]["id"]
    process_events(sandbox.client(), sqlite_engine, created["events"])
    row = staged_rows(sqlite_engine, "invoices")[invoice_id]
    assert row.lines_complete and row.line_count == 250


def test_inbox_ids_flow_through_processing(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=5)
    created = new_invoice(sandbox)
    now = datetime.now(UTC)
    with sqlite_engine.begin() as conn:
        q.enqueue_events(conn, SITE, created["events"] + created["events"], now)
        pending = q.pending_event_ids(conn, SITE)
    assert pending == list(dict.fromkeys(created["events"]))
    process_events(sandbox.client(), sqlite_engine, pending)
    with sqlite_engine.connect() as conn:
        assert q.pending_event_ids(conn, SITE) == []


def test_the_event_log_of_a_window_is_staged(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=3)
    created = new_invoice(sandbox)
    now = datetime.now(UTC)
    window = Window(now - timedelta(minutes=5), now + timedelta(minutes=1))
    assert extract_events(sandbox.client(), sqlite_engine, window) >= 1
    with sqlite_engine.connect() as conn:
        staged = set(conn.scalars(select(cb_events.c.id)))
    assert set(created["events"]) <= staged
    # Historical events (the generator's past) lie outside the window.
    assert len(staged) < 20


def test_a_tax_withheld_event_stages_its_invoice_with_the_withholding(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    """``tax_withheld_recorded`` carries the tax_withheld and the invoice; the invoice is
    re-fetched and staged with its linked_taxes_withheld (the tax_withheld itself is not)."""
    sandbox = start_sandbox(scale=1)
    invoice_id = new_invoice(sandbox)["invoice"]["id"]
    recorded = sandbox.admin(
        "POST", f"/invoices/{invoice_id}/tax_withheld", {"amount": 1_000, "reference_number": "W1"}
    )
    stats = process_events(sandbox.client(), sqlite_engine, recorded["events"], run_id="hook")
    assert (stats.processed, stats.documents) == (1, 1)
    staged = staged_rows(sqlite_engine, "invoices")[invoice_id]
    assert staged.amount_due == 9_000
    assert [t["amount"] for t in staged.raw["linked_taxes_withheld"]] == [1_000]
