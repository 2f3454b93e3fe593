"""Webhook → NetSuite latency through real Airflow, over N Chargebee events.

Run ``python -m chargebee_netsuite.demo.webhook_latency [--events 50]``. It starts the whole
system (sandboxes, API server with the webhook receiver, scheduler with LocalExecutor,
dag-processor, triggerer; SQLite metadata DB unless ``--metadata-url``), runs one sync so the
customers exist in NetSuite, unpauses ``chargebee_netsuite_webhooks`` and then creates
``--events`` invoices in the Chargebee sandbox, spread over ``--spread`` seconds. Chargebee
sends each ``invoice_generated`` webhook to the receiver; the latency of one event is the
time from the receiver queuing it (``cb_webhook_inbox.received_at``) to NetSuite accepting
the invoice (``ns_ledger.posted_at``), both recorded by the system itself. Prints the median
and p95.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine, select

from chargebee_netsuite.demo.stack import SYNC_DAG, WEBHOOK_DAG, running_stack
from chargebee_netsuite.staging.chargebee_tables import cb_events, cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.staging.ledger_tables import ns_ledger


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def latencies(engine: Engine, site: str, invoice_ids: set[str]) -> dict[str, float]:
    """Seconds from the receipt of each invoice's webhook to its NetSuite write."""
    with engine.connect() as conn:
        received = {
            str(row.id): (_aware(row.received_at), row.raw)
            for row in conn.execute(
                select(
                    cb_webhook_inbox.c.event_id.label("id"),
                    cb_webhook_inbox.c.received_at,
                    cb_events.c.raw,
                ).join(
                    cb_events,
                    (cb_events.c.site == cb_webhook_inbox.c.site)
                    & (cb_events.c.id == cb_webhook_inbox.c.event_id),
                )
            )
        }
        posted = {
            str(row.source_id): _aware(row.posted_at)
            for row in conn.execute(
                select(ns_ledger.c.source_id, ns_ledger.c.posted_at).where(
                    ns_ledger.c.site == site,
                    ns_ledger.c.source_kind == "invoice",
                    ns_ledger.c.posted_at.is_not(None),
                )
            )
        }
    first_receipt: dict[str, datetime] = {}
    for at, raw in received.values():
        invoice = ((raw or {}).get("content") or {}).get("invoice") or {}
        invoice_id = str(invoice.get("id"))
        if invoice_id in invoice_ids and (
            invoice_id not in first_receipt or at < first_receipt[invoice_id]
        ):
            first_receipt[invoice_id] = at
    return {
        invoice_id: (posted[invoice_id] - at).total_seconds()
        for invoice_id, at in first_receipt.items()
        if invoice_id in posted
    }


def main(argv: Sequence[str] | None = None) -> dict[str, float]:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(prog="python -m chargebee_netsuite.demo.webhook_latency")
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--spread", type=float, default=150.0, help="seconds to spread them over")
    parser.add_argument("--metadata-url", default=None, help="default: SQLite in a temp dir")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cbns-latency-") as tmp:
        started = time.monotonic()
        with running_stack(Path(tmp), metadata_url=args.metadata_url, scale=4) as stack:
            api = stack.api
            site = stack.connections["chargebee_default"]["login"]
            api.wait_for_dag(SYNC_DAG, 180)
            api.unpause(SYNC_DAG)
            run_id = api.trigger(SYNC_DAG)
            if api.wait_for_run(SYNC_DAG, run_id, 600) != "success":
                raise SystemExit(f"the initial sync failed: {api.task_states(SYNC_DAG, run_id)}")
            api.request("PATCH", f"/dags/{SYNC_DAG}", json={"is_paused": True})
            print(f"stack up and synced in {time.monotonic() - started:.0f}s", flush=True)
            api.wait_for_dag(WEBHOOK_DAG, 60)
            api.unpause(WEBHOOK_DAG)
            admin = stack.state["chargebee"]["admin_url"]
            customers = httpx.get(
                f"{stack.state['chargebee']['base_url']}/customers",
                params={"limit": "5"},
                auth=(stack.state["chargebee"]["api_key"], ""),
            ).json()["list"]
            customer = customers[0]["customer"]
            made: set[str] = set()
            gap = args.spread / max(1, args.events)
            for n in range(args.events):
                response = httpx.post(
                    f"{admin}/invoices",
                    json={
                        "customer_id": customer["id"],
                        "currency_code": customer.get("preferred_currency_code") or "USD",
                        "lines": [{"description": f"Latency probe {n}", "unit_amount": 1000 + n}],
                    },
                    timeout=30,
                ).raise_for_status()
                made.add(str(response.json()["invoice"]["id"]))
                time.sleep(gap)
            engine = create_staging_engine(stack.home.staging_url)
            try:
                deadline = time.monotonic() + args.timeout
                measured: dict[str, float] = {}
                while time.monotonic() < deadline:
                    stack.components.check_alive()
                    measured = latencies(engine, site, made)
                    if len(measured) == len(made):
                        break
                    time.sleep(5)
            finally:
                engine.dispose()
    values = list(measured.values())
    if len(values) < len(made):
        print(f"only {len(values)} of {len(made)} events reached NetSuite in time", flush=True)
    if not values:
        raise SystemExit("no event reached NetSuite")
    result = {
        "events": float(len(values)),
        "median": statistics.median(values),
        "p95": percentile(values, 0.95),
        "max": max(values),
    }
    print(
        f"webhook → NetSuite latency over {len(values)} events: "
        f"median {result['median']:.1f}s, p95 {result['p95']:.1f}s, max {result['max']:.1f}s",
        flush=True,
    )
    return result


if __name__ == "__main__":
    main()
