"""The NetSuite sandbox in a child process, so a benchmark measures the loader, not the GIL.

``settings`` are ``NetSuiteSandboxSettings`` fields as JSON values (paths as strings).

In the benchmark's own process the sandbox would share one interpreter lock with the
Chargebee sandbox and the harness; in its own process it gets a core to itself, as NetSuite
would be on another machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

_SERVER = """
import json, sys
from pathlib import Path
from cbns_devkit.sandbox.netsuite.api import create_app
from cbns_devkit.sandbox.netsuite.account_settings import NetSuiteSandboxSettings
from cbns_devkit.sandbox.server import serve_in_thread

args = json.loads(Path(sys.argv[1]).read_text())
pem = Path(args.pop("public_key_path")).read_bytes()
if "reference_data_path" in args:
    args["reference_data_path"] = Path(args["reference_data_path"])
settings = NetSuiteSandboxSettings(certificates={args.pop("certificate_id"): pem}, **args)
server = serve_in_thread(create_app(settings))
print(server.base_url, flush=True)
sys.stdin.read()
server.stop()
"""


class NetSuiteProcess:
    """A NetSuite sandbox in a child process; ``base_url`` and ``stop`` like a RunningServer."""

    def __init__(self, public_pem: bytes, certificate_id: str, **settings: Any) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="cbns-netsuite-")
        folder = Path(self._dir.name)
        (folder / "cert.pem").write_bytes(public_pem)
        args = {
            **settings,
            "public_key_path": str(folder / "cert.pem"),
            "certificate_id": certificate_id,
        }
        (folder / "args.json").write_text(json.dumps(args))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        self._process = subprocess.Popen(
            [sys.executable, "-c", _SERVER, str(folder / "args.json")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self._process.stdout is not None
        self.base_url = self._process.stdout.readline().strip()
        if not self.base_url:
            raise RuntimeError("the NetSuite sandbox process did not start")

    def stop(self) -> None:
        """End the child process."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=30)
        self._dir.cleanup()
