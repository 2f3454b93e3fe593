"""``validate_staged``: the one entry point the DAG calls to validate a run's staged documents."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from chargebee_netsuite.quality import docs, reasons
from chargebee_netsuite.quality.assets import asset_rows
from chargebee_netsuite.quality.batch import (
    Scope,
    changed_since_staged,
    drop_batch,
    release_batch,
    stage_batch,
    staged_versions,
)
from chargebee_netsuite.quality.kinds import KINDS
from chargebee_netsuite.quality.quarantine import (
    QuarantineEntry,
    first_seen_times,
    quarantine_entries,
    replace_quarantine,
)
from chargebee_netsuite.quality.suites import Check, checks_for
from chargebee_netsuite.quality.validate import Failures, run_checkpoint

log = logging.getLogger(__name__)


@dataclass
class KindCounts:
    """How many documents of one kind were checked, passed and quarantined."""

    checked: int = 0
    passed: int = 0
    quarantined: int = 0


@dataclass
class ValidationSummary:
    """What a validation did: counts per kind, every failed check, and the report's path."""

    site: str
    run_id: str
    counts: dict[str, KindCounts] = field(default_factory=dict)
    quarantined: list[QuarantineEntry] = field(default_factory=list)
    data_docs_index: Path | None = None
    timings: dict[str, float] = field(default_factory=dict)
    # Documents checked only because an earlier run left them in quarantine.
    carried_over: int = 0

    @property
    def quarantine_page(self) -> Path | None:
        """The standalone quarantine table next to the Data Docs index."""
        if self.data_docs_index is None:
            return None
        return self.data_docs_index.parent / docs.QUARANTINE_PAGE

    @property
    def checked(self) -> int:
        """Documents checked, all kinds."""
        return sum(c.checked for c in self.counts.values())

    @property
    def quarantined_documents(self) -> int:
        """Documents quarantined, all kinds (a document failing two checks counts once)."""
        return sum(c.quarantined for c in self.counts.values())

    @property
    def all_failed(self) -> bool:
        """True when this run's documents were checked and every one was quarantined.

        Documents carried over from earlier runs' quarantine do not count alone: a run that
        staged nothing new and re-checked only those has found nothing broken upstream.
        """
        return self.checked > self.carried_over and self.quarantined_documents == self.checked

    def as_dict(self, max_entries: int = 50) -> dict[str, Any]:
        """A small JSON-serialisable form for XCom (the full list lives in the quarantine)."""
        return {
            "site": self.site,
            "run_id": self.run_id,
            "counts": {k: vars(c) for k, c in self.counts.items()},
            "checked": self.checked,
            "quarantined_documents": self.quarantined_documents,
            "all_failed": self.all_failed,
            "quarantined": [
                {"kind": e.kind, "id": e.id, "expectation": e.expectation, "reason": e.reason}
                for e in self.quarantined[:max_entries]
            ],
            "data_docs_index": str(self.data_docs_index) if self.data_docs_index else None,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


def _entries(
    failures: Failures,
    checks: Mapping[str, Check],
    rows: Mapping[str, Mapping[str, Mapping[str, Any]]],
    versions: Mapping[str, Mapping[str, int | None]],
) -> list[QuarantineEntry]:
    entries = []
    for (kind, check_name), ids in sorted(failures.items()):
        check = checks[check_name]
        for document_id in sorted(ids):
            row = rows[kind].get(document_id, {"id": document_id})
            entries.append(
                QuarantineEntry(
                    kind=kind,
                    id=document_id,
                    check=check.name,
                    expectation=check.expectation_name,
                    reason=check.reason(kind, row),
                    resource_version=versions[kind].get(document_id),
                )
            )
    return entries


CHANGED = "changed_during_validation"


def _hold_changed(
    conn: Connection, site: str, batch: str, scope: Scope, entries: list[QuarantineEntry]
) -> list[QuarantineEntry]:
    """Replace the results of documents re-extracted while they were validated by a hold.

    Their new version was not checked, so it must not post on the strength of the old one's
    result; being quarantined, it is validated again by the next run.
    """
    held: list[QuarantineEntry] = []
    stale: set[tuple[str, str]] = set()
    for kind in scope.counts:
        changed = changed_since_staged(conn, site, batch, kind)
        for document_id, version in sorted(changed.items()):
            stale.add((kind, document_id))
            row = {"id": document_id, "type": None}
            held.append(
                QuarantineEntry(
                    kind=kind,
                    id=document_id,
                    check=f"{kind}.{CHANGED}",
                    expectation="(not validated: changed during validation)",
                    reason=(
                        f"{reasons.label(kind, row)} changed in Chargebee while it was being "
                        "validated; the next run validates the new version before it posts."
                    ),
                    resource_version=version,
                )
            )
    return [e for e in entries if (e.kind, e.id) not in stale] + held


def validate_staged(
    engine: Engine,
    site: str,
    run_id: str,
    known_currencies: Iterable[str],
    reports_dir: Path | str,
    *,
    document_ids: Mapping[str, Iterable[str]] | None = None,
    kinds: Iterable[str] = KINDS,
    now: datetime | None = None,
) -> ValidationSummary:
    """Validate the documents ``run_id`` staged for ``site`` and update the quarantine.

    Runs one GX expectation suite per document kind on the staging database itself and
    builds Data Docs into ``<reports_dir>/data_docs/<run>/index.html`` (``<run>`` is
    :func:`docs.run_folder` of ``run_id``), with the quarantine table on top and also on
    ``quarantine.html`` beside it. Documents failing any expectation are quarantined with the
    check, the expectation and a sentence naming the fix; documents that pass (including
    ones quarantined earlier) leave quarantine.
    ``document_ids`` (kind → ids) validates exactly those documents instead of the run's.
    Documents still quarantined from earlier runs are always re-validated.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    known = frozenset(code.upper() for code in known_currencies)
    kinds = tuple(kinds)
    batch = uuid.uuid4().hex
    summary = ValidationSummary(site=site, run_id=run_id)
    with engine.begin() as conn:
        summary.carried_over = len(
            {(e.kind, e.id) for kind in kinds for e in quarantine_entries(conn, site, kind)}
        )
        scope = stage_batch(
            conn, site, batch, kinds, run_id=run_id, document_ids=document_ids, now=now
        )
    summary.timings["stage_facts"] = time.perf_counter() - started
    try:
        checks = {kind: checks_for(kind, known, now) for kind in kinds if scope.counts[kind]}
        failures: Failures = {}
        if checks:
            docs_dir = docs.docs_dir(reports_dir, run_id)
            largest = max(scope.counts[kind] for kind in checks)
            outcome = run_checkpoint(engine, batch, checks, docs_dir, run_id, now, rows=largest)
            failures = outcome.failures
            summary.timings.update(outcome.timings)
            summary.data_docs_index = docs_dir / "index.html"
        failed_ids = {kind: set[str]() for kind in kinds}
        for (kind, _), ids in failures.items():
            failed_ids[kind] |= ids
        with engine.begin() as conn:
            rows = {kind: asset_rows(conn, kind, batch, failed_ids[kind]) for kind in kinds}
            by_name = {c.name: c for kind_checks in checks.values() for c in kind_checks}
            versions = {
                kind: staged_versions(conn, batch, kind, failed_ids[kind]) for kind in kinds
            }
            entries = _entries(failures, by_name, rows, versions)
            summary.quarantined = _hold_changed(conn, site, batch, scope, entries)
            for entry in summary.quarantined:
                failed_ids[entry.kind].add(entry.id)
            # Read before the release: a document failing again keeps its first failure's time.
            first_seen = first_seen_times(conn, site, {(e.kind, e.id) for e in summary.quarantined})
            release_batch(conn, site, scope)
            replace_quarantine(
                conn,
                site,
                {},
                summary.quarantined,
                run_id=run_id,
                at=now,
                first_seen=first_seen,
            )
    finally:
        with engine.begin() as conn:
            drop_batch(conn, batch)
    for kind in kinds:
        checked = scope.counts[kind]
        bad = len(failed_ids[kind])
        summary.counts[kind] = KindCounts(checked=checked, passed=checked - bad, quarantined=bad)
    if summary.data_docs_index is not None:
        docs.add_quarantine_page(summary.data_docs_index.parent, summary.quarantined, run_id)
    summary.timings["total"] = time.perf_counter() - started
    log.info(
        "Data quality for %s run %s: %d documents checked, %d quarantined (%.1fs); report %s",
        site,
        run_id,
        summary.checked,
        summary.quarantined_documents,
        summary.timings["total"],
        summary.data_docs_index,
    )
    return summary
