"""`cbns`: the operator's command line (``check`` your systems, ``mapping draft``)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID


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
    _add_connection_options(check)
    check.add_argument("--mapping", type=Path, default=Path("include/mapping.example.yaml"))

    _add_mapping_commands(commands)
    return parser


def _add_connection_options(command: argparse.ArgumentParser) -> None:
    """The Airflow connections a command reads Chargebee and NetSuite through."""
    command.add_argument("--chargebee-conn-id", default=CHARGEBEE_CONN_ID)
    command.add_argument("--netsuite-conn-id", default=NETSUITE_CONN_ID)


def _quiet(*loggers: str) -> None:
    """Only warnings from ``loggers``: the command's own output is what the user reads."""
    for name in loggers:
        logging.getLogger(name).setLevel(logging.WARNING)


def _add_mapping_commands(commands: Any) -> None:
    mapping = commands.add_parser("mapping", help="work on the mapping file")
    actions = mapping.add_subparsers(dest="mapping_command", required=True)
    draft = actions.add_parser(
        "draft",
        help="draft a mapping file from your Chargebee catalog and NetSuite reference data",
        description="Read the Chargebee catalog and documents and NetSuite's reference data "
        "(extracted and pulled now through the Airflow connections, into a throwaway SQLite "
        "file, or read from --staging-url) and write a mapping covering everything in use. "
        "Only sure matches are filled in (currencies by ISO code, names that match); every "
        "other value is TODO with the likely candidates beside it. `cbns check --mapping "
        "FILE` lists the TODOs left.",
    )
    draft.add_argument("-o", "--output", type=Path, default=Path("mapping.draft.yaml"))
    draft.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    draft.add_argument(
        "--staging-url",
        help="read this staging database (already extracted, reference data pulled) instead "
        "of reading Chargebee and NetSuite through the connections",
    )
    draft.add_argument("--site", help="the Chargebee site, when staging holds several")
    _add_connection_options(draft)


def _mapping_draft(args: argparse.Namespace) -> int:
    from chargebee_netsuite.mapping.draft import draft_through_connections, draft_with_staging

    if args.output.exists() and not args.force:
        print(f"{args.output} exists; pass --force to overwrite it", file=sys.stderr)
        return 1
    _quiet("alembic", "chargebee_netsuite", "httpx")
    try:
        if args.staging_url:
            draft = draft_with_staging(args.staging_url, args.site)
        else:
            print(
                f"Reading Chargebee ('{args.chargebee_conn_id}') and NetSuite "
                f"('{args.netsuite_conn_id}') into a throwaway staging file…",
                flush=True,
            )
            draft = draft_through_connections(args.chargebee_conn_id, args.netsuite_conn_id)
    except ValueError as exc:
        print(f"cbns mapping draft: {exc}", file=sys.stderr)
        return 1
    args.output.write_text(draft.text, encoding="utf-8")
    print(f"Wrote {args.output}: {len(draft.todos)} TODO(s) to fill in", flush=True)
    for todo in draft.todos:
        print(f"  {todo}")
    for problem in draft.problems:
        print(f"  problem: {problem}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from chargebee_netsuite.check import format_results, passed, run_check

    # The verdicts are the output; per-request INFO lines (token minted, migrations) are noise,
    # as is the masker's note that it skips short, non-secret connection extras ("test").
    _quiet("alembic", "chargebee_netsuite")
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
    if args.command == "mapping":
        return _mapping_draft(args)
    return _check(args)


if __name__ == "__main__":
    sys.exit(main())
