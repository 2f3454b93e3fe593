"""``NetSuiteHook``: an Airflow Connection of type ``netsuite`` -> a :class:`NetSuiteClient`."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook

from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, NetSuiteError, Secret
from chargebee_netsuite.netsuite.config import ConcurrencySetting, parse_scope

# Connection extras this hook reads.
NETSUITE_EXTRAS = (
    "client_id",
    "certificate_id",
    "private_key",
    "algorithm",
    "scope",
    "base_url",
    "concurrency",
    "timeout",
    "max_attempts",
)


class NetSuiteHook(BaseHook):
    """NetSuite REST access (OAuth 2.0 client credentials) from an Airflow Connection.

    Connection fields: ``login`` = account id (e.g. ``1234567_SB1``). Extras: ``client_id``,
    ``certificate_id``, ``private_key`` (PEM; ``password`` is used when the extra is absent),
    ``algorithm`` (``PS256`` default, or ``ES256``…; never RS256), ``scope``
    (default ``rest_webservices``), ``base_url`` (override, e.g. the sandbox), ``concurrency``
    (default 5, or ``"governance"`` to read governanceLimits), ``timeout``, ``max_attempts``.

    Airflow masks ``password`` and extras named ``private_key`` in logs and the UI. Like every
    hook, ``__init__`` does no I/O: the connection is read when the client is first asked for.
    """

    conn_name_attr = "netsuite_conn_id"
    default_conn_name = "netsuite_default"
    conn_type = "netsuite"
    hook_name = "NetSuite"

    def __init__(self, netsuite_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.netsuite_conn_id = netsuite_conn_id
        self._client: NetSuiteClient | None = None

    def get_config(self) -> NetSuiteConfig:
        """Client settings from the connection; errors name the missing field, never a value."""
        conn = self.get_connection(self.netsuite_conn_id)
        extra: dict[str, Any] = conn.extra_dejson
        where = f"Connection '{self.netsuite_conn_id}'"
        if not conn.login:
            raise ValueError(f"{where} needs the NetSuite account id in 'login'")
        for name in ("client_id", "certificate_id"):
            if not extra.get(name):
                raise ValueError(f"{where} needs '{name}' in its extras")
        pem = extra.get("private_key") or conn.password
        if not pem:
            raise ValueError(f"{where} needs the PEM private key in the 'private_key' extra")
        if "\\n" in pem and "\n" not in pem:
            # A key pasted into a one-line field keeps its line breaks as literal "\n".
            pem = pem.replace("\\n", "\n")
        options: dict[str, Any] = {}
        for name, convert in (("timeout", float), ("max_attempts", int)):
            if extra.get(name) not in (None, ""):
                options[name] = convert(extra[name])
        return NetSuiteConfig(
            account_id=conn.login,
            client_id=str(extra["client_id"]),
            certificate_id=str(extra["certificate_id"]),
            private_key=Secret(pem),
            algorithm=str(extra.get("algorithm") or "PS256"),
            scope=parse_scope(extra.get("scope") or "rest_webservices"),
            base_url=extra.get("base_url") or None,
            concurrency=_concurrency(extra.get("concurrency")),
            **options,
        )

    def get_conn(self) -> NetSuiteClient:
        """The client for this connection (built once per hook instance)."""
        if self._client is None:
            self._client = NetSuiteClient(self.get_config())
        return self._client

    def test_connection(self) -> tuple[bool, str]:
        """Mint an access token: proves the account, client id, certificate and key agree."""
        try:
            self.get_conn().tokens.token()
        except (NetSuiteError, ValueError) as exc:
            return False, str(exc)
        return True, "NetSuite issued an access token for this connection."


def _concurrency(raw: Any) -> ConcurrencySetting:
    if raw in (None, ""):
        return 5
    if isinstance(raw, str) and raw.strip().lower() == "governance":
        return "governance"
    return int(raw)
