"""``NetSuiteHook``: an Airflow Connection of type ``netsuite`` -> a :class:`NetSuiteClient`."""

from __future__ import annotations

from typing import Any

from airflow.sdk import BaseHook, Connection

from chargebee_netsuite.airflow.masking import mask_credential
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, NetSuiteError, Secret
from chargebee_netsuite.netsuite.config import ConcurrencySetting, parse_scope
from chargebee_netsuite.netsuite.suiteql_literals import build

# Numeric connection extras and how each is read.
NUMBER_EXTRAS: tuple[tuple[str, type[int] | type[float]], ...] = (
    ("timeout", float),
    ("max_attempts", int),
    ("backoff_base", float),
    ("backoff_cap", float),
)


def netsuite_config(conn: Connection) -> NetSuiteConfig:
    """Client settings from a ``netsuite`` Connection; errors name the field, never a value.

    ``login`` is the account id; the extras hold the client id, certificate id and PEM key
    (``password`` is read when the ``private_key`` extra is absent). Pure: no lookup, no masking.
    """
    extra: dict[str, Any] = conn.extra_dejson
    where = f"Connection '{conn.conn_id}'"
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
    options: dict[str, Any] = {
        name: convert(extra[name])
        for name, convert in NUMBER_EXTRAS
        if extra.get(name) not in (None, "")
    }
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


class NetSuiteHook(BaseHook):
    """NetSuite REST access (OAuth 2.0 client credentials) from an Airflow Connection.

    Connection fields: ``login`` = account id (e.g. ``1234567_SB1``). Extras: ``client_id``,
    ``certificate_id``, ``private_key`` (PEM; ``password`` is used when the extra is absent),
    ``algorithm`` (``PS256`` default, or ``ES256``…; never RS256), ``scope``
    (default ``rest_webservices``), ``base_url`` (override, e.g. the sandbox), ``concurrency``
    (default 5, or ``"governance"`` to read governanceLimits), ``timeout``, ``max_attempts``,
    ``backoff_base`` and ``backoff_cap`` (seconds between retried requests).

    The private key (whole and line by line) and every bearer token the client mints are
    registered with Airflow's secrets masker. The connection form is declared in
    ``chargebee_netsuite.airflow.provider``. Like every hook, ``__init__`` does no I/O and the
    hook holds no client: each :meth:`get_conn` reads the connection and builds one.
    """

    conn_name_attr = "netsuite_conn_id"
    default_conn_name = "netsuite_default"
    conn_type = "netsuite"
    hook_name = "NetSuite"

    def __init__(self, netsuite_conn_id: str = default_conn_name, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.netsuite_conn_id = netsuite_conn_id

    def get_config(self) -> NetSuiteConfig:
        """Client settings from the connection (reads the connection; the key stays inside)."""
        config = netsuite_config(self.get_connection(self.netsuite_conn_id))
        mask_credential(config.private_key.reveal())
        return config

    def get_conn(self) -> NetSuiteClient:
        """A ``NetSuiteClient`` for the connection; close it (or use ``with``) when done."""
        return NetSuiteClient(
            self.get_config(), on_mint=lambda token: mask_credential(token.reveal())
        )

    def test_connection(self) -> tuple[bool, str]:
        """Mint a token and run a one-row SuiteQL query, as the sync itself will.

        The token proves the account, client id, certificate and key agree; the query proves
        the integration's role may use REST web services and SuiteQL. Returns
        ``(ok, message)``; the message never contains the key or the token.
        """
        try:
            with self.get_conn() as client:
                client.tokens.token()
                client.suiteql.page(build("SELECT id FROM subsidiary"), limit=1)
        except (NetSuiteError, ValueError) as exc:
            return False, str(exc)
        return True, "NetSuite issued an access token for this connection."


def _concurrency(raw: Any) -> ConcurrencySetting:
    if raw in (None, ""):
        return 5
    if isinstance(raw, str) and raw.strip().lower() == "governance":
        return "governance"
    return int(raw)
