"""GreatExpectationsValidationOperator: the run's validation, its failure rule, its links."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow.operators import quality as module
from chargebee_netsuite.airflow.operators.links import DataDocsLink
from chargebee_netsuite.airflow.operators.quality import GreatExpectationsValidationOperator
from chargebee_netsuite.errors import ValidationFailed

CONFIG = SimpleNamespace(mapping_path=Path("env.yaml"), reports_dir=Path("/reports"))


@pytest.fixture
def validated(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    from chargebee_netsuite import mapping
    from chargebee_netsuite.quality import run

    calls: list[dict[str, Any]] = []

    @contextmanager
    def fake_resources(config: Any) -> Any:
        yield SimpleNamespace(engine="engine", site="acme")

    def validate_staged(engine: Any, site: str, run_id: str, **kw: Any) -> Any:
        calls.append({"site": site, "run_id": run_id, **kw})
        return SimpleNamespace(all_failed=site == "broken", as_dict=lambda: {"checked": 3})

    monkeypatch.setattr(module, "run_resources", fake_resources)
    monkeypatch.setattr(GreatExpectationsValidationOperator, "sync_config", lambda self: CONFIG)
    monkeypatch.setattr(run, "validate_staged", validate_staged)
    monkeypatch.setattr(
        mapping, "load_mapping", lambda path: SimpleNamespace(currencies={"USD": 1})
    )
    return calls


def test_validates_the_run_with_the_mappings_currencies(validated: list[dict[str, Any]]) -> None:
    task = GreatExpectationsValidationOperator(task_id="validate")
    assert task.execute({"run_id": "r1"}) == {"checked": 3}  # type: ignore[arg-type]
    assert validated == [
        {
            "site": "acme",
            "run_id": "r1",
            "known_currencies": {"USD"},
            "reports_dir": Path("/reports"),
        }
    ]
    GreatExpectationsValidationOperator(task_id="v", reports_dir="/elsewhere").execute({})  # type: ignore[arg-type]
    assert validated[-1]["reports_dir"] == Path("/elsewhere")


def test_fails_only_when_every_document_failed(
    monkeypatch: pytest.MonkeyPatch, validated: list[dict[str, Any]]
) -> None:
    @contextmanager
    def broken_site(config: Any) -> Any:
        yield SimpleNamespace(engine="e", site="broken")

    monkeypatch.setattr(module, "run_resources", broken_site)
    with pytest.raises(ValidationFailed, match="every staged document"):
        GreatExpectationsValidationOperator(task_id="validate").execute({})  # type: ignore[arg-type]


def test_links_to_the_runs_data_docs() -> None:
    task = GreatExpectationsValidationOperator(task_id="validate")
    assert any(isinstance(link, DataDocsLink) for link in task.operator_extra_links)
    assert set(task.template_fields) == {"mapping_path", "reports_dir"}
    assert task.pool == "default_pool"
