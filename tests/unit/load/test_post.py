"""Concurrent sending: results for every write, NetSuite's words kept, a fix hint added."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from chargebee_netsuite.load.post import Write, send_all
from chargebee_netsuite.netsuite.errors import (
    ErrorDetail,
    RequestError,
    ServerError,
)


class FakeRecords:
    def __init__(self, fail: dict[str, Exception]) -> None:
        self.fail = fail
        self.bodies: dict[str, Any] = {}
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        self._gate = threading.Barrier(3, timeout=5)

    def upsert(
        self,
        record_type: str,
        external_id: str,
        body: Any,
        *,
        strict_fields: bool,
        replace: tuple[str, ...] = (),
    ) -> str:
        assert strict_fields
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
        try:
            if external_id in ("e0", "e1", "e2"):
                self._gate.wait()  # the first three are only released together
            if external_id in self.fail:
                raise self.fail[external_id]
            self.bodies[external_id] = body
            return str(100 + int(external_id[1:]))
        finally:
            with self._lock:
                self.in_flight -= 1


class FakeClient:
    def __init__(self, records: FakeRecords) -> None:
        self.records = records


def test_writes_run_concurrently_and_each_one_reports_back() -> None:
    rejected = RequestError(
        method="PUT",
        path="/record/v1/invoice/eid:e3",
        status=400,
        details=(
            ErrorDetail("The accounting period Jan 2024 is closed.", "USER_ERROR", "tranDate"),
        ),
    )
    down = ServerError(method="PUT", path="/record/v1/invoice/eid:e4", status=500)
    down.attempts = 6
    records = FakeRecords({"e3": rejected, "e4": down})
    writes = [Write(n, "invoice", f"e{n}", {"n": n}, f"Chargebee invoice {n}") for n in range(6)]
    results = {r.write.token: r for r in send_all(FakeClient(records), writes, concurrency=3)}  # type: ignore[arg-type]
    assert records.peak == 3
    assert {n for n, r in results.items() if r.ok} == {0, 1, 2, 5}
    assert results[0].netsuite_id == "100"
    failed = results[3]
    assert failed.status_code == 400
    assert failed.error_code == "USER_ERROR"
    assert "The accounting period Jan 2024 is closed." in (failed.detail or "")
    assert failed.reason is not None
    assert failed.reason.startswith("NetSuite rejected Chargebee invoice 3 with 400 USER_ERROR")
    assert "(at tranDate)" in failed.reason
    assert "then sync again" in failed.reason
    assert results[4].http_attempts == 6
    assert "tried again on the next run" in (results[4].reason or "")


class CountingRecords:
    """Upserts that only count, and let a test wait until a number of them were sent."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._lock = threading.Lock()
        self.reached = threading.Event()
        self.wanted = 0

    def upsert(self, record_type: str, external_id: str, body: Any, **options: Any) -> str:
        with self._lock:
            self.sent.append(external_id)
            if len(self.sent) >= self.wanted:
                self.reached.set()
        return "1"


def _writes(n: int) -> list[Write]:
    return [Write(i, "invoice", f"e{i}", {}, f"invoice {i}") for i in range(n)]


def test_writes_keep_going_while_the_caller_is_busy_with_a_result() -> None:
    # The caller holds on to the first result (a ledger flush, planning the next chunk)
    # until 40 writes were sent: they must have been taken ahead, well beyond 2 * concurrency.
    records = CountingRecords()
    records.wanted = 40
    results = send_all(FakeClient(records), _writes(60), concurrency=5, ahead=64)  # type: ignore[arg-type]
    next(results)
    assert records.reached.wait(timeout=30), f"only {len(records.sent)} sent meanwhile"
    assert len(list(results)) == 59


def test_a_caller_that_stops_early_leaves_the_rest_unsent() -> None:
    records = CountingRecords()
    pulled: list[int] = []

    def stream() -> Iterator[Write]:
        for write in _writes(100):
            pulled.append(write.token)
            yield write

    results = send_all(FakeClient(records), stream(), concurrency=2, ahead=10)  # type: ignore[arg-type]
    next(results)
    results.close()  # e.g. the ledger write failed
    assert len(pulled) == 10  # never more than ``ahead`` taken from the stream
    assert len(records.sent) <= 10
