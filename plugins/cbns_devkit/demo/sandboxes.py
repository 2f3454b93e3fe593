"""The sandboxes as a child process (``cbns-sandbox serve``), and the demo's problem records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx

from cbns_devkit.demo.home import venv_bin

STATE_FILE = "sandbox.json"


class SandboxProcess:
    """``cbns-sandbox serve`` in its own process (its own GIL), reachable via ``sandbox.json``.

    Ports default to free ones; ``state`` is the parsed ``sandbox.json`` once it is up.
    """

    def __init__(
        self,
        state_dir: Path,
        *,
        seed_file: Path | None = None,
        scale: int | None = None,
        cb_port: int = 0,
        ns_port: int = 0,
        webhook_url: str | None = None,
        webhook_user: str | None = None,
        webhook_password: str | None = None,
        extra_args: list[str] | None = None,
        log: Path | None = None,
    ) -> None:
        self.state_dir = state_dir.resolve()
        args = ["serve", "--state-dir", str(self.state_dir)]
        args += ["--cb-port", str(cb_port), "--ns-port", str(ns_port)]
        if seed_file is not None:
            args += ["--cb-seed-file", str(seed_file.resolve())]
        if scale is not None:
            args += ["--cb-scale", str(scale)]
        if webhook_url:
            args += ["--cb-webhook-url", webhook_url]
            if webhook_user and webhook_password:
                args += [
                    "--cb-webhook-user",
                    webhook_user,
                    "--cb-webhook-password",
                    webhook_password,
                ]
        self.args = args + list(extra_args or [])
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.state: dict[str, Any] = {}

    @property
    def state_path(self) -> Path:
        """Where the sandboxes describe themselves."""
        return self.state_dir / STATE_FILE

    def start(self, timeout: float = 180) -> dict[str, Any]:
        """Start the sandboxes and return ``sandbox.json`` once they serve."""
        self.state_path.unlink(missing_ok=True)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        output = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [venv_bin("cbns-sandbox"), *self.args],
            stdout=output,
            stderr=subprocess.STDOUT,
            # Its own session: Ctrl-C in a terminal reaches it only through stop().
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the sandboxes exited during start-up (see {self.log})")
            if self.state_path.exists():
                state: dict[str, Any] = json.loads(self.state_path.read_text())
                if state.get("pid") == self.process.pid:
                    self.state = state
                    return state
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the sandboxes did not start within {timeout:.0f}s")

    def stop(self, timeout: float = 20) -> None:
        """Stop the sandboxes (SIGTERM, then SIGKILL); they remove ``sandbox.json``."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)


def add_problem_records(state: dict[str, Any]) -> list[str]:
    """Create a few Chargebee records that validation must quarantine; returns what was made.

    A customer billed in Swiss francs, which the example mapping does not map to a NetSuite
    currency, with two invoices: real Chargebee accepts them, the sync must not post them,
    and the summary must say why. They are made through the sandbox's admin API, the way
    Chargebee's own operations make them (with their events).
    """
    admin = state["chargebee"]["admin_url"]
    made: list[str] = []
    with httpx.Client(base_url=admin, timeout=30) as http:
        customer = http.post(
            "/customers",
            json={
                "id": "demo-chf-customer",
                "first_name": "Heidi",
                "last_name": "Keller",
                "email": "ap@alpen-analytics.example",
                "company": "Alpen Analytics AG",
                "currency_code": "CHF",
            },
        ).raise_for_status()
        made.append(f"customer {customer.json()['customer']['id']} (CHF)")
        for amount in (120000, 45000):
            invoice = http.post(
                "/invoices",
                json={
                    "customer_id": "demo-chf-customer",
                    "currency_code": "CHF",
                    "lines": [{"description": "Consulting (CHF)", "unit_amount": amount}],
                },
            ).raise_for_status()
            made.append(f"invoice {invoice.json()['invoice']['id']} (CHF {amount / 100:.2f})")
    return made
