"""Shape of the sandbox's hot paths: O(1) ids, indexed pages, cheap copies, same output."""

from __future__ import annotations

import copy
import gc
import hashlib
import json
import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from cbns_devkit.sandbox.chargebee import generate
from cbns_devkit.sandbox.chargebee.conventions import Conventions
from cbns_devkit.sandbox.chargebee.currencies import USD_PER_UNIT, SiteCurrencies
from cbns_devkit.sandbox.chargebee.jsoncopy import json_copy
from cbns_devkit.sandbox.chargebee.listindex import PageQuery, page_rows
from cbns_devkit.sandbox.chargebee.offsets import page, sort_key
from cbns_devkit.sandbox.chargebee.site_store import Store
from cbns_devkit.sandbox.chargebee.stats import RequestStats, path_prefix

Record = dict[str, Any]


class _Clock:
    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def __call__(self) -> float:
        return self.t


def _store_with_invoices(count: int, rng: random.Random) -> tuple[Store, _Clock]:
    clock = _Clock()
    store = Store("unit", clock=clock)
    for n in range(count):
        clock.t += rng.choice((0, 0, 1, 7))  # many equal timestamps: seq breaks ties
        record: Record = {
            "id": str(n + 1),
            "object": "invoice",
            "customer_id": f"cust_{n % 13}",
            "status": rng.choice(("paid", "posted", "voided")),
            "date": int(clock.t) - rng.randrange(1000),
            "deleted": rng.random() < 0.1,
        }
        if rng.random() < 0.9:  # some legacy rows lack updated_at and sort first
            store.touch(record)
        store.insert("invoice", record)
    return store, clock


def _brute(
    store: Store, attr: str | None, descending: bool, limit: int, after: Any, status: str | None
) -> tuple[list[str], str | None]:
    keyed = [
        (sort_key(rec, attr, store.seq("invoice", rec["id"])), rec)
        for rec in store.all("invoice")
        if status is None or rec["status"] == status
    ]
    chunk, next_offset = page(keyed, descending=descending, limit=limit, after=after)
    return [rec["id"] for rec in chunk], next_offset


def _status_is(status: str | None) -> Callable[[Record], bool]:
    return lambda record: status is None or record["status"] == status


# -- copies ---------------------------------------------------------------------------------


def test_json_copy_equals_deepcopy_and_shares_nothing_mutable() -> None:
    value: dict[str, Any] = {
        "a": [1, 2.5, "x", None, True, {"b": [{"c": 1}]}],
        "d": {"e": {"f": []}},
        "g": Decimal("1.5"),
        "h": (1, [2]),
    }
    copied = json_copy(value)
    assert copied == copy.deepcopy(value)
    copied["a"][5]["b"][0]["c"] = 99
    copied["d"]["e"]["f"].append(1)
    copied["h"][1].append(3)
    assert value["a"][5]["b"][0]["c"] == 1
    assert value["d"]["e"]["f"] == []
    assert value["h"] == (1, [2])


# -- ids and lookups ------------------------------------------------------------------------


class _NoScan(dict[str, Record]):
    """A records dict that fails if anything iterates over every id."""

    def __iter__(self) -> Any:
        raise AssertionError("new_id scanned every record")


def test_numbered_ids_continue_after_the_highest_seeded_id_without_rescanning() -> None:
    store = Store("unit")
    for rid in ("7", "003", "abc", "12x"):
        store.insert("invoice", {"id": rid, "object": "invoice"})
    for rid in ("CN-5", "CN-x", "9"):
        store.insert("credit_note", {"id": rid, "object": "credit_note"})
    assert store.new_id("invoice") == "8"
    assert store.new_id("credit_note", "CN-") == "CN-6"
    assert store.new_id("credit_note") == "10"  # prefix "" counts the bare "9"
    store.records["invoice"] = _NoScan(store.records["invoice"])
    store.records["credit_note"] = _NoScan(store.records["credit_note"])
    store.insert("invoice", {"id": "41", "object": "invoice"})
    store.insert("credit_note", {"id": "CN-20", "object": "credit_note"})
    assert store.new_id("invoice") == "42"
    assert store.new_id("credit_note", "CN-") == "CN-21"
    assert store.new_id("credit_note") == "10"


def test_has_customer_record_counts_deleted_records() -> None:
    store = Store("unit")
    store.insert("invoice", {"id": "1", "customer_id": "c1", "deleted": True})
    assert store.has_customer_record("invoice", "c1")
    assert not store.has_customer_record("invoice", "c2")
    assert not store.has_customer_record("credit_note", "c1")


def test_store_without_events_spends_the_same_event_ids() -> None:
    kept, dropped = Store("a", salt="s"), Store("b", salt="s", keep_events=False)
    for store in (kept, dropped):
        store.emit("customer_created", {"customer": {"id": "c"}})
    assert len(kept.events) == 1
    assert not dropped.events
    assert kept.token() == dropped.token()


# -- the sorted index -----------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_index_pages_equal_brute_force_while_records_are_touched(seed: int) -> None:
    rng = random.Random(seed)
    store, clock = _store_with_invoices(400, rng)
    for attr, descending in ((None, False), ("date", False), ("updated_at", True)):
        index = store.sorted_index("invoice", attr)
        status = rng.choice((None, "paid", "voided"))
        limit = rng.choice((1, 7, 50))
        after = None
        pages = 0
        while True:
            # Touch a few records before each page (the mid-pagination mutation fault).
            clock.t += 5
            for record in rng.sample(store.all("invoice"), 3):
                store.touch(record)
            index.refresh(store.rows("invoice"))
            # A plain walk (no stale-index rebuild) proves touched keys were moved.
            found, more = index.walk(
                store.rows("invoice"),
                PageQuery(
                    descending=descending, after=after, limit=limit, accept=_status_is(status)
                ),
            )
            ids, next_offset = _brute(store, attr, descending, limit, after, status)
            assert [rec["id"] for _, rec in found] == ids
            assert more == (next_offset is not None)
            pages += 1
            if not more:
                break
            after = found[-1][0]
        assert pages >= 1


def test_new_records_join_an_existing_index() -> None:
    store, clock = _store_with_invoices(50, random.Random(1))
    index = store.sorted_index("invoice", "updated_at")
    clock.t -= 10_000  # an older updated_at sorts among the existing rows
    late: Record = {"id": "late", "object": "invoice", "status": "paid", "date": 1}
    store.touch(late)
    store.insert("invoice", late)
    found, _ = index.walk(
        store.rows("invoice"),
        PageQuery(descending=False, after=None, limit=1000, accept=lambda r: True),
    )
    assert [rec["id"] for _, rec in found] == _brute(store, "updated_at", False, 1000, None, None)[
        0
    ]


def test_an_unfiltered_page_walks_only_limit_plus_one_rows() -> None:
    store, _ = _store_with_invoices(3000, random.Random(2))
    index = store.sorted_index("invoice", "date")
    visited: list[str] = []

    def accept(record: Record) -> bool:
        visited.append(record["id"])
        return True

    after = sort_key(store.all("invoice")[1500], "date", 1501)
    found, more = index.walk(
        store.rows("invoice"), PageQuery(descending=False, after=after, limit=100, accept=accept)
    )
    assert more
    assert len(found) == 100
    assert len(visited) == 101


def test_records_changed_without_touch_trigger_a_rebuild() -> None:
    store, _ = _store_with_invoices(200, random.Random(3))
    index = store.sorted_index("invoice", "date")
    for record in store.all("invoice")[:20]:
        record["date"] += 5_000  # in place, bypassing Store.touch
    found, _ = page_rows(
        index,
        store.rows("invoice"),
        PageQuery(descending=False, after=None, limit=1000, accept=lambda r: True),
    )
    assert [rec["id"] for _, rec in found] == _brute(store, "date", False, 1000, None, None)[0]


# -- the generator --------------------------------------------------------------------------

# sha256 of json.dumps(generate(12, 3, conventions=PRIMARY), sort_keys=True): the same seed
# must keep producing the same data. Update only for a deliberate change of the generated data,
# and say so in the change description. Last: documents carry real exchange rates, online
# chargebacks lost reference_transaction_id (offline transactions only), and account
# hierarchies and the invoices' fine print were appended after the rest of the history.
GENERATED_12_3 = "7346578395db0402bc330739652bdfdf5698e3658410e71c3a43920e264c529b"
PRIMARY = Conventions(
    amount_adjusted_includes_write_off=True,
    credit_note_reason_code=True,
    fractional_correction_in_total=True,
    store_credits_reduce_total=False,
)


def _without_rates(value: Any) -> Any:
    """The data without the two fields exchange rates fill (``exchange_rate`` as 1.0)."""
    if isinstance(value, dict):
        return {
            key: 1.0 if key == "exchange_rate" else _without_rates(item)
            for key, item in value.items()
            if key != "base_currency_code"
        }
    if isinstance(value, list):
        return [_without_rates(item) for item in value]
    return value


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def test_generator_output_for_a_seed_is_unchanged() -> None:
    assert _digest(generate(12, 3, conventions=PRIMARY)) == GENERATED_12_3


def test_exchange_rates_are_looked_up_not_drawn() -> None:
    """Another base currency changes the rate fields and nothing else: the random streams, and
    so the history, do not depend on the rates."""
    usd = generate(12, 3, conventions=PRIMARY)
    eur = generate(12, 3, SiteCurrencies("EUR", dict(USD_PER_UNIT)), conventions=PRIMARY)
    assert usd != eur
    assert _without_rates(usd) == _without_rates(eur)
    assert generate(12, 3) == generate(12, 3)
    assert generate(12, 4) != generate(12, 3)


def test_the_fine_print_leaves_every_earlier_document_as_it_was() -> None:
    """The fine print draws from its own stream, after the history, on new documents only:
    with it, the documents generated without it come first, unchanged."""
    earlier = generate(12, 3, conventions=PRIMARY, fine_print=False)
    later = generate(12, 3, conventions=PRIMARY)
    for key, documents in earlier.items():
        assert later[key][: len(documents)] == documents, key
    assert len(later["invoices"]) > len(earlier["invoices"])


def test_generated_records_share_no_sub_objects() -> None:
    """``generate`` hands out its private store's records uncopied; that is only a deep
    copy's equal if no dict or list is reachable from two places."""
    seen: set[int] = set()
    stack: list[Any] = list(generate(30, 1).values())
    while stack:
        value = stack.pop()
        if isinstance(value, dict | list):
            assert id(value) not in seen, "a sub-object is shared between records"
            seen.add(id(value))
            stack.extend(value.values() if isinstance(value, dict) else value)
    assert len(seen) > 1000


def test_generate_leaves_the_garbage_collector_as_it_found_it() -> None:
    assert gc.isenabled()
    generate(2, 1)
    assert gc.isenabled()
    gc.disable()
    try:
        generate(2, 1)
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- request stats --------------------------------------------------------------------------


def test_request_stats_count_only_api_v2_by_method_and_resource() -> None:
    stats = RequestStats()
    stats.count("GET", "/api/v2/invoices")
    stats.count("GET", "/api/v2/invoices/123")
    stats.count("POST", "/api/v2/customers/c1/update")
    stats.count("GET", "/api/v2")
    stats.count("GET", "/api/v1/invoices")
    stats.count("GET", "/api/v2x/invoices")
    stats.count("POST", "/__admin/seed")
    assert stats.snapshot() == {
        "total": 4,
        "requests": {"GET": 3, "POST": 1},
        "by_path_prefix": {
            "/api/v2": {"GET": 1},
            "/api/v2/customers": {"POST": 1},
            "/api/v2/invoices": {"GET": 2},
        },
    }
    stats.reset()
    assert stats.snapshot() == {"total": 0, "requests": {}, "by_path_prefix": {}}


def test_path_prefix() -> None:
    assert path_prefix("/api/v2/invoices/1/x") == "/api/v2/invoices"
    assert path_prefix("/api/v2/") == "/api/v2"
