"""The loader streams: small chunks end where one big chunk does, and it holds about one chunk."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import SITE, Env, StartEnv, untouched_open_invoices
from tests.builders.tieout import chargebee_list

from chargebee_netsuite.load import run as load_run
from chargebee_netsuite.load.plan import Work
from chargebee_netsuite.load.source import KIND_RESOURCES, SourceDocument, document_chunks
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES
from chargebee_netsuite.staging.ledger_tables import ns_ledger
from chargebee_netsuite.transform.identity import external_id

COLUMNS = (
    "source_kind",
    "source_id",
    "role",
    "state",
    "reason",
    "netsuite_type",
    "netsuite_id",
    "external_id",
    "payload_hash",
    "posted_hash",
    "attempts",
    "last_error_code",
)


def ledger_rows(env: Env) -> list[tuple[Any, ...]]:
    columns = [ns_ledger.c[name] for name in COLUMNS]
    with env.engine.connect() as conn:
        query = select(*columns).where(ns_ledger.c.site == SITE).order_by(*columns[:3])
        return [tuple(row) for row in conn.execute(query)]


def paid_invoice(env: Env) -> dict[str, Any]:
    return next(
        inv
        for inv in chargebee_list(
            env.chargebee.base_url, env.chargebee_settings.test_key, "invoices"
        )
        if inv["status"] == "paid" and inv.get("linked_payments")
    )


def test_chunks_of_three_end_in_the_same_ledger_as_planning_everything_at_once(
    start_env: StartEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Same data in both; one request at a time, so NetSuite hands out the same internal ids.
    small, whole = start_env(scale=12), start_env(scale=12)
    rows = []
    for env, chunk in ((small, 3), (whole, 1000)):
        if env is whole:
            # Every phase reads every document, unfiltered, as one chunk per kind: what
            # planning the whole site up front did.
            monkeypatch.setattr(load_run, "phase_sources", lambda _: dict.fromkeys(KIND_RESOURCES))
        open_invoices = untouched_open_invoices(env)
        credit = env.cb_admin(
            "POST", f"/invoices/{open_invoices[0]['id']}/credit_notes", {"amount": 100}
        )
        cn_id = credit["credit_note"]["id"] if "credit_note" in credit else credit["id"]
        txn = env.cb_admin(
            "POST", f"/invoices/{open_invoices[1]['id']}/payments", {"payment_method": "check"}
        )
        txn_id = txn["transaction"]["id"] if "transaction" in txn else txn["id"]
        env.extract()
        # A failed invoice, so its payment is held naming the failure across chunks.
        eid = external_id(SITE, "inv", paid_invoice(env)["id"])
        env.ns_admin("POST", "/faults", {"kind": "permission", "path_contains": f"eid:{eid}"})
        env.sync("run-1", chunk_size=chunk, concurrency=1)
        first = ledger_rows(env)
        # Voids and a deletion after posting: the reversal phases read only what is gone.
        env.cb_admin("POST", f"/invoices/{open_invoices[2]['id']}/void", {"reason_code": "x"})
        env.cb_admin("POST", f"/credit_notes/{cn_id}/void")
        env.cb_admin("DELETE", f"/transactions/{txn_id}")
        env.extract("extract-2")
        env.sync("run-2", chunk_size=chunk, concurrency=1)
        rows.append((first, ledger_rows(env)))
    (first, second), whole_rows = rows
    assert len(first) > 100
    assert {"posted", "failed", "held"} <= {row[3] for row in first}
    assert any("waits for Chargebee invoice" in (row[4] or "") for row in first)
    reversals = {row[0] for row in second if row[2] == "reversal"}
    assert reversals == {"invoice", "credit_note", "transaction"}
    assert (first, second) == whole_rows


@pytest.fixture
def resident(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Counts, at every chunk the loader plans, the documents and plans alive in memory."""
    # Keyed by a counter: documents and plans are dataclasses holding dicts, not hashable.
    seen: dict[str, Any] = {
        "docs": weakref.WeakValueDictionary(),
        "works": weakref.WeakValueDictionary(),
    }
    counter = iter(range(10**9))
    seen.update(calls=0, planned=0, chunk=0, max_docs=0, max_works=0)
    real_chunks, real_plan = load_run.document_chunks, load_run.plan

    def document_chunks(*args: Any, **kwargs: Any) -> Iterator[list[SourceDocument]]:
        for docs in real_chunks(*args, **kwargs):
            seen["docs"].update((next(counter), doc) for doc in docs)
            yield docs

    def plan(ctx: Any, documents: dict[str, list[SourceDocument]], *args: Any) -> list[Work]:
        gc.collect()
        seen["calls"] += 1
        seen["chunk"] = max(seen["chunk"], sum(len(docs) for docs in documents.values()))
        seen["max_docs"] = max(seen["max_docs"], len(seen["docs"]))
        seen["max_works"] = max(seen["max_works"], len(seen["works"]))
        work = real_plan(ctx, documents, *args)
        seen["works"].update((next(counter), item) for item in work)
        seen["planned"] += len(work)
        return work

    monkeypatch.setattr(load_run, "document_chunks", document_chunks)
    monkeypatch.setattr(load_run, "plan", plan)
    return seen


def test_the_loader_holds_about_one_chunk_of_documents_and_plans(
    start_env: StartEnv, resident: dict[str, Any]
) -> None:
    env = start_env(scale=10)
    env.extract()
    summary = env.sync("run-1", chunk_size=3, concurrency=2, plan_ahead=6)
    assert summary.counts["posted"] > 60
    assert resident["chunk"] == 3
    # One chunk being planned, the one before it, the writes the planner thread holds ready
    # (plan_ahead) and the writes in flight (2 per request slot): a bound set by the chunk
    # size, the look-ahead and the concurrency, not by the documents.
    bound = 4 * 3 + 6 + 8 * 2
    assert resident["planned"] > 3 * bound
    assert resident["max_works"] <= bound, resident
    assert resident["max_docs"] <= 2 * 3, resident


def test_chunks_start_small_and_double_up_to_the_chunk_size(start_env: StartEnv) -> None:
    # The sender has work after a few documents are planned, not after a whole chunk.
    env = start_env(scale=40)
    env.extract()
    with env.engine.connect() as conn:
        table = DOCUMENT_TABLES["invoices"]
        every = [row.id for row in conn.execute(select(table.c.id).where(table.c.site == SITE))]
    assert len(every) > 25 + 40 * 2
    chunks = list(document_chunks(env.engine, SITE, "invoice", 40))
    sizes = [len(chunk) for chunk in chunks]
    assert sizes[:3] == [25, 40, 40], sizes
    assert all(size == 40 for size in sizes[1:-1]), sizes
    assert [doc.id for chunk in chunks for doc in chunk] == sorted(every)
