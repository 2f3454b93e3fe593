"""Webhook → NetSuite latency through real Airflow: a steady trickle, then a burst.

Run ``python -m cbns_devkit.demo.webhook_latency [--events 50] [--burst 1000]
[--postgres]``. It starts the whole system (sandboxes, API server with the webhook receiver,
scheduler with LocalExecutor, dag-processor, triggerer; a throwaway Postgres metadata database
with ``--postgres``, else SQLite), runs one sync so the customers exist in NetSuite, unpauses
``chargebee_netsuite_webhooks``, and then:

1. creates ``--events`` invoices in the Chargebee sandbox, spread over ``--spread`` seconds;
2. creates ``--burst`` invoices as fast as the sandbox takes them.

Chargebee (the sandbox's webhook sender) delivers each ``invoice_generated`` webhook to the
receiver. The latency of one event is the time from the receiver queuing it
(``cb_webhook_inbox.received_at``) to NetSuite accepting the invoice (``ns_ledger.posted_at``),
both recorded by the system itself. Per phase: p50, p95 and max, each also as a ratio to the
20-second bound, the webhook DAG runs the phase started (by run type), and where a run's time
went (waiting to start, task start-up, the task's stages).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, select

from cbns_devkit.demo.components import AirflowAPI
from cbns_devkit.demo.stack import SYNC_DAG, WEBHOOK_DAG, WEBHOOK_TASK, Stack, running_stack
from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID
from chargebee_netsuite.staging.chargebee_tables import cb_events, cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.staging.ledger_tables import ns_ledger

BOUND_SECONDS = 20.0  # issue 16: p95 from delivery to NetSuite at most 20 s
POSTGRES_ADMIN_ENV = "CBNS_BENCH_POSTGRES_URL"
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return ordered[min(rank, len(ordered)) - 1]


def _aware(value: datetime) -> datetime:
    # SQLite returns naive datetimes for timezone-aware columns; they were stored in UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@dataclass
class Delivery:
    """One probe invoice: its webhook's first receipt, the run that fetched the event, the write."""

    invoice_id: str
    received_at: datetime
    run_id: str | None
    posted_at: datetime | None

    @property
    def seconds(self) -> float | None:
        """Receipt to NetSuite write."""
        if self.posted_at is None:
            return None
        return (self.posted_at - self.received_at).total_seconds()


def deliveries(engine: Engine, site: str, invoice_ids: set[str]) -> dict[str, Delivery]:
    """What the inbox, the staged events and the ledger recorded for each probe invoice."""
    with engine.connect() as conn:
        received = conn.execute(
            select(cb_webhook_inbox.c.received_at, cb_events.c.run_id, cb_events.c.raw).join(
                cb_events,
                (cb_events.c.site == cb_webhook_inbox.c.site)
                & (cb_events.c.id == cb_webhook_inbox.c.event_id),
            )
        ).all()
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
    found: dict[str, Delivery] = {}
    for row in received:
        invoice = ((row.raw or {}).get("content") or {}).get("invoice") or {}
        invoice_id = str(invoice.get("id"))
        at = _aware(row.received_at)
        if invoice_id in invoice_ids and (
            invoice_id not in found or at < found[invoice_id].received_at
        ):
            found[invoice_id] = Delivery(invoice_id, at, row.run_id, posted.get(invoice_id))
    return found


@contextlib.contextmanager
def throwaway_postgres(admin_url: str | None = None) -> Iterator[str]:
    """A fresh database on the local Postgres server for Airflow's metadata, dropped after."""
    from sqlalchemy import create_engine, text

    admin_url = admin_url or os.environ.get(POSTGRES_ADMIN_ENV) or POSTGRES_ADMIN_URL
    name = f"cbns_latency_{uuid.uuid4().hex[:10]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def create_invoices(
    stack: Stack, customer: dict[str, Any], count: int, spread: float, label: str
) -> set[str]:
    """``count`` invoices through the sandbox's admin API: ``spread`` seconds apart in total,
    or (``spread`` 0) as fast as eight clients can create them."""
    admin = stack.state["chargebee"]["admin_url"]
    currency = customer.get("preferred_currency_code") or "USD"

    def one(client: httpx.Client, n: int) -> str:
        body = {
            "customer_id": customer["id"],
            "currency_code": currency,
            "lines": [{"description": f"{label} probe {n}", "unit_amount": 1000 + n}],
        }
        response = client.post(f"{admin}/invoices", json=body, timeout=60).raise_for_status()
        return str(response.json()["invoice"]["id"])

    with httpx.Client() as client:
        if spread <= 0:
            with ThreadPoolExecutor(8) as pool:
                return set(pool.map(lambda n: one(client, n), range(count)))
        made: set[str] = set()
        gap = spread / max(1, count)
        for n in range(count):
            made.add(one(client, n))
            time.sleep(gap)
        return made


def wait_posted(
    stack: Stack, engine: Engine, site: str, made: set[str], timeout: float
) -> dict[str, Delivery]:
    """The probe invoices' deliveries once all are in NetSuite (or at the timeout)."""
    deadline = time.monotonic() + timeout
    found: dict[str, Delivery] = {}
    while time.monotonic() < deadline:
        stack.components.check_alive()
        found = deliveries(engine, site, made)
        if len(found) == len(made) and all(d.posted_at for d in found.values()):
            break
        time.sleep(2)
    return found


def _xcom(api: AirflowAPI, run_id: str) -> dict[str, Any]:
    path = (
        f"/api/v2/dags/{WEBHOOK_DAG}/dagRuns/{run_id}/taskInstances/{WEBHOOK_TASK}"
        "/xcomEntries/return_value"
    )
    response = api.http.get(path, params={"deserialize": "true"})
    if response.status_code != 200:
        return {}
    value = response.json().get("value")
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _run_figures(api: AirflowAPI, run: dict[str, Any]) -> dict[str, Any]:
    run_id = run["dag_run_id"]
    tis = api.request("GET", f"/dags/{WEBHOOK_DAG}/dagRuns/{run_id}/taskInstances")
    ti: dict[str, Any] = next(
        (t for t in tis["task_instances"] if t["task_id"] == WEBHOOK_TASK), {}
    )
    queued, started = _parse_time(run.get("queued_at")), _parse_time(ti.get("start_date"))
    ended = _parse_time(ti.get("end_date"))
    xcom = _xcom(api, run_id) if run.get("state") == "success" else {}
    return {
        "run_id": run_id,
        "run_type": run.get("run_type"),
        "state": run.get("state"),
        "queued_at": run.get("queued_at"),
        "task_start": ti.get("start_date"),
        # The run created → its task process running our code.
        "queued_to_task_start_seconds": (started - queued).total_seconds()
        if started and queued
        else None,
        "task_seconds": (ended - started).total_seconds() if ended and started else None,
        "stage_seconds": xcom.get("seconds") or {},
        "events": (xcom.get("inbox") or {}).get("pending"),
    }


def webhook_runs(api: AirflowAPI, since: datetime) -> list[dict[str, Any]]:
    """The webhook DAG's runs that started at or after ``since``."""
    body = api.request(
        "GET",
        f"/dags/{WEBHOOK_DAG}/dagRuns",
        params={"start_date_gte": since.isoformat(), "limit": 100, "order_by": "start_date"},
    )
    return [_run_figures(api, run) for run in body["dag_runs"]]


def _mean(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.mean(present), 2) if present else None


def summarise(
    found: dict[str, Delivery], expected: int, runs: list[dict[str, Any]]
) -> dict[str, Any]:
    """p50/p95/max (and their ratios to the bound), the runs the phase started, where time went.

    Each event's time splits into waiting (its receipt → the task of the run that fetched it
    starting: the asset event, the scheduler, a run already busy, task start-up) and working
    (that task start → the NetSuite write).
    """
    values = [s for d in found.values() if (s := d.seconds) is not None]
    by_id = {run["run_id"]: run for run in runs}
    waiting, working = [], []
    for delivery in found.values():
        start = _parse_time((by_id.get(delivery.run_id or "") or {}).get("task_start"))
        if start is None or delivery.posted_at is None:
            continue
        waiting.append((start - delivery.received_at).total_seconds())
        working.append((delivery.posted_at - start).total_seconds())
    by_type: dict[str, int] = {}
    for run in runs:
        by_type[str(run["run_type"])] = by_type.get(str(run["run_type"]), 0) + 1
    stages: dict[str, list[float]] = {}
    for run in runs:
        for stage, seconds in (run["stage_seconds"] or {}).items():
            stages.setdefault(stage, []).append(float(seconds))
    figures: dict[str, Any] = {
        "events": expected,
        "reached_netsuite": len(values),
        "dag_runs": len(runs),
        "dag_runs_by_type": by_type,
        "dag_runs_carrying_events": len({d.run_id for d in found.values() if d.run_id}),
        "median_wait_for_task_seconds": round(statistics.median(waiting), 2) if waiting else None,
        "median_in_task_seconds": round(statistics.median(working), 2) if working else None,
        "mean_run": {
            "queued_to_task_start_seconds": _mean(
                [r["queued_to_task_start_seconds"] for r in runs]
            ),
            "task_seconds": _mean([r["task_seconds"] for r in runs]),
            "stage_seconds": {k: _mean(v) for k, v in stages.items()},
        },
        "runs": runs,
        "bound_seconds": BOUND_SECONDS,
    }
    if values:
        for key, value in (
            ("p50", statistics.median(values)),
            ("p95", percentile(values, 0.95)),
            ("max", max(values)),
        ):
            figures[f"{key}_seconds"] = round(value, 2)
            figures[f"{key}_ratio_to_bound"] = round(value / BOUND_SECONDS, 3)
    return figures


def _phase(
    stack: Stack,
    engine: Engine,
    site: str,
    customer: dict[str, Any],
    *,
    label: str,
    count: int,
    spread: float,
    timeout: float,
) -> dict[str, Any]:
    since = datetime.now(UTC)
    made = create_invoices(stack, customer, count, spread, label)
    found = wait_posted(stack, engine, site, made, timeout)
    # Let the run that posted the last invoice finish, so its stages are recorded.
    deadline = time.monotonic() + 120
    runs = webhook_runs(stack.api, since)
    while any(r["state"] not in ("success", "failed") for r in runs):
        if time.monotonic() > deadline:
            break
        time.sleep(2)
        runs = webhook_runs(stack.api, since)
    # A run that started just before the phase can still fetch some of its events: count it.
    listed = {run["run_id"] for run in runs}
    for run_id in sorted({d.run_id for d in found.values() if d.run_id} - listed):
        run = stack.api.request("GET", f"/dags/{WEBHOOK_DAG}/dagRuns/{run_id}")
        runs.append(_run_figures(stack.api, run))
    runs.sort(key=lambda run: str(run["queued_at"]))
    figures = summarise(found, len(made), runs)
    figures["created_seconds"] = spread
    return figures


def describe(label: str, figures: dict[str, Any]) -> str:
    """One line per phase."""
    if "p95_seconds" not in figures:
        return f"{label}: no event reached NetSuite"
    mean = figures["mean_run"]
    return (
        f"{label}: {figures['reached_netsuite']}/{figures['events']} events, "
        f"p50 {figures['p50_seconds']:.1f}s ({figures['p50_ratio_to_bound']:.2f} of 20 s), "
        f"p95 {figures['p95_seconds']:.1f}s ({figures['p95_ratio_to_bound']:.2f}), "
        f"max {figures['max_seconds']:.1f}s ({figures['max_ratio_to_bound']:.2f}); "
        f"{figures['dag_runs']} DAG runs {figures['dag_runs_by_type']}, "
        f"{figures['dag_runs_carrying_events']} carrying events; per event: median "
        f"{figures['median_wait_for_task_seconds']}s waiting for a task, "
        f"{figures['median_in_task_seconds']}s in it; per run: "
        f"{mean['queued_to_task_start_seconds']}s queued to task start, "
        f"task {mean['task_seconds']}s, stages {mean['stage_seconds']}"
    )


def measure(
    workdir: Path,
    *,
    events: int = 50,
    spread: float = 150.0,
    burst: int = 1000,
    metadata_url: str | None = None,
    chargebee_rate_limit: int | None = None,
    timeout: float = 1800.0,
) -> dict[str, Any]:
    """Both phases on one running system; figures per phase plus the machine's load."""
    from cbns_devkit.demo.stack import store_connections

    started = time.monotonic()
    results: dict[str, Any] = {
        "metadata_db": (metadata_url or "sqlite").split(":", 1)[0],
        "load_average_before": [round(v, 2) for v in os.getloadavg()],
        "chargebee_rate_limit_per_minute": chargebee_rate_limit or 150,
    }
    sandbox_args = ["--cb-rate-limit", str(chargebee_rate_limit)] if chargebee_rate_limit else []
    with running_stack(
        workdir, metadata_url=metadata_url, scale=4, sandbox_args=sandbox_args
    ) as stack:
        api = stack.api
        site = stack.connections[CHARGEBEE_CONN_ID]["login"]
        if chargebee_rate_limit:
            conn = stack.connections[CHARGEBEE_CONN_ID]
            conn["extra"] = {**conn["extra"], "rate_limit_per_minute": chargebee_rate_limit}
            store_connections(api, {CHARGEBEE_CONN_ID: conn})
        api.wait_for_dag(SYNC_DAG, 180)
        api.unpause(SYNC_DAG)
        run_id = api.trigger(SYNC_DAG)
        if api.wait_for_run(SYNC_DAG, run_id, 600) != "success":
            raise SystemExit(f"the initial sync failed: {api.task_states(SYNC_DAG, run_id)}")
        api.request("PATCH", f"/dags/{SYNC_DAG}", json={"is_paused": True})
        results["stack_seconds"] = round(time.monotonic() - started, 1)
        print(f"stack up and synced in {results['stack_seconds']:.0f}s", flush=True)
        api.wait_for_dag(WEBHOOK_DAG, 60)
        api.unpause(WEBHOOK_DAG)
        customers = httpx.get(
            f"{stack.state['chargebee']['base_url']}/customers",
            params={"limit": "5"},
            auth=(stack.state["chargebee"]["api_key"], ""),
        ).json()["list"]
        customer = customers[0]["customer"]
        engine = create_staging_engine(stack.home.staging_url)
        try:
            phases = [("steady", events, spread), ("burst", burst, 0.0)]
            for label, count, seconds in phases:
                if count <= 0:
                    continue
                results[label] = _phase(
                    stack,
                    engine,
                    site,
                    customer,
                    label=label,
                    count=count,
                    spread=seconds,
                    timeout=timeout,
                )
                print(describe(label, results[label]), flush=True)
        finally:
            engine.dispose()
    results["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    return results


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Run the measurement and print it."""
    parser = argparse.ArgumentParser(prog="python -m cbns_devkit.demo.webhook_latency")
    parser.add_argument("--events", type=int, default=50, help="steady phase: invoices")
    parser.add_argument("--spread", type=float, default=150.0, help="steady phase: seconds")
    parser.add_argument("--burst", type=int, default=1000, help="burst phase: invoices (0: skip)")
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--metadata-url", default=None, help="default: SQLite in a temp dir")
    database.add_argument(
        "--postgres",
        action="store_true",
        help=f"a throwaway metadata database on the local server (${POSTGRES_ADMIN_ENV})",
    )
    parser.add_argument(
        "--chargebee-rate-limit",
        type=int,
        default=None,
        help="requests per minute of the sandbox site (default 150, a test site's)",
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="per phase, seconds")
    parser.add_argument("--output", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="cbns-latency-") as tmp, contextlib.ExitStack() as ex:
        url = ex.enter_context(throwaway_postgres()) if args.postgres else args.metadata_url
        results = measure(
            Path(tmp),
            events=args.events,
            spread=args.spread,
            burst=args.burst,
            metadata_url=url,
            chargebee_rate_limit=args.chargebee_rate_limit,
            timeout=args.timeout,
        )
    if args.output is not None:
        args.output.write_text(json.dumps(results, indent=2) + "\n")
    return results


if __name__ == "__main__":
    main()
