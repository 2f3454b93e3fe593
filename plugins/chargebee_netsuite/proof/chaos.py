"""The fault matrix: ``python -m chargebee_netsuite.proof.chaos [--scale N] [--seeds 1 2 3]``.

Every scenario starts fresh sandboxes with the same generated data, runs a full sync (the
stages the Airflow DAG runs: reference, extract, validate, load) while one kind of fault is
injected, then a follow-up sync without faults, and then compares NetSuite (SuiteQL) with an
independent expectation from Chargebee's API (:mod:`proof.expect`). Every row must show 0
duplicates, 0 missing and 0 wrong; the command exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from chargebee_netsuite.proof import stages
from chargebee_netsuite.proof.disturb import (
    Disturber,
    chargebee_random_5xx,
    netsuite_token_expiry,
)
from chargebee_netsuite.proof.expect import (
    Row,
    chargebee_list,
    compare,
    expected_documents,
    held_with_reason,
    netsuite_transactions,
)
from chargebee_netsuite.proof.harness import SITE, Harness, rsa_pair
from chargebee_netsuite.staging.ledger_tables import ns_ledger

STAGE_ORDER = ("reference", "extract", "validate", "load")
# Faster client retries than production: a scenario proves behaviour, not patience.
CLIENT_ARGS: dict[str, Any] = {"timeout": 3.0, "backoff_base": 0.02, "backoff_cap": 0.5}


@dataclass
class Context:
    """One scenario's harness, its run counter and what it noticed."""

    harness: Harness
    rng: random.Random
    runs: int = 0
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken promises; each fails the row

    def args(self, run_id: str | None = None) -> dict[str, Any]:
        if run_id is None:
            self.runs += 1
            run_id = f"run-{self.runs}"
        return {**self.harness.stage_args(), **CLIENT_ARGS, "run_id": run_id}

    def sync(
        self, names: Iterable[str] = STAGE_ORDER, *, strict: bool = False, run_id: str | None = None
    ) -> bool:
        """Run the stages in this process, as the DAG's tasks would, one after another.

        Under faults a stage may fail (a task failure, to be retried by the next run); that is
        noted and the run stops there, as a DAG run would. ``strict`` re-raises instead.
        ``run_id`` continues an earlier run (a task retry keeps its DAG run's id).
        """
        args = self.args(run_id)
        os.environ[args["chargebee_key_env"]] = self.harness.chargebee_settings.test_key
        for name in names:
            try:
                stages.STAGES[name](self.harness.engine, args)
            except Exception as exc:
                if strict:
                    raise
                self.failures.append(f"{name} failed: {type(exc).__name__}")
                return False
        return True


Scenario = Callable[[Context, Row], None]


# -- Chargebee --------------------------------------------------------------------------------


def cb_429(retry_after: bool) -> Scenario:
    def run(ctx: Context, row: Row) -> None:
        # 4 requests per 1 s window while the client believes it may send a million a minute:
        # every burst runs into 429 and must wait (with or without Retry-After to guide it).
        ctx.harness.cb_admin(
            "POST",
            "/faults",
            {
                "rate_limit_per_minute": 4,
                "rate_limit_window_seconds": 1,
                "retry_after": retry_after,
            },
        )
        ctx.sync()
        row.notes.append(f"{throttled(ctx.harness)} answered 429")

    return run


def throttled(harness: Harness) -> int:
    """Chargebee API requests refused before they were served (429s, here)."""
    total = int(harness.cb_admin("GET", "/stats")["total"])
    return total - harness.chargebee_requests()


def cb_5xx(ctx: Context, row: Row) -> None:
    with Disturber(chargebee_random_5xx(ctx.harness.chargebee.base_url, ctx.rng), 0.2) as d:
        ctx.sync()
    row.notes.append(f"5xx armed {d.pokes} times")


def cb_slow(ctx: Context, row: Row) -> None:
    ctx.harness.cb_admin("POST", "/faults", {"latency_ms": 150})
    ctx.sync()


def cb_mutation(ctx: Context, row: Row) -> None:
    ctx.harness.cb_admin("POST", "/faults", {"mutate_on_page": 3})
    ctx.sync()


# -- NetSuite ---------------------------------------------------------------------------------


def ns_429(ctx: Context, row: Row) -> None:
    # The account allows 2 in flight while the client sends 5, and 12 record writes more are
    # answered 429 CONCURRENCY_LIMIT_EXCEEDED regardless.
    ctx.harness.ns_admin("PUT", "/concurrency", {"limit": 2})
    fault = {"kind": "concurrency", "count": 12, "path_contains": "/record/v1"}
    ctx.harness.ns_admin("POST", "/faults", fault)
    ctx.sync()


def ns_500(ctx: Context, row: Row) -> None:
    ctx.harness.ns_admin("POST", "/faults", {"fail_nth": 7})
    ctx.sync()


def ns_timeout(ctx: Context, row: Row) -> None:
    ctx.harness.ns_admin(
        "POST", "/faults", {"kind": "timeout", "count": 4, "method": "PUT", "seconds": 6}
    )
    ctx.sync()


def ns_drop(ctx: Context, row: Row) -> None:
    ctx.harness.ns_admin("POST", "/faults", {"drop_nth": 5})
    ctx.sync()
    row.notes.append(f"dropped {ctx.harness.ns_admin('GET', '/state')['faults']['dropped']}")


def ns_token_expiry(ctx: Context, row: Row) -> None:
    ctx.sync(("reference", "extract", "validate"))
    with Disturber(netsuite_token_expiry(ctx.harness.netsuite.base_url), 0.2) as d:
        ctx.sync(("load",))
    row.notes.append(f"clock advanced {d.pokes} times")


def ns_revoked_cert(ctx: Context, row: Row) -> None:
    ctx.sync(("reference", "extract", "validate"))
    ctx.harness.revoke_certificate()
    finished = ctx.sync(("load",))
    with ctx.harness.engine.connect() as conn:
        failed = conn.execute(
            select(func.count())
            .select_from(ns_ledger)
            .where(ns_ledger.c.state == "failed", ns_ledger.c.reason.is_not(None))
        ).scalar_one()
    if finished and not failed:
        # Nothing could post, yet neither the task nor the ledger said so: that is a loss.
        ctx.problems.append("revoked certificate: load succeeded silently")
    row.notes.append(
        f"revoked: load {'returned' if finished else 'raised'}, {failed} ledger failed"
    )
    ctx.harness.restore_certificate()


# -- process killed ---------------------------------------------------------------------------


def kill_point(
    ctx: Context, stage: str, run_id: str
) -> tuple[str, Callable[[], bool] | None, float | None]:
    """When to kill ``stage``: after some progress it made (requests, writes) or some time."""
    h = ctx.harness
    if stage == "extract":
        target = h.chargebee_requests() + ctx.rng.randint(2, 12)
        return f"after {target} Chargebee requests", lambda: h.chargebee_requests() >= target, None
    if stage == "load":
        target = h.netsuite_writes() + ctx.rng.randint(3, 60)
        return f"after {target} NetSuite writes", lambda: h.netsuite_writes() >= target, None
    # Validation's visible progress is its Data Docs folder: GX runs once it exists.
    docs = Path(h.stage_args()["reports_dir"]) / "data_docs" / run_id
    extra = ctx.rng.uniform(0.0, 0.6)
    seen: list[float] = []

    def validating() -> bool:
        if not seen and docs.exists():
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] >= extra

    return f"{extra:.2f}s into the GX checkpoint", validating, None


def sigkill(stage: str) -> Scenario:
    def run(ctx: Context, row: Row) -> None:
        index = STAGE_ORDER.index(stage)
        ctx.runs += 1
        run_id = f"run-{ctx.runs}"  # one DAG run: its tasks, the killed one and its retry
        ctx.sync(STAGE_ORDER[:index], run_id=run_id)
        when, predicate, delay = kill_point(ctx, stage, run_id)
        result = ctx.harness.run_stage(
            stage, run_id, kill_after=delay, kill_when=predicate, extra=CLIENT_ARGS
        )
        row.notes.append(f"{stage} {'SIGKILLed' if result.killed else 'finished before'} {when}")
        # Airflow retries the killed task in the same run, then runs the rest of the DAG.
        ctx.sync(STAGE_ORDER[index:], run_id=run_id)

    return run


# -- webhooks ---------------------------------------------------------------------------------


def webhooks(ctx: Context, row: Row) -> None:
    from chargebee_netsuite.extract.events import process_events
    from chargebee_netsuite.sandbox.server import serve_in_thread
    from chargebee_netsuite.staging import chargebee_queries as q
    from chargebee_netsuite.webhooks.config import ReceiverConfig
    from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

    harness = ctx.harness
    ctx.sync()
    # New business in Chargebee after the first sync: an invoice, its payment, a void.
    key = harness.chargebee_settings.test_key
    invoices = chargebee_list(harness.chargebee.base_url, key, "invoices")
    customer = next(i["customer_id"] for i in invoices if i["currency_code"] == "USD")
    new = harness.cb_admin(
        "POST",
        "/invoices",
        {
            "customer_id": customer,
            "currency_code": "USD",
            "lines": [{"description": "Proof consulting", "unit_amount": 12345}],
        },
    )
    new_id = (new.get("invoice") or new)["id"]
    harness.cb_admin("POST", f"/invoices/{new_id}/payments", {})
    voidable = [
        i
        for i in invoices
        if i["status"] == "payment_due"
        and not i.get("amount_paid")
        and not i.get("credits_applied")
    ]
    if voidable:
        harness.cb_admin("POST", f"/invoices/{voidable[0]['id']}/void", {})
    with httpx.Client(base_url=f"{harness.chargebee.base_url}/api/v2", auth=(key, "")) as http:
        listed = http.get("/events", params={"limit": "20", "sort_by[desc]": "occurred_at"}).json()
    events = [entry["event"] for entry in listed["list"]]
    config = ReceiverConfig("chargebee", "proof-webhook-pass", SITE, harness.staging_url)
    app = create_app(lambda: config)
    server = serve_in_thread(app)
    try:
        url = f"{server.base_url}{WEBHOOK_PATH}"
        auth = ("chargebee", "proof-webhook-pass")
        deliveries: list[dict[str, Any]] = []
        for event in events:
            deliveries += [event] * 3  # duplicated
            # Forged: a real event id whose body claims another amount; only the id is used.
            forged = {**event, "content": {"invoice": {"id": new_id, "total": 1, "amount_due": 1}}}
            deliveries.append(forged)
        deliveries.reverse()  # out of order
        deliveries += [
            {"id": f"ev_unknown_{n}", "event_type": "invoice_generated", "object": "event"}
            for n in range(3)
        ]
        for body in deliveries:
            status = httpx.post(url, json=body, auth=auth, timeout=30).status_code
            if status != 200:
                row.notes.append(f"delivery answered {status}")
    finally:
        server.stop()
        app.state.engines.dispose()
    with harness.engine.connect() as conn:
        pending = q.pending_event_ids(conn, SITE)
    client = stages.chargebee_client({**harness.stage_args(), **CLIENT_ARGS})
    os.environ[harness.stage_args()["chargebee_key_env"]] = key
    try:
        result = process_events(client, harness.engine, pending, run_id="webhooks")
    finally:
        client.close()
    row.notes.append(
        f"{len(deliveries)} deliveries, {result.unique} pending ids, "
        f"{len(result.rejected)} rejected"
    )
    ctx.sync(("validate", "load"))


# -- everything at once -----------------------------------------------------------------------


def everything(ctx: Context, row: Row) -> None:
    h = ctx.harness
    h.cb_admin(
        "POST",
        "/faults",
        {
            "rate_limit_per_minute": 60,
            "rate_limit_window_seconds": 2,
            "latency_ms": 30,
            "mutate_on_page": 3,
            "retry_after": ctx.rng.random() < 0.5,
        },
    )
    h.ns_admin("PUT", "/concurrency", {"limit": 3})
    h.ns_admin("POST", "/faults", {"fail_nth": 11, "drop_nth": 7})
    h.ns_admin("POST", "/faults", {"kind": "timeout", "count": 2, "method": "PUT", "seconds": 6})
    with Disturber(chargebee_random_5xx(h.chargebee.base_url, ctx.rng), 0.1):
        ctx.sync(("reference", "extract", "validate"))
    with Disturber(netsuite_token_expiry(h.netsuite.base_url), 1.0):
        when, predicate, _ = kill_point(ctx, "load", "killed-load")
        result = h.run_stage("load", "killed-load", kill_when=predicate, extra=CLIENT_ARGS)
        row.notes.append(f"load {'SIGKILLed' if result.killed else 'finished before'} {when}")
        ctx.sync(("load",))


# -- the matrix -------------------------------------------------------------------------------


def scenarios(seeds: list[int]) -> list[tuple[str, Scenario]]:
    """Every scenario, by name; SIGKILL scenarios once per seed."""
    found: list[tuple[str, Scenario]] = [
        ("baseline (no faults)", lambda ctx, row: None),
        ("chargebee 429 + Retry-After", cb_429(True)),
        ("chargebee 429, no Retry-After", cb_429(False)),
        ("chargebee 5xx on random pages", cb_5xx),
        ("chargebee slow (150 ms)", cb_slow),
        ("chargebee rows mutated mid-pagination", cb_mutation),
        ("netsuite 429 CONCURRENCY_LIMIT", ns_429),
        ("netsuite 500 UNEXPECTED_ERROR", ns_500),
        ("netsuite timeouts", ns_timeout),
        ("netsuite commit-then-drop", ns_drop),
        ("netsuite token expiry mid-run", ns_token_expiry),
        ("netsuite certificate revoked", ns_revoked_cert),
        ("webhooks dup/reorder/unknown/forged", webhooks),
    ]
    for seed in seeds:
        for stage in ("extract", "validate", "load"):
            found.append((f"SIGKILL during {stage} (seed {seed})", sigkill(stage)))
        found.append((f"all faults together (seed {seed})", everything))
    return found


def reset_faults(harness: Harness) -> None:
    """Back to a well-behaved pair of services."""
    harness.cb_admin(
        "POST",
        "/faults",
        {
            "latency_ms": 0,
            "mutate_on_page": 0,
            "retry_after": True,
            "rate_limit_per_minute": 1_000_000,
            "rate_limit_window_seconds": 60,
        },
    )
    harness.ns_admin("DELETE", "/faults")
    harness.ns_admin("PUT", "/concurrency", {"limit": 5})


def seed_of(name: str, default: int) -> int:
    """The seed a scenario name carries, or ``default``."""
    if "(seed " in name:
        return int(name.rsplit("(seed ", 1)[1].rstrip(")"))
    return default


# Lists page by 100: a mutation between pages needs a list longer than one page.
MIN_SCALE = {"mid-pagination": 40, "all faults": 40}


def run_scenario(
    name: str, scenario: Scenario, workdir: Path, scale: int, keys: tuple[str, bytes]
) -> Row:
    """Fresh sandboxes, the scenario, a clean follow-up sync, then the independent check."""
    row = Row(name)
    scale = max([scale] + [n for key, n in MIN_SCALE.items() if key in name])
    harness = Harness.start(workdir, scale=scale, seed=7, keys=keys)
    ctx = Context(harness, random.Random(seed_of(name, 1)))
    started = time.monotonic()
    try:
        scenario(ctx, row)
        row.notes += ctx.failures
        reset_faults(harness)
        ctx.sync(strict=True)  # the follow-up run, without faults
        expected = expected_documents(
            harness.chargebee.base_url, harness.chargebee_settings.test_key, SITE
        )
        client = stages.netsuite_client({**harness.stage_args(), **CLIENT_ARGS})
        try:
            actual = netsuite_transactions(client)
        finally:
            client.close()
        found = compare(name, expected, actual, held_with_reason(harness.engine, SITE))
        found.notes = row.notes + ctx.problems + found.notes
        found.wrong += len(ctx.problems)
        row = found
    except Exception as exc:  # a scenario that blows up is a failed row, not a crash
        row.missing = row.expected or -1
        row.notes.append(f"scenario error: {type(exc).__name__}: {exc}")
    finally:
        harness.stop()
    row.notes.append(f"{time.monotonic() - started:.0f}s")
    return row


def table(rows: list[Row]) -> str:
    """The rows as a fixed-width table."""
    head = (
        f"{'scenario':44} {'expected':>8} {'posted':>6} {'held':>4} {'dup':>3} {'miss':>4} "
        f"{'wrong':>5}  notes"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.scenario:44} {r.expected:8} {r.posted:6} {r.held:4} {r.duplicates:3} "
            f"{r.missing:4} {r.wrong:5}  {'; '.join(r.notes[:4])}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the matrix, print the table, exit 1 if any row shows a duplicate, a miss or a wrong."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=20, help="generated customers (default 20)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--only", help="run only scenarios whose name contains this text")
    parser.add_argument("--workdir", type=Path, help="keep state here (default: a temp dir)")
    options = parser.parse_args(argv)
    root = options.workdir or Path(tempfile.mkdtemp(prefix="cbns-chaos-"))
    keys = rsa_pair()
    rows: list[Row] = []
    for number, (name, scenario) in enumerate(scenarios(options.seeds)):
        if options.only and options.only not in name:
            continue
        row = run_scenario(name, scenario, root / f"s{number:02d}", options.scale, keys)
        rows.append(row)
        print(table([row]).splitlines()[-1], flush=True)
    print()
    print(table(rows))
    bad = [r for r in rows if not r.ok]
    for r in bad:
        print(f"FAILED {r.scenario}: " + "; ".join(r.notes), file=sys.stderr)
    if bad:
        print(f"state of every scenario kept in {root}", file=sys.stderr)
    elif options.workdir is None:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
