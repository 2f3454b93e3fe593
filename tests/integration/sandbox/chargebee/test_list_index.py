"""The sorted list index pages exactly like filtering and sorting every record per page.

Each page served over HTTP is compared with a brute-force page computed from the same
store state (the pre-index algorithm: filter everything, sort everything, cut after the
offset), so the index can neither drop, repeat nor misorder rows, also while records are
touched between pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cbns_devkit.sandbox.chargebee import ChargebeeSandboxSettings, create_app
from cbns_devkit.sandbox.chargebee.api import _bool_param, _extra_match, _sort
from cbns_devkit.sandbox.chargebee.filter_params import matches, parse_filters
from cbns_devkit.sandbox.chargebee.offsets import decode_offset, page, sort_key
from cbns_devkit.sandbox.chargebee.resources import RESOURCES
from cbns_devkit.sandbox.chargebee.site_store import Store
from cbns_devkit.sandbox.server import serve_in_thread

from .conftest import Sandbox

Query = dict[str, Any]


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """A site with a few thousand invoices (scale 700: ~2,900 invoices, ~3,100 payments)."""
    settings = ChargebeeSandboxSettings(scale=700, random_seed=5, rate_limit_per_minute=100_000)
    app = create_app(settings)
    sandbox = Sandbox(serve_in_thread(app), settings, app)
    yield sandbox
    sandbox.close()


def _store(sandbox: Sandbox) -> Store:
    store: Store = sandbox.app.state.sites[sandbox.settings.site].store
    return store


def brute_force_page(store: Store, path: str, query: Query) -> tuple[list[str], str | None]:
    """One page the way every page was computed before the index existed."""
    resource = RESOURCES[path]
    pairs = [(name, str(value)) for name, value in query.items()]
    params = dict(pairs)
    attr, descending = _sort(resource, params)
    conditions = parse_filters(resource, pairs)
    include_deleted = (
        _bool_param(params.get("include_deleted"), "include_deleted")
        if resource.include_deleted
        else True
    )
    extra = {name: int(params[name]) for name in resource.int_params if name in params}
    after = decode_offset(params["offset"], attr) if "offset" in params else None
    if resource.name == "event":
        rows = [(ev, store.event_sequence[eid]) for eid, ev in store.events.items()]
    else:
        rows = [(rec, store.seq(resource.name, rec["id"])) for rec in store.all(resource.name)]
    keyed = [
        (sort_key(record, attr, seq), record)
        for record, seq in rows
        if (include_deleted or not record.get("deleted"))
        and matches(record, conditions)
        and _extra_match(record, extra)
    ]
    chunk, next_offset = page(keyed, descending=descending, limit=int(query["limit"]), after=after)
    return [record["id"] for record in chunk], next_offset


def _page_through(
    sandbox: Sandbox, path: str, query: Query, check: Callable[[Query, list[str], str | None], None]
) -> list[str]:
    seen: list[str] = []
    query = dict(query)
    name = RESOURCES[path].name
    while True:
        body = sandbox.api.get(f"/{path}", params=query).json()
        ids = [row[name]["id"] for row in body["list"]]
        check(query, ids, body.get("next_offset"))
        seen += ids
        if "next_offset" not in body:
            return seen
        query["offset"] = body["next_offset"]


QUERIES: list[tuple[str, Query]] = [
    ("invoices", {"limit": 100}),
    ("invoices", {"limit": 100, "include_deleted": "true"}),
    ("invoices", {"limit": 100, "sort_by[asc]": "date"}),
    ("invoices", {"limit": 100, "sort_by[desc]": "updated_at", "status[in]": '["paid","posted"]'}),
    ("invoices", {"limit": 37, "sort_by[asc]": "updated_at", "updated_at[after]": "1710000000"}),
    ("invoices", {"limit": 100, "total[gt]": "500000", "include_deleted": "true"}),
    ("invoices", {"limit": 100, "status[is]": "voided", "sort_by[desc]": "date"}),
    ("invoices", {"limit": 100, "paid_on_after": "1712000000"}),
    ("invoices", {"limit": 100, "status[is]": "pending"}),
    ("credit_notes", {"limit": 100, "sort_by[desc]": "date"}),
    ("transactions", {"limit": 100, "sort_by[desc]": "updated_at", "type[is]": "refund"}),
    ("transactions", {"limit": 100}),
    ("customers", {"limit": 100, "sort_by[asc]": "updated_at", "include_deleted": "true"}),
    ("items", {"limit": 3}),
    ("items", {"limit": 4, "sort_by[desc]": "name"}),
    ("item_prices", {"limit": 7, "sort_by[asc]": "id"}),
    (
        "events",
        {"limit": 100, "sort_by[desc]": "occurred_at", "event_type[is]": "invoice_generated"},
    ),
    ("events", {"limit": 100, "start_time": "1712000000", "end_time": "1716000000"}),
]


@pytest.mark.parametrize(("path", "query"), QUERIES)
def test_every_page_equals_the_brute_force_page(big: Sandbox, path: str, query: Query) -> None:
    store = _store(big)

    def check(sent: Query, ids: list[str], next_offset: str | None) -> None:
        assert (ids, next_offset) == brute_force_page(store, path, sent)

    seen = _page_through(big, path, query, check)
    assert len(seen) == len(set(seen))
    everything, _ = brute_force_page(store, path, {**query, "limit": 10**9})
    assert seen == everything


def test_full_invoice_listing_is_the_whole_set_in_creation_order(big: Sandbox) -> None:
    store = _store(big)
    seen = _page_through(big, "invoices", {"limit": 100}, lambda *_: None)
    live = [
        inv
        for inv in sorted(
            store.all("invoice"), key=lambda r: (r["generated_at"], store.seq("invoice", r["id"]))
        )
        if not inv.get("deleted")
    ]
    assert len(live) > 2000
    assert seen == [inv["id"] for inv in live]


@pytest.mark.parametrize(
    "query",
    [
        {"limit": 50, "sort_by[asc]": "updated_at"},
        {"limit": 50, "sort_by[desc]": "updated_at", "status[is]": "paid"},
        {"limit": 50},
    ],
)
def test_rows_touched_mid_pagination_move_like_the_real_api(
    start_sandbox: Callable[..., Sandbox], query: Query
) -> None:
    sandbox = start_sandbox(scale=60, random_seed=9, rate_limit_per_minute=100_000)
    store = _store(sandbox)
    sandbox.admin.post("/faults", json={"mutate_on_page": 4})
    pages = 0

    def check(sent: Query, ids: list[str], next_offset: str | None) -> None:
        # The fault has already touched this page's records; nothing changes afterwards.
        nonlocal pages
        pages += 1
        assert (ids, next_offset) == brute_force_page(store, "invoices", sent)

    seen = _page_through(sandbox, "invoices", query, check)
    assert pages > 3
    if "sort_by[asc]" in query:
        assert len(seen) > len(set(seen)), "touched rows move behind the cursor and repeat"


def test_records_changed_by_admin_operations_move_in_updated_at_order(
    start_sandbox: Callable[..., Sandbox],
) -> None:
    sandbox = start_sandbox(scale=30, random_seed=4, rate_limit_per_minute=100_000)
    store = _store(sandbox)
    query = {"limit": 10, "sort_by[desc]": "updated_at"}
    first = sandbox.api.get("/invoices", params=query).json()
    open_invoice = next(
        inv
        for inv in store.all("invoice")
        if inv["status"] in ("posted", "payment_due", "not_paid")
        and inv["amount_due"]
        and not inv.get("deleted")
    )
    assert sandbox.admin.post(f"/invoices/{open_invoice['id']}/payments").status_code == 200
    second = sandbox.api.get("/invoices", params=query).json()
    assert second["list"][0]["invoice"]["id"] == open_invoice["id"]
    assert first["list"] != second["list"]
    for sent in (query, {**query, "offset": second["next_offset"]}):
        ids = [
            row["invoice"]["id"] for row in sandbox.api.get("/invoices", params=sent).json()["list"]
        ]
        assert ids == brute_force_page(store, "invoices", sent)[0]
