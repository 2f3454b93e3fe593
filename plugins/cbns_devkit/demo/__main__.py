"""``python -m cbns_devkit.demo run|airflow`` (what ``make demo`` / ``make airflow`` run)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m cbns_devkit.demo")
    parser.add_argument("command", choices=["run", "airflow"])
    parser.add_argument("--state-dir", type=Path, default=Path(".sandbox"))
    parser.add_argument("--seed", type=Path, default=None, help="Chargebee seed file (JSON)")
    parser.add_argument("--keep", action="store_true", help="leave the sandboxes running")
    parser.add_argument("--mapping", type=Path, default=None, help="the mapping file to sync with")
    parser.add_argument(
        "--ns-reference",
        type=Path,
        default=None,
        help="NetSuite reference data for the sandbox (your chart of accounts, JSON)",
    )
    parser.add_argument("--port", type=int, default=8080, help="Airflow API server port")
    parser.add_argument(
        "--confirm",
        action="store_true",
        help="airflow: post for real from the first run (default: every sync is a dry run)",
    )
    args = parser.parse_args(argv)
    from cbns_devkit.demo import commands
    from cbns_devkit.demo.inputs import DemoInputs

    try:
        inputs = DemoInputs(args.seed, args.mapping, args.ns_reference)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "run":
        return commands.demo(args.state_dir, inputs, args.keep)
    return commands.airflow(args.state_dir, inputs, args.port, args.confirm)


if __name__ == "__main__":
    sys.exit(main())
