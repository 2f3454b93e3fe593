"""The client-side limiter: never more than N requests per window, never more than C at once."""

from __future__ import annotations

import threading
import time

from chargebee_netsuite.chargebee.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_requests_beyond_the_window_limit_wait_for_the_oldest_to_expire() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, window_seconds=10, max_concurrency=5, clock=clock)
    for _ in range(3):
        with limiter.slot():
            pass
    assert limiter._wait_time(clock.now) is not None
    clock.now = 9.9
    assert limiter._wait_time(clock.now) is not None
    clock.now = 10.0
    assert limiter._wait_time(clock.now) is None


def test_in_flight_requests_count_against_the_window_and_the_concurrency_cap() -> None:
    limiter = RateLimiter(100, window_seconds=60, max_concurrency=2)
    peak = 0
    active = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal peak, active
        with limiter.slot():
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.02)
            with lock:
                active -= 1

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak == 2


def test_a_sliding_window_admits_exactly_the_limit_in_real_time() -> None:
    limiter = RateLimiter(5, window_seconds=0.3, max_concurrency=5)
    starts = []
    for _ in range(10):
        with limiter.slot():
            starts.append(time.monotonic())
    # any 5 consecutive slots after the first 5 start at least a window after their predecessor
    for i in range(5, 10):
        assert starts[i] - starts[i - 5] >= 0.3
