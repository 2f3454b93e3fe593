"""A small fault matrix through Airflow: each fault, then a clean sync, ends with NetSuite
exactly as expected, and every sync was a DAG run the metadata database recorded."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from cbns_devkit.proof import chaos
from cbns_devkit.proof.airflow_runner import (
    SYNC_DAG,
    WEBHOOK_DAG,
    DagRunResult,
    ProofAirflow,
    TaskProcess,
)
from cbns_devkit.proof.expect import Expected, compare
from cbns_devkit.proof.harness import rsa_pair

# The scenarios that exercise the most machinery per second; `make chaos` runs them all. Each
# costs two or three DAG runs (~20 s each); commit-then-drop stays in `make chaos` only, since
# a load killed mid-write leaves NetSuite ahead of the ledger in the same way.
CHOSEN = (
    "netsuite certificate revoked",
    "SIGKILL during load (seed 1)",
    "webhooks dup/reorder/unknown/forged",
)
SYNC_TASKS = 13  # preflight 4, extract 6, validate, load, reconcile


@pytest.fixture(scope="module")
def keys() -> tuple[str, bytes]:
    return rsa_pair()


@pytest.fixture(scope="module")
def airflow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ProofAirflow]:
    """One Airflow home (metadata DB, API server) for the module's scenarios, as `make chaos`."""
    running = ProofAirflow.start(tmp_path_factory.mktemp("chaos"))
    try:
        yield running
    finally:
        running.stop()


@pytest.mark.timeout(900)
@pytest.mark.parametrize("name", CHOSEN)
def test_a_fault_then_a_clean_sync_leaves_nothing_doubled_missing_or_wrong(
    name: str, keys: tuple[str, bytes], airflow: ProofAirflow, tmp_path: Path
) -> None:
    scenario = dict(chaos.scenarios([1]))[name]
    row = chaos.run_scenario(name, scenario, tmp_path, 6, keys, airflow)
    print(chaos.table([row]))
    assert row.expected > 20
    assert row.posted + row.held == row.expected
    assert row.ok, row.notes

    # Every sync was a DAG run through Airflow, recorded in the metadata DB as it ended.
    assert [r.label for r in row.runs][-1] == "follow-up"
    for record in row.runs:
        result = record.result
        assert result.run_id.startswith("manual__"), record
        assert airflow.run_state(result.dag_id, result.run_id) == result.state == record.expected
        assert airflow.task_states(result.dag_id, result.run_id) == result.tasks
        if result.dag_id == SYNC_DAG:
            assert len(result.tasks) == SYNC_TASKS, result.tasks
    follow_up = row.runs[-1].result
    assert {state for state, _ in follow_up.tasks.values()} == {"success"}, follow_up.tasks
    assert f"DAG runs: {', '.join(r.result.summary(r.label) for r in row.runs)}" in row.notes

    if "revoked" in name:
        # Nothing could post while the certificate was revoked, and both the task and the
        # ledger said so (then the follow-up run posted everything, as checked above).
        faults = row.runs[0].result
        assert faults.state == "failed"
        assert faults.tasks[chaos.LOAD_TASK] == ("failed", 1)  # failed at once: no retries
        loud = [
            n
            for n in row.notes
            if re.fullmatch(r"revoked: load task failed, [1-9]\d* ledger failed", n)
        ]
        assert loud, row.notes
    if "SIGKILL" in name:
        killed = [n for n in row.notes if " SIGKILLed after " in n]
        assert killed, row.notes
        task_id = killed[0].split(" SIGKILLed ")[0]
        faults = row.runs[0].result
        # The killed try failed; Airflow retried the task in the same run, which succeeded.
        assert faults.state == "success"
        assert (task_id, 1) in faults.failed_tries
        assert faults.tasks[task_id] == ("success", 2)
    if "webhooks" in name:
        assert [r.result.dag_id for r in row.runs] == [SYNC_DAG, WEBHOOK_DAG, SYNC_DAG]
        hooks = row.runs[1].result
        stats = airflow.xcom(WEBHOOK_DAG, hooks.run_id, chaos.WEBHOOK_TASK)["inbox"]
        assert stats["documents"] > 0 and len(stats["rejected"]) == 3, stats


def expected(eid: str, total: str) -> Expected:
    return Expected(eid, "CustInvc", Decimal(total), "cb-s-cust-c1", "USD", f"invoice {eid}")


def actual(eid: str, total: str, customer: str = "cb-s-cust-c1") -> dict[str, object]:
    return {
        "externalid": eid,
        "type": "CustInvc",
        "foreigntotal": total,
        "customer_eid": customer,
        "currency_code": "USD",
    }


def test_the_check_sees_duplicates_misses_and_wrong_postings() -> None:
    want = {
        e: expected(e, "10.00") for e in ("cb-s-inv-1", "cb-s-inv-2", "cb-s-inv-3", "cb-s-inv-4")
    }
    got = [
        actual("cb-s-inv-1", "10"),
        actual("cb-s-inv-1", "10"),  # duplicate
        actual("cb-s-inv-2", "10.01"),  # wrong amount
        actual("cb-s-inv-4", "10", customer="cb-s-cust-c2"),  # wrong customer
        actual("cb-s-inv-9", "1"),  # not in Chargebee at all
    ]
    row = compare("check", want, got, held={})
    assert (row.duplicates, row.missing, row.wrong) == (1, 1, 3)
    assert not row.ok
    explained = compare(
        "check",
        want,
        [actual(e, "10") for e in list(want)[:3]],
        held={"cb-s-inv-4": "quarantined: unknown currency"},
    )
    assert explained.ok and explained.held == 1


def test_the_check_knows_chargebacks_and_payments_and_refunds_voided_after_posting() -> None:
    def want(eid: str, kind: str, total: str) -> Expected:
        return Expected(eid, kind, Decimal(total), "cb-s-cust-c1", "USD", f"{kind} {eid}")

    def got(eid: str, kind: str, total: str) -> dict[str, object]:
        return {**actual(eid, total), "type": kind}

    expected_docs = {
        "cb-s-txn-cb": want("cb-s-txn-cb", "CustRfnd", "40.00"),  # a chargeback
        "cb-s-txn-p1": want("cb-s-txn-p1", "reversed", "100.00"),  # voided, reversed
        "cb-s-txn-p2": want("cb-s-txn-p2", "reversed", "50.00"),  # voided, never posted
        "cb-s-txn-p3": want("cb-s-txn-p3", "reversed", "70.00"),  # voided, not reversed
    }
    netsuite = [
        got("cb-s-txn-cb", "CustRfnd", "40"),
        got("cb-s-txn-p1", "CustPymt", "100"),
        got("cb-s-txnrev-p1", "CustRfnd", "100"),
        got("cb-s-txn-p3", "CustPymt", "70"),
        got("cb-s-txn-r9", "CustRfnd", "5"),  # a refund voided in Chargebee, still here
    ]
    row = compare("voids", expected_docs, netsuite, held={})
    assert (row.posted, row.missing, row.duplicates, row.wrong) == (1, 0, 0, 2), row.notes
    assert any("cb-s-txn-p3: posted without its reversal" in n for n in row.notes), row.notes
    assert any("unexpected cb-s-txn-r9" in n for n in row.notes), row.notes


def test_a_kill_that_lands_after_the_task_did_its_work_is_not_taken_for_a_hit() -> None:
    def killed(task_id: str, result: DagRunResult) -> tuple[str, list[str]]:
        ctx = chaos.Context(cast(Any, None), cast(Any, None), random.Random(1))
        kill = chaos.KillDuring(ctx, "extract")
        kill.when = "after 5 Chargebee requests"
        kill.target, kill.target_try = TaskProcess(task_id, "ti", cast(Any, None)), 1
        kill.check(ctx, result)
        return kill.note(), ctx.problems

    def result(tasks: dict[str, tuple[str, int]], failed: list[tuple[str, int]]) -> DagRunResult:
        return DagRunResult(SYNC_DAG, "r", datetime.now(UTC), "success", 0, 1.0, tasks, failed)

    # The killed try failed and Airflow's retry succeeded: a hit.
    hit = result({"extract.items": ("success", 2)}, [("extract.items", 1)])
    note, problems = killed("extract.items", hit)
    assert (note, problems) == ("extract.items SIGKILLed after 5 Chargebee requests", [])
    # The try succeeded anyway: the kill came after the work, so it proves nothing (no hit).
    late = result({"extract.items": ("success", 1)}, [])
    note, problems = killed("extract.items", late)
    assert note == "extract: every kill landed after its task's work: extract.items"
    assert problems == []
