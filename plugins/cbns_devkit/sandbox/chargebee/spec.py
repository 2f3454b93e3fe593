"""The sandbox CLI's hooks: command-line options and the SandboxSpec built from them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..server import SandboxSpec
from .app import create_app
from .demo import demo
from .seed import read_seed_file, seed_site
from .site_settings import ChargebeeSandboxSettings

DEFAULT_SITE = "acme-test"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``--cb-*`` options."""
    group = parser.add_argument_group("Chargebee sandbox")
    group.add_argument("--cb-seed-file", type=Path, help="seeding-contract JSON to serve")
    group.add_argument(
        "--cb-scale", type=int, default=25, help="generated customers (about 4 invoices each)"
    )
    group.add_argument("--cb-random-seed", type=int, default=7, help="generator seed")
    group.add_argument(
        "--cb-site",
        default=None,
        help="test site name; the live site drops '-test' (default: the seed file's 'site', "
        "else acme-test)",
    )
    group.add_argument("--cb-latency-ms", type=int, default=0, help="added to every API call")
    group.add_argument("--cb-rate-limit", type=int, default=150, help="requests per minute")
    group.add_argument(
        "--cb-rate-window", type=float, default=60.0, help="rate-limit window in seconds"
    )
    group.add_argument("--cb-concurrency-limit", type=int, default=50)
    group.add_argument(
        "--cb-retry-after",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="send Retry-After on 429 (default: by CBNS_SANDBOX_PROFILE)",
    )
    group.add_argument("--cb-fail-nth", type=int, help="answer 500 to the Nth API request")
    group.add_argument("--cb-webhook-url", action="append", default=[], help="repeatable")
    group.add_argument("--cb-webhook-user")
    group.add_argument("--cb-webhook-password")
    group.add_argument(
        "--cb-webhook-time-factor",
        type=float,
        default=1.0,
        help="multiply the retry schedule (e.g. 0.001 turns 2 minutes into 0.12 s)",
    )


def settings_from_args(args: argparse.Namespace) -> ChargebeeSandboxSettings:
    """Settings from parsed ``--cb-*`` options (a seed file wins over the generator)."""
    site = args.cb_site
    if site is None and args.cb_seed_file:
        site = seed_site(read_seed_file(args.cb_seed_file))
    return ChargebeeSandboxSettings(
        site=site or DEFAULT_SITE,
        seed_file=args.cb_seed_file,
        scale=0 if args.cb_seed_file else args.cb_scale,
        random_seed=args.cb_random_seed,
        latency_ms=args.cb_latency_ms,
        rate_limit_per_minute=args.cb_rate_limit,
        rate_limit_window_seconds=getattr(args, "cb_rate_window", 60.0),
        concurrency_limit=args.cb_concurrency_limit,
        **({} if args.cb_retry_after is None else {"retry_after": args.cb_retry_after}),
        fail_nth=args.cb_fail_nth,
        webhook_urls=list(args.cb_webhook_url or []),
        webhook_user=args.cb_webhook_user,
        webhook_password=args.cb_webhook_password,
        webhook_time_factor=args.cb_webhook_time_factor,
    )


def build(args: argparse.Namespace, state_dir: Path) -> SandboxSpec:
    """The Chargebee SandboxSpec for the CLI (``state_dir`` is unused: state is in memory)."""
    settings = settings_from_args(args)
    app = create_app(settings)

    def describe(base_url: str) -> dict[str, Any]:
        return describe_settings(settings, base_url)

    return SandboxSpec(name="chargebee", app=app, describe=describe, demo=demo)


def describe_settings(settings: ChargebeeSandboxSettings, base_url: str) -> dict[str, Any]:
    """The ``sandbox.json`` section for a sandbox served at ``base_url``."""
    return {
        "base_url": f"{base_url}/api/v2",
        "site": settings.site,
        "api_key": settings.test_key,
        "live_site": settings.live_site,
        "live_api_key": settings.live_key,
        "admin_url": f"{base_url}/__admin",
    }
