"""Provider info: registers the ``chargebee`` and ``netsuite`` connection types with Airflow."""

from __future__ import annotations

from typing import Any

# Must equal the distribution name in pyproject.toml: Airflow refuses a provider whose
# ``package-name`` differs from the package that declared the entry point.
PACKAGE_NAME = "chargebee-netsuite"

CHARGEBEE_HOOK = "chargebee_netsuite.airflow.hooks.chargebee.ChargebeeHook"
NETSUITE_HOOK = "chargebee_netsuite.airflow.hooks.netsuite.NetSuiteHook"
_OPERATORS = "chargebee_netsuite.airflow.operators"
EXTRA_LINKS = [
    f"{_OPERATORS}.links.DataDocsLink",
    f"{_OPERATORS}.links.FinanceViewLink",
    f"{_OPERATORS}.links.ReconciliationReportLink",
]


def _text(label: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "label": label,
        "description": description,
        "schema": {"type": ["string", "null"], **schema},
    }


def _integer(label: str, description: str, minimum: int = 1) -> dict[str, Any]:
    return {
        "label": label,
        "description": description,
        "schema": {"type": ["integer", "null"], "minimum": minimum},
    }


def _chargebee_connection() -> dict[str, Any]:
    return {
        "hook-class-name": CHARGEBEE_HOOK,
        "hook-name": "Chargebee",
        "connection-type": "chargebee",
        "ui-field-behaviour": {
            "hidden-fields": ["host", "schema", "port"],
            "relabeling": {"login": "Site", "password": "API key"},
            "placeholders": {
                "login": "acme (the live site name; the test site adds -test)",
                "password": "a read-only API key",
            },
        },
        # Stored as plain keys in the connection's extra, which is what ChargebeeHook reads.
        "conn-fields": {
            "environment": _text(
                "Environment",
                "live (https://{site}.chargebee.com) or test (https://{site}-test.chargebee.com).",
                enum=["live", "test", None],
                default="live",
            ),
            "region": _text(
                "Region",
                "Data-residency region of the site.",
                enum=["us", "eu", "au", None],
                default="us",
            ),
            "base_url": _text(
                "Base URL override",
                "Leave empty for Chargebee itself; set for a proxy or the local sandbox.",
            ),
            "plan": _text(
                "Chargebee plan",
                "Sets the request rate: starter 150, performance 1000, enterprise 3500 per minute.",
                enum=["starter", "performance", "enterprise", None],
            ),
            "rate_limit_per_minute": _integer(
                "Rate limit (requests/minute)", "Overrides the plan's rate limit."
            ),
            "max_concurrency": _integer(
                "Max concurrent requests", "Concurrent GETs this connection may hold (default 8)."
            ),
        },
    }


def _netsuite_connection() -> dict[str, Any]:
    return {
        "hook-class-name": NETSUITE_HOOK,
        "hook-name": "NetSuite",
        "connection-type": "netsuite",
        "ui-field-behaviour": {
            "hidden-fields": ["host", "schema", "port", "password"],
            "relabeling": {"login": "Account ID"},
            "placeholders": {"login": "1234567 or 1234567_SB1"},
        },
        "conn-fields": {
            "client_id": _text(
                "Client ID", "The integration record's client id (OAuth 2.0 client credentials)."
            ),
            "certificate_id": _text(
                "Certificate ID",
                "The id NetSuite shows for the uploaded certificate (M2M setup).",
            ),
            "private_key": {
                "label": "Private key (PEM)",
                "description": "The private key of that certificate: RSA 3072+ or EC P-256.",
                # "password" makes the UI treat the field as secret and Airflow mask it.
                "schema": {"type": ["string", "null"], "format": "password"},
            },
            "algorithm": _text(
                "Signing algorithm",
                "PS256 for RSA keys, ES256 for EC keys (NetSuite refuses RS256).",
                enum=["PS256", "PS384", "PS512", "ES256", "ES384", "ES512", None],
                default="PS256",
            ),
            "concurrency": _text(
                "Concurrency",
                "Concurrent requests (a number), or 'governance' to read the account's limit.",
                default="5",
            ),
            "base_url": _text(
                "Base URL override",
                "Leave empty for https://{account}.suitetalk.api.netsuite.com; set it for the "
                "local sandbox.",
            ),
        },
    }


def get_provider_info() -> dict[str, Any]:
    """The provider description Airflow's ProvidersManager reads through the entry point.

    A fresh dict every call: Airflow adds keys (``documentation-url``) to what it receives.
    """
    return {
        "package-name": PACKAGE_NAME,
        "name": "Chargebee to NetSuite",
        "description": "Chargebee to Oracle NetSuite accounts-receivable sync: hooks, "
        "operators, connection types and a Chargebee webhook receiver.",
        "integrations": [
            {"integration-name": "Chargebee", "tags": ["service"]},
            {"integration-name": "NetSuite", "tags": ["service"]},
        ],
        "hooks": [
            {
                "integration-name": "Chargebee",
                "python-modules": ["chargebee_netsuite.airflow.hooks.chargebee"],
            },
            {
                "integration-name": "NetSuite",
                "python-modules": ["chargebee_netsuite.airflow.hooks.netsuite"],
            },
        ],
        "operators": [
            {
                "integration-name": "Chargebee",
                "python-modules": [f"{_OPERATORS}.chargebee", f"{_OPERATORS}.preflight"],
            },
            {
                "integration-name": "NetSuite",
                "python-modules": [
                    f"{_OPERATORS}.netsuite",
                    f"{_OPERATORS}.quality",
                    f"{_OPERATORS}.reconcile",
                    f"{_OPERATORS}.webhooks",
                ],
            },
        ],
        "extra-links": list(EXTRA_LINKS),
        "connection-types": [_chargebee_connection(), _netsuite_connection()],
    }
