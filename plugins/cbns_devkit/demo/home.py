"""A self-contained Airflow home for the demo and local runs: config, Fernet key, connections."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from chargebee_netsuite.airflow.pools import PoolSpec, pools_file
from chargebee_netsuite.airflow.settings import MAPPING_PATH_ENV

REPO_ROOT = Path(__file__).resolve().parents[3]
PRELOAD_MODULE = "chargebee_netsuite.airflow.preload"
EXAMPLE_MAPPING = REPO_ROOT / "include" / "mapping.example.yaml"


def venv_bin(name: str) -> str:
    """A console script of the running interpreter's environment (``.venv/bin/airflow``)."""
    candidate = Path(sys.executable).with_name(name)
    return str(candidate) if candidate.exists() else name


def _private_file(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


@dataclass
class AirflowHome:
    """An ``AIRFLOW_HOME`` directory and the environment every Airflow process gets.

    The metadata database is SQLite in the home unless ``sql_alchemy_conn`` says otherwise;
    the Fernet key is generated once into ``fernet.key`` (mode 0600), so connection
    passwords and extras are encrypted at rest in the metadata database.
    """

    path: Path
    staging_url: str
    reports_dir: Path
    sql_alchemy_conn: str | None = None
    executor: str = "LocalExecutor"
    extra_env: dict[str, str] = field(default_factory=dict)
    # The connector has no default mapping; the demo uses the repository's example unless the
    # caller's environment names another.
    mapping_path: Path = field(
        default_factory=lambda: Path(os.environ.get(MAPPING_PATH_ENV) or EXAMPLE_MAPPING)
    )

    def __post_init__(self) -> None:
        self.path = self.path.resolve()
        self.path.mkdir(parents=True, exist_ok=True)

    @property
    def fernet_key(self) -> str:
        """The home's Fernet key, generated on first use."""
        key_file = self.path / "fernet.key"
        if not key_file.exists():
            from cryptography.fernet import Fernet

            _private_file(key_file, Fernet.generate_key().decode())
        return key_file.read_text().strip()

    def _secret(self, name: str) -> str:
        secret_file = self.path / name
        if not secret_file.exists():
            _private_file(secret_file, secrets.token_urlsafe(32))
        return secret_file.read_text().strip()

    def env(self, **overrides: str) -> dict[str, str]:
        """The environment for an Airflow process of this home."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
        env.update(
            {
                "AIRFLOW_HOME": str(self.path),
                "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
                "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(self.path / "plugins"),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                # "Test" on the connection form calls the hooks' test_connection (Airflow
                # disables the button by default).
                "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
                "AIRFLOW__CORE__EXECUTOR": self.executor,
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.sql_alchemy_conn
                or f"sqlite:///{self.path / 'airflow.db'}",
                "AIRFLOW__API_AUTH__JWT_SECRET": self._secret("jwt.secret"),
                "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
                # The scheduler's LocalExecutor forks its workers from a forkserver that has
                # imported the task path once (Great Expectations above all), so a task process
                # starts with it imported instead of paying seconds per task.
                "AIRFLOW__SCHEDULER__MP_START_METHOD": "forkserver",
                "AIRFLOW__SCHEDULER__MP_FORKSERVER_PRELOAD": PRELOAD_MODULE,
                "CBNS_STAGING_URL": self.staging_url,
                "CBNS_REPORTS_DIR": str(self.reports_dir),
                MAPPING_PATH_ENV: str(self.mapping_path.resolve()),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        env.update(overrides)
        return env

    def airflow(
        self, *args: str, log: Path | None = None, check: bool = True, timeout: float = 900
    ) -> subprocess.CompletedProcess[str]:
        """Run ``airflow <args>`` in this home; output goes to ``log`` when given."""
        command = [venv_bin("airflow"), *args]
        with ExitStack() as files:
            stdout: IO[str] | int = subprocess.PIPE
            stderr = subprocess.PIPE
            if log is not None:
                handle = files.enter_context(log.open("a"))
                handle.write(f"\n$ airflow {' '.join(args)}\n")
                handle.flush()
                stdout, stderr = handle, subprocess.STDOUT
            return subprocess.run(
                command,
                env=self.env(),
                check=check,
                text=True,
                stdout=stdout,
                stderr=stderr,
                timeout=timeout,
            )

    def migrate_command(self) -> list[str]:
        """``airflow db migrate`` as a command line (to start it in the background)."""
        return [venv_bin("airflow"), "db", "migrate"]

    def import_connections(self, connections: Mapping[str, Mapping[str, Any]]) -> None:
        """Store connections in the metadata database (encrypted with the Fernet key)."""
        with tempfile.TemporaryDirectory(dir=self.path) as tmp:
            path = Path(tmp) / "connections.json"
            _private_file(path, json.dumps(connections))
            self.airflow("connections", "import", "--overwrite", str(path))

    def import_pools(self, specs: Sequence[PoolSpec]) -> None:
        """Create or resize the pools."""
        with tempfile.TemporaryDirectory(dir=self.path) as tmp:
            path = Path(tmp) / "pools.json"
            path.write_text(json.dumps(pools_file(list(specs))))
            self.airflow("pools", "import", str(path))
