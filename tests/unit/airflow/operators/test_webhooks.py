"""WebhookInboxToNetSuiteOperator: inbox, then validation and load only when needed."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from chargebee_netsuite.airflow.operators import webhooks as module
from chargebee_netsuite.airflow.operators.webhooks import WebhookInboxToNetSuiteOperator

CONFIG = SimpleNamespace(mapping_path=Path("env.yaml"), reports_dir=Path("/reports"))


@pytest.fixture
def stages(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The three stage functions replaced; ``staged`` sets how many documents the inbox gave."""
    state: dict[str, Any] = {"staged": 0, "ran": [], "resources": []}

    @contextmanager
    def fake_resources(config: Any) -> Any:
        resources = SimpleNamespace(name="one")
        state["resources"].append(resources)
        yield resources

    def inbox(resources: Any, run_id: str) -> dict[str, Any]:
        state["ran"].append("inbox")
        return {"pending": state["staged"], "documents": state["staged"]}

    def validate(resources: Any, run_id: str, **kw: Any) -> dict[str, Any]:
        state["ran"].append(("validate", kw["mapping_path"]))
        return {"checked": state["staged"]}

    def load(resources: Any, run_id: str, **kw: Any) -> dict[str, Any]:
        state["ran"].append(("load", kw["dry_run"]))
        return {"writes": state["staged"]}

    monkeypatch.setattr(module, "run_resources", fake_resources)
    monkeypatch.setattr(module, "stage_inbox", inbox)
    monkeypatch.setattr(module, "validate", validate)
    monkeypatch.setattr(module, "load", load)
    monkeypatch.setattr(WebhookInboxToNetSuiteOperator, "sync_config", lambda self: CONFIG)
    return state


def test_an_empty_inbox_skips_validation_and_load(stages: dict[str, Any]) -> None:
    result = WebhookInboxToNetSuiteOperator(task_id="w").execute({"run_id": "r"})  # type: ignore[arg-type]
    assert stages["ran"] == ["inbox"]
    assert (result["validate"], result["load"]) == (None, None)
    assert set(result["seconds"]) == {"inbox"}


def test_staged_documents_are_validated_and_posted_in_one_task(stages: dict[str, Any]) -> None:
    stages["staged"] = 2
    task = WebhookInboxToNetSuiteOperator(task_id="w", is_dry_run="true")
    result = task.execute({"run_id": "r"})  # type: ignore[arg-type]
    assert stages["ran"] == ["inbox", ("validate", Path("env.yaml")), ("load", True)]
    assert result["load"] == {"writes": 2}
    assert set(result["seconds"]) == {"inbox", "validate", "load"}
    assert len(stages["resources"]) == 1  # one engine and one set of clients for all three


def test_a_retry_validates_and_loads_even_when_the_inbox_is_drained(
    stages: dict[str, Any],
) -> None:
    task = WebhookInboxToNetSuiteOperator(task_id="w")
    task.execute({"run_id": "r", "ti": SimpleNamespace(try_number=2)})  # type: ignore[arg-type]
    assert [s if isinstance(s, str) else s[0] for s in stages["ran"]] == [
        "inbox",
        "validate",
        "load",
    ]


def test_it_holds_the_netsuite_slot() -> None:
    assert WebhookInboxToNetSuiteOperator(task_id="w").pool == "netsuite_api"
