"""``/__admin/stats``: per-method counts of ``/api/v2`` requests, to prove zero writes."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import httpx

from cbns_devkit.sandbox.chargebee.stats import peak_in_window

from .conftest import Sandbox


def test_stats_count_api_requests_by_method_and_resource(
    start_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = start_sandbox(scale=3)
    assert sandbox.admin.get("/stats").json() == {
        "total": 0,
        "requests": {},
        "by_path_prefix": {},
    }
    assert sandbox.api.get("/invoices", params={"limit": 2}).status_code == 200
    invoice_id = sandbox.api.get("/invoices").json()["list"][0]["invoice"]["id"]
    assert sandbox.api.get(f"/invoices/{invoice_id}").status_code == 200
    assert sandbox.api.post("/customers", data={"first_name": "x"}).status_code == 405
    with httpx.Client(base_url=sandbox.base_url, auth=("wrong_key", "")) as bad:
        assert bad.get("/api/v2/customers").status_code == 401
    sandbox.admin.get("")  # admin calls are not API requests
    sandbox.admin.post("/touch", json={"kind": "invoice", "count": 1})

    stats = sandbox.admin.get("/stats").json()
    assert stats == {
        "total": 5,
        "requests": {"GET": 4, "POST": 1},
        "by_path_prefix": {
            "/api/v2/customers": {"GET": 1, "POST": 1},
            "/api/v2/invoices": {"GET": 3},
        },
    }

    reset = sandbox.admin.post("/stats/reset")
    assert reset.status_code == 200
    assert reset.json() == {"total": 0, "requests": {}, "by_path_prefix": {}}
    sandbox.api.get("/events", params={"limit": 1})
    assert sandbox.admin.get("/stats").json()["requests"] == {"GET": 1}


def test_a_read_only_client_shows_zero_writes(start_sandbox: Callable[..., Sandbox]) -> None:
    sandbox = start_sandbox(scale=3)
    sandbox.list_all("invoices")
    sandbox.list_all("customers")
    requests = sandbox.admin.get("/stats").json()["requests"]
    assert set(requests) == {"GET"}
    assert requests["GET"] >= 2


def test_the_request_log_has_each_answer_and_the_peak_per_window(
    start_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = start_sandbox(scale=3, rate_limit_per_minute=3, rate_limit_window_seconds=60)
    codes = [sandbox.api.get("/customers").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    sandbox.api.get("/invoices")  # the site stays blocked for the window

    log = sandbox.admin.get("/requests", params={"window_seconds": 60}).json()
    assert log["total"] == 5
    assert log["by_status"] == {"200": 3, "429": 2}
    assert log["peak_in_window"] == 5  # refused requests arrived too
    assert [entry[1:] for entry in log["entries"]] == [
        *[["/api/v2/customers", 200]] * 3,
        ["/api/v2/customers", 429],
        ["/api/v2/invoices", 429],
    ]
    arrivals = [entry[0] for entry in log["entries"]]
    assert all(a <= b for a, b in itertools.pairwise(arrivals))

    sandbox.admin.post("/stats/reset")
    assert sandbox.admin.get("/requests").json()["total"] == 0


def test_peak_in_window_counts_half_open_windows() -> None:
    assert peak_in_window([], 1.0) == 0
    assert peak_in_window([0.0, 0.5, 1.0, 1.2], 1.0) == 3  # (0.2, 1.2] holds 0.5, 1.0, 1.2
    assert peak_in_window([0.0, 1.0, 2.0], 1.0) == 1
