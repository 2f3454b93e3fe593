"""Overlapping writes to one record fail with "Record has been changed"; also as a fault."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import SandboxFactory, assert_ns_error, make_customer, make_invoice


def _payment(cid: str, invoice: str) -> dict[str, object]:
    return {
        "customer": {"id": cid},
        "payment": 40,
        "tranDate": "2024-03-20",
        "apply": {"items": [{"doc": {"id": invoice}, "apply": True, "amount": 40}]},
    }


def _together(
    api: httpx.Client, writes: list[tuple[str, dict[str, object]]]
) -> list[httpx.Response]:
    barrier = threading.Barrier(len(writes))

    def put(write: tuple[str, dict[str, object]]) -> httpx.Response:
        barrier.wait()
        return api.put(write[0], json=write[1])

    with ThreadPoolExecutor(len(writes)) as pool:
        return list(pool.map(put, writes))


@pytest.mark.parametrize("code", ["USER_ERROR", "RCRD_HAS_BEEN_CHANGED"])
def test_two_payments_applied_to_one_invoice_at_once_conflict_once(
    sandbox_factory: SandboxFactory, code: str
) -> None:
    ns = sandbox_factory(latency_ms=300, record_changed_code=code)
    api = ns.client()
    cid = make_customer(api)
    invoice = make_invoice(api, cid)
    writes = [(f"/record/v1/customerPayment/eid:{e}", _payment(cid, invoice)) for e in "ab"]
    answers = sorted(_together(api, writes), key=lambda r: r.status_code)
    assert [r.status_code for r in answers] == [204, 400]
    assert "Record has been changed" in assert_ns_error(answers[1], 400, code)["detail"]
    # The loser changed nothing; sent again once the other is saved, it goes through.
    statuses = [api.put(path, json=body) for path, body in writes]
    assert [r.status_code for r in statuses] == [204, 204]
    left = api.get(f"/record/v1/invoice/{invoice}").json()["amountRemaining"]
    assert left == 20


def test_writes_to_different_records_do_not_conflict(sandbox_factory: SandboxFactory) -> None:
    api = sandbox_factory(latency_ms=300).client()
    cid = make_customer(api)
    first, second = (make_invoice(api, cid, eid=e) for e in ("a", "b"))
    writes = [
        ("/record/v1/customerPayment/eid:p1", _payment(cid, first)),
        ("/record/v1/customerPayment/eid:p2", _payment(cid, second)),
    ]
    assert [r.status_code for r in _together(api, writes)] == [204, 204]


def test_record_changed_on_demand(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(record_changed_code="RCRD_HAS_BEEN_CHANGED")
    api = ns.client()
    cid = make_customer(api)
    ns.admin("POST", "/faults", {"kind": "record_changed", "method": "PUT"})
    answer = api.put("/record/v1/invoice/eid:x", json={"entity": {"id": cid}})
    assert assert_ns_error(answer, 400, "RCRD_HAS_BEEN_CHANGED")["detail"] == (
        "Record has been changed"
    )
