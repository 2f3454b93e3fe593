"""The shipped sample seed and the seeding contract's JSON schema (include/chargebee/)."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from cbns_devkit.sandbox.chargebee import add_arguments, build, generate
from cbns_devkit.sandbox.chargebee.sample import sample_seed
from cbns_devkit.sandbox.chargebee.seed import load_seed
from cbns_devkit.sandbox.chargebee.site_store import Store
from cbns_devkit.sandbox.server import serve_in_thread

INCLUDE = Path(__file__).resolve().parents[4] / "include"
SAMPLE = INCLUDE / "chargebee" / "seed.sample.json"
SCHEMA = INCLUDE / "chargebee" / "seed.schema.json"


def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_shipped_sample_is_what_its_builder_makes() -> None:
    assert json.loads(SAMPLE.read_text()) == sample_seed()


def test_the_schema_accepts_the_sample_and_generated_data_and_refuses_a_broken_seed() -> None:
    validator = _validator()
    sample: dict[str, Any] = json.loads(SAMPLE.read_text())
    assert list(validator.iter_errors(sample)) == []
    assert list(validator.iter_errors(generate(4, 11))) == []
    broken = copy.deepcopy(sample)
    del broken["invoices"][0]["total"]
    broken["transactions"][0]["status"] = "succeeded"
    broken["invoice"] = []
    messages = sorted(error.message for error in validator.iter_errors(broken))
    assert len(messages) == 3
    assert any("'total' is a required property" in m for m in messages)


def test_the_seed_names_its_site_unless_the_command_line_does(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    for argv, site in (
        (["--cb-seed-file", str(SAMPLE)], "northwind-test"),
        (["--cb-seed-file", str(SAMPLE), "--cb-site", "other-test"], "other-test"),
        ([], "acme-test"),
    ):
        spec = build(parser.parse_args([*argv, "--cb-scale", "0"]), tmp_path)
        with serve_in_thread(spec.app) as server:
            assert spec.describe(server.base_url)["site"] == site


def test_comments_are_ignored_and_unknown_keys_refused() -> None:
    assert load_seed(Store("s"), {"_comment": "mine", "site": "s-test", "customers": []}) == 0
    with pytest.raises(ValueError, match="unknown seed keys"):
        load_seed(Store("s"), {"invoice": []})
