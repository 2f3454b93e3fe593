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
    parser.add_argument("--port", type=int, default=8080, help="Airflow API server port")
    args = parser.parse_args(argv)
    from cbns_devkit.demo import run

    if args.command == "run":
        return run.demo(args.state_dir, args.seed, args.keep)
    return run.airflow(args.state_dir, args.seed, args.port)


if __name__ == "__main__":
    sys.exit(main())
