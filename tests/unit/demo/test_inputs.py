"""What the demo's SEED=, MAPPING= and NS_REFERENCE= become for Airflow and the sandboxes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cbns_devkit.demo.__main__ import main
from cbns_devkit.demo.inputs import DemoInputs

INCLUDE = Path(__file__).resolve().parents[3] / "include"


def test_inputs_become_the_mapping_setting_and_the_sandbox_reference_data() -> None:
    inputs = DemoInputs(
        INCLUDE / "chargebee/seed.sample.json",
        INCLUDE / "mapping.sample.yaml",
        INCLUDE / "netsuite/reference.sample.json",
    )
    assert inputs.env() == {"CBNS_MAPPING_PATH": str((INCLUDE / "mapping.sample.yaml").resolve())}
    assert inputs.sandbox_args() == [
        "--ns-reference-data",
        str((INCLUDE / "netsuite/reference.sample.json").resolve()),
    ]
    assert len(inputs.describe()) == 3
    assert DemoInputs().env() == {} and DemoInputs().sandbox_args() == []


def test_a_missing_file_is_named_before_anything_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "accounts.json"
    assert main(["run", "--ns-reference", str(missing)]) == 2
    assert f"NS_REFERENCE={missing}: no such file" in capsys.readouterr().err
