"""The reference-data migration matches the table module, on SQLite and Postgres."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from chargebee_netsuite.reference.store import read_reference_data, replace_snapshot
from chargebee_netsuite.staging.db import alembic_config, create_staging_engine, migrate
from chargebee_netsuite.staging.netsuite_reference_tables import REFERENCE_TABLES
from chargebee_netsuite.staging.schema import metadata

OURS = {table.name for table in REFERENCE_TABLES.values()} | {"ns_ref_snapshot"}


def test_migration_creates_exactly_the_declared_tables(staging_url: str) -> None:
    engine = create_staging_engine(staging_url)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= OURS
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)

    # Other branches' tables may be absent from this metadata; judge only ours.
    ours = [entry for entry in diff if any(f"'{name}'" in repr(entry) for name in OURS)]
    assert ours == []
    engine.dispose()


def test_downgrade_drops_only_the_reference_tables(sqlite_url: str) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003_netsuite_reference@0001_base")
    assert not OURS & set(inspect(engine).get_table_names())
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= OURS
    engine.dispose()


def test_a_failing_write_keeps_the_old_snapshot(sqlite_url: str) -> None:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    row = {
        "id": "1",
        "name": "US Dollar",
        "symbol": "USD",
        "isbasecurrency": True,
        "isinactive": False,
    }
    replace_snapshot(engine, {"currency": [row]})
    broken = [{**row, "id": "2"}, {**row, "id": "2"}]  # duplicate primary key
    with pytest.raises(IntegrityError):
        replace_snapshot(engine, {"currency": broken}, pulled_at=datetime.now(UTC))
    currencies = read_reference_data(engine).of_kind("currency")
    assert list(currencies) == ["1"]
    with pytest.raises(ValueError, match="unknown reference kinds"):
        replace_snapshot(engine, {"customer": []})
    engine.dispose()
