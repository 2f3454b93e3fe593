"""Load throughput against the sandboxes, and its ratio to the governance bound.

Run ``python -m cbns_devkit.bench.load [--scale N] [--latency-ms L] [--concurrency C]
[--runs R]``; the defaults are the conditions of the throughput issue (L = 20 ms, C = 5, about
2,300 writes, median of 3 runs). With C requests in flight and every request taking L ms, no
loader can exceed C / L writes per second; the ratio says how close the loader comes to that
bound. The sandbox answers each request L ms after it arrived (its own processing included),
as a real NetSuite's response time includes its work.

Besides the ratio it prints where the time goes: how many of the C slots held a request on
average (``occupancy``; below 1 the loader left slots empty), how long a request held its
slot as the client saw it (``round trip``; above L the sandbox or the client's own CPU was
slow), and the CPU each side spent per write (the loader's whole process, and the sandbox's).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from cbns_devkit.proof.harness import rsa_pair
from cbns_devkit.sandbox.chargebee.app import create_app as create_chargebee
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.netsuite.process import NetSuiteProcess
from cbns_devkit.sandbox.netsuite.refdata import repository_reference_data
from cbns_devkit.sandbox.server import serve_in_thread
from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.load.run import SyncSettings, sync
from chargebee_netsuite.mapping import load_mapping
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.transform.model import TransformSettings

SITE = "bench-test"
MAPPING = Path(__file__).resolve().parents[3] / "include" / "mapping.example.yaml"


@dataclass(frozen=True)
class Measurement:
    """One benchmark run."""

    writes: int
    seconds: float
    bound: float  # writes/s
    client_cpu_ms: float  # per write, the loader's whole process
    sandbox_cpu_ms: float  # per write, the NetSuite sandbox process
    occupancy: float  # mean requests in flight / concurrency
    round_trip_ms: float  # mean time a request held its slot
    first_write_s: float  # from the start of the sync to the first request

    @property
    def throughput(self) -> float:
        """Writes per second."""
        return self.writes / self.seconds

    @property
    def ratio(self) -> float:
        """Throughput as a fraction of the governance bound."""
        return self.throughput / self.bound


class MeteredLimiter(ConcurrencyLimiter):
    """The client's limiter, also adding up how long requests hold their slots."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self._meter = threading.Lock()
        self.busy_seconds = 0.0
        self.requests = 0
        self.first_at: float | None = None

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold a slot, timing how long."""
        with super().slot():
            started = time.monotonic()
            try:
                yield
            finally:
                held = time.monotonic() - started
                with self._meter:
                    self.busy_seconds += held
                    self.requests += 1
                    if self.first_at is None:
                        self.first_at = started


def main(argv: list[str] | None = None) -> float:
    """Run the benchmark, print the numbers and return the median ratio to the bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=int,
        default=250,
        help="Chargebee customers to generate (250 gives about 2,300 writes)",
    )
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=20,
        help="NetSuite response time per request, its processing included",
    )
    parser.add_argument("--concurrency", type=int, default=5, help="NetSuite concurrency limit")
    parser.add_argument("--runs", type=int, default=3, help="runs; the median is reported")
    args = parser.parse_args(argv)

    private, public = rsa_pair()
    runs: list[Measurement] = []
    for number in range(1, args.runs + 1):
        run = measure(args.scale, args.latency_ms, args.concurrency, private, public)
        runs.append(run)
        print(
            f"run {number}: {run.writes} writes in {run.seconds:.2f} s = "
            f"{run.throughput:.1f} writes/s, ratio {run.ratio:.3f}; occupancy "
            f"{run.occupancy:.2f}, round trip {run.round_trip_ms:.1f} ms, CPU per write: "
            f"client {run.client_cpu_ms:.2f} ms, sandbox {run.sandbox_cpu_ms:.2f} ms; "
            f"first write after {run.first_write_s:.2f} s",
            flush=True,
        )

    def median(name: str) -> float:
        return float(statistics.median(getattr(run, name) for run in runs))

    ratio = median("ratio")
    bound = runs[0].bound
    print(f"median of {len(runs)} run(s):")
    print(f"writes:      {runs[0].writes} in {median('seconds'):.2f} s")
    print(f"throughput:  {median('throughput'):.1f} writes/s")
    print(
        f"bound:       {bound:.1f} writes/s "
        f"(concurrency {args.concurrency} / {args.latency_ms} ms latency)"
    )
    print(f"ratio:       {ratio:.3f}  (target >= 0.9)")
    print(
        f"occupancy:   {median('occupancy'):.3f} of {args.concurrency} slots held; "
        f"round trip {median('round_trip_ms'):.1f} ms (latency {args.latency_ms} ms)"
    )
    print(
        f"CPU/write:   client {median('client_cpu_ms'):.2f} ms, "
        f"sandbox {median('sandbox_cpu_ms'):.2f} ms"
    )
    return ratio


def measure(
    scale: int, latency_ms: int, concurrency: int, private: str, public: bytes
) -> Measurement:
    """One run on fresh sandboxes: extract, then time the load alone."""
    cb_settings = ChargebeeSandboxSettings(site=SITE, scale=scale, rate_limit_per_minute=1_000_000)
    chargebee = serve_in_thread(create_chargebee(cb_settings))
    # The NetSuite sandbox runs in its own process: in this one it would share the GIL with the
    # loader, and the benchmark would measure the sandbox's CPU instead of the loader.
    netsuite = NetSuiteProcess(
        public,
        "bench",
        reference_data_path=str(repository_reference_data()),
        concurrency_limit=concurrency,
    )
    limiter = MeteredLimiter(concurrency)
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_staging_engine(f"sqlite:///{tmp}/staging.db")
        migrate(engine)
        cb_client = ChargebeeClient(
            ChargebeeSettings(
                site=SITE,
                api_key=cb_settings.test_key,
                environment="test",
                base_url=chargebee.base_url,
                rate_limit_per_minute=1_000_000,
            )
        )
        config = NetSuiteConfig(
            account_id="1234567_SB1",
            client_id="sandbox-client-id",
            certificate_id="bench",
            private_key=Secret(private),
            base_url=netsuite.base_url,
            concurrency=concurrency,
        )
        client = NetSuiteClient(config, limiter=limiter)
        admin = f"{netsuite.base_url}/__admin"
        try:
            extract_all(cb_client, engine, run_id="bench")
            refresh_reference_data(client, engine)
            reference = read_reference_data(engine)
            # Latency only for the load itself, so the setup above stays quick.
            httpx.put(f"{admin}/latency", json={"ms": latency_ms})
            limiter.busy_seconds, limiter.requests, limiter.first_at = 0.0, 0, None
            sandbox_cpu = float(httpx.get(f"{admin}/state").json()["cpu_seconds"])
            client_cpu = time.process_time()
            started = time.monotonic()
            summary = sync(
                engine,
                client,
                load_mapping(MAPPING),
                reference,
                "bench",
                site=SITE,
                settings=SyncSettings(TransformSettings("UTC", line_service_dates=False)),
            )
            seconds = time.monotonic() - started
            client_cpu = time.process_time() - client_cpu
            sandbox_cpu = float(httpx.get(f"{admin}/state").json()["cpu_seconds"]) - sandbox_cpu
        finally:
            client.close()
            cb_client.close()
            engine.dispose()
            chargebee.stop()
            netsuite.stop()
    writes = max(summary.writes, 1)
    first_at = limiter.first_at if limiter.first_at is not None else started
    return Measurement(
        writes=summary.writes,
        seconds=seconds,
        bound=concurrency / (latency_ms / 1000),
        client_cpu_ms=client_cpu * 1000 / writes,
        sandbox_cpu_ms=sandbox_cpu * 1000 / writes,
        occupancy=limiter.busy_seconds / (seconds * concurrency),
        round_trip_ms=limiter.busy_seconds * 1000 / max(limiter.requests, 1),
        first_write_s=max(first_at - started, 0.0),
    )


if __name__ == "__main__":
    main()
