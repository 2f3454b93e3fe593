"""The DAG's extraction tasks, each in its own process, spend one site budget between them.

Each worker runs this file: it reads the Airflow connection from the environment, as a task
process does, and runs the DAG's operator, ``ChargebeeToStagingOperator``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:  # this file also runs as a worker script, outside the test package
    from .conftest import StartSandbox

SITE = "acme-test"
RESULT = "task result: "


def spawn_task(resource: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """An extraction task process; it says ``ready`` once imported and waits for ``go``."""
    return subprocess.Popen(
        [sys.executable, __file__, resource],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def wait_ready(task: subprocess.Popen[str]) -> None:
    """Read the task's output (Airflow logs to stdout too) up to its ``ready``."""
    assert task.stdout is not None
    for line in task.stdout:
        if line.strip() == "ready":
            return
    raise AssertionError(f"the task process exited with {task.wait()} before it was ready")


def test_extract_tasks_side_by_side_share_the_site_budget(
    start_sandbox: StartSandbox, sqlite_url: str, sqlite_engine: Engine
) -> None:
    from cbns_devkit.sandbox.chargebee.stats import peak_in_window

    budget, window = 8, 2.0
    # The sandbox enforces the plan: a request beyond the budget is answered 429.
    sandbox = start_sandbox(
        scale=300, rate_limit_per_minute=budget, rate_limit_window_seconds=window
    )
    connection = {
        "conn_type": "chargebee",
        "login": SITE,
        "password": sandbox.settings.test_key,
        "extra": {
            "environment": "test",
            "base_url": sandbox.url,
            "rate_limit_per_minute": budget,
            "rate_limit_window_seconds": window,
        },
    }
    env = {"AIRFLOW_CONN_CHARGEBEE_DEFAULT": json.dumps(connection), "CBNS_STAGING_URL": sqlite_url}
    tasks = [spawn_task(resource, env) for resource in ("customers", "invoices")]
    for task in tasks:
        wait_ready(task)
    for task in tasks:  # both start together, as the pool lets them
        assert task.stdin is not None
        task.stdin.write("go\n")
        task.stdin.flush()
    staged = {}
    for task in tasks:
        out, _ = task.communicate(timeout=240)
        assert task.returncode == 0, out
        result = json.loads(out.split(RESULT, 1)[1].splitlines()[0])
        staged[result["resource"]] = result["documents"]
    export = sandbox.export()
    assert staged == {"customers": len(export["customers"]), "invoices": len(export["invoices"])}

    log = sandbox.admin("GET", f"/requests?window_seconds={window}")
    assert log["by_status"] == {"200": log["total"]}, "a task was answered 429"
    assert log["peak_in_window"] <= budget
    # Once the customers task was done, the invoices task had the whole budget, not half.
    invoices = [t for t, prefix, _ in log["entries"] if prefix == "/api/v2/invoices"]
    assert peak_in_window(invoices, window) > budget // 2


if __name__ == "__main__":
    from chargebee_netsuite.airflow.operators import ChargebeeToStagingOperator

    task = ChargebeeToStagingOperator(task_id=sys.argv[1], resource=sys.argv[1])
    print("ready", flush=True)
    assert sys.stdin.readline().strip() == "go"
    result = task.execute({"params": {}, "run_id": "budget"})
    print(RESULT + json.dumps(result, default=str), flush=True)
