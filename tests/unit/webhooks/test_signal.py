"""InboxSignal: emits soon after a notification, coalesces, survives failing emissions."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from chargebee_netsuite.webhooks.signal import InboxSignal


def _eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.01)
    raise AssertionError("timed out")


def test_nothing_runs_until_the_first_notification() -> None:
    signal = InboxSignal(lambda n: None)
    assert signal._thread is None  # importing the plugin starts no thread
    signal.close()
    signal.notify()  # after close: ignored
    assert signal._thread is None


def test_notifications_during_an_emission_go_out_together() -> None:
    gate = threading.Event()
    counts: list[int] = []

    def emit(count: int) -> None:
        counts.append(count)
        gate.wait(5)

    signal = InboxSignal(emit, min_interval=0)
    signal.notify()
    _eventually(lambda: counts == [1])
    for _ in range(7):
        signal.notify()
    gate.set()
    _eventually(lambda: counts == [1, 7])
    signal.close()
    assert signal.emitted == 2 and signal.failed == 0


def test_close_flushes_what_is_pending() -> None:
    counts: list[int] = []
    signal = InboxSignal(counts.append, min_interval=0.2)
    signal.notify()
    _eventually(lambda: counts == [1])
    signal.notify()
    signal.notify()
    signal.close()
    assert counts == [1, 2]


def test_a_raising_emission_is_counted_and_the_next_one_still_runs() -> None:
    outcomes = iter([RuntimeError("metadata database down"), None])
    counts: list[int] = []

    def emit(count: int) -> None:
        counts.append(count)
        failure = next(outcomes)
        if failure is not None:
            raise failure

    signal = InboxSignal(emit, min_interval=0)
    signal.notify()
    _eventually(lambda: signal.failed == 1)
    signal.notify()
    _eventually(lambda: signal.emitted == 1)
    signal.close()
    assert counts == [1, 1]
