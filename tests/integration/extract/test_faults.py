"""Extraction under the sandbox's faults: 5xx mid-listing, rate limits, mutation mid-scan, auth."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from chargebee_netsuite.chargebee import AuthenticationError, AuthorizationError
from chargebee_netsuite.extract.documents import extract_all, extract_resource
from chargebee_netsuite.extract.windows import Window

from .conftest import StartSandbox
from .helpers import assert_staging_matches, sandbox_versions, staged_versions


@pytest.mark.parametrize("kind", ["internal_error", "html_503", "internal_temporary_error"])
def test_a_5xx_on_page_n_is_retried_and_nothing_is_missing(
    start_sandbox: StartSandbox, sqlite_engine: Engine, kind: str
) -> None:
    sandbox = start_sandbox(scale=40)
    sandbox.admin("POST", "/faults", {"fail_nth": 3, "fail_kind": kind})
    client = sandbox.client()
    stats = extract_resource(client, sqlite_engine, "invoices")
    assert stats.pages >= 3
    # One request more than pages and line fetches: the failed page was asked for again.
    line_requests = client.requests_sent - stats.pages - 1
    assert line_requests >= stats.line_fetches
    assert sandbox.admin("GET", "/faults")["fail_nth"] is None  # the fault did fire
    staged = staged_versions(sqlite_engine)["invoices"]
    assert staged == sandbox_versions(sandbox.export())["invoices"]


def test_a_client_configured_for_the_plan_never_sees_a_429(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    # A short window stands in for Chargebee's minute so the test stays fast.
    sandbox = start_sandbox(
        scale=40, rate_limit_per_minute=6, rate_limit_window_seconds=1.5, retry_after=True
    )
    client = sandbox.client(rate_limit_per_minute=6, rate_limit_window_seconds=1.5)
    extract_all(client, sqlite_engine)
    assert client.requests_sent > 6 * 2
    assert client.rate_limited == 0
    assert_staging_matches(sqlite_engine, sandbox.export())


@pytest.mark.parametrize("retry_after", [True, False], ids=["retry-after", "no-retry-after"])
def test_429s_are_ridden_out_with_and_without_retry_after(
    start_sandbox: StartSandbox, sqlite_engine: Engine, retry_after: bool
) -> None:
    sandbox = start_sandbox(
        scale=20, rate_limit_per_minute=6, rate_limit_window_seconds=1.0, retry_after=retry_after
    )
    # Misconfigured on purpose: the client believes the plan allows far more.
    client = sandbox.client(rate_limit_per_minute=10_000, max_attempts=8)
    pages = list(client.list_pages("/transactions", {"include_deleted": "true"}, limit=10))
    assert client.rate_limited > 0
    ids = {e["transaction"]["id"] for page in pages for e in page}
    assert ids == {t["id"] for t in sandbox.export()["transactions"]}


def test_a_site_kept_blocked_by_another_client_is_waited_out_not_given_up(
    start_sandbox: StartSandbox,
) -> None:
    # The limit belongs to the site: another integration on it, blind to the limit, keeps it
    # blocked; no Retry-After comes back. A short window stands in for Chargebee's minute.
    sandbox = start_sandbox(
        scale=10, rate_limit_per_minute=5, rate_limit_window_seconds=1.0, retry_after=False
    )
    # Configured for the plan, so alone it never sees a 429; two attempts for server errors.
    client = sandbox.client(max_attempts=2, rate_limit_budget_seconds=60)
    stop, blocked = threading.Event(), threading.Event()

    def other_tool() -> None:
        key = sandbox.settings.test_key
        with httpx.Client(base_url=f"{sandbox.url}/api/v2", auth=(key, ""), timeout=10) as http:
            while not stop.wait(0.005):
                if http.get("/customers", params={"limit": 1}).status_code == 429:
                    blocked.set()

    hammer = threading.Thread(target=other_tool)
    hammer.start()
    assert blocked.wait(10), "the other tool never used the limit up"
    threading.Timer(3.0, stop.set).start()
    try:
        pages = list(client.list_pages("/invoices", {"include_deleted": "true"}, limit=10))
    finally:
        stop.set()
        hammer.join()
    assert client.rate_limited > 0
    ids = {e["invoice"]["id"] for page in pages for e in page}
    assert ids == {i["id"] for i in sandbox.export()["invoices"]}


def test_rows_changed_mid_scan_are_not_lost(start_sandbox: StartSandbox, engine: Engine) -> None:
    sandbox = start_sandbox(scale=60)
    client = sandbox.client()
    extract_all(client, engine, resources=["invoices", "customers"])  # first sync: full
    # Recent activity: a few hundred records changed just now, so the current window spans
    # several pages.
    sandbox.admin("POST", "/touch", {"kind": "invoice", "count": 250})
    sandbox.admin("POST", "/touch", {"kind": "customer", "count": 150})
    before = sandbox_versions(sandbox.export())

    # Every further list page first updates records (they jump to the end of an
    # updated_at-sorted listing) while the window that contains "now" is paginated.
    sandbox.admin("POST", "/faults", {"mutate_on_page": 7})
    now = datetime.now(UTC)
    current = Window(now - timedelta(hours=1), now + timedelta(minutes=5))
    stats = extract_all(client, engine, current, resources=["invoices", "customers"])
    assert all(s.mode == "window" for s in stats)
    # Invoices span several pages (the customers' window is one page, which nothing can
    # change midway: the sandbox mutates records only when a further page is asked for).
    assert {s.resource: s.pages for s in stats}["invoices"] > 2
    changed = sandbox_versions(sandbox.export())
    assert changed["invoices"] != before["invoices"], "the fault updated records"
    sandbox.admin("POST", "/faults", {"mutate_on_page": 0})

    # The next window's overlap re-reads whatever changed in the last seconds of this one.
    nxt = Window(current.end, current.end + timedelta(hours=1))
    extract_all(client, engine, nxt, resources=["invoices", "customers"])
    final = sandbox_versions(sandbox.export())
    got = staged_versions(engine)
    for resource in ("invoices", "customers"):
        assert got[resource] == final[resource], resource


def test_a_wrong_key_fails_once_with_a_sentence_naming_site_and_region(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=1)
    client = sandbox.client(api_key="live_key_of_another_region", region="au")
    with pytest.raises(AuthenticationError) as caught:
        extract_resource(client, sqlite_engine, "customers")
    message = str(caught.value)
    assert "site 'acme-test'" in message and "region 'au'" in message
    assert "live_key_of_another_region" not in message
    assert client.requests_sent == 1


def test_a_key_without_rights_gets_a_403_explanation(
    start_sandbox: StartSandbox, sqlite_engine: Engine
) -> None:
    sandbox = start_sandbox(scale=1)
    client = sandbox.client(api_key=sandbox.settings.no_rights_key)
    with pytest.raises(AuthorizationError, match="lacks permission"):
        extract_resource(client, sqlite_engine, "invoices")
    assert client.requests_sent == 1
