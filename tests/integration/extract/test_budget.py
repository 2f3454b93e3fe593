"""One Chargebee request budget shared by extraction processes: never exceeded, never stranded.

Each worker is a separate interpreter running this file, as each Airflow task is its own
process; the sandbox's request log counts what arrived in every window.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, MetaData, select, text

from chargebee_netsuite.extract.budget import SharedRateLimiter
from chargebee_netsuite.staging.request_budget_tables import cb_request_budget, cb_request_slots

if TYPE_CHECKING:  # this file also runs as a worker script, outside the test package
    from .conftest import Sandbox, StartSandbox

SITE = "acme-test"


def spawn(mode: str, **args: Any) -> subprocess.Popen[str]:
    """A worker process running ``mode``; it says ``ready`` and waits for ``go``."""
    return subprocess.Popen(
        [sys.executable, __file__, mode, json.dumps(args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def start_together(workers: list[subprocess.Popen[str]]) -> None:
    """Release the workers at once, after every one has finished its imports."""
    for worker in workers:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready"
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()


def results(workers: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    """Each worker's JSON result (its last output line); every worker must succeed."""
    found = []
    for worker in workers:
        out, _ = worker.communicate(timeout=240)
        assert worker.returncode == 0, out
        found.append(json.loads(out.strip().splitlines()[-1]))
    return found


def request_log(sandbox: Sandbox, window_seconds: float) -> dict[str, Any]:
    """The sandbox's request log with the most arrivals within any window."""
    log: dict[str, Any] = sandbox.admin("GET", f"/requests?window_seconds={window_seconds}")
    return log


def test_the_migration_creates_the_budget_tables_as_declared(engine: Engine) -> None:
    ours = MetaData()
    for table in (cb_request_budget, cb_request_slots):
        table.to_metadata(ours)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), ours)
        # Other modules' tables (and their indexes) are absent from this metadata.
        names = {"cb_request_budget", "cb_request_slots"}
        assert [d for d in diff if any(f"'{name}'" in repr(d) for name in names)] == []
        if engine.dialect.name == "postgresql":
            functions = conn.execute(
                text("SELECT proname FROM pg_proc WHERE proname LIKE 'cb\\_%request\\_slot'")
            ).scalars()
            assert sorted(functions) == ["cb_release_request_slot", "cb_take_request_slot"]


def test_without_the_budget_tables_a_client_paces_itself_and_says_how_to_fix_it(
    sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    from chargebee_netsuite.chargebee import ChargebeeSettings
    from chargebee_netsuite.chargebee.ratelimit import RateLimiter
    from chargebee_netsuite.extract.budget import budgeted_client
    from chargebee_netsuite.staging.db import create_staging_engine

    unmigrated = create_staging_engine(sqlite_url)
    settings = ChargebeeSettings(site=SITE, api_key="test_k", base_url="http://cb.test")
    with budgeted_client(unmigrated, settings) as client:
        assert isinstance(client.limiter, RateLimiter)
    assert "migrate_staging" in caplog.text and "test_k" not in caplog.text
    unmigrated.dispose()


def test_processes_sharing_the_budget_never_exceed_a_window(
    start_sandbox: StartSandbox, staging_url: str, engine: Engine
) -> None:
    budget, window = 5, 1.0
    # The sandbox enforces the same limit: one request too many would be answered 429.
    sandbox = start_sandbox(scale=3, rate_limit_per_minute=budget, rate_limit_window_seconds=window)
    common = {
        "url": sandbox.url,
        "key": sandbox.settings.test_key,
        "staging_url": staging_url,
        "budget": budget,
        "window": window,
    }
    workers = [spawn("requests", count=6, **common) for _ in range(3)]
    start_together(workers)
    assert [r["sent"] for r in results(workers)] == [6, 6, 6]  # a 429 would be sent again

    log = request_log(sandbox, window)
    assert log["by_status"] == {"200": 18}
    assert log["peak_in_window"] == budget  # used to the full, never beyond


def test_a_crashed_process_does_not_keep_its_slots(sqlite_url: str, sqlite_engine: Engine) -> None:
    lease = 2.0
    crashed = spawn("crash", staging_url=sqlite_url, lease=lease)
    start_together([crashed])
    crashed.communicate(timeout=60)
    assert crashed.returncode == -signal.SIGKILL
    with sqlite_engine.connect() as conn:
        held = conn.execute(select(cb_request_slots).where(cb_request_slots.c.site == SITE)).all()
    assert len(held) == 2 and all(row.done_at is None for row in held)

    # Both concurrency slots were held by the dead process; its leases end on their own.
    limiter = SharedRateLimiter(
        sqlite_engine, SITE, 3, window_seconds=0.5, max_concurrency=2, lease_seconds=lease
    )
    admitted = threading.Event()

    def take() -> None:
        with limiter.slot():
            admitted.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    assert admitted.wait(timeout=60), "the dead process's slots were never given back"
    thread.join()
    # Once its leases and a window have passed, nothing of the dead process is counted.
    for _ in range(4):
        with limiter.slot():
            pass
    with sqlite_engine.connect() as conn:
        holders = set(
            conn.execute(
                select(cb_request_slots.c.holder).where(cb_request_slots.c.site == SITE)
            ).scalars()
        )
    assert holders == {limiter.holder}


# -- workers ---------------------------------------------------------------------------------


def _wait_for_go() -> None:
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"


def _requests(args: dict[str, Any]) -> dict[str, Any]:
    from chargebee_netsuite.chargebee import ChargebeeSettings
    from chargebee_netsuite.extract.budget import budgeted_client
    from chargebee_netsuite.staging.db import create_staging_engine

    engine = create_staging_engine(args["staging_url"])
    settings = ChargebeeSettings(
        site=SITE,
        api_key=args["key"],
        environment="test",
        base_url=args["url"],
        rate_limit_per_minute=args["budget"],
        rate_limit_window_seconds=args["window"],
    )
    with budgeted_client(engine, settings) as client:
        _wait_for_go()
        for _ in range(args["count"]):
            client.get("/customers", {"limit": "1"})
        return {"sent": client.requests_sent, "rate_limited": client.rate_limited}


def _crash(args: dict[str, Any]) -> None:
    from chargebee_netsuite.staging.db import create_staging_engine

    limiter = SharedRateLimiter(
        create_staging_engine(args["staging_url"]),
        SITE,
        3,
        window_seconds=0.5,
        max_concurrency=2,
        lease_seconds=args["lease"],
    )
    _wait_for_go()
    with limiter.slot(), limiter.slot():
        os.kill(os.getpid(), signal.SIGKILL)  # dies holding both slots


if __name__ == "__main__":
    mode, arguments = sys.argv[1], json.loads(sys.argv[2])
    if mode == "requests":
        print(json.dumps(_requests(arguments)))
    elif mode == "crash":
        _crash(arguments)
