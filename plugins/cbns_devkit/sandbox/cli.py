"""`cbns-sandbox`: start the Chargebee and NetSuite sandboxes, or run a short demo against them."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from types import FrameType
from typing import Any

from cbns_devkit.sandbox import chargebee, netsuite
from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
    load_sandbox_state,
)
from cbns_devkit.sandbox.server import RunningServer, SandboxSpec, serve_in_thread

STATE_FILE = "sandbox.json"
DEFAULT_PORTS = {"chargebee": 8710, "netsuite": 8720}


def build_parser() -> argparse.ArgumentParser:
    """The CLI's argument parser; each sandbox contributes its own `--cb-*` / `--ns-*` options."""
    parser = argparse.ArgumentParser(
        prog="cbns-sandbox",
        description="Local, faithful stand-ins for the Chargebee and NetSuite APIs.",
    )
    parser.add_argument(
        "command",
        choices=["serve", "demo", "connections"],
        help="serve: start the sandboxes and keep them up until Ctrl-C; "
        "demo: start them, show a few real requests, stop; "
        "connections: print the AIRFLOW_CONN_* values that point Airflow at running sandboxes "
        "(they contain the sandbox's generated, local-only credentials)",
    )
    parser.add_argument(
        "--format",
        choices=["env", "json"],
        default="env",
        help="connections only. env: `export AIRFLOW_CONN_…='…'` lines for eval or a .env "
        "file; json: {conn_id: connection}",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(".sandbox"),
        help="where sandbox.json and generated keys live (default: .sandbox)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--cb-port",
        type=int,
        default=None,
        help=f"Chargebee port (serve default {DEFAULT_PORTS['chargebee']}; demo: any free port)",
    )
    parser.add_argument(
        "--ns-port",
        type=int,
        default=None,
        help=f"NetSuite port (serve default {DEFAULT_PORTS['netsuite']}; demo: any free port)",
    )
    chargebee.add_arguments(parser)
    netsuite.add_arguments(parser)
    return parser


def write_state(state_dir: Path, state: dict[str, Any]) -> Path:
    """Write ``sandbox.json`` atomically, so a reader never sees half a file."""
    state_dir.mkdir(parents=True, exist_ok=True)
    target = state_dir / STATE_FILE
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(state, indent=2) + "\n")
    os.replace(tmp, target)
    return target


def start_all(
    args: argparse.Namespace, specs: Sequence[SandboxSpec]
) -> tuple[list[RunningServer], dict[str, Any]]:
    """Start every sandbox and return the servers and the ``sandbox.json`` content."""
    servers: list[RunningServer] = []
    state: dict[str, Any] = {"pid": os.getpid()}
    try:
        for spec in specs:
            port = getattr(args, "cb_port" if spec.name == "chargebee" else "ns_port")
            if port is None:
                port = DEFAULT_PORTS[spec.name] if args.command == "serve" else 0
            server = serve_in_thread(spec.app, args.host, port)
            servers.append(server)
            state[spec.name] = spec.describe(server.base_url)
    except BaseException:
        stop_all(servers)
        raise
    return servers, state


# Keys are fake, but the output lands in logs, and a habit of printing keys is the wrong one.
_SECRET_WORDS = ("key", "secret", "password", "token")


def public_view(state: dict[str, Any]) -> dict[str, Any]:
    """``sandbox.json`` without the pid and with every credential replaced by a pointer."""
    shown: dict[str, Any] = {}
    for name, value in state.items():
        if name == "pid":
            continue
        if isinstance(value, dict):
            shown[name] = {
                key: "(in sandbox.json)"
                if any(word in key for word in _SECRET_WORDS)
                and not key.endswith(("_url", "_path"))
                else item
                for key, item in value.items()
            }
        else:
            shown[name] = value
    return shown


def print_connections(state_file: Path, output_format: str) -> int:
    """Print the Airflow connections for the sandboxes ``serve`` described in ``state_file``."""
    try:
        state = load_sandbox_state(state_file)
    except FileNotFoundError as exc:
        print(exc, file=sys.stderr)
        return 1
    connections = connections_from_sandbox_state(state)
    if output_format == "json":
        print(json.dumps(connections, indent=2))
    else:
        for name, value in env_assignments(connections).items():
            print(f"export {name}={shlex.quote(value)}")
    return 0


def stop_all(servers: Sequence[RunningServer]) -> None:
    for server in servers:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `cbns-sandbox` console script."""
    args = build_parser().parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    if args.command == "connections":
        return print_connections(state_dir / STATE_FILE, args.format)
    specs = [chargebee.build(args, state_dir), netsuite.build(args, state_dir)]
    servers, state = start_all(args, specs)
    state_path = write_state(state_dir, state)
    try:
        print(f"Sandboxes are up; connection details (with the keys) in {state_path}:", flush=True)
        print(json.dumps(public_view(state), indent=2), flush=True)
        if args.command == "demo":
            for spec in specs:
                print(f"\n== {spec.name} ==", flush=True)
                for line in spec.demo(state[spec.name]):
                    print(f"  {line}", flush=True)
            print("\nDemo finished; stopping the sandboxes.", flush=True)
            return 0
        wait_for_stop_signal()
        print("Stopping the sandboxes.", flush=True)
        return 0
    finally:
        stop_all(servers)
        # A stale sandbox.json would point tools at ports nobody serves any more.
        state_path.unlink(missing_ok=True)


def wait_for_stop_signal() -> None:
    """Block until SIGINT (Ctrl-C) or SIGTERM."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, handler)
    signal.signal(signal.SIGTERM, handler)
    while not stop.wait(0.5):
        pass


if __name__ == "__main__":
    sys.exit(main())
