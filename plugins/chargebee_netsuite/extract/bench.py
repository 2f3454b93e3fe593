"""Benchmark: full extraction from a local Chargebee sandbox, against the plan's rate-limit bound.

Run ``python -m chargebee_netsuite.extract.bench [--scale N] [--rate-limit 150|1000|3500]``.
The sandbox runs in its own process (as the real API would), enforcing the same limit the
client is configured with. With 100 documents per request the best sustained throughput a
plan allows is ``rate_limit_per_min * 100 / 60`` documents/s; the ratio to that bound says
how much of the plan the extractor uses. Runs shorter than the limit's window can exceed
it, because a whole window's budget is available at once; ``--window-seconds`` compresses the
window (keeping the per-minute rate) so that a short run is limited like a long one.
"""

from __future__ import annotations

import argparse
import multiprocessing
import socket
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import RESOURCES, extract_all
from chargebee_netsuite.staging.db import create_staging_engine, migrate

DOCS_PER_REQUEST = 100


def bound_docs_per_second(rate_limit_per_minute: int) -> float:
    """The sustained throughput a plan's request limit allows at 100 documents per request."""
    return rate_limit_per_minute * DOCS_PER_REQUEST / 60


def _serve(settings: Any, port: int) -> None:  # runs in the child process
    import uvicorn

    from chargebee_netsuite.sandbox.chargebee.app import create_app

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


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m chargebee_netsuite.extract.bench")
    parser.add_argument("--scale", type=int, default=500, help="customers, ~4 invoices each")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
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
        help="rate-limit window (Chargebee: 60); the per-minute rate is kept, so the default "
        "6 s window enforces a tenth of it per 6 s and keeps a short run honest",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="client concurrency cap")
    parser.add_argument("--workers", type=int, default=3, help="resources listed side by side")
    parser.add_argument("--staging-url", default=None, help="default: a temporary SQLite file")
    parser.add_argument("--startup-timeout", type=float, default=900.0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print its figures, and return them."""
    from chargebee_netsuite.sandbox.chargebee.settings import ChargebeeSandboxSettings

    args = parse_args(argv)
    per_window = max(1, round(args.rate_limit * args.window_seconds / 60))
    sandbox = ChargebeeSandboxSettings(
        scale=args.scale,
        random_seed=args.seed,
        rate_limit_per_minute=per_window,
        rate_limit_window_seconds=args.window_seconds,
    )
    port = _free_port()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(sandbox, port), daemon=True
    )
    started = time.monotonic()
    process.start()
    try:
        _wait_for(port, process, args.startup_timeout)
        print(f"sandbox: scale {args.scale}, up in {time.monotonic() - started:.1f}s")
        with tempfile.TemporaryDirectory(prefix="cbns-bench-") as tmp:
            url = args.staging_url or f"sqlite:///{Path(tmp) / 'staging.db'}"
            engine = create_staging_engine(url)
            migrate(engine)
            settings = ChargebeeSettings(
                site=sandbox.site,
                api_key=sandbox.test_key,
                environment="test",
                base_url=f"http://127.0.0.1:{port}",
                rate_limit_per_minute=per_window,
                rate_limit_window_seconds=args.window_seconds,
                max_concurrency=args.concurrency,
            )
            with ChargebeeClient(settings) as client:
                t0 = time.perf_counter()
                stats = extract_all(client, engine, workers=args.workers, run_id="bench")
                seconds = time.perf_counter() - t0
            engine.dispose()
    finally:
        process.terminate()
        process.join(10)
    documents = sum(s.documents for s in stats)
    rate = documents / seconds if seconds else 0.0
    bound = bound_docs_per_second(args.rate_limit)
    for s in stats:
        print(
            f"  {s.resource:<13} {s.documents:>7} docs  {s.pages:>5} pages  "
            f"{s.line_fetches:>4} line re-fetches"
        )
    print(f"resources:        {', '.join(RESOURCES)}")
    print(f"documents:        {documents}")
    print(f"requests used:    {client.requests_sent} ({client.rate_limited} answered 429)")
    print(f"elapsed:          {seconds:.2f}s")
    print(f"throughput:       {rate:.0f} documents/s, {client.requests_sent / seconds:.1f} req/s")
    print(
        f"rate-limit bound: {bound:.0f} documents/s "
        f"({args.rate_limit}/min x {DOCS_PER_REQUEST} docs / 60 s; "
        f"enforced as {per_window} per {args.window_seconds:g} s)"
    )
    print(f"ratio to bound:   {rate / bound:.2f}")
    return {
        "documents": documents,
        "requests": client.requests_sent,
        "seconds": seconds,
        "docs_per_second": rate,
        "bound": bound,
        "ratio": rate / bound,
    }


if __name__ == "__main__":
    main()
