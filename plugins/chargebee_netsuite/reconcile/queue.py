"""The exception queue (what did not post, why, and how to fix it) and a document's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from chargebee_netsuite.finance_view.fixes import fix_sentence
from chargebee_netsuite.quality.reasons import DATA_CHECK, cause_of
from chargebee_netsuite.staging.ledger_queries import attempts_for
from chargebee_netsuite.staging.ledger_tables import FAILED, HELD, QUARANTINED, ns_ledger
from chargebee_netsuite.staging.quality_tables import dq_quarantine
from chargebee_netsuite.staging.reconcile_tables import recon_findings

from .lookup import customer_names, document_facts, document_noun

EXCEPTION_STATES = (QUARANTINED, HELD, FAILED)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def exception_queue(
    conn: Connection, site: str, *, search: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Quarantined, held and failed documents, oldest first, with reason and fix.

    ``since`` is when the document first went wrong (the ledger's first sight of it, or its
    first quarantine), not when it was last touched (``updated``). Each entry names the
    customer (name and e-mail), the amount (exact decimal text) and currency, so finance can
    read it without the audit details. ``search`` keeps documents whose Chargebee id,
    external id, customer name or e-mail contains it.
    """
    t = ns_ledger
    query = select(t).where(t.c.site == site, t.c.state.in_(EXCEPTION_STATES))
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for row in conn.execute(query).mappings():
        entries[(row["source_kind"], row["source_id"])] = {
            "kind": row["source_kind"],
            "id": row["source_id"],
            "role": row["role"],
            "state": row["state"],
            "code": row["last_error_code"],
            "cause": cause_of(row["state"], row["last_error_code"]),
            "reason": row["reason"] or row["last_error_detail"] or "",
            "external_id": row["external_id"],
            "netsuite_type": row["netsuite_type"],
            "attempts": row["attempts"],
            "since": _iso(row["first_seen_at"]),
            "updated": _iso(row["updated_at"]),
        }
    q = dq_quarantine
    dq = select(q).where(q.c.site == site).order_by(q.c.quarantined_at, q.c.check_name)
    for row in conn.execute(dq).mappings():
        key = (row["kind"], row["document_id"])
        first = _iso(row["first_seen_at"] or row["quarantined_at"])
        if key in entries:
            entry = entries[key]
            if entry["state"] == QUARANTINED and row["reason"] not in entry["reason"]:
                entry["reason"] += " " + row["reason"]
            if entry["state"] == QUARANTINED and entry["code"] in (None, "DATA_QUALITY"):
                entry["code"] = row["check_name"]
            if first and (entry["since"] is None or first < entry["since"]):
                entry["since"] = first
            continue
        entries[key] = {
            "kind": row["kind"],
            "id": row["document_id"],
            "role": "main",
            "state": QUARANTINED,
            "code": row["check_name"],
            "cause": DATA_CHECK,
            "reason": row["reason"],
            "external_id": None,
            "netsuite_type": None,
            "attempts": 0,
            "since": first,
            "updated": _iso(row["quarantined_at"]),
        }
    _describe(conn, site, entries)
    found = list(entries.values())
    if search:
        term = search.strip().lower()
        found = [
            e
            for e in found
            if any(
                term in str(e.get(field) or "").lower()
                for field in ("id", "external_id", "customer_name", "customer_email", "label")
            )
        ]
    ordered = sorted(found, key=lambda e: (e["since"] or "", e["kind"], e["id"]))
    return ordered[:limit]


def _describe(conn: Connection, site: str, entries: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Add what finance names each entry by, and the fix in plain words."""
    facts = document_facts(conn, site, entries)
    names = customer_names(conn, site, {f.customer_id for f in facts.values() if f.customer_id})
    for key, entry in entries.items():
        fact = facts.get(key)
        customer = names.get(fact.customer_id or "") if fact else None
        label = fact.label if fact else f"{document_noun(entry['kind'])} {entry['id']}"
        entry.update(
            {
                "label": label,
                "customer_id": fact.customer_id if fact else None,
                "customer_name": customer["name"] if customer else None,
                "customer_email": customer["email"] if customer else None,
                "currency": fact.currency if fact else None,
                "amount": None if fact is None or fact.amount is None else str(fact.amount),
                "date": fact.date if fact else None,
            }
        )
        entry["fix"] = fix_sentence(
            entry["state"],
            entry["code"],
            entry["reason"],
            {
                "document": label[:1].lower() + label[1:],
                "customer": entry["customer_name"],
                "currency": entry["currency"],
            },
        )


def audit_trail(conn: Connection, site: str, kind: str, source_id: str) -> dict[str, Any]:
    """Everything known about one document: ledger rows, every attempt, quarantine, findings."""
    t = ns_ledger
    ledger = [
        {
            "role": row["role"],
            "state": row["state"],
            "reason": row["reason"],
            "netsuite_type": row["netsuite_type"],
            "netsuite_id": row["netsuite_id"],
            "external_id": row["external_id"],
            "payload_hash": row["payload_hash"],
            "posted_hash": row["posted_hash"],
            "attempts": row["attempts"],
            "first_seen_at": _iso(row["first_seen_at"]),
            "updated_at": _iso(row["updated_at"]),
            "last_attempt_at": _iso(row["last_attempt_at"]),
            "posted_at": _iso(row["posted_at"]),
            "last_error_code": row["last_error_code"],
            "last_error_detail": row["last_error_detail"],
        }
        for row in conn.execute(
            select(t)
            .where(t.c.site == site, t.c.source_kind == kind, t.c.source_id == source_id)
            .order_by(t.c.role)
        ).mappings()
    ]
    attempts = [
        {
            "run_id": a["run_id"],
            "attempted_at": _iso(a["attempted_at"]),
            "role": a["role"],
            "outcome": a["outcome"],
            "netsuite_type": a["netsuite_type"],
            "netsuite_id": a["netsuite_id"],
            "status_code": a["status_code"],
            "http_attempts": a["http_attempts"],
            "error_code": a["error_code"],
            "error": a["error"],
            "duration_ms": a["duration_ms"],
        }
        for a in attempts_for(conn, site, kind, source_id)
    ]
    q = dq_quarantine
    quarantine = [
        {"check": r.check_name, "reason": r.reason, "since": _iso(r.quarantined_at)}
        for r in conn.execute(
            select(q).where(q.c.site == site, q.c.kind == kind, q.c.document_id == source_id)
        )
    ]
    f = recon_findings
    findings = [
        {
            "run_id": r.run_id,
            "check": r.check_name,
            "action": r.action,
            "field": r.field,
            "chargebee_value": r.chargebee_value,
            "netsuite_value": r.netsuite_value,
            "detail": r.detail,
        }
        for r in conn.execute(
            select(f)
            .where(f.c.site == site, f.c.source_kind == kind, f.c.source_id == source_id)
            .order_by(f.c.run_id, f.c.seq)
        )
    ]
    return {
        "kind": kind,
        "id": source_id,
        "ledger": ledger,
        "attempts": attempts,
        "quarantine": quarantine,
        "findings": findings,
    }
