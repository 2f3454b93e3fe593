"""A local NetSuite REST web services simulator (OAuth 2.0 M2M, records, AR, SuiteQL, faults)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cbns_devkit.sandbox.server import SandboxSpec

from .account_settings import NetSuiteSandboxSettings
from .api import create_app
from .demo import run_demo
from .keys import ensure_credentials
from .refdata import repository_reference_data

__all__ = ["NetSuiteSandboxSettings", "add_arguments", "build", "create_app"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``--ns-*`` options to the sandbox CLI."""
    group = parser.add_argument_group("NetSuite sandbox")
    group.add_argument(
        "--ns-account-id", default="1234567_SB1", help="account id (e.g. 1234567_SB1)"
    )
    group.add_argument(
        "--ns-reference-data",
        type=Path,
        default=None,
        help="reference data JSON (default: include/netsuite/reference_data.json)",
    )
    group.add_argument(
        "--ns-key-type",
        choices=["rsa", "ec"],
        default="rsa",
        help="key pair generated for the M2M certificate: RSA 3072 or EC P-256",
    )
    group.add_argument(
        "--ns-latency-ms",
        type=int,
        default=0,
        help="response time of each REST request, the sandbox's own processing included: the "
        "answer leaves this long after the request arrived, or as soon as it is ready if "
        "processing takes longer (0: as soon as ready)",
    )
    group.add_argument(
        "--ns-concurrency-limit", type=int, default=5, help="account concurrency limit (429 above)"
    )
    group.add_argument(
        "--ns-fail-nth",
        type=int,
        default=0,
        help="answer every Nth REST request with 500 UNEXPECTED_ERROR (0: off)",
    )
    group.add_argument(
        "--ns-drop-nth",
        type=int,
        default=0,
        help="commit every Nth record write, then drop the connection unanswered (0: off)",
    )
    group.add_argument(
        "--ns-strict-host",
        action="store_true",
        help="accept only <account>.suitetalk.api.netsuite.com as the Host header",
    )


def build(args: argparse.Namespace, state_dir: Path) -> SandboxSpec:
    """Create (or reuse) the M2M key pair in ``state_dir`` and build the sandbox app."""
    credentials = ensure_credentials(state_dir, args.ns_key_type)
    settings = NetSuiteSandboxSettings(
        account_id=args.ns_account_id,
        client_id=credentials.client_id,
        certificates={credentials.certificate_id: credentials.certificate_pem()},
        reference_data_path=args.ns_reference_data or repository_reference_data(),
        latency_ms=args.ns_latency_ms,
        concurrency_limit=args.ns_concurrency_limit,
        fail_nth=args.ns_fail_nth,
        drop_nth=args.ns_drop_nth,
        strict_host=args.ns_strict_host,
    )
    app = create_app(settings)

    def describe(base_url: str) -> dict[str, Any]:
        return {
            "account_id": settings.account_id,
            "base_url": base_url,
            "token_url": f"{base_url}/services/rest/auth/oauth2/v1/token",
            "client_id": credentials.client_id,
            "certificate_id": credentials.certificate_id,
            "private_key_path": str(credentials.private_key_path.resolve()),
            "admin_url": f"{base_url}/__admin",
        }

    def demo(section: dict[str, Any]) -> Iterator[str]:
        return run_demo(section)

    return SandboxSpec(name="netsuite", app=app, describe=describe, demo=demo)
