"""The connector package holds only the connector: it never imports the developer kit."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PLUGINS = Path(__file__).resolve().parents[3] / "plugins"
CONNECTOR = PLUGINS / "chargebee_netsuite"
DEVKIT = "cbns_devkit"


def _imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_connector_module_imports_the_developer_kit() -> None:
    offenders = {
        str(path.relative_to(PLUGINS)): sorted(
            name for name in _imported_modules(path) if name.split(".")[0] == DEVKIT
        )
        for path in sorted(CONNECTOR.rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    # Nor by a dotted string handed to importlib.
    mentions = [p for p in CONNECTOR.rglob("*.py") if f"{DEVKIT}." in p.read_text()]
    assert mentions == []


@pytest.mark.slow  # imports all of Airflow, Great Expectations and the connector: ~10 s
def test_every_connector_module_imports_without_the_developer_kit() -> None:
    # Import each module with the kit made unimportable: a hidden dependency fails here.
    modules = sorted(
        ".".join(path.relative_to(PLUGINS).with_suffix("").parts).removesuffix(".__init__")
        for path in CONNECTOR.rglob("*.py")
        if "migrations" not in path.parts
    )
    script = (
        "import importlib, sys\n"
        f"sys.modules[{DEVKIT!r}] = None\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]
