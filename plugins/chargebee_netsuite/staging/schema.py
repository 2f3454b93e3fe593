"""The staging schema's shared MetaData; each table lives in the module named for it."""

from sqlalchemy import MetaData

# A naming convention makes constraint names deterministic on SQLite and Postgres alike, which
# Alembic needs to alter or drop them later.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)
