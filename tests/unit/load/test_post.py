"""Concurrent sending: results for every write, NetSuite's words kept, a fix hint added."""

from __future__ import annotations

import threading
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

    def upsert(self, record_type: str, external_id: str, body: Any, *, strict_fields: bool) -> str:
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
