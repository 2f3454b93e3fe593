"""Fault injection: server errors, slow answers, workflow/permission errors, commit-then-drop."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import asdict, dataclass
from typing import Any, Literal

from .error_bodies import (
    NetSuiteError,
    concurrency_exceeded,
    record_changed,
    unexpected_error,
    user_error,
)

FaultKind = Literal[
    "error", "timeout", "drop", "workflow_lock", "permission", "concurrency", "record_changed"
]
FAULT_KINDS: frozenset[str] = frozenset(
    {"error", "timeout", "drop", "workflow_lock", "permission", "concurrency", "record_changed"}
)
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Fault:
    """One queued fault, used by the next ``count`` matching requests."""

    kind: FaultKind
    count: int = 1
    method: str | None = None
    path_contains: str | None = None
    seconds: float = 30.0

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request."""
        if self.count <= 0:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path_contains and self.path_contains not in path:
            return False
        # A drop only makes sense after a write was committed.
        return not (self.kind == "drop" and method not in WRITE_METHODS)

    def as_error(self, record_changed_code: str = "USER_ERROR") -> NetSuiteError | None:
        """The error this fault answers with, if it answers with one."""
        if self.kind == "error":
            return unexpected_error()
        if self.kind == "workflow_lock":
            return user_error("This record has been locked by a user defined workflow.")
        if self.kind == "permission":
            return user_error("Your current role does not have permission to perform this action.")
        if self.kind == "concurrency":
            return concurrency_exceeded()
        if self.kind == "record_changed":
            return record_changed(record_changed_code)
        return None


class FaultPlan:
    """Queued one-shot faults plus the every-Nth switches from the command line."""

    def __init__(self, fail_nth: int = 0, drop_nth: int = 0) -> None:
        self.fail_nth = fail_nth
        self.drop_nth = drop_nth
        self.queue: list[Fault] = []
        self.requests = 0
        self.writes = 0
        self.dropped = 0
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Queue a fault."""
        with self._lock:
            self.queue.append(fault)

    def clear(self) -> None:
        """Forget queued faults and the every-Nth switches."""
        with self._lock:
            self.queue.clear()
            self.fail_nth = self.drop_nth = 0

    def take(self, method: str, path: str, is_record_write: bool) -> list[Fault]:
        """The faults for this request (at most one answer plus optionally a delay/drop)."""
        chosen: list[Fault] = []
        with self._lock:
            self.requests += 1
            if is_record_write:
                self.writes += 1
            if self.fail_nth and self.requests % self.fail_nth == 0:
                chosen.append(Fault("error"))
            if is_record_write and self.drop_nth and self.writes % self.drop_nth == 0:
                chosen.append(Fault("drop"))
            for fault in self.queue:
                if fault.kind == "drop" and not is_record_write:
                    continue
                if fault.matches(method, path):
                    fault.count -= 1
                    chosen.append(fault)
                    break
            self.queue = [f for f in self.queue if f.count > 0]
        return chosen

    def snapshot(self) -> dict[str, Any]:
        """State for the admin API."""
        return {
            "fail_nth": self.fail_nth,
            "drop_nth": self.drop_nth,
            "queued": [asdict(f) for f in self.queue],
            "requests": self.requests,
            "writes": self.writes,
            "dropped": self.dropped,
        }


async def abort_connection(send: Any) -> bool:
    """Close the client's TCP connection without a response; True if it could be done.

    Under uvicorn the ASGI ``send`` is a bound method of the request/response cycle, which
    holds the transport; aborting it makes the client see a dropped connection.
    """
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        return False
    transport.abort()
    # Let the protocol notice the lost connection so uvicorn does not try to answer.
    await asyncio.sleep(0)
    return True
