"""The large case: a full extraction of a generated site stages exactly its documents.

The scale is ``CBNS_EXTRACT_SCALE`` customers (about four invoices each, plus payments and
credit notes); 5000 gives the 20k-invoice acceptance case. The default is smaller because the
sandbox's generator is currently quadratic in scale (see the extraction report).
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from sqlalchemy import Engine

from cbns_devkit.sandbox.chargebee.generator import generate
from chargebee_netsuite.extract.documents import extract_all

from .conftest import StartSandbox
from .helpers import assert_staging_matches

SCALE = int(os.environ.get("CBNS_EXTRACT_SCALE", "1000"))


@pytest.fixture(scope="session")
def big_seed() -> dict[str, Any]:
    """Generated once per session and shared by the SQLite and Postgres runs."""
    return generate(SCALE, 11)


@pytest.mark.timeout(1800)
def test_full_extraction_at_scale_matches_the_sandbox_exactly(
    start_sandbox: StartSandbox, engine: Engine, big_seed: dict[str, Any]
) -> None:
    sandbox = start_sandbox(seed_data=big_seed)
    client = sandbox.client(max_concurrency=4)
    stats = extract_all(client, engine, run_id="big")
    export = sandbox.export()
    assert len(export["invoices"]) >= SCALE * 3
    assert {s.resource: s.documents for s in stats}["invoices"] >= len(export["invoices"])
    assert_staging_matches(engine, export)
    assert set(sandbox.counter.methods) == {"GET"}
