"""Reconciliation runs and findings in staging: written by each run, read by the Airflow view."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from chargebee_netsuite.staging.reconcile_tables import recon_findings, recon_runs

from .model import Finding


def save_run(
    conn: Connection,
    site: str,
    run_id: str,
    *,
    window: tuple[datetime, datetime],
    created_at: datetime,
    report_dir: str | None,
    report: dict[str, Any],
    findings: Sequence[Finding],
) -> None:
    """Store one run and its findings (a re-run of the same run id replaces them)."""
    conn.execute(
        delete(recon_findings).where(
            recon_findings.c.site == site, recon_findings.c.run_id == run_id
        )
    )
    conn.execute(delete(recon_runs).where(recon_runs.c.site == site, recon_runs.c.run_id == run_id))
    conn.execute(
        insert(recon_runs),
        {
            "site": site,
            "run_id": run_id,
            "window_start": window[0],
            "window_end": window[1],
            "created_at": created_at,
            "report_dir": report_dir,
            "report": report,
        },
    )
    rows = [
        {
            "site": site,
            "run_id": run_id,
            "seq": seq,
            "check_name": f.check,
            "source_kind": f.source_kind,
            "source_id": f.source_id,
            "role": f.role,
            "external_id": f.external_id,
            "netsuite_type": f.netsuite_type,
            "netsuite_id": f.netsuite_id,
            "field": f.field,
            "chargebee_value": f.chargebee_value,
            "netsuite_value": f.netsuite_value,
            "action": f.action,
            "detail": f.detail,
        }
        for seq, f in enumerate(findings)
    ]
    for start in range(0, len(rows), 500):
        conn.execute(insert(recon_findings), rows[start : start + 500])


def latest_report(conn: Connection, site: str | None = None) -> dict[str, Any] | None:
    """The newest stored report (of ``site``, or of any site), or None before the first run."""
    query = select(recon_runs.c.report, recon_runs.c.report_dir).order_by(
        recon_runs.c.created_at.desc()
    )
    if site is not None:
        query = query.where(recon_runs.c.site == site)
    row = conn.execute(query.limit(1)).first()
    if row is None:
        return None
    report = dict(row.report)
    report["report_dir"] = row.report_dir
    return report


def report_dir_of(conn: Connection, run_id: str) -> str | None:
    """Where the files of ``run_id`` were written."""
    return conn.scalar(select(recon_runs.c.report_dir).where(recon_runs.c.run_id == run_id))


def _aware(moment: datetime) -> datetime:
    """SQLite hands timezone-aware columns back naive; they were written in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def list_runs(conn: Connection, site: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The stored runs, newest first: run id, site, window, when, and the summary counts."""
    r = recon_runs
    query = select(
        r.c.site, r.c.run_id, r.c.window_start, r.c.window_end, r.c.created_at, r.c.report
    ).order_by(r.c.created_at.desc())
    if site is not None:
        query = query.where(r.c.site == site)
    out = []
    for row in conn.execute(query.limit(limit)):
        summary = (row.report or {}).get("summary", {})
        out.append(
            {
                "site": row.site,
                "run_id": row.run_id,
                "window_start": _aware(row.window_start),
                "window_end": _aware(row.window_end),
                "created_at": _aware(row.created_at).isoformat(timespec="seconds"),
                "counts": summary.get("counts", {}),
                "exceptions": summary.get("exceptions", 0),
                "requeued": summary.get("requeued", 0),
            }
        )
    return out


def find_report(
    conn: Connection,
    site: str | None,
    *,
    run_id: str | None = None,
    window: tuple[datetime, datetime] | None = None,
) -> dict[str, Any] | None:
    """The report of ``run_id``, else the newest one over exactly ``window``, else None."""
    r = recon_runs
    query = select(r.c.report, r.c.report_dir, r.c.window_start, r.c.window_end).order_by(
        r.c.created_at.desc()
    )
    if site is not None:
        query = query.where(r.c.site == site)
    if run_id is not None:
        query = query.where(r.c.run_id == run_id)
    for row in conn.execute(query):
        covers = (_aware(row.window_start), _aware(row.window_end))
        if window is not None and run_id is None and covers != window:
            continue
        report = dict(row.report)
        report["report_dir"] = row.report_dir
        return report
    return None
