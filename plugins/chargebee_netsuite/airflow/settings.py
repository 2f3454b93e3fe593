"""Configuration from the environment and Airflow connections: a run's settings, the staging
database, the webhook receiver."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chargebee_netsuite.airflow.connection_ids import (
    CHARGEBEE_CONN_ID,
    NETSUITE_CONN_ID,
    STAGING_CONN_ID,
    WEBHOOK_CONN_ID,
)
from chargebee_netsuite.webhooks.config import ReceiverConfig, ReceiverNotConfigured

STAGING_URL_ENV = "CBNS_STAGING_URL"
MAPPING_PATH_ENV = "CBNS_MAPPING_PATH"
DEFAULT_STAGING_FILE = "cbns_staging.db"
DEFAULT_TIME_ZONE = "America/Los_Angeles"


def airflow_home() -> Path:
    """``$AIRFLOW_HOME``, or Airflow's own default ``~/airflow``."""
    return Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow")


@dataclass(frozen=True)
class SyncConfig:
    """Where a run reads and writes, from the environment of the Airflow components.

    ``CBNS_STAGING_URL`` (or the ``cbns_staging`` connection: :func:`staging_url`),
    ``CBNS_MAPPING_PATH`` (required: the mapping file),
    ``CBNS_NETSUITE_TIME_ZONE`` (the NetSuite account's time zone),
    ``CBNS_REPORTS_DIR`` (validation reports, Data Docs, reconciliation reports),
    ``CBNS_LINE_SERVICE_DATES`` (``1`` to send revRec dates per line).
    """

    staging_url: str
    mapping_path: Path
    time_zone: str
    reports_dir: Path
    line_service_dates: bool = False
    chargebee_conn_id: str = CHARGEBEE_CONN_ID
    netsuite_conn_id: str = NETSUITE_CONN_ID


def reports_dir() -> Path:
    """``$CBNS_REPORTS_DIR``, or ``$AIRFLOW_HOME/reports``."""
    return Path(os.environ.get("CBNS_REPORTS_DIR") or airflow_home() / "reports")


def sync_config(
    chargebee_conn_id: str = CHARGEBEE_CONN_ID, netsuite_conn_id: str = NETSUITE_CONN_ID
) -> SyncConfig:
    """The configuration for this process (read at run time, never at parse time)."""
    return SyncConfig(
        staging_url=staging_url(),
        mapping_path=mapping_path(),
        time_zone=os.environ.get("CBNS_NETSUITE_TIME_ZONE") or DEFAULT_TIME_ZONE,
        reports_dir=reports_dir(),
        line_service_dates=os.environ.get("CBNS_LINE_SERVICE_DATES", "0") == "1",
        chargebee_conn_id=chargebee_conn_id,
        netsuite_conn_id=netsuite_conn_id,
    )


def mapping_path() -> Path:
    """The mapping file named by ``CBNS_MAPPING_PATH``; there is no default to fall back on.

    A mapping decides which GL accounts every document posts to, so the connector never picks
    one by itself (the repository's ``include/mapping.example.yaml`` fits only the sandbox).
    """
    from chargebee_netsuite.errors import ConfigurationError

    value = os.environ.get(MAPPING_PATH_ENV, "").strip()
    if not value:
        raise ConfigurationError(
            f"{MAPPING_PATH_ENV} is not set: point it at your mapping file (start from "
            "include/mapping.example.yaml in the project repository)"
        )
    return Path(value)


def staging_url() -> str:
    """The SQLAlchemy URL of the staging database.

    In order: the ``CBNS_STAGING_URL`` environment variable; else the Airflow connection
    ``cbns_staging`` (a ``postgres`` or ``sqlite`` connection, or any connection whose extra
    holds ``url``); else ``sqlite:///$AIRFLOW_HOME/cbns_staging.db``. ``postgresql://`` URLs
    get the psycopg 3 driver from :func:`chargebee_netsuite.staging.db.create_staging_engine`.
    """
    from_env = os.environ.get(STAGING_URL_ENV, "").strip()
    if from_env:
        return from_env
    from_connection = _url_from_connection(STAGING_CONN_ID)
    if from_connection:
        return from_connection
    return f"sqlite:///{airflow_home() / DEFAULT_STAGING_FILE}"


def _url_from_connection(conn_id: str) -> str | None:
    """The URL an Airflow connection describes, or None when it is not defined."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None
    explicit = conn.extra_dejson.get("url")
    if explicit:
        return str(explicit)
    if conn.conn_type == "sqlite":
        return f"sqlite:///{conn.host}"
    uri = conn.get_uri()
    # Airflow writes postgres://, which SQLAlchemy does not accept.
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql://" + uri.removeprefix(prefix)
    return uri


def webhook_receiver_config(
    webhook_conn_id: str = WEBHOOK_CONN_ID, chargebee_conn_id: str = CHARGEBEE_CONN_ID
) -> ReceiverConfig:
    """The webhook receiver's settings from Airflow connections.

    ``chargebee_webhook``: ``login``/``password`` are the Basic-auth credentials configured on
    the Chargebee webhook; extra ``site`` names the Chargebee site the events belong to,
    defaulting to the ``login`` of ``chargebee_default`` (the site the extraction reads).
    Raises :class:`ReceiverNotConfigured` naming the connection and field that are missing.
    """
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(webhook_conn_id)
    except AirflowNotFoundException:
        raise ReceiverNotConfigured(
            f"define the Airflow connection '{webhook_conn_id}' with the webhook's Basic-auth "
            "user name in 'login' and password in 'password'"
        ) from None
    if not conn.login or not conn.password:
        raise ReceiverNotConfigured(
            f"connection '{webhook_conn_id}' needs both 'login' and 'password' (the Basic-auth "
            "credentials set on the Chargebee webhook)"
        )
    site = conn.extra_dejson.get("site")
    if not site:
        try:
            site = BaseHook.get_connection(chargebee_conn_id).login
        except AirflowNotFoundException:
            site = None
    if not site:
        raise ReceiverNotConfigured(
            f"set extra 'site' on connection '{webhook_conn_id}' (or define "
            f"'{chargebee_conn_id}' with the site in 'login')"
        )
    return ReceiverConfig(
        username=conn.login, password=conn.password, site=str(site), staging_url=staging_url()
    )
