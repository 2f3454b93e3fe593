"""Run the per-kind expectation suites in one GX checkpoint and collect the failing ids."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.quality.assets import asset_sql
from chargebee_netsuite.quality.context import (
    DOCS_SITE,
    add_staging_datasource,
    build_context,
    dispose_datasource,
)
from chargebee_netsuite.quality.suites import Check, build_expectation

Failures = dict[tuple[str, str], set[str]]  # (kind, check name) → failing document ids


def result_format(rows: int) -> dict[str, Any]:
    """COMPLETE results naming the failing rows by ``id``, for batches of up to ``rows`` rows.

    On SQL, GX caps the failing-row list at ``partial_unexpected_count`` even for COMPLETE
    (``map_condition_auxilliary_methods.py``), so the cap must cover the whole batch.
    """
    return {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": ["id"],
        "partial_unexpected_count": max(20, rows),
    }


class QualityCheckError(RuntimeError):
    """An expectation could not be evaluated (a bug or a database problem, not bad data)."""


@dataclass
class CheckpointOutcome:
    """Failing ids per check, and where the time went."""

    failures: Failures = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)


def suite_name(kind: str) -> str:
    """The expectation suite of ``kind`` (also the Data Docs page name)."""
    return f"chargebee_{kind}"


def _raised(result: Any) -> str | None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    for value in info.values():
        if isinstance(value, Mapping) and value.get("raised_exception"):
            return str(value.get("exception_message"))
    return None


def _failing_ids(kind: str, check: str, result: Any) -> set[str]:
    error = _raised(result)
    if error is not None:
        raise QualityCheckError(f"{check} could not run on the {kind} documents: {error}")
    details = result.result or {}
    ids = {str(entry["id"]) for entry in details.get("unexpected_index_list") or []}
    # Failing without naming (all) the rows would let bad documents through unnoticed.
    if not ids or len(ids) < int(details.get("unexpected_count") or 0):
        raise QualityCheckError(
            f"{check} failed on {details.get('unexpected_count')} {kind} documents but GX "
            f"named {len(ids)} of them"
        )
    return ids


def run_checkpoint(
    engine: Engine,
    batch: str,
    checks: Mapping[str, Sequence[Check]],
    docs_dir: Path,
    run_id: str,
    now: datetime,
    *,
    rows: int,
) -> CheckpointOutcome:
    """Validate ``batch`` (at most ``rows`` documents per kind) with one suite per kind in
    ``checks``; Data Docs go to ``docs_dir``."""
    outcome = CheckpointOutcome()
    started = time.perf_counter()
    context = build_context(docs_dir)
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    outcome.timings["gx_context"] = time.perf_counter() - started
    datasource = add_staging_datasource(context, engine)
    try:
        definitions = []
        for kind, kind_checks in checks.items():
            asset = datasource.add_query_asset(kind, query=asset_sql(kind, batch, engine.dialect))
            suite = context.suites.add(gx.ExpectationSuite(name=suite_name(kind)))
            for check in kind_checks:
                suite.add_expectation(build_expectation(check))
            definitions.append(
                context.validation_definitions.add(
                    gx.ValidationDefinition(
                        name=kind,
                        data=asset.add_batch_definition_whole_table(kind),
                        suite=suite,
                    )
                )
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name="chargebee_documents",
                validation_definitions=definitions,
                result_format=result_format(rows),
            )
        )
        ran = time.perf_counter()
        result = checkpoint.run(run_id=RunIdentifier(run_name=run_id, run_time=now))
        outcome.timings["gx_run"] = time.perf_counter() - ran
        built = time.perf_counter()
        # Once for all suites: GX's UpdateDataDocsAction rebuilds the whole site after every
        # validation definition, which costs a full site render per kind.
        context.build_data_docs(site_names=[DOCS_SITE])
        outcome.timings["data_docs"] = time.perf_counter() - built
    finally:
        dispose_datasource(datasource)
    names = {suite_name(kind): kind for kind in checks}
    for validation in result.run_results.values():
        kind = names[validation.suite_name]
        for item in validation.results:
            if item.success:
                continue
            name = str(item.expectation_config.meta["check"])
            outcome.failures[(kind, name)] = _failing_ids(kind, name, item)
    return outcome
