"""``ChargebeeHook``: an Airflow Connection of type ``chargebee`` → a read-only ChargebeeClient."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook, Connection

from chargebee_netsuite.airflow.masking import mask_credential
from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.chargebee.errors import ChargebeeError
from chargebee_netsuite.chargebee.ratelimit import PLAN_LIMITS_PER_MINUTE

# Numeric connection extras and the setting each one sets.
NUMBER_EXTRAS: tuple[tuple[str, str, type[int] | type[float]], ...] = (
    ("rate_limit_per_minute", "rate_limit_per_minute", int),
    ("rate_limit_window_seconds", "rate_limit_window_seconds", float),
    ("rate_limit_budget_seconds", "rate_limit_budget_seconds", float),
    ("max_concurrency", "max_concurrency", int),
    ("max_attempts", "max_attempts", int),
    ("timeout", "read_timeout", float),
)


def chargebee_settings(conn: Connection) -> ChargebeeSettings:
    """Client settings from a ``chargebee`` Connection; errors name the field, never the key.

    ``login`` is the site, ``password`` the API key; ``host`` (with scheme and port) or the
    ``base_url`` extra overrides the derived URL. Pure: no lookup, no masking.
    """
    where = f"Connection '{conn.conn_id}'"
    if not conn.login:
        raise ValueError(f"{where} needs the Chargebee site name in 'login'")
    if not conn.password:
        raise ValueError(f"{where} needs the Chargebee API key in 'password'")
    extra: dict[str, Any] = conn.extra_dejson
    base_url = extra.get("base_url")
    if not base_url and conn.host:
        # Airflow's HTTP convention: host with scheme, or schema://host[:port].
        host = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
        base_url = f"{host}:{conn.port}" if conn.port else host
    options: dict[str, Any] = {}
    if extra.get("plan") is not None:
        plan = str(extra["plan"]).lower()
        if plan not in PLAN_LIMITS_PER_MINUTE:
            known = ", ".join(PLAN_LIMITS_PER_MINUTE)
            raise ValueError(f"unknown Chargebee plan {plan!r} in extras; one of: {known}")
        options["rate_limit_per_minute"] = PLAN_LIMITS_PER_MINUTE[plan]
    for name, setting, convert in NUMBER_EXTRAS:
        if extra.get(name) is not None:
            options[setting] = convert(extra[name])
    return ChargebeeSettings(
        site=conn.login,
        api_key=conn.password,
        environment=str(extra.get("environment", "live")),
        region=str(extra.get("region", "us")),
        base_url=base_url,
        **options,
    )


class ChargebeeHook(BaseHook):
    """Chargebee API access from an Airflow Connection.

    Connection fields: ``login`` = site name (e.g. ``acme``), ``password`` = API key, optional
    ``host`` (with scheme and port) as a base-URL override. Extras: ``environment``
    (``live``/``test``), ``region`` (``us``/``eu``/``au``), ``base_url`` (override, e.g. the
    sandbox), ``plan`` (``starter``/``performance``/``enterprise``) or an explicit
    ``rate_limit_per_minute`` (150 / 1000 / 3500 by plan), ``rate_limit_budget_seconds``
    (how long 429s are retried, default 900), ``max_concurrency``, ``timeout``,
    ``max_attempts``.

    Like every hook, ``__init__`` does no I/O and the hook holds no client: each
    :meth:`get_conn` reads the connection and builds one. The connection form (labels, extra
    fields) is declared in ``chargebee_netsuite.airflow.provider``, the Airflow 3.2+ way; the
    API key is registered with the secrets masker as soon as it is read.
    """

    conn_name_attr = "chargebee_conn_id"
    default_conn_name = "chargebee_default"
    conn_type = "chargebee"
    hook_name = "Chargebee"

    def __init__(self, chargebee_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.chargebee_conn_id = chargebee_conn_id

    def get_settings(self) -> ChargebeeSettings:
        """Client settings from the connection (reads the connection; the key stays inside)."""
        settings = chargebee_settings(self.get_connection(self.chargebee_conn_id))
        mask_credential(settings.api_key)
        return settings

    def get_conn(self) -> ChargebeeClient:
        """A read-only ``ChargebeeClient`` for the connection; close it (or use ``with``)."""
        return ChargebeeClient(self.get_settings())

    def test_connection(self) -> tuple[bool, str]:
        """List one customer to prove the site, key and region fit together.

        Returns ``(ok, message)``; the message names the site and the failure, never the key.
        """
        try:
            with self.get_conn() as client:
                client.get("/customers", {"limit": "1"})
        except (ChargebeeError, ValueError) as exc:
            return False, str(exc)
        return True, "Chargebee connection works"
