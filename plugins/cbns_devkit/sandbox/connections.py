"""Airflow connections that point the hooks at the local sandboxes described by sandbox.json."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID


def connections_from_sandbox_state(state: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Connection JSON (the ``AIRFLOW_CONN_*`` value shape) for each sandbox in ``state``.

    ``state`` is the content of ``.sandbox/sandbox.json`` written by ``cbns-sandbox serve``.
    Returns ``{"chargebee_default": {...}, "netsuite_default": {...}}`` for the sandboxes
    present. The NetSuite private key is read from the PEM file the sandbox generated
    (``private_key_path``), unless the section already carries ``private_key``.
    """
    connections: dict[str, dict[str, Any]] = {}
    chargebee = state.get("chargebee")
    if chargebee:
        connections[CHARGEBEE_CONN_ID] = {
            "conn_type": "chargebee",
            "login": chargebee["site"],
            "password": chargebee["api_key"],
            "extra": {
                # The sandbox's test site is named "<site>-test", as on Chargebee.
                "environment": "test" if str(chargebee["site"]).endswith("-test") else "live",
                "base_url": chargebee["base_url"],
            },
        }
    netsuite = state.get("netsuite")
    if netsuite:
        private_key = netsuite.get("private_key") or Path(netsuite["private_key_path"]).read_text()
        connections[NETSUITE_CONN_ID] = {
            "conn_type": "netsuite",
            "login": netsuite["account_id"],
            "extra": {
                "client_id": netsuite["client_id"],
                "certificate_id": netsuite["certificate_id"],
                "private_key": private_key,
                "algorithm": netsuite.get("algorithm") or _algorithm_for(private_key),
                "base_url": netsuite["base_url"],
            },
        }
    return connections


def env_assignments(connections: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """``{"AIRFLOW_CONN_CHARGEBEE_DEFAULT": '<json>', ...}`` for the given connections."""
    return {
        f"AIRFLOW_CONN_{conn_id.upper()}": json.dumps(conn, separators=(",", ":"))
        for conn_id, conn in connections.items()
    }


def load_sandbox_state(path: Path) -> dict[str, Any]:
    """Read ``sandbox.json``; the error says how to create it when it is missing."""
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} not found: start the sandboxes first with `cbns-sandbox serve`"
        )
    state: dict[str, Any] = json.loads(path.read_text())
    return state


def _algorithm_for(private_key: str) -> str:
    # The sandbox generates RSA (PS256) or EC P-256 (ES256) keys; PKCS#8 PEMs do not say which
    # in their header, so ask the key itself.
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(private_key.encode(), password=None)
    return "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "PS256"
