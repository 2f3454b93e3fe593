"""Webhook sender: POSTs events to configured URLs with Chargebee's retry schedule."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import heapq
import itertools
import random
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .site_settings import WEBHOOK_RETRY_SCHEDULE_SECONDS
from .site_store import Record, Store


@dataclass(order=True)
class _Delivery:
    due: float
    order: int
    store: Store = field(compare=False)
    event_id: str = field(compare=False)
    url_index: int = field(compare=False)
    attempt: int = field(compare=False, default=1)


@dataclass
class Attempt:
    """One POST made by the sender (kept for tests and the admin endpoint)."""

    event_id: str
    url: str
    attempt: int
    status: int | None
    at: float
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "event_id": self.event_id,
            "url": self.url,
            "attempt": self.attempt,
            "status": self.status,
            "at": self.at,
            "duplicate": self.duplicate,
        }


class WebhookSender:
    """Delivers every event to each URL; any 2XX is success, otherwise retry on schedule.

    Chargebee signs nothing: authenticity comes only from optional HTTP Basic auth on the
    URL. Retries follow +2 m, +6 m, +30 m, +1 h, +5 h, +1 d, +2 d multiplied by
    ``time_factor`` so tests can run the whole schedule in seconds.
    """

    def __init__(
        self,
        urls: list[str],
        *,
        user: str | None = None,
        password: str | None = None,
        time_factor: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.urls = list(urls)
        self.auth = (user, password or "") if user else None
        self.time_factor = time_factor
        self.timeout = timeout
        self.attempts: list[Attempt] = []
        self._queue: list[_Delivery] = []
        self._order = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None
        self._pending: list[tuple[Store, Record]] = []

    @property
    def enabled(self) -> bool:
        """True when at least one URL is configured."""
        return bool(self.urls)

    def webhook_ids(self) -> list[str]:
        """Stable ids of the configured webhook endpoints."""
        return [f"whv2_sandbox{index + 1}" for index in range(len(self.urls))]

    # -- lifecycle (driven by the app's lifespan) -------------------------------------------

    async def start(self) -> None:
        """Start the delivery task on the running loop."""
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._client = httpx.AsyncClient(timeout=self.timeout, auth=self.auth)
        self._task = asyncio.create_task(self._run(), name="chargebee-webhooks")
        for store, event in self._pending:
            self._schedule(store, event)
        self._pending.clear()

    async def stop(self) -> None:
        """Stop delivering (pending retries are dropped) and close the HTTP client."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- scheduling ---------------------------------------------------------------------

    def listener(self, store: Store) -> Any:
        """A store listener that queues each new event for delivery."""

        def on_event(event: Record) -> None:
            if not self.enabled:
                return
            if self._loop is None:
                self._pending.append((store, event))
            else:
                self._loop.call_soon_threadsafe(self._schedule, store, event)

        return on_event

    def _schedule(self, store: Store, event: Record) -> None:
        now = time.monotonic()
        for index in range(len(self.urls)):
            heapq.heappush(
                self._queue, _Delivery(now, next(self._order), store, event["id"], index)
            )
        if self._wake is not None:
            self._wake.set()

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            now = time.monotonic()
            if self._queue and self._queue[0].due <= now:
                delivery = heapq.heappop(self._queue)
                await self._attempt(delivery)
                continue
            timeout = self._queue[0].due - now if self._queue else None
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _post(self, url: str, body: Record) -> int | None:
        assert self._client is not None
        try:
            response = await self._client.post(url, json=body)
        except httpx.HTTPError:
            return None
        return response.status_code

    async def _attempt(self, delivery: _Delivery) -> None:
        event = delivery.store.events.get(delivery.event_id)
        if event is None:
            return
        url = self.urls[delivery.url_index]
        status = await self._post(url, _payload(event))
        self.attempts.append(Attempt(event["id"], url, delivery.attempt, status, time.monotonic()))
        ok = status is not None and 200 <= status < 300
        retries = WEBHOOK_RETRY_SCHEDULE_SECONDS
        if ok:
            state = "succeeded"
        elif delivery.attempt <= len(retries):
            state = "re_scheduled"
            delay = retries[delivery.attempt - 1] * self.time_factor
            delivery.due = time.monotonic() + delay
            delivery.attempt += 1
            delivery.order = next(self._order)
            heapq.heappush(self._queue, delivery)
        else:
            state = "failed"
        self._record(event, delivery.url_index, state)

    def _record(self, event: Record, url_index: int, state: str) -> None:
        ids = self.webhook_ids()
        hooks = {hook["id"]: hook for hook in event.get("webhooks", [])}
        hooks[ids[url_index]] = {"id": ids[url_index], "webhook_status": state, "object": "webhook"}
        event["webhooks"] = [hooks[i] for i in ids if i in hooks]
        states = {hook["webhook_status"] for hook in event["webhooks"]}
        if len(event["webhooks"]) < len(ids) or "re_scheduled" in states:
            event["webhook_status"] = "re_scheduled" if "re_scheduled" in states else "scheduled"
        elif "failed" in states:
            event["webhook_status"] = "failed"
        else:
            event["webhook_status"] = "succeeded"

    # -- on demand ----------------------------------------------------------------------

    async def deliver_now(
        self,
        store: Store,
        event_ids: list[str],
        *,
        copies: int = 1,
        order: str = "given",
        seed: int = 0,
    ) -> list[Attempt]:
        """Deliver events immediately, ``copies`` times each, in ``order``.

        ``order`` is ``given``, ``reverse`` or ``shuffle``: how Chargebee's duplicate and
        out-of-order deliveries look to a receiver. Retry state is not affected.
        """
        batch = [eid for eid in event_ids for _ in range(copies)]
        if order == "reverse":
            batch.reverse()
        elif order == "shuffle":
            random.Random(seed).shuffle(batch)
        elif order != "given":
            raise ValueError(f"unknown order {order!r}")
        made: list[Attempt] = []
        for event_id in batch:
            event = store.events[event_id]
            for url in self.urls:
                status = await self._post(url, _payload(event))
                attempt = Attempt(event_id, url, 0, status, time.monotonic(), duplicate=True)
                self.attempts.append(attempt)
                made.append(attempt)
        return made


def _payload(event: Record) -> Record:
    # The body is the event object itself, exactly as GET /events/{id} returns it.
    return copy.deepcopy(event)
