"""Alembic environment: runs on the connection handed over by ``staging.db.migrate``."""

from alembic import context
from sqlalchemy import create_engine

from chargebee_netsuite.staging.schema import metadata

config = context.config
connection = config.attributes.get("connection")

if connection is not None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    # `alembic -x url=... revision --autogenerate` from a shell; the URL is always explicit.
    url = context.get_x_argument(as_dictionary=True)["url"]
    with create_engine(url).connect() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
