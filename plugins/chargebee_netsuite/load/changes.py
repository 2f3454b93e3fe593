"""What a load plans: what changed since the last load, and what depends on it.

A document's plan is a function of its staged version, the documents around it (a payment's
invoices and chargebacks, a chargeback's payment, a customer's billed currencies), the ledger
rows of those, the mapping, the reference data, the catalog and the loader's settings. So a
load plans, instead of every staged document:

- the documents staged at a version it has not planned (``ns_load_queue``, filled by
  :func:`chargebee_netsuite.staging.chargebee_queries.upsert_documents`);
- every document whose ledger row is not settled (held, failed, quarantined, ready: what
  waits for something else, or was re-queued by reconciliation), as it did before;
- the documents whose plans read those (:func:`with_dependents`);

and it plans everything when the fingerprint of the rest (mapping, reference data, catalog,
settings, :data:`TRANSFORM_VERSION`) differs from the one of the last load, when the site
has no load state yet, on ``full_resync``, and after a record NetSuite holds got a new
internal id (what refers to it must be sent again).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, exists, func, select

from chargebee_netsuite.load.source import (
    KIND_RESOURCES,
    raw_documents,
    related_documents,
    transaction_links,
    transactions_against,
)
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.staging.chargebee_queries import dialect_insert
from chargebee_netsuite.staging.ledger_tables import (
    MAIN,
    POSTED,
    SKIPPED,
    STATES,
    ns_ledger,
    ns_load_queue,
    ns_load_state,
)

# Bump when a change to transform/ or load/plan.py changes what a document's payload is:
# the next load then plans every document again, as a mapping change does.
TRANSFORM_VERSION = "2026-12-07.1"
# Ledger states that need nothing more unless something they are built from changes.
SETTLED = (POSTED, SKIPPED)
UNSETTLED = tuple(state for state in STATES if state not in SETTLED)
# Rounds of dependents followed from the changed documents (a chargeback → its payment →
# the other payments of that payment's invoices is the longest chain a plan reads).
ROUNDS = 3

Ids = dict[str, set[str]]  # ledger source kind → document ids


def fingerprint_parts(
    mapping: MappingConfig,
    reference: ReferenceData,
    settings: Mapping[str, Any],
    item_prices: Mapping[str, Any],
) -> dict[str, str]:
    """A digest of each thing but the documents that a payload is built from (``settings``:
    the loader's choices that shape payloads, dataclasses or plain values). The loader logs
    them, so two runs' logs say which one made a load plan everything."""
    data = dataclasses.asdict(reference)
    # Periods in a canonical order: ties on their dates keep the order staging returned.
    data["periods"] = sorted(
        data["periods"], key=lambda p: json.dumps(p, sort_keys=True, default=str)
    )
    parts = {
        "version": TRANSFORM_VERSION,
        "mapping": mapping.model_dump(mode="json"),
        "reference": data,
        "settings": {
            name: dataclasses.asdict(value)
            if dataclasses.is_dataclass(value) and not isinstance(value, type)
            else value
            for name, value in settings.items()
        },
        "item_prices": {k: dataclasses.asdict(v) for k, v in sorted(item_prices.items())},
    }
    return {name: _digest(value) for name, value in parts.items()}


def fingerprint(parts: Mapping[str, str]) -> str:
    """One digest of :func:`fingerprint_parts`."""
    return _digest(dict(parts))


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclasses.dataclass(frozen=True)
class LoadState:
    """What the last load left for the next one."""

    fingerprint: str | None
    usage: dict[str, Any] | None


def read_state(conn: Connection, site: str) -> LoadState:
    """The site's load state (an empty one before its first load)."""
    row = conn.execute(
        select(ns_load_state.c.fingerprint, ns_load_state.c.usage).where(
            ns_load_state.c.site == site
        )
    ).first()
    return LoadState(None, None) if row is None else LoadState(row.fingerprint, row.usage)


def write_state(
    conn: Connection, site: str, digest: str | None, usage: dict[str, Any], *, full: bool
) -> None:
    """Remember the fingerprint the load ran with (None: plan everything next time)."""
    now = datetime.now(UTC)
    values: dict[str, Any] = {"fingerprint": digest, "usage": usage, "updated_at": now}
    if full:
        values["full_at"] = now
    stmt = dialect_insert(conn, ns_load_state).values(site=site, **values)
    conn.execute(stmt.on_conflict_do_update(index_elements=["site"], set_=values))


def queued(conn: Connection, site: str) -> Ids:
    """Documents staged at a version no load has planned yet."""
    query = select(ns_load_queue.c.source_kind, ns_load_queue.c.source_id).where(
        ns_load_queue.c.site == site
    )
    return _by_kind(conn.execute(query))


def unsettled(conn: Connection, site: str) -> Ids:
    """Documents with a ledger row that is neither posted nor skipped (by the state index)."""
    found: Ids = {kind: set() for kind in KIND_RESOURCES}
    for state in UNSETTLED:  # one equality each: SQLite then reads the state index, not the site
        query = select(ns_ledger.c.source_kind, ns_ledger.c.source_id).where(
            ns_ledger.c.site == site, ns_ledger.c.state == state
        )
        found = merge(found, _by_kind(conn.execute(query)))
    return found


def _by_kind(rows: Any) -> Ids:
    found: Ids = {kind: set() for kind in KIND_RESOURCES}
    for kind, source_id in rows:
        if kind in found:
            found[kind].add(str(source_id))
    return found


def merge(*sets: Ids) -> Ids:
    """The union, kind by kind."""
    merged: Ids = {kind: set() for kind in KIND_RESOURCES}
    for ids in sets:
        for kind, found in ids.items():
            merged.setdefault(kind, set()).update(found)
    return merged


def _linked(raw: Mapping[str, Any], key: str) -> set[str]:
    return {str(link["txn_id"]) for link in raw.get(key) or [] if link.get("txn_id")}


def dependents(conn: Connection, site: str, ids: Ids) -> Ids:
    """The documents whose plans read one of ``ids`` (one step; see :func:`with_dependents`).

    A customer's plan reads its documents' currencies; a payment's, the invoices it pays,
    those invoices' other payments and its own chargebacks and refunds; a chargeback's or a
    refund's, its payment, that payment's other chargebacks and the credit notes it pays out.
    """
    found: Ids = {kind: set() for kind in KIND_RESOURCES}
    raws = {
        kind: raw_documents(conn, site, KIND_RESOURCES[kind], ids.get(kind, set()))
        for kind in ("invoice", "credit_note", "transaction")
    }
    for kind_raws in raws.values():
        found["customer"].update(
            str(raw["customer_id"]) for raw in kind_raws.values() if raw.get("customer_id")
        )
    for raw in raws["invoice"].values():
        found["transaction"] |= _linked(raw, "linked_payments")
    for raw in raws["credit_note"].values():
        found["transaction"] |= _linked(raw, "linked_refunds")
    transactions = list(raws["transaction"].values())
    payments = {str(r["id"]) for r in transactions if r.get("type") == "payment"}
    for link in transaction_links(conn, site, transactions).values():
        if link.payment_id:
            payments.add(link.payment_id)
            found["transaction"].add(link.payment_id)
    for taken in transactions_against(conn, site, payments).values():
        found["transaction"].update(str(raw["id"]) for raw in taken)
    paying = [r for r in transactions if r.get("type") == "payment"]
    found["transaction"].update(related_documents(conn, site, paying).payments)
    return found


def with_dependents(conn: Connection, site: str, ids: Ids, rounds: int = ROUNDS) -> Ids:
    """``ids`` and what depends on them, followed ``rounds`` steps."""
    scope = merge(ids)
    frontier = scope
    for _ in range(rounds):
        added = dependents(conn, site, frontier)
        frontier = {kind: found - scope.get(kind, set()) for kind, found in added.items()}
        if not any(frontier.values()):
            break
        scope = merge(scope, frontier)
    return scope


def clear_planned(conn: Connection, site: str) -> int:
    """Take out of the queue every document whose ledger row says a load planned it at the
    queued version or a newer one; what was staged again meanwhile stays queued."""
    q, ledger = ns_load_queue, ns_ledger
    planned = exists().where(
        and_(
            ledger.c.site == q.c.site,
            ledger.c.source_kind == q.c.source_kind,
            ledger.c.source_id == q.c.source_id,
            ledger.c.role == MAIN,
            func.coalesce(ledger.c.resource_version, -1) >= func.coalesce(q.c.resource_version, -1),
        )
    )
    result = conn.execute(delete(q).where(q.c.site == site, planned))
    return int(result.rowcount or 0)
