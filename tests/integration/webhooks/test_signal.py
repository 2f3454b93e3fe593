"""The receiver signals new ids only once they are in the inbox, and the signal never costs an id.

The signal here records what the inbox held when it fired, standing in for the plugin's asset
event (``airflow/assets.py``, exercised through real Airflow in ``tests/e2e``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from chargebee_netsuite.webhooks.signal import InboxSignal

from .conftest import Receiver, event


@pytest.fixture
def receiver_factory(start_receiver: Any, sqlite_url: str) -> Callable[[InboxSignal], Receiver]:
    """A receiver on a fresh SQLite staging database, notifying the given signal."""
    return lambda signal: start_receiver(sqlite_url, signal=signal)


def _eventually(check: Callable[[], Any], what: str, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


class InboxProbe:
    """An ``emit`` that notes, at each emission, the ids then committed to the inbox."""

    def __init__(self) -> None:
        self.receiver: Receiver | None = None
        self.emissions: list[tuple[int, set[str]]] = []

    def __call__(self, count: int) -> None:
        assert self.receiver is not None
        ids = {row["event_id"] for row in self.receiver.inbox()}
        self.emissions.append((count, ids))


def test_a_new_id_is_signalled_after_it_is_in_the_inbox(
    start_receiver: Any, staging_url: str
) -> None:
    probe = InboxProbe()
    signal = InboxSignal(probe)
    probe.receiver = receiver = start_receiver(staging_url, signal=signal)
    try:
        assert receiver.post(event("ev_sig_1", "invoice_generated")).status_code == 200
        _eventually(lambda: probe.emissions, "the signal")
        [(count, seen)] = probe.emissions
        assert count == 1 and "ev_sig_1" in seen
        # A repeated delivery was signalled the first time: no new signal.
        assert receiver.post(event("ev_sig_1")).json()["status"] == "duplicate"
        assert receiver.post(event("ev_sig_2")).json()["status"] == "queued"
        _eventually(lambda: len(probe.emissions) == 2, "the second signal")
        assert probe.emissions[1][0] == 1 and "ev_sig_2" in probe.emissions[1][1]
    finally:
        signal.close()


def test_a_failing_signal_still_stores_the_id_and_answers_200(receiver_factory: Any) -> None:
    calls: list[int] = []

    def broken(count: int) -> None:
        calls.append(count)
        raise ConnectionError("the metadata database is down")

    signal = InboxSignal(broken)
    receiver = receiver_factory(signal)
    try:
        response = receiver.post(event("ev_lost_signal", "invoice_generated"))
        assert response.status_code == 200
        assert response.json() == {"status": "queued", "event_id": "ev_lost_signal"}
        # The id waits as pending for the next run (the safety net at the latest).
        [row] = receiver.inbox()
        assert (row["event_id"], row["state"]) == ("ev_lost_signal", "pending")
        _eventually(lambda: signal.failed == 1, "the failed signal")
        # The signal keeps working for later ids.
        assert receiver.post(event("ev_after")).status_code == 200
        _eventually(lambda: signal.failed == 2, "the next attempt")
        assert calls == [1, 1]
    finally:
        signal.close()


def test_a_stuck_signal_does_not_hold_up_the_answers(receiver_factory: Any) -> None:
    release = threading.Event()
    seen: list[int] = []

    def stuck(count: int) -> None:
        seen.append(count)
        release.wait(30)

    signal = InboxSignal(stuck, min_interval=0)
    receiver = receiver_factory(signal)
    try:
        # While the first emission hangs, every delivery is still answered and stored.
        for n in range(5):
            assert receiver.post(event(f"ev_stuck_{n}")).status_code == 200
        assert len(receiver.inbox()) == 5
        assert seen == [1]
        release.set()
        # The four that arrived meanwhile go out together.
        _eventually(lambda: seen == [1, 4], "the coalesced emission")
    finally:
        release.set()
        signal.close()


def test_a_burst_is_a_few_signals_covering_every_id(receiver_factory: Any) -> None:
    counts: list[int] = []
    interval = 2.0
    signal = InboxSignal(counts.append, min_interval=interval)
    receiver = receiver_factory(signal)
    try:
        started = time.monotonic()
        for n in range(60):
            assert receiver.post(event(f"ev_burst_{n}")).status_code == 200
        _eventually(lambda: sum(counts) == 60, "signals covering all 60 ids")
        elapsed = time.monotonic() - started
        # The first id at once, then at most one emission per interval, however many ids.
        assert counts[0] == 1
        assert len(counts) <= 2 + elapsed / interval, (counts, elapsed)
        assert len(counts) < 60
    finally:
        signal.close()
