"""Deletion writes: sent as deletes by external id, reported as deleted or with NetSuite's words."""

from __future__ import annotations

from typing import Any

from chargebee_netsuite.load.post import DELETE, Write, send_all
from chargebee_netsuite.netsuite.errors import ErrorDetail, RequestError


class FakeRecords:
    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.deleted: list[tuple[str, str]] = []

    def upsert(self, *args: Any, **kwargs: Any) -> str:
        raise AssertionError("a deletion must never upsert")

    def delete_by_external_id(self, record_type: str, external_id: str) -> bool:
        if external_id in self.refuse:
            raise RequestError(
                method="DELETE",
                path=f"/record/v1/{record_type}/eid:{external_id}",
                status=400,
                details=(
                    ErrorDetail(
                        "You cannot delete this transaction. The accounting period Jan 2024 "
                        "is closed.",
                        "USER_ERROR",
                        None,
                    ),
                ),
            )
        self.deleted.append((record_type, external_id))
        return external_id != "gone-already"


class FakeClient:
    def __init__(self, records: FakeRecords) -> None:
        self.records = records


def test_deletions_report_deleted_or_netsuite_s_refusal() -> None:
    records = FakeRecords(refuse={"closed"})
    writes = [
        Write(eid, "customerRefund", eid, {}, f"the deletion of customerRefund {eid}", DELETE)
        for eid in ("open", "gone-already", "closed")
    ]
    client: Any = FakeClient(records)
    results = {r.write.token: r for r in send_all(client, writes, concurrency=2)}
    assert sorted(records.deleted) == [
        ("customerRefund", "gone-already"),
        ("customerRefund", "open"),
    ]
    for done in ("open", "gone-already"):
        assert results[done].ok and results[done].deleted
        assert results[done].netsuite_id is None
    refused = results["closed"]
    assert not refused.ok and not refused.deleted
    assert (refused.status_code, refused.error_code) == (400, "USER_ERROR")
    assert refused.reason is not None
    assert refused.reason.startswith(
        "NetSuite rejected the deletion of customerRefund closed with 400 USER_ERROR: You cannot "
        "delete this transaction. The accounting period Jan 2024 is closed."
    )
