"""The fault matrix: ``python -m cbns_devkit.proof.chaos [--scale N] [--seeds 1 2 3]``.

Every scenario starts fresh sandboxes with the same generated data and runs the real DAG
``chargebee_netsuite_sync`` through Airflow (:mod:`proof.airflow_runner`: LocalExecutor task
processes, Airflow's retries) while one kind of fault is injected; task processes are
SIGKILLed at random points of extract, validate and load. A follow-up DAG run without faults
comes next, and then NetSuite (SuiteQL) is compared with an independent expectation from
Chargebee's API (:mod:`proof.expect`). Every row must show 0 duplicates, 0 missing and
0 wrong, and every DAG run must have ended as expected (the follow-up always in success);
the command exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from cbns_devkit.demo.stack import WEBHOOK_TASK
from cbns_devkit.proof import stages
from cbns_devkit.proof.airflow_runner import (
    SYNC_DAG,
    WEBHOOK_DAG,
    DagRunResult,
    ProofAirflow,
    RunningDag,
    TaskProcess,
    Watch,
    kill_task,
    sandbox_env,
)
from cbns_devkit.proof.disturb import (
    Disturber,
    chargebee_random_5xx,
    netsuite_token_expiry,
)
from cbns_devkit.proof.expect import (
    Row,
    chargebee_list,
    compare,
    expected_documents,
    held_with_reason,
    netsuite_transactions,
)
from cbns_devkit.proof.harness import FAST_RETRIES, SITE, Harness, rsa_pair
from chargebee_netsuite.airflow.settings import STAGING_CONN_ID
from chargebee_netsuite.staging.ledger_tables import ns_ledger

STAGE_ORDER = ("reference", "extract", "validate", "load")
CLIENT_ARGS: dict[str, Any] = FAST_RETRIES
# A scenario's sync reads everything, not one data interval: the sandboxes' history is older.
FULL_SYNC = {"full_resync": True}
LOAD_TASK = "load"
WEBHOOK_ROUTE = "/chargebee-netsuite/webhooks/chargebee"  # the plugin's receiver
WEBHOOK_PASSWORD = "proof-webhook-pass"


@dataclass
class RunRecord:
    """One DAG run of a scenario: what it was for, the state it had to end in, how it ended."""

    label: str
    expected: str
    result: DagRunResult

    @property
    def as_expected(self) -> bool:
        return self.result.state == self.expected


@dataclass
class ScenarioRow(Row):
    """A table row, with the Airflow DAG runs it came from."""

    runs: list[RunRecord] = field(default_factory=list)


@dataclass
class Context:
    """One scenario's sandboxes, its Airflow, its DAG runs and what it noticed."""

    harness: Harness
    airflow: ProofAirflow
    rng: random.Random
    runs: list[RunRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # broken promises; each fails the row

    def sync(
        self,
        label: str = "faults",
        *,
        watch: Watch | None = None,
        expect: str = "success",
        dag_id: str = SYNC_DAG,
    ) -> DagRunResult:
        """One DAG run of ``dag_id`` through Airflow against this scenario's sandboxes.

        Under faults a task may fail and be retried by Airflow (a second after it failed, in
        the same DAG run); ``expect`` is the state the run must end in.
        """
        conf = FULL_SYNC if dag_id == SYNC_DAG else None
        result = self.airflow.dag_run(dag_id, sandbox_env(self.harness), conf=conf, watch=watch)
        self.runs.append(RunRecord(label, expect, result))
        return result


Scenario = Callable[[Context, Row], None]


# -- watching a run ---------------------------------------------------------------------------


class OnStart:
    """Calls ``action`` once, as soon as a task process of ``group`` is running."""

    def __init__(self, group: str, action: Callable[[RunningDag], object]) -> None:
        self.group = group
        self.action = action
        self.done = False

    def __call__(self, run: RunningDag) -> None:
        if not self.done and run.task_processes(self.group):
            self.done = True
            self.action(run)


def watch_all(*watches: Watch) -> Watch:
    """One watch calling each of ``watches`` in turn."""

    def watch(run: RunningDag) -> None:
        for each in watches:
            each(run)

    return watch


def baseline(ctx: Context, row: Row) -> None:
    ctx.sync("first sync")


# -- Chargebee --------------------------------------------------------------------------------


def cb_429(retry_after: bool) -> Scenario:
    def run(ctx: Context, row: Row) -> None:
        # 1 request per 1 s window while the clients believe they may send a million a minute:
        # the extraction tasks' listings run side by side and collide, so every burst runs into
        # 429 and must wait (with or without Retry-After to guide it).
        ctx.harness.cb_admin(
            "POST",
            "/faults",
            {
                "rate_limit_per_minute": 1,
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
    # From the moment the load task starts, NetSuite's clock jumps past every token's lifetime.
    disturber = Disturber(netsuite_token_expiry(ctx.harness.netsuite.base_url), 0.2)
    with contextlib.ExitStack() as stack:
        ctx.sync(watch=OnStart("load", lambda run: stack.enter_context(disturber)))
    row.notes.append(f"clock advanced {disturber.pokes} times during load")


def ns_revoked_cert(ctx: Context, row: Row) -> None:
    # Revoked while validation runs, so the load task is the first to meet it.
    result = ctx.sync(
        watch=OnStart("validate", lambda run: ctx.harness.revoke_certificate()),
        expect="failed",
    )
    with ctx.harness.engine.connect() as conn:
        failed = conn.execute(
            select(func.count())
            .select_from(ns_ledger)
            .where(ns_ledger.c.state == "failed", ns_ledger.c.reason.is_not(None))
        ).scalar_one()
    load_state = result.tasks.get(LOAD_TASK, ("missing", 0))[0]
    if load_state != "failed" or not failed:
        # Nothing could post, yet the task or the ledger kept quiet about it: that is a loss.
        ctx.problems.append(
            f"revoked certificate: load task {load_state}, {failed} ledger rows failed"
        )
    row.notes.append(f"revoked: load task {load_state}, {failed} ledger failed")
    ctx.harness.restore_certificate()


# -- process killed ---------------------------------------------------------------------------


def kill_point(ctx: Context, stage: str, run_id: str) -> tuple[str, Callable[[], bool]]:
    """When to kill a task of ``stage`` that just started: after some progress it made
    (requests, writes) or some time into the GX checkpoint."""
    h = ctx.harness
    if stage == "extract":
        target = h.chargebee_requests() + ctx.rng.randint(2, 12)
        return f"after {target} Chargebee requests", lambda: h.chargebee_requests() >= target
    if stage == "load":
        target = h.netsuite_writes() + ctx.rng.randint(3, 60)
        return f"after {target} NetSuite writes", lambda: h.netsuite_writes() >= target
    # Validation's visible progress is its Data Docs folder: GX runs once it exists.
    from chargebee_netsuite.quality.docs import run_folder

    docs = Path(h.stage_args()["reports_dir"]) / "data_docs" / run_folder(run_id)
    extra = ctx.rng.uniform(0.0, 0.6)
    seen: list[float] = []

    def validating() -> bool:
        if not seen and docs.exists():
            seen.append(time.monotonic())
        return bool(seen) and time.monotonic() - seen[0] >= extra

    return f"{extra:.2f}s into the GX checkpoint", validating


class KillDuring:
    """SIGKILLs one running task process of ``stage`` at a random point of its work.

    A kill that lands after the task had done its work (its try still ends in success) proved
    nothing: the next running task of the stage, if any, is killed at a new random point.
    """

    def __init__(self, ctx: Context, stage: str) -> None:
        self.ctx = ctx
        self.stage = stage
        self.when = ""
        self.predicate: Callable[[], bool] | None = None
        self.target: TaskProcess | None = None
        self.target_try = 0
        self.killed: str | None = None  # a task whose killed try failed and was retried
        self.late: list[str] = []  # tasks whose kill came after their work was done

    def __call__(self, run: RunningDag) -> None:
        if self.killed is not None:
            return
        if self.target is not None:
            self._settle(run)
            return
        processes = run.task_processes(self.stage)
        if not processes:
            return
        run_id = run.run_id()
        if self.predicate is None:
            if run_id is not None:
                self.when, self.predicate = kill_point(self.ctx, self.stage, run_id)
            return
        if self.predicate():
            target = self.ctx.rng.choice(processes)
            self.target_try = run.airflow.try_of(target.ti_id)[1]
            if kill_task(target):
                self.target = target

    def _settle(self, run: RunningDag) -> None:
        """Once Airflow has recorded how the killed try ended: a hit, or too late (re-arm)."""
        assert self.target is not None
        state, tries = run.airflow.try_of(self.target.ti_id)
        if tries > self.target_try or state in ("up_for_retry", "failed"):
            self.killed = self.target.task_id
        elif state == "success":
            self.late.append(self.target.task_id)
            self.target, self.predicate = None, None

    def note(self) -> str:
        """``load SIGKILLed after 37 NetSuite writes`` or why not."""
        late = f" (killed too late first: {', '.join(self.late)})" if self.late else ""
        if self.killed is not None:
            return f"{self.killed} SIGKILLed {self.when}{late}"
        if self.late:
            return f"{self.stage}: every kill landed after its task's work: {', '.join(self.late)}"
        return f"{self.stage} finished before {self.when or 'it could be killed'}"

    def check(self, ctx: Context, result: DagRunResult) -> None:
        """The killed task must have been tried again by Airflow, in the same DAG run."""
        if self.target is not None and self.killed is None:
            # The run ended before the watch saw how the killed try did; the record says.
            task_id = self.target.task_id
            if (task_id, self.target_try) in result.failed_tries:
                self.killed = task_id
            else:
                self.late.append(task_id)
        if self.killed is None:
            return
        state, tries = result.tasks.get(self.killed, ("missing", 0))
        if tries < 2 or (self.killed, tries - 1) not in result.failed_tries:
            ctx.problems.append(f"{self.killed} was killed but not retried ({state}, try {tries})")


def sigkill(stage: str) -> Scenario:
    def run(ctx: Context, row: Row) -> None:
        kill = KillDuring(ctx, stage)
        result = ctx.sync(watch=kill)
        kill.check(ctx, result)
        row.notes.append(kill.note())

    return run


# -- webhooks ---------------------------------------------------------------------------------


def webhooks(ctx: Context, row: Row) -> None:
    """Deliveries to the plugin's receiver on the Airflow API server, then the webhook DAG.

    The deliveries are duplicated, reordered, forged (a real id with another body) and
    unknown; the webhook DAG run alone must bring NetSuite up to date.
    """
    from chargebee_netsuite.staging import chargebee_queries as q

    harness = ctx.harness
    # The receiver on the matrix's API server finds its credentials and this scenario's staging
    # database in Airflow connections (metadata DB), stored while the first sync runs.
    importing = ctx.airflow.import_connections(
        {
            "chargebee_webhook": {
                "conn_type": "generic",
                "login": "chargebee",
                "password": WEBHOOK_PASSWORD,
                "extra": {"site": SITE},
            },
            STAGING_CONN_ID: {"conn_type": "generic", "extra": {"url": harness.staging_url}},
        }
    )
    ctx.sync("first sync")
    importing.wait()
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
    url = f"{ctx.airflow.base_url}{WEBHOOK_ROUTE}"
    auth = ("chargebee", WEBHOOK_PASSWORD)
    for body in deliveries:
        status = httpx.post(url, json=body, auth=auth, timeout=30).status_code
        if status != 200:
            row.notes.append(f"delivery answered {status}")
    with harness.engine.connect() as conn:
        pending = q.pending_event_ids(conn, SITE)
    result = ctx.sync("webhooks", dag_id=WEBHOOK_DAG)
    stats = (ctx.airflow.xcom(WEBHOOK_DAG, result.run_id, WEBHOOK_TASK) or {}).get("inbox") or {}
    row.notes.append(
        f"{len(deliveries)} deliveries, {len(pending)} pending ids, "
        f"{len(stats.get('rejected') or [])} rejected"
    )
    # The webhook run alone must have brought NetSuite up to date, before any follow-up sync.
    after = check_netsuite(harness, "after the webhook run")
    if not after.ok:
        ctx.problems.append(
            f"after the webhook run: {after.duplicates} dup, {after.missing} missing, "
            f"{after.wrong} wrong ({'; '.join(after.notes[:3])})"
        )


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
    chargebee_5xx = Disturber(chargebee_random_5xx(h.chargebee.base_url, ctx.rng), 0.1)
    token_expiry = Disturber(netsuite_token_expiry(h.netsuite.base_url), 1.0)
    kill = KillDuring(ctx, "load")
    with contextlib.ExitStack() as stack:
        stack.enter_context(chargebee_5xx)

        def loading(run: RunningDag) -> None:
            # Chargebee is done with; NetSuite tokens now expire every second.
            chargebee_5xx.__exit__(None, None, None)
            stack.enter_context(token_expiry)

        result = ctx.sync(watch=watch_all(OnStart("load", loading), kill))
    kill.check(ctx, result)
    row.notes.append(kill.note())


# -- the matrix -------------------------------------------------------------------------------


def scenarios(seeds: list[int]) -> list[tuple[str, Scenario]]:
    """Every scenario, by name; SIGKILL scenarios once per seed."""
    found: list[tuple[str, Scenario]] = [
        ("baseline (no faults)", baseline),
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


def check_netsuite(harness: Harness, name: str) -> Row:
    """NetSuite (SuiteQL) against Chargebee's API, document by document."""
    expected = expected_documents(
        harness.chargebee.base_url, harness.chargebee_settings.test_key, SITE
    )
    client = stages.netsuite_client({**harness.stage_args(), **CLIENT_ARGS})
    try:
        actual = netsuite_transactions(client)
    finally:
        client.close()
    return compare(name, expected, actual, held_with_reason(harness.engine, SITE))


# Lists page by 100: a mutation between pages needs a list longer than one page.
MIN_SCALE = {"mid-pagination": 40, "all faults": 40}


def run_scenario(
    name: str,
    scenario: Scenario,
    workdir: Path,
    scale: int,
    keys: tuple[str, bytes],
    airflow: ProofAirflow,
) -> ScenarioRow:
    """Fresh sandboxes, the scenario, a clean follow-up DAG run, then the independent check.

    The row's notes: what the scenario did (``… SIGKILLed after …``), every DAG run and its
    final state, any broken promise (each also counts as one wrong), what the check found.
    """
    row = ScenarioRow(name)  # the scenario writes its notes here
    scale = max([scale] + [n for key, n in MIN_SCALE.items() if key in name])
    harness = Harness.start(workdir, scale=scale, seed=7, keys=keys)
    ctx = Context(harness, airflow, random.Random(seed_of(name, 1)))
    started = time.monotonic()
    try:
        scenario(ctx, row)
        reset_faults(harness)
        ctx.sync("follow-up")  # without faults; it must succeed
        found = check_netsuite(harness, name)
        result = ScenarioRow(**{f.name: getattr(found, f.name) for f in fields(found)})
    except Exception as exc:  # a scenario that blows up is a failed row, not a crash
        result = ScenarioRow(name, missing=-1)
        ctx.problems.append(f"scenario error: {type(exc).__name__}: {exc}")
    finally:
        harness.stop()
    for record in ctx.runs:
        if not record.as_expected:
            ctx.problems.append(
                f"{record.label} run {record.result.run_id or '?'} ended "
                f"{record.result.state}, expected {record.expected}"
            )
    runs = ", ".join(r.result.summary(r.label) for r in ctx.runs)
    result.notes = [*row.notes, f"DAG runs: {runs}", *ctx.problems, *result.notes]
    result.notes.append(f"{time.monotonic() - started:.0f}s")
    result.wrong += len(ctx.problems)
    result.runs = list(ctx.runs)
    return result


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
            f"{r.missing:4} {r.wrong:5}  {'; '.join(r.notes)}"
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
    root = (options.workdir or Path(tempfile.mkdtemp(prefix="cbns-chaos-"))).resolve()
    keys = rsa_pair()
    rows: list[ScenarioRow] = []
    started = time.monotonic()
    print(f"Airflow home {root / 'airflow'}: migrating, starting the API server", flush=True)
    airflow = ProofAirflow.start(root)
    try:
        for number, (name, scenario) in enumerate(scenarios(options.seeds)):
            if options.only and options.only not in name:
                continue
            workdir = root / f"s{number:02d}"
            row = run_scenario(name, scenario, workdir, options.scale, keys, airflow)
            rows.append(row)
            print(table([row]).splitlines()[-1], flush=True)
    finally:
        airflow.stop()
    runs = sum(len(r.runs) for r in rows)
    print()
    print(table(list(rows)))
    seconds = time.monotonic() - started
    print(f"\n{len(rows)} scenarios, {runs} DAG runs through Airflow in {seconds:.0f}s")
    bad = [r for r in rows if not r.ok]
    for r in bad:
        print(f"FAILED {r.scenario}: " + "; ".join(r.notes), file=sys.stderr)
    if bad or options.workdir is not None:
        print(
            f"state of every scenario kept in {root}: metadata DB {airflow.metadata_url}, "
            f"run logs in {airflow.home.path / 'runs'} and {airflow.home.path / 'logs'}",
            file=sys.stderr,
        )
    else:
        shutil.rmtree(root, ignore_errors=True)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
