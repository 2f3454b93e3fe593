"""Rate limiting (with and without Retry-After), concurrency, and injected faults."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from .conftest import Schemas, schema_errors


def test_rate_limit_with_retry_after_blocks_until_the_window_clears(
    start_sandbox: Any, schemas: Schemas
) -> None:
    sandbox = start_sandbox(
        scale=1, rate_limit_per_minute=5, rate_limit_window_seconds=1.5, retry_after=True
    )
    statuses = [sandbox.api.get("/customers").status_code for _ in range(5)]
    assert statuses == [200] * 5
    blocked = sandbox.api.get("/customers")
    assert blocked.status_code == 429
    body = blocked.json()
    assert body["api_error_code"] == "api_request_limit_exceeded"
    assert body["message"].startswith("Sorry, access has been blocked temporarily")
    assert schema_errors(schemas("429"), body) == []
    assert blocked.headers["Retry-After"] == "2"
    time.sleep(0.8)
    assert sandbox.api.get("/customers").status_code == 429  # still blocked, not sliding
    time.sleep(float(blocked.headers["Retry-After"]))
    assert sandbox.api.get("/customers").status_code == 200


def test_rate_limit_without_retry_after(start_sandbox: Any) -> None:
    sandbox = start_sandbox(
        scale=1, rate_limit_per_minute=2, rate_limit_window_seconds=1, retry_after=False
    )
    responses = [sandbox.api.get("/customers") for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "retry-after" not in responses[2].headers


def test_concurrency_limit(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scale=1, concurrency_limit=2, latency_ms=400)
    url = f"{sandbox.base_url}/api/v2/customers"
    key = sandbox.settings.test_key
    with ThreadPoolExecutor(5) as pool:
        codes = list(
            pool.map(lambda _: httpx.get(url, auth=(key, ""), timeout=10).status_code, range(5))
        )
    assert codes.count(200) == 2
    assert codes.count(429) == 3


def test_fail_nth_by_configuration_and_admin(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scale=1, fail_nth=2)
    codes = [sandbox.api.get("/customers").status_code for _ in range(3)]
    assert codes == [200, 500, 200]
    sandbox.admin.post("/faults", json={"fail_nth": 1, "fail_kind": "html_503"})
    html = sandbox.api.get("/customers")
    assert html.status_code == 503 and html.headers["content-type"].startswith("text/html")
    sandbox.admin.post("/faults", json={"fail_nth": 1, "fail_kind": "lock_timeout"})
    assert sandbox.api.get("/customers").json()["api_error_code"] == "lock_timeout"


def test_slow_responses(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scale=1)
    sandbox.admin.post("/faults", json={"latency_ms": 300})
    started = time.monotonic()
    assert sandbox.api.get("/customers").status_code == 200
    assert time.monotonic() - started >= 0.3


def test_rows_updated_while_paginating_reappear_later(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scale=6, random_seed=2)
    sandbox.admin.post("/faults", json={"mutate_on_page": 3})
    params: dict[str, Any] = {"limit": 5, "sort_by[asc]": "updated_at"}
    seen: list[str] = []
    while True:
        body = sandbox.api.get("/invoices", params=params).json()
        seen += [r["invoice"]["id"] for r in body["list"]]
        if "next_offset" not in body:
            break
        params["offset"] = body["next_offset"]
        json.loads(params["offset"])
    assert len(seen) > len(set(seen)), "updated rows move behind the cursor and repeat"
