"""Secrets scan: ``python -m cbns_devkit.proof.secrets --state-dir .sandbox``.

After a sync (the demo's Airflow run), look through every file the run produced — task logs,
reports, Data Docs, the staging database (ledger and staging tables) and the Airflow metadata
database — for the Chargebee API key, the lines of the NetSuite private key, any JWT (bearer
tokens and client assertions are JWTs) and the webhook password. Files whose job is to hold a
secret (the Fernet key, the password files, the sandboxes' own state) are not scanned, and
listed as such. The Airflow ``connection`` table must hold passwords and extras encrypted.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A JWT's header always starts with '{"' -> base64url "eyJ"; so does its payload.
JWT = re.compile(rb"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")
# Files that exist to hold a secret (by name); the scan reports them instead of flagging them.
SECRET_HOLDERS = (
    "fernet.key",
    "jwt.secret",
    "webhook.password",
    "admin.password",
    "simple_auth_manager_passwords.json.generated",
    "airflow.cfg",  # holds the Fernet and JWT keys Airflow itself needs
    # The sandbox CLI's own output: it announces the sandboxes' (fake) credentials, like the
    # sandbox.json it points to. Not connector output; reported separately.
    "sandbox.log",
)


@dataclass
class Needle:
    """One secret to look for."""

    label: str
    value: bytes


@dataclass
class ScanResult:
    """What was scanned and what was found."""

    files: int = 0
    bytes: int = 0
    hits: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    connection_rows: list[dict[str, Any]] = field(default_factory=list)
    needles: int = 0


def pem_lines(pem: str) -> list[str]:
    """The base64 body lines of a PEM key (each is a secret on its own)."""
    return [line.strip() for line in pem.splitlines() if line.strip() and "-----" not in line]


def decrypted_connections(airflow_home: Path) -> list[dict[str, Any]]:
    """The connection rows with password and extra decrypted by the home's Fernet key."""
    from cryptography.fernet import Fernet

    fernet = Fernet((airflow_home / "fernet.key").read_text().strip().encode())
    rows = connection_rows(airflow_home / "airflow.db")
    for row in rows:
        for column, flag in (("password", "is_encrypted"), ("extra", "is_extra_encrypted")):
            if row[column] and row[flag]:
                row[column] = fernet.decrypt(row[column].encode()).decode()
    return rows


def needles_from_connections(rows: list[dict[str, Any]]) -> list[Needle]:
    """Every secret the connections hold: passwords, private key lines, secret-looking extras."""
    found: list[Needle] = []
    for row in rows:
        if row["password"]:
            found.append(Needle(f"{row['conn_id']} password", row["password"].encode()))
        extra = json.loads(row["extra"]) if row["extra"] else {}
        for key, value in extra.items():
            if not isinstance(value, str):
                continue
            if "PRIVATE KEY" in value:
                found += [
                    Needle(f"{row['conn_id']} private key line {n}", line.encode())
                    for n, line in enumerate(pem_lines(value), 1)
                    if len(line) >= 16
                ]
            elif any(word in key for word in ("secret", "password", "token", "api_key")):
                found.append(Needle(f"{row['conn_id']} {key}", value.encode()))
    return found


def needles_from_state(state_dir: Path) -> list[Needle]:
    """The secrets of a demo state dir (``make demo`` leaves it in ``.sandbox``)."""
    home = state_dir / "airflow"
    found = needles_from_connections(decrypted_connections(home))
    key_file = state_dir / "netsuite_private_key.pem"
    if key_file.exists():
        found += [
            Needle(f"private key file line {n}", line.encode())
            for n, line in enumerate(pem_lines(key_file.read_text()), 1)
            if len(line) >= 16
        ]
    for name in ("webhook.password", "admin.password"):
        path = home / name
        if path.exists():
            found.append(Needle(name, path.read_text().strip().encode()))
    return found


def holds_secret_on_purpose(path: Path, state_dir: Path) -> bool:
    """Whether ``path`` is a file whose job is to hold a secret (not a leak)."""
    if path.name in SECRET_HOLDERS:
        return True
    # The sandboxes' own state (their keys and certificates) lives beside the Airflow home.
    return path.parent == state_dir and path.suffix in (".json", ".pem")


def scan_bytes(data: bytes, needles: list[Needle]) -> list[str]:
    """Labels of every needle in ``data``, plus JWTs."""
    hits = [n.label for n in needles if n.value and n.value in data]
    hits += ["jwt" for _ in JWT.finditer(data)][:1]
    return hits


def scan_tree(root: Path, needles: list[Needle], state_dir: Path | None = None) -> ScanResult:
    """Scan every regular file under ``root``."""
    result = ScanResult()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if holds_secret_on_purpose(path, state_dir or root):
            result.skipped.append(str(path))
            continue
        data = path.read_bytes()
        result.files += 1
        result.bytes += len(data)
        result.hits += [f"{label} in {path}" for label in scan_bytes(data, needles)]
    return result


def connection_rows(airflow_db: Path) -> list[dict[str, Any]]:
    """The Airflow ``connection`` table, as stored."""
    with sqlite3.connect(f"file:{airflow_db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT conn_id, login, password, extra, is_encrypted, is_extra_encrypted "
            "FROM connection"
        ).fetchall()
    return [dict(r) for r in rows]


def check_connections(rows: list[dict[str, Any]], needles: list[Needle]) -> list[str]:
    """Problems with how the metadata DB stores connection secrets."""
    problems: list[str] = []
    for row in rows:
        if row["password"] and not row["is_encrypted"]:
            problems.append(f"connection {row['conn_id']}: password stored unencrypted")
        if row["extra"] and not row["is_extra_encrypted"]:
            problems.append(f"connection {row['conn_id']}: extra stored unencrypted")
        text = json.dumps(row, default=str).encode()
        problems += [
            f"{label} in connection {row['conn_id']}" for label in scan_bytes(text, needles)
        ]
    return problems


def scan_state_dir(state_dir: Path) -> ScanResult:
    """Scan a demo state dir (``make demo`` leaves it in ``.sandbox``)."""
    needles = needles_from_state(state_dir)
    result = scan_tree(state_dir, needles, state_dir)
    result.needles = len(needles)
    airflow_db = state_dir / "airflow" / "airflow.db"
    if airflow_db.exists():
        result.connection_rows = connection_rows(airflow_db)
        result.hits += check_connections(result.connection_rows, needles)
    return result


def main(argv: list[str] | None = None) -> int:
    """Scan and print; exit 1 on any hit."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=Path(".sandbox"))
    options = parser.parse_args(argv)
    result = scan_state_dir(options.state_dir)
    print(f"looked for {result.needles} secrets and any JWT")
    print(f"scanned {result.files} files, {result.bytes / 1e6:.1f} MB")
    print(f"not scanned (hold a secret by design): {len(result.skipped)}")
    for path in result.skipped:
        print(f"  {path}")
    for row in result.connection_rows:
        print(
            f"connection {row['conn_id']}: password "
            f"{'encrypted' if row['is_encrypted'] else 'empty' if not row['password'] else 'PLAIN'}"
            f", extra {'encrypted' if row['is_extra_encrypted'] else 'PLAIN'}"
        )
    print(f"hits: {len(result.hits)}")
    for hit in result.hits:
        print(f"  {hit}")
    return 1 if result.hits else 0


if __name__ == "__main__":
    sys.exit(main())
