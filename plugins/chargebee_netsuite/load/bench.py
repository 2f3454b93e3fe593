"""Load throughput against the sandboxes, and its ratio to the governance bound.

Run ``python -m chargebee_netsuite.load.bench [--scale N] [--latency-ms L] [--concurrency C]``.
With C requests in flight and L ms per request, no loader can exceed C / L writes per second;
the ratio says how close the loader comes to that bound.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from chargebee_netsuite.chargebee import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.load.run import SyncSettings, sync
from chargebee_netsuite.mapping import load_mapping
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.governance import ConcurrencyLimiter
from chargebee_netsuite.reference.pull import refresh_reference_data
from chargebee_netsuite.reference.store import read_reference_data
from chargebee_netsuite.sandbox.chargebee.app import create_app as create_chargebee
from chargebee_netsuite.sandbox.chargebee.settings import ChargebeeSandboxSettings
from chargebee_netsuite.sandbox.netsuite.process import NetSuiteProcess
from chargebee_netsuite.sandbox.netsuite.refdata import repository_reference_data
from chargebee_netsuite.sandbox.server import serve_in_thread
from chargebee_netsuite.staging.db import create_staging_engine, migrate
from chargebee_netsuite.transform.model import TransformSettings

SITE = "bench-test"
MAPPING = Path(__file__).resolve().parents[3] / "include" / "mapping.example.yaml"


def main(argv: list[str] | None = None) -> float:
    """Run the benchmark, print the numbers and return the ratio to the bound."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=100, help="Chargebee customers to generate")
    parser.add_argument(
        "--latency-ms",
        type=int,
        default=200,
        help="NetSuite latency per request (REST writes take hundreds of ms)",
    )
    parser.add_argument("--concurrency", type=int, default=10, help="NetSuite concurrency limit")
    args = parser.parse_args(argv)

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    cb_settings = ChargebeeSandboxSettings(
        site=SITE, scale=args.scale, rate_limit_per_minute=1_000_000
    )
    chargebee = serve_in_thread(create_chargebee(cb_settings))
    # The NetSuite sandbox runs in its own process: in this one it would share the GIL with the
    # loader, and the benchmark would measure the sandbox's CPU instead of the loader.
    netsuite = NetSuiteProcess(
        public,
        "bench",
        reference_data_path=str(repository_reference_data()),
        concurrency_limit=args.concurrency,
    )
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
            concurrency=args.concurrency,
        )
        client = NetSuiteClient(config, limiter=ConcurrencyLimiter(args.concurrency))
        try:
            extract_all(cb_client, engine, run_id="bench")
            refresh_reference_data(client, engine)
            reference = read_reference_data(engine)
            # Latency only for the load itself, so the setup above stays quick.
            httpx.put(f"{netsuite.base_url}/__admin/latency", json={"ms": args.latency_ms})
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
        finally:
            client.close()
            cb_client.close()
            engine.dispose()
            chargebee.stop()
            netsuite.stop()
    throughput = summary.writes / seconds
    bound = args.concurrency / (args.latency_ms / 1000)
    ratio = throughput / bound
    print(f"writes:      {summary.writes} in {seconds:.2f} s  (outcomes {summary.counts})")
    print(f"throughput:  {throughput:.1f} writes/s")
    print(
        f"bound:       {bound:.1f} writes/s "
        f"(concurrency {args.concurrency} / {args.latency_ms} ms latency)"
    )
    print(f"ratio:       {ratio:.3f}  (target >= 0.9)")
    return ratio


if __name__ == "__main__":
    main()
