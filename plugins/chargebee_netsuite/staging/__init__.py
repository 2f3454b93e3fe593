"""Staging database: schema (SQLAlchemy Core), Alembic migrations and small query functions."""
