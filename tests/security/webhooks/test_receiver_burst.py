"""A burst of 10,000 deliveries: no 5xx, no lost event, each authenticated event queued once."""

from __future__ import annotations

import asyncio
import os
import random
from collections import Counter
from typing import Any

import httpx
import pytest
from tests.builders.webhook_receiver import PASSWORD, USER, event, running_receiver

# About 60 s on 2 quiet cores; CBNS_BURST_TOTAL=3000 shortens it for a quick local run.
TOTAL = int(os.environ.get("CBNS_BURST_TOTAL", "10000"))
CONCURRENCY = 50


def plan(seed: int, total: int) -> list[tuple[str, Any, tuple[str, str] | None]]:
    """(kind, body, auth) for every request: 50% new events, 25% repeats, 20% anonymous, 5% bad."""
    rng = random.Random(seed)
    requests: list[tuple[str, Any, tuple[str, str] | None]] = []
    sent: list[str] = []
    for number in range(total):
        roll = rng.random()
        if roll < 0.5 or not sent:
            event_id = f"ev_{seed}_{number}"
            sent.append(event_id)
            requests.append(("valid", event(event_id), (USER, PASSWORD)))
        elif roll < 0.75:
            requests.append(("duplicate", event(rng.choice(sent)), (USER, PASSWORD)))
        elif roll < 0.85:
            requests.append(("anonymous", event(f"forged_{number}"), None))
        elif roll < 0.95:
            requests.append(("wrong", event(f"forged_{number}"), (USER, "guess")))
        else:
            requests.append(
                ("malformed", {"object": "event", "id": f"bad_{number}"}, (USER, PASSWORD))
            )
    return requests


async def fire(url: str, requests: list[tuple[str, Any, tuple[str, str] | None]]) -> Counter[Any]:
    statuses: Counter[Any] = Counter()
    queue: asyncio.Queue[tuple[str, Any, tuple[str, str] | None]] = asyncio.Queue()
    for request in requests:
        queue.put_nowait(request)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:

        async def worker() -> None:
            while not queue.empty():
                kind, body, auth = queue.get_nowait()
                if auth is None:
                    response = await http.post(url, json=body)
                else:
                    response = await http.post(url, json=body, auth=auth)
                statuses[(kind, response.status_code)] += 1

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return statuses


# The full burst on SQLite (the demo default, and the one with a single writer); Postgres gets
# a shorter one to keep the suite's time in bounds.
@pytest.mark.parametrize(("backend", "total"), [("sqlite", TOTAL), ("postgres", 1_000)])
def test_a_burst_of_deliveries_loses_nothing_and_never_answers_5xx(
    backend: str, total: int, request: pytest.FixtureRequest
) -> None:
    url = str(request.getfixturevalue(f"{backend}_url"))
    requests = plan(seed=len(backend), total=total)
    with running_receiver(url) as receiver:
        statuses = asyncio.run(fire(receiver.url, requests))
        rows = receiver.inbox()
    assert sum(statuses.values()) == total
    assert not [key for key in statuses if key[1] >= 500], statuses
    expected = {"valid": 200, "duplicate": 200, "anonymous": 401, "wrong": 401, "malformed": 400}
    assert {kind: status for kind, status in statuses} == expected, statuses
    authenticated = {body["id"] for kind, body, _ in requests if kind in ("valid", "duplicate")}
    stored = Counter(row["event_id"] for row in rows)
    assert set(stored) == authenticated
    assert max(stored.values()) == 1
    assert all(row["site"] == "acme-test" for row in rows)
