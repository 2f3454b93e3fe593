"""Injected latency is a response time: the answer leaves ``latency`` after the request came."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import Any

from cbns_devkit.sandbox.netsuite.api import _answer_at


class FakeTime:
    def __init__(self, now: float, *, early_by: float = 0.0) -> None:
        self.now = now
        self.early_by = early_by  # the first sleep ends this much too soon, as uvloop's can
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds - self.early_by
        self.early_by = 0.0


def _run(coro: Coroutine[Any, Any, None]) -> None:
    try:
        coro.send(None)
    except StopIteration:
        return
    raise AssertionError("the fake sleep never suspends")


def _respond(fake: FakeTime, due: float, processing: float) -> list[tuple[str, float]]:
    sent: list[tuple[str, float]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append((message["type"], fake.now))

    answer = _answer_at(send, due, fake.clock, fake.sleep)
    fake.now += processing
    _run(answer({"type": "http.response.start", "status": 204}))
    _run(answer({"type": "http.response.body", "body": b""}))
    return sent


def test_processing_counts_towards_the_latency() -> None:
    fake = FakeTime(100.0)
    sent = _respond(fake, due=100.020, processing=0.005)
    assert [round(s, 9) for s in fake.slept] == [0.015]
    assert [kind for kind, _ in sent] == ["http.response.start", "http.response.body"]
    assert round(sent[0][1], 9) == 100.020


def test_processing_longer_than_the_latency_is_not_delayed_further() -> None:
    fake = FakeTime(100.0)
    sent = _respond(fake, due=100.020, processing=0.030)
    assert fake.slept == []
    assert round(sent[0][1], 9) == 100.030


def test_a_sleep_that_ends_early_is_continued_until_the_answer_is_due() -> None:
    fake = FakeTime(100.0, early_by=0.001)
    sent = _respond(fake, due=100.020, processing=0.0)
    assert len(fake.slept) == 2
    assert sent[0][1] >= 100.020


def test_without_latency_the_answer_goes_as_is() -> None:
    async def send(message: dict[str, Any]) -> None:
        return None

    assert _answer_at(send, None) is send
