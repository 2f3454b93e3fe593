"""The quarantine table the code uses is the one the migrations build (0005 + 0012)."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, inspect

from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.staging.quality_tables import dq_quarantine


def _table_of(item: Any) -> str:
    """The table a schema difference is about (column changes come as lists of tuples)."""
    if isinstance(item, list):
        return str(item[0][2])
    obj = item[1]
    if item[0].endswith("_table"):
        return str(obj.name)
    if item[0].endswith("_column"):
        return str(item[2])
    return str(obj.table.name)


def test_the_migrations_build_the_quarantine_table_with_first_seen(staging_url: str) -> None:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    ours = MetaData()
    dq_quarantine.to_metadata(ours)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ours)
    assert [d for d in diff if _table_of(d) == "dq_quarantine"] == []
    assert "first_seen_at" in {c["name"] for c in inspect(engine).get_columns("dq_quarantine")}
    engine.dispose()
