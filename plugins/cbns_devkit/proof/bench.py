"""End-to-end benchmark: ``python -m cbns_devkit.proof.bench [--scales 2000 20000]``.

For each scale (documents, roughly: customers and their invoices, credit notes, payments and
refunds) both sandboxes start with generated data, NetSuite answering after ``--latency-ms``
and allowing ``--concurrency`` requests in flight. Each stage (reference, extract, validate,
load) runs in its own process, so its time and peak RSS are its own. Then a second sync with
nothing changed counts NetSuite writes (goal 0) and Chargebee requests. Baselines in the same
run: the load with concurrency 1, and a first extraction at each Chargebee plan limit (150,
1000, 3500 requests/minute) against its bound (``cbns_devkit.bench.extract``).
Figures go to ``bench/results.json`` and stdout, ending with each stage's verdicts: is its
peak RSS flat (at most 400 MB at every scale), and does its time grow no faster than the
number of documents.

Then webhook → NetSuite latency through real Airflow (``demo/webhook_latency.py``: api-server,
scheduler with LocalExecutor, dag-processor, triggerer, a throwaway Postgres metadata
database): ``--webhook-events`` invoices over ``--webhook-spread`` seconds, then a burst of
``--webhook-burst``; p50, p95 and max from delivery to the NetSuite write, each as a ratio to
the 20-second bound, and the DAG runs each phase started. ``--no-webhooks`` skips them.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from cbns_devkit.proof.harness import REPO, Harness, StageRun, rsa_pair
from chargebee_netsuite.staging.ledger_tables import POSTED, ns_ledger

STAGES = ("reference", "extract", "validate", "load")
DOCS_PER_CUSTOMER = 10  # what the generator makes, on average (customer included)
RSS_FLAT_MB = 400.0  # a stage's peak RSS must stay under this at every scale
# Seconds per document may vary this much between the smallest and the largest scale (noise,
# a shared machine) and still count as linear; fixed costs make small scales look slower.
LINEAR_TOLERANCE = 1.5


def posted(harness: Harness) -> int:
    """Ledger rows NetSuite accepted."""
    with harness.engine.connect() as conn:
        query = select(func.count()).select_from(ns_ledger).where(ns_ledger.c.state == POSTED)
        return int(conn.execute(query).scalar_one())


def chargebee_total(harness: Harness) -> int:
    """Every /api/v2 request the Chargebee sandbox saw (served or refused)."""
    return int(harness.cb_admin("GET", "/stats")["total"])


def run_sync(harness: Harness, run_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Every stage in its own process; times, peak RSS and request counts per stage."""
    figures: dict[str, Any] = {}
    for stage in STAGES:
        ns_before, cb_before = harness.netsuite_requests(), chargebee_total(harness)
        writes_before = harness.netsuite_writes()
        result: StageRun = harness.run_stage(stage, run_id, extra=extra)
        if result.returncode != 0:
            log = harness.workdir / f"stage-{stage}-{run_id}.log"
            raise RuntimeError(f"{stage} failed ({result.returncode}); see {log}")
        figures[stage] = {
            "seconds": round(result.seconds, 2),
            "peak_rss_mb": round(float(result.output.get("peak_rss_mb", 0.0)), 1),
            "netsuite_requests": harness.netsuite_requests() - ns_before,
            "netsuite_writes": harness.netsuite_writes() - writes_before,
            "chargebee_requests": chargebee_total(harness) - cb_before,
            "output": result.output.get(stage, {}),
        }
    return figures


def bench_scale(
    root: Path, documents: int, latency_ms: int, concurrency: int, keys: tuple[str, bytes]
) -> dict[str, Any]:
    """One scale: the first sync, then a no-change sync."""
    scale = max(1, documents // DOCS_PER_CUSTOMER)
    started = time.monotonic()
    harness = Harness.start(
        root / f"scale-{documents}",
        scale=scale,
        netsuite_latency_ms=latency_ms,
        concurrency_limit=concurrency,
        keys=keys,
        netsuite_in_process=False,
    )
    setup = time.monotonic() - started
    try:
        extra: dict[str, Any] = {"concurrency": concurrency, "timeout": 60.0}
        first_started = int(time.time())
        first = run_sync(harness, "bench-1", extra)
        count = posted(harness)
        # The next scheduled run: its data interval starts where the first run started.
        window = {"window_start": first_started, "window_end": int(time.time()) + 1}
        second = run_sync(harness, "bench-2", {**extra, **window})
    finally:
        harness.stop()
    load = first["load"]
    load_seconds = load["output"].get("seconds") or load["seconds"]
    writes_per_second = load["netsuite_writes"] / load_seconds if load_seconds else 0.0
    bound = concurrency / (latency_ms / 1000)
    total = sum(stage["seconds"] for stage in first.values())
    return {
        "target_documents": documents,
        "customers": scale,
        "documents_posted": count,
        "sandbox_setup_seconds": round(setup, 1),
        "first_sync": first,
        "end_to_end_seconds": round(total, 2),
        "end_to_end_documents_per_second": round(count / total, 1) if total else 0.0,
        "load_documents_per_second": round(count / load_seconds, 1) if load_seconds else 0.0,
        "load_writes_per_second": round(writes_per_second, 1),
        "governance_bound_per_second": bound,
        "ratio_to_bound": round(writes_per_second / bound, 3),
        "netsuite_requests_per_document": round(load["netsuite_requests"] / count, 3)
        if count
        else None,
        "chargebee_requests_per_document": round(first["extract"]["chargebee_requests"] / count, 4)
        if count
        else None,
        "peak_rss_mb": {stage: figures["peak_rss_mb"] for stage, figures in first.items()},
        "no_change_sync": {
            "netsuite_writes": sum(s["netsuite_writes"] for s in second.values()),
            "netsuite_requests": sum(s["netsuite_requests"] for s in second.values()),
            "chargebee_requests": sum(s["chargebee_requests"] for s in second.values()),
            "seconds": round(sum(s["seconds"] for s in second.values()), 2),
        },
    }


def bench_concurrency_one(
    root: Path, documents: int, latency_ms: int, keys: tuple[str, bytes]
) -> dict[str, Any]:
    """The same load with one request in flight (what a naive serial loader gets)."""
    harness = Harness.start(
        root / "serial",
        scale=max(1, documents // DOCS_PER_CUSTOMER),
        netsuite_latency_ms=latency_ms,
        concurrency_limit=1,
        keys=keys,
        netsuite_in_process=False,
    )
    try:
        figures = run_sync(harness, "serial", {"concurrency": 1, "timeout": 60.0})
        count = posted(harness)
    finally:
        harness.stop()
    load = figures["load"]
    seconds = load["output"].get("seconds") or load["seconds"]
    rate = load["netsuite_writes"] / seconds if seconds else 0.0
    return {
        "documents_posted": count,
        "load_seconds": seconds,
        "load_writes_per_second": round(rate, 1),
        "governance_bound_per_second": 1 / (latency_ms / 1000),
        "ratio_to_bound": round(rate / (1 / (latency_ms / 1000)), 3),
    }


# Per plan limit: (window seconds, windows' budget the data needs). The rate per second is
# always the plan's own; 3500/min gets a 3 s window so its data (about 100k documents) stays
# within what the sandbox starts in seconds.
EXTRACT_PLANS: dict[int, tuple[float, float]] = {
    150: (6.0, 10.0),
    1000: (6.0, 8.0),
    3500: (3.0, 6.0),
}


def bench_extract_budget(plans: dict[int, tuple[float, float]] = EXTRACT_PLANS) -> dict[str, Any]:
    """A first full extraction at each plan limit, task processes sharing the site's budget
    (``cbns_devkit.bench.extract``): documents/s against the plan's bound."""
    from cbns_devkit.bench import extract as extract_bench

    figures: dict[str, Any] = {}
    for limit, (window, windows) in plans.items():
        argv = ["--rate-limit", str(limit), "--window-seconds", str(window)]
        figures[str(limit)] = extract_bench.main([*argv, "--windows", str(windows)])
    return figures


def print_extract_budget(figures: dict[str, Any]) -> None:
    """One line per plan limit: throughput, bound, ratio, 429s, and whether the rate bound."""
    for limit, f in figures.items():
        print(
            f"extraction at {limit}/min: {f['documents']} docs in {f['requests']} requests "
            f"({f['windows_needed']} windows of {f['budget_per_window']} per "
            f"{f['window_seconds']:g} s), {f['docs_per_second']:.0f} docs/s vs bound "
            f"{f['bound_docs_per_second']:.0f}/s = ratio {f['ratio']:.2f}; "
            f"{f['answered_429']} x 429; waited for budget "
            f"{f['waited_share_of_task_time']:.0%} of task time; CPU cores used: tasks "
            f"{f['task_cpu_cores']}, sandbox {f['sandbox_cpu_cores']} of {f['machine_cores']}"
        )


def linearity(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """Seconds per document at each scale, and the largest over the smallest (1.0 = linear)."""
    per_doc = {
        str(s["target_documents"]): round(s["end_to_end_seconds"] / s["documents_posted"], 5)
        for s in scales
        if s["documents_posted"]
    }
    values = list(per_doc.values())
    return {
        "seconds_per_document": per_doc,
        "largest_over_smallest": round(values[-1] / values[0], 2) if len(values) > 1 else None,
    }


def _stage_seconds(scale: dict[str, Any], stage: str) -> float:
    """A stage's own time (without interpreter start-up) when it reported one."""
    figures = scale["first_sync"][stage]
    return float(figures["output"].get("seconds") or figures["seconds"])


def stage_scaling(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """Per stage: peak RSS at each scale and whether it stays flat (at most ``RSS_FLAT_MB``
    at every scale), and seconds per document at each scale with the largest over the
    smallest (at most ``LINEAR_TOLERANCE``: time grows no faster than the documents)."""
    figures: dict[str, Any] = {}
    for stage in STAGES:
        rss = {str(s["target_documents"]): s["peak_rss_mb"][stage] for s in scales}
        per_doc = {
            str(s["target_documents"]): round(_stage_seconds(s, stage) / s["documents_posted"], 6)
            for s in scales
            if s["documents_posted"]
        }
        rss_values, time_values = list(rss.values()), list(per_doc.values())
        rss_ratio = round(rss_values[-1] / rss_values[0], 2) if len(rss) > 1 else None
        time_ratio = (
            round(time_values[-1] / time_values[0], 2)
            if len(time_values) > 1 and time_values[0]
            else None
        )
        figures[stage] = {
            "peak_rss_mb": rss,
            "rss_flat": all(value <= RSS_FLAT_MB for value in rss_values),
            "rss_largest_over_smallest": rss_ratio,
            "seconds_per_document": per_doc,
            "time_largest_over_smallest": time_ratio,
            "time_linear": time_ratio is None or time_ratio <= LINEAR_TOLERANCE,
        }
    return figures


def bench_webhooks(
    root: Path, events: int, spread: float, burst: int, rate_limit: int | None
) -> dict[str, Any]:
    """Webhook → NetSuite latency through the whole Airflow stack (Postgres metadata DB)."""
    from cbns_devkit.demo import webhook_latency

    with webhook_latency.throwaway_postgres() as metadata_url:
        return webhook_latency.measure(
            root / "webhooks",
            events=events,
            spread=spread,
            burst=burst,
            metadata_url=metadata_url,
            chargebee_rate_limit=rate_limit,
        )


def print_webhooks(figures: dict[str, Any]) -> None:
    """One line per phase, and the verdict on the bound."""
    from cbns_devkit.demo.webhook_latency import BOUND_SECONDS, describe

    print(
        f"webhooks (Postgres metadata DB, LocalExecutor; load average "
        f"{figures['load_average_before']} before, {figures['load_average_after']} after; "
        f"Chargebee {figures['chargebee_rate_limit_per_minute']} requests/min):"
    )
    for phase in ("steady", "burst"):
        if phase in figures:
            print(f"  {describe(phase, figures[phase])}")
    steady = figures.get("steady") or {}
    if "p95_seconds" in steady:
        verdict = "yes" if steady["p95_seconds"] <= BOUND_SECONDS else "NO"
        print(f"  steady p95 <= {BOUND_SECONDS:.0f} s: {verdict}")


def print_summary(results: dict[str, Any]) -> None:
    """The headline figures."""
    for scale in results["scales"]:
        rss = ", ".join(f"{k} {v:.0f}" for k, v in scale["peak_rss_mb"].items())
        times = ", ".join(f"{k} {v['seconds']:.1f}s" for k, v in scale["first_sync"].items())
        nc = scale["no_change_sync"]
        print(
            f"{scale['documents_posted']:>7} docs: end to end {scale['end_to_end_seconds']:.1f}s "
            f"({scale['end_to_end_documents_per_second']:.0f} docs/s); load "
            f"{scale['load_writes_per_second']:.0f} writes/s vs bound "
            f"{scale['governance_bound_per_second']:.0f}/s = ratio {scale['ratio_to_bound']:.2f}; "
            f"{scale['netsuite_requests_per_document']} NetSuite req/doc\n"
            f"          stages: {times}\n"
            f"          peak RSS MB: {rss}\n"
            f"          no-change sync: {nc['netsuite_writes']} NetSuite writes, "
            f"{nc['chargebee_requests']} Chargebee requests, {nc['seconds']:.1f}s"
        )
    print(f"linearity: {results['linearity']}")
    for stage, figures in results.get("stages", {}).items():
        rss = " / ".join(f"{v:.0f}" for v in figures["peak_rss_mb"].values())
        per_doc = " / ".join(f"{v * 1000:.2f}" for v in figures["seconds_per_document"].values())
        print(
            f"{stage:>9}: peak RSS {rss} MB -> flat (<= {RSS_FLAT_MB:.0f} MB at every scale): "
            f"{'yes' if figures['rss_flat'] else 'NO'}; ms/document {per_doc} "
            f"(x{figures['time_largest_over_smallest']}) -> linear: "
            f"{'yes' if figures['time_linear'] else 'NO'}"
        )
    if "concurrency_1" in results:
        c1 = results["concurrency_1"]
        print(
            f"baseline concurrency 1: {c1['load_writes_per_second']:.0f} writes/s "
            f"(bound {c1['governance_bound_per_second']:.0f}/s)"
        )
    if "extract_budget" in results:
        print_extract_budget(results["extract_budget"])
    if "webhooks" in results:
        print_webhooks(results["webhooks"])


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and write ``bench/results.json``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scales",
        type=int,
        nargs="+",
        default=[2000, 20000],
        help="documents per scale (200000 on request: about half an hour, mostly the load)",
    )
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--no-baselines", action="store_true")
    parser.add_argument("--no-webhooks", action="store_true", help="skip the webhook latency")
    parser.add_argument("--webhook-events", type=int, default=50)
    parser.add_argument("--webhook-spread", type=float, default=150.0, help="seconds")
    parser.add_argument("--webhook-burst", type=int, default=1000, help="0: no burst")
    parser.add_argument(
        "--webhook-rate-limit",
        type=int,
        default=None,
        help="Chargebee requests/minute for the webhook run (default 150, a test site's)",
    )
    parser.add_argument("--output", type=Path, default=REPO / "bench" / "results.json")
    options = parser.parse_args(argv)
    keys = rsa_pair()
    root = Path(tempfile.mkdtemp(prefix="cbns-bench-"))
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "latency_ms": options.latency_ms,
        "concurrency": options.concurrency,
        "scales": [],
    }
    for documents in sorted(options.scales):
        results["scales"].append(
            bench_scale(root, documents, options.latency_ms, options.concurrency, keys)
        )
        print(json.dumps(results["scales"][-1], indent=1), flush=True)
    results["linearity"] = linearity(results["scales"])
    results["stages"] = stage_scaling(results["scales"])
    if not options.no_baselines:
        smallest = min(options.scales)
        results["concurrency_1"] = bench_concurrency_one(root, smallest, options.latency_ms, keys)
        results["extract_budget"] = bench_extract_budget()
    if not options.no_webhooks:
        results["webhooks"] = bench_webhooks(
            root,
            options.webhook_events,
            options.webhook_spread,
            options.webhook_burst,
            options.webhook_rate_limit,
        )
    shutil.rmtree(root, ignore_errors=True)
    options.output.parent.mkdir(parents=True, exist_ok=True)
    options.output.write_text(json.dumps(results, indent=2) + "\n")
    print()
    print_summary(results)
    print(f"\nwritten to {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
