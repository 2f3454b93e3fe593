"""The Dockerfile installs this package, pinned and non-editable, with its data files."""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from .compose import REPO_ROOT

DOCKERFILE = REPO_ROOT / "Dockerfile"
PACKAGE = REPO_ROOT / "plugins" / "chargebee_netsuite"


def _instructions() -> list[tuple[str, str]]:
    # Join continuation lines, drop comments: (INSTRUCTION, arguments) pairs.
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def test_the_image_is_the_official_airflow_image_of_the_pinned_version() -> None:
    froms = [args for keyword, args in _instructions() if keyword == "FROM"]
    assert froms == ["apache/airflow:3.3.2-python3.11"]
    pinned = re.search(r"(?m)^apache-airflow==(\S+)$", (REPO_ROOT / "constraints.txt").read_text())
    assert pinned and pinned.group(1) == "3.3.2"
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    assert "apache-airflow==3.3.2" in project["dependencies"]
    assert project["requires-python"].startswith(">=3.11")


def test_the_package_is_installed_with_the_constraints_and_not_editable() -> None:
    runs = [args for keyword, args in _instructions() if keyword == "RUN"]
    installs = [run for run in runs if "pip install" in run]
    assert len(installs) == 1
    install = installs[0]
    assert "-c /opt/cbns/src/constraints.txt" in install
    assert '"apache-airflow==${AIRFLOW_VERSION}"' in install
    assert " -e " not in install and "--editable" not in install
    assert "/opt/cbns/src" in install
    # The official image refuses pip as root; the install runs as the airflow user.
    users = [args for keyword, args in _instructions() if keyword == "USER"]
    assert users and users[-1] == "airflow"


def _dockerignore_patterns() -> list[str]:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _ignored(path: str) -> bool:
    ignored = False
    for pattern in _dockerignore_patterns():
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/")
        if fnmatch.fnmatch(path, pattern) or path.startswith(pattern + "/"):
            ignored = not negate
    return ignored


def test_every_copied_path_exists_and_reaches_the_build_context() -> None:
    copies = [args for keyword, args in _instructions() if keyword == "COPY"]
    assert copies
    sources = [
        source for args in copies for source in args.split()[:-1] if not source.startswith("--")
    ]
    assert {"pyproject.toml", "constraints.txt", "plugins/", "deploy/"} <= set(sources)
    for source in sources:
        assert (REPO_ROOT / source).exists(), source
        assert not _ignored(source.rstrip("/")), f"{source} is excluded by .dockerignore"


def test_the_build_context_leaves_out_local_state_and_secrets() -> None:
    for path in (".env", ".venv", ".git", ".sandbox", "deploy/config/airflow.cfg"):
        assert _ignored(path), path
    assert not _ignored(".env.example")


def _package_data_files() -> list[str]:
    """Non-Python files under the package that pyproject's package-data must ship."""
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["*"]
    files = []
    for path in PACKAGE.rglob("*"):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        if any(fnmatch.fnmatch(path.name, pattern) for pattern in patterns):
            files.append(path.relative_to(PACKAGE.parent).as_posix())
    return files


@pytest.mark.timeout(300)
def test_the_wheel_ships_the_migrations_and_data_files(tmp_path: Path) -> None:
    # What `pip install .` in the Dockerfile gets: build a wheel from a clean copy of the
    # sources (pip fetches the build backend named in pyproject, as the image build does).
    source = tmp_path / "src"
    source.mkdir()
    for name in ("pyproject.toml", "constraints.txt", "README.md"):
        shutil.copy(REPO_ROOT / name, source / name)
    # As the Dockerfile does without CBNS_DEVKIT=1: the developer kit stays out.
    shutil.copytree(
        REPO_ROOT / "plugins",
        source / "plugins",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "cbns_devkit"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (wheel,) = tmp_path.glob("chargebee_netsuite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    migrations = "chargebee_netsuite/staging/migrations"
    assert f"{migrations}/env.py" in names
    assert f"{migrations}/script.py.mako" in names
    versions = sorted((PACKAGE / "staging" / "migrations" / "versions").glob("*.py"))
    assert versions
    for version in versions:
        assert f"{migrations}/versions/{version.name}" in names
    assert sorted(set(_package_data_files()) - names) == []
    assert not [name for name in names if name.startswith("cbns_devkit/")]
    entry_points = next(name for name in names if name.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[apache_airflow_provider]" in text and "[airflow.plugins]" in text


def test_the_developer_kit_stays_out_of_the_image_unless_asked() -> None:
    text = DOCKERFILE.read_text()
    assert "ARG CBNS_DEVKIT=0" in text
    assert 'if [ "${CBNS_DEVKIT}" != "1" ]; then rm -rf /opt/cbns/src/plugins/cbns_devkit' in text
