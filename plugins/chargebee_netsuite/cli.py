"""`cbns`: the operator's command line (``check`` your systems)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """The ``cbns`` argument parser with its subcommands."""
    parser = argparse.ArgumentParser(
        prog="cbns", description="Chargebee to NetSuite sync: operator commands."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser(
        "check",
        help="ping Chargebee and NetSuite with the Airflow connections and check the mapping",
        description="Mint a NetSuite token, read governance limits, pull the reference data, "
        "list one Chargebee invoice and the item prices, and validate the mapping. Exit code "
        "0 only when every step passes.",
    )
    check.add_argument("--chargebee-conn-id", default="chargebee_default")
    check.add_argument("--netsuite-conn-id", default="netsuite_default")
    check.add_argument("--mapping", type=Path, default=Path("include/mapping.example.yaml"))

    return parser


def _check(args: argparse.Namespace) -> int:
    from chargebee_netsuite.check import format_results, passed, run_check

    # The verdicts are the output; per-request INFO lines (token minted, migrations) are noise,
    # as is the masker's note that it skips short, non-secret connection extras ("test").
    for name in ("alembic", "chargebee_netsuite"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("airflow.sdk._shared.secrets_masker.secrets_masker").setLevel(logging.ERROR)
    print(
        f"cbns check: NetSuite connection '{args.netsuite_conn_id}', Chargebee connection "
        f"'{args.chargebee_conn_id}', mapping {args.mapping}",
        flush=True,
    )
    results = run_check(args.chargebee_conn_id, args.netsuite_conn_id, args.mapping)
    print(format_results(results), flush=True)
    return 0 if passed(results) else 1


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``cbns`` console script."""
    args = build_parser().parse_args(argv)
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
