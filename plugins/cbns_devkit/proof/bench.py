"""End-to-end benchmark: ``python -m cbns_devkit.proof.bench [--scales 2000 20000]``.

For each scale (documents, roughly: customers and their invoices, credit notes, payments and
refunds) both sandboxes start with generated data, NetSuite answering after ``--latency-ms``
and allowing ``--concurrency`` requests in flight. Each stage (reference, extract, validate,
load) runs in its own process, so its time and peak RSS are its own. Then a sync with nothing
changed and one with 100 records changed in Chargebee, stage by stage: NetSuite writes (goal 0
for the first), Chargebee requests, and their cost at the largest scale over the smallest
(bound 1.5). Then the load alone at L = 20 and 200 ms for C = 5 and 15 against C/L
(``cbns_devkit.bench.load``; ``--no-load-ratios`` skips it), and the baselines: a first
extraction at each Chargebee plan limit (150, 1000, 3500 requests/minute) against its bound
(``cbns_devkit.bench.extract``) and the load with concurrency 1.

Then webhook → NetSuite latency through real Airflow (``demo/webhook_latency.py``: api-server,
scheduler with LocalExecutor, dag-processor, triggerer, a throwaway Postgres metadata
database): ``--webhook-events`` invoices over ``--webhook-spread`` seconds at 150 requests/
minute, then, on a fresh stack, a burst of ``--webhook-burst`` at 3500 requests/minute
(``--webhook-burst-rate-limit``: at 150 the burst alone takes about 20 minutes); p50, p95 and
max from delivery to the NetSuite write, each as a ratio to the 20-second bound, and the DAG
runs each phase started. ``--no-webhooks`` skips them.

Scales above 20k run last. Figures go to ``bench/results.json`` after each part and to
stdout, ending with each stage's verdicts (is its peak RSS flat, at most 400 MB at every
scale; does its time grow no faster than the documents) and every figure of issue 16 with its
bound and ratio.
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


# What the "100 changed documents" sync changes in Chargebee before it runs: each touched
# record gets a new version (and an event), as an edit in Chargebee's UI would.
TOUCHED = {"invoice": 50, "transaction": 30, "customer": 20}
COST_BOUND = 1.5  # a sync at the largest scale may cost this many times one at the smallest


def incremental_figures(sync: dict[str, Any]) -> dict[str, Any]:
    """A later sync's totals and each stage's time (process, and its own work inside it)."""
    return {
        "netsuite_writes": sum(s["netsuite_writes"] for s in sync.values()),
        "netsuite_requests": sum(s["netsuite_requests"] for s in sync.values()),
        "chargebee_requests": sum(s["chargebee_requests"] for s in sync.values()),
        "seconds": round(sum(s["seconds"] for s in sync.values()), 2),
        "work_seconds": round(sum(_work_seconds(s) for s in sync.values()), 2),
        "stages": {
            stage: {
                "seconds": figures["seconds"],
                "work_seconds": round(_work_seconds(figures), 3),
                "output": figures["output"],
            }
            for stage, figures in sync.items()
        },
    }


def _work_seconds(figures: dict[str, Any]) -> float:
    return float(figures["output"].get("seconds") or figures["seconds"])


def bench_scale(
    root: Path, documents: int, latency_ms: int, concurrency: int, keys: tuple[str, bytes]
) -> dict[str, Any]:
    """One scale: the first sync, a no-change sync, then a sync of 100 changed documents."""
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
        second_started = int(time.time())
        window = {"window_start": first_started, "window_end": second_started + 1}
        second = run_sync(harness, "bench-2", {**extra, **window})
        time.sleep(1.0)  # the touched versions fall after the second window
        for kind, touched in TOUCHED.items():
            harness.cb_admin("POST", "/touch", {"kind": kind, "count": touched})
        window = {"window_start": second_started, "window_end": int(time.time()) + 1}
        third = run_sync(harness, "bench-3", {**extra, **window})
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
        "no_change_sync": incremental_figures(second),
        "changed_100_sync": {"touched": TOUCHED, **incremental_figures(third)},
    }


def cost_ratios(scales: list[dict[str, Any]]) -> dict[str, Any]:
    """The no-change and 100-changed syncs at the largest scale against the smallest (same
    run): whole syncs (each stage a process, as Airflow runs them) and the stages' own work."""
    if len(scales) < 2:
        return {}
    small, large = scales[0], scales[-1]
    figures: dict[str, Any] = {"bound": COST_BOUND}
    for name in ("no_change_sync", "changed_100_sync"):
        a, b = small[name], large[name]
        ratio = round(b["seconds"] / a["seconds"], 2) if a["seconds"] else None
        work = round(b["work_seconds"] / a["work_seconds"], 2) if a["work_seconds"] else None
        figures[name] = {
            "smallest": {"documents": small["documents_posted"], "seconds": a["seconds"]},
            "largest": {"documents": large["documents_posted"], "seconds": b["seconds"]},
            "ratio": ratio,
            "ratio_to_bound": round(ratio / COST_BOUND, 3) if ratio is not None else None,
            "work_ratio": work,
            "met": ratio is not None and ratio <= COST_BOUND,
            "seconds_by_scale": {str(s["target_documents"]): s[name]["seconds"] for s in scales},
            "stage_seconds_by_scale": {
                str(s["target_documents"]): {
                    stage: f["seconds"] for stage, f in s[name]["stages"].items()
                }
                for s in scales
            },
        }
    return figures


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
    root: Path,
    events: int,
    spread: float,
    burst: int,
    rate_limit: int | None,
    burst_rate_limit: int | None,
) -> dict[str, Any]:
    """Webhook → NetSuite latency through the whole Airflow stack (Postgres metadata DB):
    the steady phase at ``rate_limit`` (None: 150/min, a test site's), then the burst on a
    fresh stack at ``burst_rate_limit`` (at 150/min a burst of 1,000 takes about 20 minutes,
    bound by Chargebee's rate, not by this connector)."""
    from cbns_devkit.demo import webhook_latency

    figures: dict[str, Any] = {}
    phases = (
        ("webhooks", events, 0, rate_limit),
        ("webhooks_burst", 0, burst, burst_rate_limit),
    )
    for name, steady, bursting, rate in phases:
        if steady <= 0 and bursting <= 0:
            continue
        with webhook_latency.throwaway_postgres() as metadata_url:
            figures[name] = webhook_latency.measure(
                root / name,
                events=steady,
                spread=spread,
                burst=bursting,
                metadata_url=metadata_url,
                chargebee_rate_limit=rate,
            )
    return figures


# Load throughput against C/L at these (L ms, C) (issue 16 item 4), and the customers each
# run generates: enough writes for the ramp-up to stay small at each bound.
LOAD_CASES = ((20, 5, 250), (20, 15, 250), (200, 5, 100), (200, 15, 100))
LOAD_GOAL = 0.9


def bench_load_ratios(keys: tuple[str, bytes]) -> dict[str, Any]:
    """The load alone (``cbns_devkit.bench.load``) at each of ``LOAD_CASES``."""
    from cbns_devkit.bench import load as load_bench

    private, public = keys
    figures: dict[str, Any] = {}
    for latency, concurrency, customers in LOAD_CASES:
        run = load_bench.measure(customers, latency, concurrency, private, public)
        figures[f"L{latency}_C{concurrency}"] = {
            "latency_ms": latency,
            "concurrency": concurrency,
            "writes": run.writes,
            "seconds": round(run.seconds, 2),
            "writes_per_second": round(run.throughput, 1),
            "bound_per_second": round(run.bound, 1),
            "ratio": round(run.ratio, 3),
            "occupancy": round(run.occupancy, 3),
            "round_trip_ms": round(run.round_trip_ms, 1),
            "client_cpu_ms_per_write": round(run.client_cpu_ms, 2),
            "sandbox_cpu_ms_per_write": round(run.sandbox_cpu_ms, 2),
            "first_write_seconds": round(run.first_write_s, 2),
        }
        print(f"load at L={latency} ms, C={concurrency}: {figures[f'L{latency}_C{concurrency}']}")
    return figures


def headline(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure of issue 16 with its bound and its ratio to it (``met``: the goal holds)."""
    rows: list[dict[str, Any]] = []

    def add(figure: str, value: Any, bound: float, ratio: float | None, met: bool) -> None:
        rows.append({"figure": figure, "value": value, "bound": bound, "ratio": ratio, "met": met})

    for name, label in (("webhooks", "50 events"), ("webhooks_burst", "burst")):
        phase_key = "steady" if name == "webhooks" else "burst"
        phase = (results.get(name) or {}).get(phase_key) or {}
        rate = (results.get(name) or {}).get("chargebee_rate_limit_per_minute")
        if phase_key == "burst":
            label = f"burst of {phase.get('events', '?')} at {rate}/min"
        for stat in ("p50", "p95", "max"):
            if f"{stat}_seconds" in phase:
                value = phase[f"{stat}_seconds"]
                add(f"webhook {label} {stat} (s)", value, 20.0, round(value / 20.0, 3), value <= 20)
    for limit, f in (results.get("extract_budget") or {}).items():
        add(
            f"extraction at {limit}/min (docs/s)",
            f["docs_per_second"],
            f["bound_docs_per_second"],
            f["ratio"],
            f["ratio"] >= 0.9,
        )
    costs = results.get("cost_ratios") or {}
    for name, label in (("no_change_sync", "no-change"), ("changed_100_sync", "100 changed")):
        if name in costs:
            c = costs[name]
            add(
                f"{label} sync, {c['largest']['documents']} vs {c['smallest']['documents']} docs "
                "(x)",
                c["ratio"],
                COST_BOUND,
                c["ratio_to_bound"],
                bool(c["met"]),
            )
    for case in (results.get("load_ratios") or {}).values():
        add(
            f"load at L={case['latency_ms']} ms, C={case['concurrency']} (writes/s)",
            case["writes_per_second"],
            case["bound_per_second"],
            case["ratio"],
            case["ratio"] >= LOAD_GOAL,
        )
    return rows


def print_headline(rows: list[dict[str, Any]]) -> None:
    """The figures of issue 16, one line each."""
    print("\nissue 16 figures (value, bound, ratio to the bound, goal met):")
    for row in rows:
        print(
            f"  {row['figure']:<52} {row['value']!s:>9}  bound {row['bound']!s:>8}  "
            f"ratio {row['ratio']!s:>6}  {'yes' if row['met'] else 'NO'}"
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
        ch = scale.get("changed_100_sync", {})
        print(
            f"{scale['documents_posted']:>7} docs: end to end {scale['end_to_end_seconds']:.1f}s "
            f"({scale['end_to_end_documents_per_second']:.0f} docs/s); load "
            f"{scale['load_writes_per_second']:.0f} writes/s vs bound "
            f"{scale['governance_bound_per_second']:.0f}/s = ratio {scale['ratio_to_bound']:.2f}; "
            f"{scale['netsuite_requests_per_document']} NetSuite req/doc\n"
            f"          stages: {times}\n"
            f"          peak RSS MB: {rss}\n"
            f"          no-change sync: {nc['netsuite_writes']} NetSuite writes, "
            f"{nc['chargebee_requests']} Chargebee requests, {nc['seconds']:.1f}s "
            f"({ {k: v['seconds'] for k, v in nc.get('stages', {}).items()} })\n"
            f"          100 changed: {ch.get('netsuite_writes')} NetSuite writes, "
            f"{ch.get('seconds')}s ({ {k: v['seconds'] for k, v in ch.get('stages', {}).items()} })"
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
    for name in ("webhooks", "webhooks_burst"):
        if name in results:
            print_webhooks(results[name])
    if "cost_ratios" in results:
        print(f"cost ratios (largest / smallest scale, bound {COST_BOUND}): ")
        for name in ("no_change_sync", "changed_100_sync"):
            if name in results["cost_ratios"]:
                c = results["cost_ratios"][name]
                print(
                    f"  {name}: {c['seconds_by_scale']} -> x{c['ratio']} (work x{c['work_ratio']})"
                )
    print_headline(results.get("figures", []))


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
        help="Chargebee requests/minute for the 50 events (default 150, a test site's)",
    )
    parser.add_argument(
        "--webhook-burst-rate-limit",
        type=int,
        default=3500,
        help="Chargebee requests/minute for the burst (default 3500: at 150 it takes ~20 min)",
    )
    parser.add_argument("--no-load-ratios", action="store_true", help="skip the load bench")
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

    def save() -> None:
        # After each part, so a long run that is stopped keeps what it measured.
        results["figures"] = headline(results)
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(results, indent=2) + "\n")

    def scale(documents: int) -> None:
        results["scales"].append(
            bench_scale(root, documents, options.latency_ms, options.concurrency, keys)
        )
        results["scales"].sort(key=lambda s: s["target_documents"])
        print(json.dumps(results["scales"][-1], indent=1), flush=True)
        results["linearity"] = linearity(results["scales"])
        results["stages"] = stage_scaling(results["scales"])
        results["cost_ratios"] = cost_ratios(results["scales"])
        save()

    # The largest scale last (above 20k it takes most of the run): a run stopped early keeps
    # every other figure.
    *smaller, largest = sorted(options.scales)
    for documents in smaller:
        scale(documents)
    if largest <= 20000:
        scale(largest)
    if not options.no_load_ratios:
        results["load_ratios"] = bench_load_ratios(keys)
        save()
    if not options.no_baselines:
        results["extract_budget"] = bench_extract_budget()
        save()
        smallest = min(options.scales)
        results["concurrency_1"] = bench_concurrency_one(root, smallest, options.latency_ms, keys)
        save()
    if not options.no_webhooks:
        results.update(
            bench_webhooks(
                root,
                options.webhook_events,
                options.webhook_spread,
                options.webhook_burst,
                options.webhook_rate_limit,
                options.webhook_burst_rate_limit,
            )
        )
        save()
    if largest > 20000:
        scale(largest)
    shutil.rmtree(root, ignore_errors=True)
    print()
    print_summary(results)
    print(f"\nwritten to {options.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
