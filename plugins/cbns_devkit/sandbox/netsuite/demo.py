"""A short demo against a running sandbox: mint a token, upsert by eid:, read back, SuiteQL."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec


def client_assertion(section: dict[str, Any], lifetime: int = 300) -> str:
    """Sign the client-credentials JWT with the generated private key (PS256 or ES256)."""
    pem = Path(section["private_key_path"]).read_bytes()
    key = serialization.load_pem_private_key(pem, password=None)
    alg = "ES256" if isinstance(key, ec.EllipticCurvePrivateKey) else "PS256"
    now = int(time.time())
    return jwt.encode(
        {
            "iss": section["client_id"],
            "scope": ["rest_webservices"],
            "aud": section["token_url"],
            "iat": now,
            "exp": now + lifetime,
            "jti": str(uuid.uuid4()),
        },
        key,  # type: ignore[arg-type]
        algorithm=alg,
        headers={"kid": section["certificate_id"], "typ": "JWT"},
    )


def mint_token(client: httpx.Client, section: dict[str, Any]) -> dict[str, Any]:
    """POST the assertion to the token endpoint; returns the token response."""
    response = client.post(
        section["token_url"],
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(section),
        },
    )
    response.raise_for_status()
    body: dict[str, Any] = response.json()
    return body


def run_demo(section: dict[str, Any]) -> Iterator[str]:
    """Yield human-readable lines, each the outcome of a real HTTP request."""
    rest = f"{section['base_url']}/services/rest"
    with httpx.Client(timeout=10) as client:
        token = mint_token(client, section)
        # Never print the token itself.
        yield (
            f"netsuite: minted an access token ({len(token['access_token'])} chars, "
            f"{token['token_type']}, expires in {token['expires_in']} s, no refresh token)"
        )
        client.headers["Authorization"] = f"Bearer {token['access_token']}"
        eid = "demo-customer-0001"
        put = client.put(
            f"{rest}/record/v1/customer/eid:{eid}",
            json={
                "companyName": "Acme Analytics Ltd",
                "email": "ap@acme.example",
                "subsidiary": {"id": "1"},
                "currency": {"id": "1"},
            },
        )
        put.raise_for_status()
        location = put.headers["location"]
        yield f"netsuite: PUT customer/eid:{eid} -> {put.status_code}, Location {location}"
        got = client.get(f"{rest}/record/v1/customer/eid:{eid}")
        got.raise_for_status()
        record = got.json()
        yield (
            f"netsuite: GET customer/eid:{eid} -> id {record['id']}, "
            f"{record['companyName']!r}, subsidiary {record['subsidiary']['refName']!r}"
        )
        inv = client.put(
            f"{rest}/record/v1/invoice/eid:demo-invoice-0001",
            json={
                "entity": {"externalId": eid},
                "tranDate": time.strftime("%Y-%m-%d"),
                "item": {
                    "items": [
                        {"item": {"id": "2"}, "quantity": 1, "rate": 499.00},
                        {"item": {"id": "8"}, "amount": -49.90},
                    ]
                },
            },
        )
        inv.raise_for_status()
        query = client.post(
            f"{rest}/query/v1/suiteql?limit=5",
            headers={"Prefer": "transient"},
            json={
                "q": "SELECT t.tranid, t.foreigntotal, BUILTIN.DF(t.status) AS status, "
                "c.companyname FROM transaction t JOIN customer c ON c.id = t.entity "
                "WHERE t.externalid = 'demo-invoice-0001'",
            },
        )
        query.raise_for_status()
        page = query.json()
        for row in page["items"]:
            yield (
                f"netsuite: SuiteQL -> invoice {row['tranid']} for {row['companyname']}: "
                f"total {row['foreigntotal']} ({row['status']}), {page['totalResults']} row(s)"
            )
