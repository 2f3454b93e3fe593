"""One-shot set-up run by the compose ``airflow-init`` service after ``airflow db migrate``.

It brings the staging database to the newest Alembic revision, creates or resizes the API pools
and writes the Chargebee, NetSuite and webhook connections from environment variables into the
metadata DB (where Airflow encrypts them with the Fernet key). Every step is idempotent: running
it again after changing ``.env`` converges to the new values.

Usage: ``python deploy/bootstrap.py [--skip-staging] [--skip-pools] [--skip-connections]``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHARGEBEE_POOL = "chargebee_api"
NETSUITE_POOL = "netsuite_api"


@dataclass(frozen=True)
class PoolSpec:
    """A pool the sync DAG's API tasks run in."""

    name: str
    slots: int
    description: str


@dataclass(frozen=True)
class ConnectionSpec:
    """Where one connection's fields come from: ``{field: ENV_VAR}`` plus the required subset."""

    conn_id: str
    conn_type: str
    fields: Mapping[str, str]
    extras: Mapping[str, str]
    required: tuple[str, ...]
    description: str


CONNECTIONS = (
    ConnectionSpec(
        conn_id="chargebee_default",
        conn_type="chargebee",
        fields={"login": "CBNS_CHARGEBEE_SITE", "password": "CBNS_CHARGEBEE_API_KEY"},
        extras={
            "environment": "CBNS_CHARGEBEE_ENVIRONMENT",
            "region": "CBNS_CHARGEBEE_REGION",
            "plan": "CBNS_CHARGEBEE_PLAN",
            "base_url": "CBNS_CHARGEBEE_BASE_URL",
        },
        required=("CBNS_CHARGEBEE_SITE", "CBNS_CHARGEBEE_API_KEY"),
        description="Chargebee site (read-only API key); written by the compose init service",
    ),
    ConnectionSpec(
        conn_id="netsuite_default",
        conn_type="netsuite",
        fields={"login": "CBNS_NETSUITE_ACCOUNT_ID"},
        extras={
            "client_id": "CBNS_NETSUITE_CLIENT_ID",
            "certificate_id": "CBNS_NETSUITE_CERTIFICATE_ID",
            "private_key": "CBNS_NETSUITE_PRIVATE_KEY",
            "algorithm": "CBNS_NETSUITE_ALGORITHM",
            "concurrency": "CBNS_NETSUITE_CONCURRENCY",
            "base_url": "CBNS_NETSUITE_BASE_URL",
        },
        required=(
            "CBNS_NETSUITE_ACCOUNT_ID",
            "CBNS_NETSUITE_CLIENT_ID",
            "CBNS_NETSUITE_CERTIFICATE_ID",
            "CBNS_NETSUITE_PRIVATE_KEY",
        ),
        description="NetSuite OAuth 2.0 M2M integration; written by the compose init service",
    ),
    ConnectionSpec(
        conn_id="chargebee_webhook",
        conn_type="generic",
        fields={"login": "CBNS_WEBHOOK_USERNAME", "password": "CBNS_WEBHOOK_PASSWORD"},
        # Defaults to the site of chargebee_default when unset.
        extras={"site": "CBNS_WEBHOOK_SITE"},
        required=("CBNS_WEBHOOK_USERNAME", "CBNS_WEBHOOK_PASSWORD"),
        description="Basic auth Chargebee must send to the webhook route",
    ),
)


class ConfigError(ValueError):
    """The environment describes a half-configured connection or an invalid pool size."""


def _env_value(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if name == "CBNS_NETSUITE_PRIVATE_KEY":
        if not value and env.get("CBNS_NETSUITE_PRIVATE_KEY_FILE", "").strip():
            value = Path(env["CBNS_NETSUITE_PRIVATE_KEY_FILE"].strip()).read_text().strip()
        # .env files hold one line per variable: a PEM there keeps its breaks as literal "\n".
        value = value.replace("\\n", "\n")
    return value


def connections_from_env(env: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Connection definitions (``Connection`` keyword arguments) for the variables that are set.

    A connection none of whose required variables is set is left out: it is then expected to
    come from the UI or a secrets backend. One with only some of them set is an error naming
    the missing variables, so a typo in ``.env`` cannot silently disable a connection.
    """
    connections: dict[str, dict[str, Any]] = {}
    for spec in CONNECTIONS:
        present = [name for name in spec.required if _env_value(env, name)]
        if not present:
            continue
        missing = [name for name in spec.required if name not in present]
        if missing:
            raise ConfigError(
                f"connection '{spec.conn_id}' is half configured: set {', '.join(missing)} "
                f"in .env as well, or clear {', '.join(present)} to manage it elsewhere"
            )
        definition: dict[str, Any] = {
            "conn_id": spec.conn_id,
            "conn_type": spec.conn_type,
            "description": spec.description,
        }
        for field, name in spec.fields.items():
            definition[field] = _env_value(env, name)
        extra = {key: _env_value(env, name) for key, name in spec.extras.items()}
        extra = {key: value for key, value in extra.items() if value}
        if extra:
            definition["extra"] = json.dumps(extra)
        connections[spec.conn_id] = definition
    return connections


def pools_from_env(env: Mapping[str, str]) -> list[PoolSpec]:
    """The two API pools: the package's defaults, unless ``CBNS_*_POOL_SLOTS`` overrides them.

    By default ``chargebee_api`` follows the Chargebee plan's request limit
    (``CBNS_CHARGEBEE_PLAN``, starter when unset) and ``netsuite_api`` has one slot: the one
    NetSuite writer keeps the connection's ``concurrency`` requests in flight
    (``chargebee_netsuite.airflow.pools``).
    """
    from chargebee_netsuite.airflow.pools import pool_specs
    from chargebee_netsuite.chargebee.ratelimit import PLAN_LIMITS_PER_MINUTE

    plan = env.get("CBNS_CHARGEBEE_PLAN", "").strip().lower() or "starter"
    if plan not in PLAN_LIMITS_PER_MINUTE:
        known = ", ".join(PLAN_LIMITS_PER_MINUTE)
        raise ConfigError(f"CBNS_CHARGEBEE_PLAN must be one of {known}, not {plan!r}")
    overrides = {
        CHARGEBEE_POOL: "CBNS_CHARGEBEE_POOL_SLOTS",
        NETSUITE_POOL: "CBNS_NETSUITE_POOL_SLOTS",
    }
    specs = []
    for default in pool_specs(PLAN_LIMITS_PER_MINUTE[plan]):
        variable = overrides[default.name]
        raw = env.get(variable, "").strip()
        if not raw:
            specs.append(PoolSpec(default.name, default.slots, default.description))
            continue
        try:
            slots = int(raw)
        except ValueError:
            raise ConfigError(f"{variable} must be a whole number of slots, not {raw!r}") from None
        if slots < 1:
            raise ConfigError(f"{variable} must be at least 1, not {slots}")
        specs.append(PoolSpec(default.name, slots, f"{default.description} (set by {variable})"))
    return specs


def staging_url(env: Mapping[str, str]) -> str:
    """The staging database URL, resolved the same way the DAGs resolve it."""
    from chargebee_netsuite.airflow.settings import staging_url as resolve

    return env.get("CBNS_STAGING_URL", "").strip() or resolve()


def migrate_staging(url: str) -> None:
    """Bring the staging schema to the newest revision (Alembic, idempotent)."""
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    engine = create_staging_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()


def apply_pools(pools: Sequence[PoolSpec]) -> None:
    """Create each pool, or resize it to the configured slots."""
    from airflow.models.pool import Pool
    from airflow.utils.session import create_session

    with create_session() as session:
        for pool in pools:
            Pool.create_or_update_pool(
                pool.name, pool.slots, pool.description, include_deferred=False, session=session
            )


def apply_connections(connections: Mapping[str, Mapping[str, Any]]) -> None:
    """Insert or overwrite each connection in the metadata DB (encrypted with the Fernet key)."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        for conn_id, definition in connections.items():
            existing = session.scalar(select(Connection).where(Connection.conn_id == conn_id))
            if existing is None:
                session.add(Connection(**definition))
                continue
            # Overwrite every field so a value removed from .env is removed here too.
            for field in ("conn_type", "description", "host", "schema", "port"):
                setattr(existing, field, definition.get(field))
            existing.login = definition.get("login")
            existing.set_password(definition.get("password"))
            existing.set_extra(definition.get("extra"))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-staging", action="store_true", help="do not migrate staging")
    parser.add_argument("--skip-pools", action="store_true", help="do not touch the pools")
    parser.add_argument("--skip-connections", action="store_true", help="write no connection")
    args = parser.parse_args(argv)
    env = dict(os.environ)
    try:
        # Validate everything before changing anything.
        pools = [] if args.skip_pools else pools_from_env(env)
        connections = {} if args.skip_connections else connections_from_env(env)
    except (ConfigError, OSError) as exc:
        print(f"cbns bootstrap: {exc}", file=sys.stderr)
        return 2
    if not args.skip_staging:
        url = staging_url(env)
        migrate_staging(url)
        print(f"cbns bootstrap: staging schema migrated ({url.split('://', 1)[0]})")
    if pools:
        apply_pools(pools)
        for pool in pools:
            print(f"cbns bootstrap: pool {pool.name} = {pool.slots} slots")
    if not args.skip_connections:
        apply_connections(connections)
        for spec in CONNECTIONS:
            state = "written" if spec.conn_id in connections else "left as is (variables empty)"
            print(f"cbns bootstrap: connection {spec.conn_id} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
