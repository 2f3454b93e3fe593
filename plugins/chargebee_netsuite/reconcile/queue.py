"""The exception queue (what did not post, why, and how to fix it) and a document's audit trail."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from chargebee_netsuite.quality.reasons import (
    DATA_CHECK,
    FIX_HINTS,
    STATE_HINTS,
    cause_of,
    fix_hint,
)
from chargebee_netsuite.staging.ledger_queries import attempts_for
from chargebee_netsuite.staging.ledger_tables import FAILED, HELD, QUARANTINED, ns_ledger
from chargebee_netsuite.staging.quality_tables import dq_quarantine
from chargebee_netsuite.staging.reconcile_tables import recon_findings

EXCEPTION_STATES = (QUARANTINED, HELD, FAILED)
# The fix hints live with the reason vocabulary (quality/reasons.py); re-exported here.
__all__ = ["EXCEPTION_STATES", "FIX_HINTS", "audit_trail", "exception_queue", "fix_hint"]


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds")


def exception_queue(
    conn: Connection, site: str, *, search: str | None = None, limit: int = 500
) -> list[dict[str, Any]]:
    """Quarantined, held and failed documents, oldest first, with reason and fix hint.

    ``search`` keeps documents whose Chargebee id or external id contains it.
    """
    t = ns_ledger
    query = select(t).where(t.c.site == site, t.c.state.in_(EXCEPTION_STATES))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(t.c.source_id.like(pattern), t.c.external_id.like(pattern)))
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
            "fix": fix_hint(row["state"], row["last_error_code"]),
            "external_id": row["external_id"],
            "attempts": row["attempts"],
            "since": _iso(row["updated_at"]),
        }
    q = dq_quarantine
    dq = select(q).where(q.c.site == site).order_by(q.c.quarantined_at, q.c.check_name)
    if search:
        dq = dq.where(q.c.document_id.like(f"%{search.strip()}%"))
    for row in conn.execute(dq).mappings():
        key = (row["kind"], row["document_id"])
        if key in entries:
            if entries[key]["state"] == QUARANTINED and row["reason"] not in entries[key]["reason"]:
                entries[key]["reason"] += " " + row["reason"]
            continue
        entries[key] = {
            "kind": row["kind"],
            "id": row["document_id"],
            "role": "main",
            "state": QUARANTINED,
            "code": row["check_name"],
            "cause": DATA_CHECK,
            "reason": row["reason"],
            "fix": STATE_HINTS[QUARANTINED],
            "external_id": None,
            "attempts": 0,
            "since": _iso(row["quarantined_at"]),
        }
    ordered = sorted(entries.values(), key=lambda e: (e["since"] or "", e["kind"], e["id"]))
    return ordered[:limit]


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
