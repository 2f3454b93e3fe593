"""``ChargebeeHook``: an Airflow Connection of type ``chargebee`` → a read-only ChargebeeClient."""

from __future__ import annotations

from typing import Any

from airflow.providers.http.hooks.http import HttpHook
from requests import Session
from requests.auth import HTTPBasicAuth

from chargebee_netsuite.airflow.masking import mask_credential
from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.chargebee.errors import ChargebeeError
from chargebee_netsuite.chargebee.hosts import base_url_for
from chargebee_netsuite.chargebee.ratelimit import PLAN_LIMITS_PER_MINUTE

# Connection extras read by this hook (and therefore not sent as HTTP headers, which is what
# HttpHook does with every other extra).
CHARGEBEE_EXTRAS = (
    "environment",
    "region",
    "base_url",
    "plan",
    "rate_limit_per_minute",
    "rate_limit_window_seconds",
    "rate_limit_budget_seconds",
    "max_concurrency",
    "timeout",
    "max_attempts",
)


class ChargebeeHook(HttpHook):
    """Chargebee API access from an Airflow Connection.

    Connection fields: ``login`` = site name (e.g. ``acme``), ``password`` = API key, optional
    ``host`` (with scheme and port) as a base-URL override. Extras: ``environment``
    (``live``/``test``), ``region`` (``us``/``eu``/``au``), ``base_url`` (override, e.g. the
    sandbox), ``plan`` (``starter``/``performance``/``enterprise``) or an explicit
    ``rate_limit_per_minute`` (150 / 1000 / 3500 by plan), ``rate_limit_budget_seconds``
    (how long 429s are retried, default 900), ``max_concurrency``, ``timeout``,
    ``max_attempts``.

    Built on ``HttpHook`` for connection lookup and URL handling; Basic auth is the API key
    with an empty password, and only GET is ever sent. Like every hook, ``__init__`` does
    no I/O: the connection is read when a client is asked for. The connection form (labels,
    extra fields) is declared in ``chargebee_netsuite.airflow.provider``, the Airflow 3.2+ way;
    the API key is registered with the secrets masker as soon as it is read.
    """

    conn_name_attr = "chargebee_conn_id"
    default_conn_name = "chargebee_default"
    conn_type = "chargebee"
    hook_name = "Chargebee"

    def __init__(self, chargebee_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(method="GET", http_conn_id=chargebee_conn_id, **kwargs)
        self.chargebee_conn_id = chargebee_conn_id

    def get_settings(self) -> ChargebeeSettings:
        """Client settings from the connection (reads the connection; the key stays inside)."""
        conn = self.get_connection(self.http_conn_id)
        extra = conn.extra_dejson
        if not conn.login:
            raise ValueError(
                f"Connection '{self.http_conn_id}' needs the Chargebee site name in 'login'"
            )
        if not conn.password:
            raise ValueError(
                f"Connection '{self.http_conn_id}' needs the Chargebee API key in 'password'"
            )
        mask_credential(conn.password)
        base_url = extra.get("base_url")
        if not base_url and conn.host:
            # HttpHook's own convention: host with scheme, or schema://host[:port].
            host = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
            base_url = f"{host}:{conn.port}" if conn.port else host
        optional: dict[str, Any] = {}
        if extra.get("plan") is not None:
            plan = str(extra["plan"]).lower()
            if plan not in PLAN_LIMITS_PER_MINUTE:
                known = ", ".join(PLAN_LIMITS_PER_MINUTE)
                raise ValueError(f"unknown Chargebee plan {plan!r} in extras; one of: {known}")
            optional["rate_limit_per_minute"] = PLAN_LIMITS_PER_MINUTE[plan]
        for key, kind in (
            ("rate_limit_per_minute", int),
            ("rate_limit_window_seconds", float),
            ("rate_limit_budget_seconds", float),
            ("max_concurrency", int),
            ("max_attempts", int),
        ):
            if extra.get(key) is not None:
                optional[key] = kind(extra[key])
        if extra.get("timeout") is not None:
            optional["read_timeout"] = float(extra["timeout"])
        return ChargebeeSettings(
            site=conn.login,
            api_key=conn.password,
            environment=str(extra.get("environment", "live")),
            region=str(extra.get("region", "us")),
            base_url=base_url,
            **optional,
        )

    def get_client(self) -> ChargebeeClient:
        """A ``ChargebeeClient`` for the connection; close it (or use ``with``) when done."""
        return ChargebeeClient(self.get_settings())

    # -- HttpHook integration: correct base URL and auth for the inherited requests session ---

    def _set_base_url(self, connection: Any) -> None:
        settings = self.get_settings()
        self.base_url = base_url_for(
            settings.site, settings.environment, settings.region, settings.base_url
        )
        self._srv_lookup_enabled = False
        self._base_url_initialized = True

    def _extract_auth(self, connection: Any) -> Any | None:
        # The API key is the user name; the password is empty.
        return HTTPBasicAuth(connection.password or "", "")

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> Session:
        """A requests session for ad-hoc GETs (prefer :meth:`get_client`)."""
        session = super().get_conn(headers, extra_options)
        for key in CHARGEBEE_EXTRAS:
            session.headers.pop(key, None)
        return session

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """HttpHook's ``run``, restricted to GET: Chargebee is never written to."""
        if self.method != "GET":
            raise ValueError("ChargebeeHook is read-only; only GET requests are allowed")
        return super().run(*args, **kwargs)

    def test_connection(self) -> tuple[bool, str]:
        """List one customer to prove the site, key and region fit together.

        Returns ``(ok, message)``; the message names the site and the failure, never the key.
        """
        try:
            with self.get_client() as client:
                client.get("/customers", {"limit": "1"})
        except (ChargebeeError, ValueError) as exc:
            return False, str(exc)
        return True, "Chargebee connection works"
