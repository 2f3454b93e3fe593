"""Benchmark: a first full extraction against a Chargebee plan's request limit, as the DAG runs it.

Run ``python -m cbns_devkit.bench.extract [--rate-limit 150|1000|3500] [--windows 6]``.

* The sandbox runs in its own process and enforces the plan's limit; its request log says how
  many requests were answered 429 (goal 0) and the most that arrived within any one window.
* Extraction runs the way the DAG runs it: one process per resource, as many side by side as
  the ``chargebee_api`` pool has slots for the plan (``airflow/pools.py``), in DAG order, each
  calling what the Airflow task calls; all of them draw on the site's budget shared through
  the staging database (``--limiter share`` gives each a fixed ``limit / slots`` instead, as
  before the shared budget). The processes are started before the clock starts.
* What is compressed, and what is not: the window is ``--window-seconds`` (Chargebee: 60), its
  budget ``rate x window / 60``, so the *rate* per second — and with it the work the machine
  does per second — is the plan's own. The data is sized so the run needs ``--windows``
  windows' budget (the way a real first sync needs many minutes of it). A shorter window makes
  the in-process cost of counting a request from its response (response time ÷ window) a
  little larger than with Chargebee's minute, which only lowers the ratio.
* The bound: the plan's sustained rate carries at most ``rate / 60 x 100`` documents a second
  (a full page per request). A run that starts with an idle window may spend a whole window's
  budget at once, which no long run can; so the run starts in the steady state of a long
  sync: the window before it is full, its requests spread evenly over it (written into the
  limiter's log, not sent). The ratio is then documents per second over that bound, with no
  allowance for the partly filled last pages, tail re-reads and line re-fetches it pays for.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.chargebee.ratelimit import RateLimiter
from chargebee_netsuite.extract.budget import SharedRateLimiter, shared_limiter
from chargebee_netsuite.extract.documents import RESOURCES, extract_resource
from chargebee_netsuite.staging.db import create_staging_engine, migrate

DOCS_PER_REQUEST = 100
# Documents the generator makes per customer (customer, invoices, credit notes, transactions).
DOCS_PER_CUSTOMER = 10.3


def bound_docs_per_second(rate_limit_per_minute: int) -> float:
    """The sustained throughput a plan's request limit allows at 100 documents per request."""
    return rate_limit_per_minute * DOCS_PER_REQUEST / 60


def per_window(rate_limit_per_minute: int, window_seconds: float) -> int:
    """The requests a window of ``window_seconds`` allows at the plan's rate."""
    return max(1, round(rate_limit_per_minute * window_seconds / 60))


def scale_for(rate_limit_per_minute: int, window_seconds: float, windows: float) -> int:
    """Generator customers whose full extraction needs about ``windows`` windows' budget."""
    documents = windows * per_window(rate_limit_per_minute, window_seconds) * DOCS_PER_REQUEST
    return max(10, round(documents / DOCS_PER_CUSTOMER))


# -- the sandbox process ---------------------------------------------------------------------


def _serve(settings: Any, port: int) -> None:  # runs in the child process
    import uvicorn

    from cbns_devkit.sandbox.chargebee.app import create_app

    uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_level="warning")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, process: multiprocessing.process.BaseProcess, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.is_alive():
            raise RuntimeError("the Chargebee sandbox process exited during startup")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the Chargebee sandbox did not start within {timeout:.0f}s")


def cpu_seconds(pid: int | None) -> float | None:
    """CPU time a process has used so far (Linux ``/proc``), or ``None`` where unknown."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # utime and stime, fields 14 and 15 of proc(5), counted after the ")" from field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- one extraction task process -------------------------------------------------------------


@dataclass(frozen=True)
class TaskSpec:
    """What one extraction task process needs (picklable)."""

    resource: str
    settings: ChargebeeSettings
    staging_url: str
    limiter: str  # "shared" or "share"
    slots: int


def _warm(_: int) -> int:
    """Keep a worker busy a moment, so that every worker has started before the clock does."""
    time.sleep(0.3)
    return os.getpid()


def run_task(spec: TaskSpec) -> dict[str, Any]:
    """One extraction task, as ``ChargebeeToStagingOperator`` runs it; returns its figures."""
    engine = create_staging_engine(spec.staging_url)
    started, cpu = time.time(), time.process_time()
    try:
        if spec.limiter == "shared":
            limiter: SharedRateLimiter | RateLimiter = shared_limiter(engine, spec.settings)
            settings = spec.settings
        else:
            share = max(1, spec.settings.rate_limit_per_minute // spec.slots)
            settings = replace(spec.settings, rate_limit_per_minute=share)
            limiter = RateLimiter(
                share, settings.rate_limit_window_seconds, settings.max_concurrency
            )
            _fill_previous_window(limiter)
        with ChargebeeClient(settings, limiter=limiter) as client:
            stats = extract_resource(client, engine, spec.resource, None, run_id="bench")
            requests = client.requests_sent
    finally:
        engine.dispose()
    waited = bookkeeping = None
    if isinstance(limiter, SharedRateLimiter):
        waited, bookkeeping = limiter.waited_seconds, limiter.bookkeeping_seconds
    return {
        **stats.as_dict(),
        "requests": requests,
        "started": started,
        "ended": time.time(),
        "cpu_seconds": time.process_time() - cpu,
        "waited_for_budget_seconds": waited,
        "bookkeeping_seconds": bookkeeping,
    }


def _fill_previous_window(limiter: RateLimiter) -> None:
    """An in-process limiter's steady state: its last window's budget spent evenly."""
    now, window = time.monotonic(), limiter.window_seconds
    step = window / limiter.requests_per_window
    # Bench only: the limiter has no public way to be told about requests it did not send.
    limiter._done.extend(now - window + step * (i + 1) for i in range(limiter.requests_per_window))


def fill_previous_window(limiter: SharedRateLimiter) -> None:
    """The shared budget's steady state: the last window's requests spread evenly over it."""
    from sqlalchemy import insert

    from chargebee_netsuite.staging.request_budget_tables import cb_request_slots

    now = limiter.now()
    with limiter.engine.begin() as conn:
        step = limiter.window_seconds / limiter.requests_per_window
        rows = [
            {
                "site": limiter.site,
                "started_at": now - limiter.window_seconds + step * (i + 1),
                "done_at": now - limiter.window_seconds + step * (i + 1),
                "expires_at": now + limiter.lease_seconds,
                "holder": "bench:previous-window",
            }
            for i in range(limiter.requests_per_window)
        ]
        conn.execute(insert(cb_request_slots), rows)


# -- the run ---------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m cbns_devkit.bench.extract")
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=150,
        help="plan requests per minute: 150 (test sites, Starter), 1000, 3500",
    )
    parser.add_argument(
        "--window-seconds",
        type=float,
        default=6.0,
        help="rate-limit window (Chargebee: 60); the per-minute rate is kept",
    )
    parser.add_argument(
        "--windows", type=float, default=6.0, help="windows' budget the data needs (at least 5)"
    )
    parser.add_argument("--scale", type=int, default=None, help="customers (default: sized)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight, per site")
    parser.add_argument(
        "--slots", type=int, default=None, help="task processes side by side (default: the pool)"
    )
    parser.add_argument("--limiter", choices=("shared", "share"), default="shared")
    parser.add_argument("--staging-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--startup-timeout", type=float, default=900.0)
    return parser.parse_args(argv)


def _request_log(base_url: str, window_seconds: float) -> dict[str, Any]:
    response = httpx.get(
        f"{base_url}/__admin/requests", params={"window_seconds": window_seconds}, timeout=120
    )
    response.raise_for_status()
    log: dict[str, Any] = response.json()
    return log


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the benchmark, print its figures, and return them."""
    # The DAG's pool sizing (plain Python; no Airflow import).
    from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
    from chargebee_netsuite.airflow.pools import chargebee_slots

    args = parse_args(argv)
    budget = per_window(args.rate_limit, args.window_seconds)
    scale = args.scale or scale_for(args.rate_limit, args.window_seconds, args.windows)
    slots = args.slots or chargebee_slots(args.rate_limit)
    sandbox = ChargebeeSandboxSettings(
        scale=scale,
        random_seed=args.seed,
        rate_limit_per_minute=budget,
        rate_limit_window_seconds=args.window_seconds,
    )
    port = _free_port()
    spawn = multiprocessing.get_context("spawn")
    process = spawn.Process(target=_serve, args=(sandbox, port), daemon=True)
    started = time.monotonic()
    process.start()
    try:
        _wait_for(port, process, args.startup_timeout)
        print(f"sandbox: scale {scale}, up in {time.monotonic() - started:.1f}s")
        base_url = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory(prefix="cbns-bench-") as tmp:
            url = args.staging_url or f"sqlite:///{Path(tmp) / 'staging.db'}"
            engine = create_staging_engine(url)
            migrate(engine)
            settings = ChargebeeSettings(
                site=sandbox.site,
                api_key=sandbox.test_key,
                environment="test",
                base_url=base_url,
                rate_limit_per_minute=budget,
                rate_limit_window_seconds=args.window_seconds,
                max_concurrency=args.concurrency,
            )
            limiter = shared_limiter(engine, settings)
            specs = [TaskSpec(r, settings, url, args.limiter, slots) for r in RESOURCES]
            with spawn.Pool(slots) as pool:
                pool.map(_warm, range(slots), chunksize=1)
                if args.limiter == "shared":
                    fill_previous_window(limiter)
                t0, cpu0 = time.perf_counter(), cpu_seconds(process.pid)
                tasks = list(pool.imap(run_task, specs, chunksize=1))
                seconds, cpu1 = time.perf_counter() - t0, cpu_seconds(process.pid)
            engine.dispose()
        log = _request_log(base_url, args.window_seconds)
    finally:
        process.terminate()
        process.join(10)
    sandbox_cpu = (cpu1 - cpu0) / seconds if cpu0 is not None and cpu1 is not None else None
    return report(args, scale, slots, budget, tasks, seconds, log, sandbox_cpu)


def report(
    args: argparse.Namespace,
    scale: int,
    slots: int,
    budget: int,
    tasks: list[dict[str, Any]],
    seconds: float,
    log: dict[str, Any],
    sandbox_cpu: float | None = None,
) -> dict[str, Any]:
    """Print the figures and return them."""
    documents = sum(t["documents"] for t in tasks)
    requests = int(log["total"])
    rate = documents / seconds if seconds else 0.0
    bound = bound_docs_per_second(args.rate_limit)
    waits = [t["waited_for_budget_seconds"] for t in tasks]
    waited = sum(w for w in waits if w is not None) if args.limiter == "shared" else None
    for t in tasks:
        print(
            f"  {t['resource']:<13} {t['documents']:>7} docs  {t['pages']:>5} pages  "
            f"{t['requests']:>5} requests  {t['ended'] - t['started']:>6.1f}s"
        )
    limited = int(log["by_status"].get("429", 0))
    print(f"plan:             {args.rate_limit}/min, {slots} task processes side by side")
    print(f"window:           {budget} requests per {args.window_seconds:g} s (compressed)")
    print(f"documents:        {documents} ({documents / requests:.1f} per request)")
    print(f"requests:         {requests} = {requests / budget:.1f} windows' budget")
    print(f"answered 429:     {limited}")
    print(f"peak per window:  {log['peak_in_window']} (budget {budget})")
    print(f"elapsed:          {seconds:.2f}s")
    print(f"throughput:       {rate:.0f} documents/s, {requests / seconds:.2f} requests/s")
    print(f"bound:            {bound:.0f} documents/s ({args.rate_limit / 60:.2f} requests/s)")
    print(f"ratio to bound:   {rate / bound:.3f}")
    task_seconds = sum(t["ended"] - t["started"] for t in tasks)
    waited_share = waited / task_seconds if waited is not None and task_seconds else None
    if waited_share is not None:
        print(f"waited for budget: {waited_share:.0%} of the tasks' time (0: the rate never bound)")
    per_request = None
    if args.limiter == "shared":
        per_request = sum(t["bookkeeping_seconds"] for t in tasks) / requests * 1000
        print(f"budget bookkeeping: {per_request:.1f} ms per request (its transactions)")
    tasks_cpu = sum(t["cpu_seconds"] for t in tasks) / seconds if seconds else 0.0
    print(f"task CPU:         {tasks_cpu:.2f} cores on average ({os.cpu_count()} on the machine)")
    if sandbox_cpu is not None:
        print(f"sandbox CPU:      {sandbox_cpu:.2f} cores on average (one process serves all)")
    return {
        "rate_limit_per_minute": args.rate_limit,
        "window_seconds": args.window_seconds,
        "budget_per_window": budget,
        "limiter": args.limiter,
        "task_processes": slots,
        "customers": scale,
        "documents": documents,
        "requests": requests,
        "windows_needed": round(requests / budget, 2),
        "answered_429": limited,
        "peak_requests_in_a_window": int(log["peak_in_window"]),
        "seconds": round(seconds, 2),
        "docs_per_second": round(rate, 1),
        "requests_per_second": round(requests / seconds, 3),
        "bound_docs_per_second": round(bound, 1),
        "ratio": round(rate / bound, 3),
        "waited_for_budget_seconds": round(waited, 1) if waited is not None else None,
        "waited_share_of_task_time": round(waited_share, 3) if waited_share is not None else None,
        "bookkeeping_ms_per_request": round(per_request, 2) if per_request is not None else None,
        "task_cpu_cores": round(tasks_cpu, 2),
        "sandbox_cpu_cores": round(sandbox_cpu, 2) if sandbox_cpu is not None else None,
        "machine_cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "tasks": {
            t["resource"]: {
                "documents": t["documents"],
                "requests": t["requests"],
                "seconds": round(t["ended"] - t["started"], 2),
            }
            for t in tasks
        },
    }


if __name__ == "__main__":
    main()
