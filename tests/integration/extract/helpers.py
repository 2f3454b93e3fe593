"""Comparisons between the sandbox's export and what staging holds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select

from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

SITE = "acme-test"


def sandbox_versions(export: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """``{resource: {id: resource_version}}`` of the sandbox's current records."""
    return {
        resource: {doc["id"]: doc.get("resource_version") for doc in export[resource]}
        for resource in DOCUMENT_TABLES
    }


def staged_rows(engine: Engine, resource: str) -> dict[str, Any]:
    """``{id: row}`` of one staging table for the sandbox site."""
    table = DOCUMENT_TABLES[resource]
    with engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(table).where(table.c.site == SITE))}


def staged_versions(engine: Engine) -> dict[str, dict[str, Any]]:
    """``{resource: {id: resource_version}}`` of staging."""
    return {
        resource: {i: r.resource_version for i, r in staged_rows(engine, resource).items()}
        for resource in DOCUMENT_TABLES
    }


def assert_staging_matches(engine: Engine, export: dict[str, list[dict[str, Any]]]) -> None:
    """Staging holds exactly the sandbox's documents, newest versions, lines complete."""
    expected = sandbox_versions(export)
    got = staged_versions(engine)
    for resource in DOCUMENT_TABLES:
        assert set(got[resource]) == set(expected[resource]), resource
        stale = {i for i, v in expected[resource].items() if got[resource][i] != v}
        assert not stale, f"{resource}: {len(stale)} stale, e.g. {sorted(stale)[:3]}"
    for resource in ("invoices", "credit_notes"):
        rows = staged_rows(engine, resource)
        for doc in export[resource]:
            row = rows[doc["id"]]
            assert row.lines_complete, f"{resource} {doc['id']} incomplete"
            assert row.line_count == len(doc.get("line_items", [])), doc["id"]
            assert row.deleted == bool(doc.get("deleted")), doc["id"]
