"""Revision 0006 creates exactly the reconciliation tables the code uses."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from chargebee_netsuite.staging import reconcile_tables
from chargebee_netsuite.staging.db import create_staging_engine, migrate


def test_the_revision_matches_the_tables(sqlite_url: str) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    names = {"recon_runs", "recon_findings"}
    assert names <= set(inspect(engine).get_table_names())
    ours = MetaData()
    for table in (reconcile_tables.recon_runs, reconcile_tables.recon_findings):
        table.to_metadata(ours)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ours)

    def table_of(item: tuple) -> str:
        obj = item[1]
        return str(getattr(obj, "name", "") if item[0].endswith("_table") else obj.table.name)

    assert [d for d in diff if isinstance(d, tuple) and table_of(d) in names] == []
    engine.dispose()
