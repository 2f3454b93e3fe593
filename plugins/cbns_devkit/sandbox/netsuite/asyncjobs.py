"""Asynchronous requests (``Prefer: respond-async``): jobs, their one task, and its result."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Reply:
    """A finished record-API response, kept so an async job can hand it back later."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"


@dataclass
class Job:
    """One async job (always a single task here)."""

    id: int
    start_time: str
    end_time: str | None = None
    reply: Reply | None = None

    @property
    def completed(self) -> bool:
        """Whether the task has finished."""
        return self.reply is not None

    @property
    def progress(self) -> str:
        """``pending``, ``succeeded`` or ``failed``."""
        if self.reply is None:
            return "pending"
        return "succeeded" if self.reply.status < 400 else "failed"


class Jobs:
    """Job registry plus the idempotency keys already used."""

    def __init__(self) -> None:
        self.jobs: dict[int, Job] = {}
        self.by_key: dict[str, int] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def create(self, now: str, idempotency_key: str | None) -> tuple[Job, bool]:
        """A new job, or (existing job, False) when the idempotency key was used before."""
        with self._lock:
            if idempotency_key and idempotency_key in self.by_key:
                return self.jobs[self.by_key[idempotency_key]], False
            job = Job(next(self._ids), now)
            self.jobs[job.id] = job
            if idempotency_key:
                self.by_key[idempotency_key] = job.id
            return job, True
