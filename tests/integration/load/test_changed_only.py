"""A sync plans what changed and what depends on it, and ends where a full resync would."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from tests.builders.netsuite_env import SITE, StartEnv, mapping

from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import cb_transactions


def test_a_chargeback_voided_alone_resends_its_payment_as_a_full_resync_would(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=10)
    env.extract()
    first = env.sync("run-1")
    assert first.scope == "every document"  # the site's first load
    with env.engine.connect() as conn:
        found = conn.execute(
            select(cb_transactions.c.raw).where(
                cb_transactions.c.site == SITE,
                cb_transactions.c.type == "payment_reversal",
                cb_transactions.c.status == "success",
            )
        ).first()
    raw = dict(found[0]) if found else {}
    assert raw, "the generated data has an online chargeback"
    # Chargebee voids the chargeback and nothing else (its payment keeps its version): the
    # refund is deleted from NetSuite and the payment applies to its invoices again.
    changed = {**raw, "status": "voided"}
    changed["resource_version"] = int(raw["resource_version"]) + 1
    row = document_row(
        "transactions", changed, site=SITE, run_id="edit", extracted_at=datetime.now(UTC)
    )
    with env.engine.begin() as conn:
        q.upsert_documents(conn, cb_transactions, [row])
    second = env.sync("run-2")
    assert second.scope == "changed"
    assert second.writes >= 2, second.counts  # the chargeback's deletion, the payment's update
    assert second.counts.get("deleted") == 1, second.counts
    # Nothing was left for a full resync to find.
    before = env.netsuite_writes()
    again = env.sync("run-3", full=True)
    assert again.writes == 0, again.counts
    assert env.netsuite_writes() == before


def test_a_mapping_change_plans_every_document_again(start_env: StartEnv) -> None:
    env = start_env(scale=3)
    env.extract()
    env.sync("run-1")
    assert env.sync("run-2").scope == "changed"
    # How many requests are in flight shapes no payload.
    assert env.sync("run-2b", concurrency=1, flush_every=1).scope == "changed"
    # What every payload is built from changed: every document is planned again.
    changed = mapping().model_copy(update={"rounding_item": "999"})
    assert env.sync("run-3", config=changed).scope == "every document"
