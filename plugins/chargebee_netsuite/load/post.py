"""Concurrent upserts: many in flight (the client's governance limiter caps them), each timed."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from queue import SimpleQueue
from typing import Any

from chargebee_netsuite.load.sublists import for_replace, replaced_sublists
from chargebee_netsuite.load.wire import to_wire
from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.errors import (
    AuthenticationError,
    NetSuiteAPIError,
    NetSuiteError,
    RecordChangedError,
    RequestError,
    RetriableAPIError,
)

# What to do about a NetSuite rejection, by error code.
FIX_HINTS = {
    "INVALID_CONTENT": "The payload has a field this NetSuite account does not know or accept; "
    "check the account's enabled features and the mapping, then sync again.",
    "INVALID_FIELD_VALUE": "A referenced record or value is not valid in NetSuite; check the "
    "mapping ids against NetSuite (refresh the reference data) and sync again.",
    "USER_ERROR": "Correct the record or the mapping as NetSuite says, then sync again.",
    "NONEXISTENT_ID": "A record it refers to no longer exists in NetSuite; check whether it was "
    "deleted there.",
}
DEFAULT_HINT = "Correct what NetSuite names, then sync again; the rest of the run went on."
# Writes queued ahead of their results, per request slot (see send_all): at 5 slots and 20 ms
# a request, 8 per slot keep NetSuite busy through 160 ms of the calling thread's pauses (a
# ledger flush, planning the next chunk of documents), holding 40 writes.
AHEAD_PER_SLOT = 8


UPSERT = "upsert"
DELETE = "delete"


@dataclass(frozen=True)
class Write:
    """One upsert (or, with ``method`` DELETE, one deletion by external id) to send."""

    token: Any  # the caller's handle for the result
    record_type: str
    external_id: str
    body: dict[str, Any]
    label: str
    method: str = UPSERT


@dataclass(frozen=True)
class WriteResult:
    """What one upsert did."""

    write: Write
    netsuite_id: str | None
    duration_ms: int
    status_code: int | None = None
    error_code: str | None = None
    detail: str | None = None  # NetSuite's words, verbatim
    reason: str | None = None  # a sentence for a human
    http_attempts: int = 1
    # NetSuite refused our credentials, not this record: nothing else will post either.
    credentials_refused: bool = False
    deleted: bool = False  # a DELETE write left NetSuite without the record
    # NetSuite kept answering "Record has been changed" (other writes to the same records):
    # worth sending again once those writes are done, not a failure of the document.
    conflict: bool = False

    @property
    def ok(self) -> bool:
        """Whether the write took: NetSuite holds the record now (or, deleted, no longer)."""
        return self.netsuite_id is not None or self.deleted


def _send(client: NetSuiteClient, write: Write, strict_fields: bool) -> WriteResult:
    started = time.monotonic()
    if write.method == DELETE:
        return _delete(client, write, started)
    try:
        netsuite_id = client.records.upsert(
            write.record_type,
            write.external_id,
            to_wire(for_replace(write.record_type, write.body)),
            strict_fields=strict_fields,
            replace=replaced_sublists(write.record_type),
        )
    except NetSuiteError as exc:
        return _failure(write, exc, started)
    except ValueError as exc:  # an external id or an amount the wire cannot carry exactly
        elapsed = int((time.monotonic() - started) * 1000)
        reason = f"{write.label} could not be sent to NetSuite: {exc}."
        return WriteResult(write, None, elapsed, None, "INVALID_PAYLOAD", str(exc), reason, 0)
    elapsed = int((time.monotonic() - started) * 1000)
    return WriteResult(write, netsuite_id, elapsed, 204)


def _delete(client: NetSuiteClient, write: Write, started: float) -> WriteResult:
    try:
        # False (NetSuite had no such record) is success too: it is gone either way.
        client.records.delete_by_external_id(write.record_type, write.external_id)
    except NetSuiteError as exc:
        return _failure(write, exc, started)
    except ValueError as exc:  # an external id NetSuite cannot address
        elapsed = int((time.monotonic() - started) * 1000)
        reason = f"{write.label} could not be sent to NetSuite: {exc}."
        return WriteResult(write, None, elapsed, None, "INVALID_PAYLOAD", str(exc), reason, 0)
    elapsed = int((time.monotonic() - started) * 1000)
    return WriteResult(write, None, elapsed, 204, deleted=True)


def _failure(write: Write, exc: NetSuiteError, started: float) -> WriteResult:
    elapsed = int((time.monotonic() - started) * 1000)
    status = exc.status if isinstance(exc, NetSuiteAPIError) else None
    code = exc.error_code if isinstance(exc, NetSuiteAPIError) else type(exc).__name__
    attempts = exc.attempts if isinstance(exc, RetriableAPIError) else 1
    detail = str(exc)
    if isinstance(exc, RequestError):
        said = exc.detail or detail
        hint = FIX_HINTS.get(exc.error_code or "", DEFAULT_HINT)
        where = f" (at {exc.error_path})" if exc.error_path else ""
        reason = f"NetSuite rejected {write.label} with {status} {code}{where}: {said} {hint}"
    elif isinstance(exc, RecordChangedError):
        reason = (
            f'NetSuite answered "Record has been changed" to {write.label} {attempts} times: '
            "other writes kept changing a record it touches (an invoice it applies to, say). "
            "It is sent again once they are done, or on the next run; nothing needs fixing."
        )
    elif isinstance(exc, RetriableAPIError):
        reason = (
            f"NetSuite did not take {write.label} after {attempts} attempts ({detail}); it is "
            "tried again on the next run."
        )
    else:
        reason = f"NetSuite refused {write.label}: {detail}"
    refused = isinstance(exc, AuthenticationError)
    conflict = isinstance(exc, RecordChangedError)
    return WriteResult(
        write, None, elapsed, status, code, detail, reason, attempts, refused, conflict=conflict
    )


def send_all(
    client: NetSuiteClient,
    writes: Iterable[Write],
    *,
    concurrency: int,
    strict_fields: bool = True,
    ahead: int | None = None,
) -> Iterator[WriteResult]:
    """Send every write, ``concurrency`` at a time, yielding results as they finish.

    Results come back on the calling thread, so the caller can keep all database work there;
    ``writes`` is iterated there too. Before each result is handed back, writes are taken
    from ``writes`` until ``ahead`` of them (by default ``AHEAD_PER_SLOT * concurrency``, at
    least ``2 * concurrency``) are queued or in flight: while the caller then records that
    result (or ``writes`` plans its next chunk), the queued writes keep every slot of the
    governance limit busy. Those writes are all the memory this costs; if the caller stops
    early, the ones not yet started are not sent.
    """
    limit = max(AHEAD_PER_SLOT * concurrency if ahead is None else ahead, 2 * concurrency)
    finished: SimpleQueue[Future[WriteResult]] = SimpleQueue()
    pending: set[Future[WriteResult]] = set()
    queue = iter(writes)
    more = True
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="netsuite-load")
    try:
        while True:
            while more and len(pending) < limit:
                write = next(queue, None)
                if write is None:
                    more = False
                    break
                future = pool.submit(_send, client, write, strict_fields)
                pending.add(future)
                future.add_done_callback(finished.put)
            if not pending:
                return
            future = finished.get()
            pending.discard(future)
            yield future.result()
    finally:
        for future in pending:
            future.cancel()  # only writes not yet started: the caller went away
        pool.shutdown(wait=True)
