"""`cbns mapping draft` through the Airflow connections, then `cbns check` listing its TODOs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from chargebee_netsuite.cli import main
from chargebee_netsuite.mapping.draft import find_todos


def test_draft_through_the_connections_then_check_lists_each_todo_with_its_line(
    connections: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "mapping.yaml"
    assert main(["mapping", "draft", "-o", str(output)]) == 0
    out = capsys.readouterr().out
    todos = find_todos(output.read_text())
    assert todos and f"{len(todos)} TODO(s) to fill in" in out
    assert "currencies:\n" in output.read_text() and "  USD: 1  # US Dollar" in output.read_text()
    # A second run does not overwrite the file a person may have started filling in.
    assert main(["mapping", "draft", "-o", str(output)]) == 1

    assert main(["check", "--mapping", str(output)]) == 1
    out = capsys.readouterr().out
    assert f"{len(todos)} TODO(s) left" in out
    for todo in todos:
        assert f"line {todo.line}: {todo.path}" in out
    secret = connections["chargebee_default"]["password"]
    assert secret not in out


def test_draft_from_a_staging_url_without_data_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    url = f"sqlite:///{tmp_path / 'empty.db'}"
    engine = create_staging_engine(url)
    migrate(engine)
    engine.dispose()
    code = main(["mapping", "draft", "--staging-url", url, "-o", str(tmp_path / "m.yaml")])
    assert code == 1
    assert "staging holds no Chargebee data" in capsys.readouterr().err
