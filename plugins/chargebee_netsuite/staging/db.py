"""Staging engines (SQLite by default, Postgres in production) and schema migration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

MIGRATIONS = Path(__file__).with_name("migrations")


def create_staging_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for the staging database at ``url``.

    ``postgresql://`` URLs get the psycopg 3 driver (the project's one Postgres driver). SQLite
    gets WAL and a busy timeout so that parallel Airflow tasks wait for each other instead of
    failing with "database is locked".
    """
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def migrate(engine: Engine) -> None:
    """Bring the staging schema at ``engine`` to the newest revision of every branch."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        # "heads": the staging and reference-data branches evolve independently.
        command.upgrade(config, "heads")
