"""Every request carries documents: full pages of 100, and no tail re-read after a single page."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Engine

from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import extract_resource
from chargebee_netsuite.extract.events import extract_events
from chargebee_netsuite.extract.windows import Window
from chargebee_netsuite.staging.db import create_staging_engine, migrate

WRAPPERS = {"items": "item", "transactions": "transaction", "events": "event"}


class Listing:
    """A fake site with ``pages`` pages of each list; it records the requests it answered.

    With ``quiet`` a listing filtered by ``updated_at`` (a full sync's tail re-read) is empty.
    """

    def __init__(self, pages: dict[str, int], *, quiet: bool = True) -> None:
        self.pages = pages
        self.quiet = quiet
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        resource = request.url.path.rsplit("/", 1)[-1]
        if self.quiet and "updated_at[between]" in request.url.params:
            return httpx.Response(200, json={"list": []})
        number = int(request.url.params.get("offset") or 0)
        docs = [
            {WRAPPERS[resource]: {"id": f"{resource}_{number}_{i}", "resource_version": 1}}
            for i in range(int(request.url.params["limit"]))
        ]
        body: dict[str, object] = {"list": docs}
        if number + 1 < self.pages[resource]:
            body["next_offset"] = str(number + 1)
        return httpx.Response(200, content=json.dumps(body))

    def listed(self, resource: str) -> list[httpx.Request]:
        """The list requests of ``resource``."""
        return [r for r in self.requests if r.url.path.endswith(f"/{resource}")]


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    engine = create_staging_engine(sqlite_url)
    migrate(engine)
    yield engine
    engine.dispose()


def client(site: Listing) -> ChargebeeClient:
    settings = ChargebeeSettings(
        site="acme", api_key="k", base_url="http://cb.test", rate_limit_per_minute=10**9
    )
    return ChargebeeClient(settings, transport=httpx.MockTransport(site))


def test_a_full_listing_asks_for_pages_of_100_and_re_reads_its_tail(engine: Engine) -> None:
    site = Listing({"transactions": 3})
    stats = extract_resource(client(site), engine, "transactions")
    requests = site.listed("transactions")
    assert [r.url.params["limit"] for r in requests] == ["100"] * 4
    assert "updated_at[between]" in requests[-1].url.params  # the tail, after 3 pages
    assert stats.documents == 300


def test_a_listing_of_one_page_is_one_request(engine: Engine) -> None:
    site = Listing({"items": 1})
    stats = extract_resource(client(site), engine, "items")
    assert [r.url.params["limit"] for r in site.listed("items")] == ["100"]
    assert stats.pages == 1 and stats.documents == 100


def test_windows_and_events_ask_for_pages_of_100(engine: Engine) -> None:
    end = datetime(2026, 12, 1, tzinfo=UTC)
    window = Window(end - timedelta(hours=1), end)
    site = Listing({"transactions": 2, "events": 2}, quiet=False)
    cb = client(site)
    extract_resource(cb, engine, "transactions", full=True)  # first sync: full
    extract_resource(cb, engine, "transactions", window)
    extract_events(cb, engine, window)
    assert {r.url.params["limit"] for r in site.requests} == {"100"}
    assert len(site.listed("events")) == 2
