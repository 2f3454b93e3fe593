"""End to end through real Airflow: api-server, scheduler, dag-processor and triggerer
(LocalExecutor, Postgres metadata database) plus both sandboxes, as separate processes.

One test, in stages, since each stage needs the previous one's NetSuite state: a triggered
sync succeeds, and its validation task links to the run's Data Docs served by the plugin; a
Chargebee change reaches NetSuite through the webhook receiver and the webhook DAG, started by
the receiver's asset event (the safety-net schedule is set to once a year, so no run can come
from it), and a burst of changes starts only a few runs; a three-day backfill succeeds; the
reconciliation DAG succeeds and links to its report. Every operator of the connector runs in
one of these DAGs; NetSuite is checked through SuiteQL throughout.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from cbns_devkit.demo.stack import SYNC_DAG, WEBHOOK_DAG, WEBHOOK_TASK, Stack, running_stack
from chargebee_netsuite.finance_view.settings import RECONCILE_DAG_ID
from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.staging.chargebee_tables import cb_events, cb_webhook_inbox
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.transform import identity

pytestmark = pytest.mark.timeout(1200)

BURST = 30  # invoices created at once: their webhooks must coalesce into a few DAG runs


def _webhook_runs(stack: Stack, since: datetime) -> list[dict[str, Any]]:
    """The webhook DAG's runs that were not over yet at ``since``."""
    body = stack.api.request("GET", f"/dags/{WEBHOOK_DAG}/dagRuns", params={"limit": 100})
    return [
        run
        for run in body["dag_runs"]
        if run["end_date"] is None or datetime.fromisoformat(run["end_date"]) >= since
    ]


def _event_runs(engine: Engine, invoice_ids: set[str]) -> set[str]:
    """The DAG runs that fetched the ``invoice_generated`` events of these invoices."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(cb_events.c.run_id, cb_events.c.raw).where(
                cb_events.c.event_type == "invoice_generated"
            )
        ).all()
    return {
        str(row.run_id)
        for row in rows
        if ((row.raw.get("content") or {}).get("invoice") or {}).get("id") in invoice_ids
    }


def _finished_webhook_runs(stack: Stack, since: datetime) -> list[dict[str, Any]] | None:
    runs = _webhook_runs(stack, since)
    return runs if runs and all(r["state"] in ("success", "failed") for r in runs) else None


def _create_invoice(stack: Stack, customer: str, currency: str, cents: int, what: str) -> str:
    created = httpx.post(
        f"{stack.state['chargebee']['admin_url']}/invoices",
        json={
            "customer_id": customer,
            "currency_code": currency,
            "lines": [{"description": what, "unit_amount": cents}],
        },
        timeout=30,
    ).raise_for_status()
    return str(created.json()["invoice"]["id"])


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


def _linked_page(stack: Stack, dag_id: str, run_id: str, task_id: str, link: str) -> str:
    """The page an extra link of a task instance points to, fetched as the UI user would."""
    links = stack.api.request(
        "GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/links"
    )["extra_links"]
    assert links.get(link), links
    page = stack.api.http.get(links[link])
    assert page.status_code == 200, (links[link], page.status_code)
    return page.text


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
            # The webhook DAG's safety net, once a year: after the run its unpausing starts,
            # every run here is asset-triggered.
            "CBNS_WEBHOOK_SCHEDULE": "0 0 1 1 *",
            "AIRFLOW__CORE__PARALLELISM": "6",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
        },
    ) as stack:
        api = stack.api
        site = stack.connections["chargebee_default"]["login"]
        api.wait_for_dag(SYNC_DAG, 180)
        api.wait_for_dag(WEBHOOK_DAG, 60)

        # 1. A triggered sync (REST API v2, JWT) posts the staged documents. Unpausing the
        # webhook DAG runs its latest safety-net tick at once (catchup=False), which drains
        # what the inbox got while the system started; it is over before the sync is.
        api.unpause(WEBHOOK_DAG)
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
            # API server and the webhook DAG, started by the receiver's asset event.
            _eventually(
                lambda: _finished_webhook_runs(stack, datetime.min.replace(tzinfo=UTC)),
                120,
                "the webhook DAG's first (safety-net) run",
                stack,
            )
            customer = cb["list"][0]["invoice"]["customer_id"]
            currency = cb["list"][0]["invoice"]["currency_code"]
            since = datetime.now(UTC)
            invoice_id = _create_invoice(stack, customer, currency, 12345, "Webhook e2e")
            engine = create_staging_engine(stack.home.staging_url)
            try:

                def queued() -> bool:
                    with engine.connect() as conn:
                        rows = conn.execute(select(cb_webhook_inbox.c.event_id)).all()
                    return bool(rows)

                _eventually(queued, 60, "the webhook to reach the receiver's inbox", stack)
                _eventually(
                    lambda: invoice_id in _invoice_ids(netsuite, site),
                    240,
                    f"invoice {invoice_id} to reach NetSuite",
                    stack,
                )
                # The run that fetched the invoice's event was started by the receiver's
                # asset event (the safety net ticks once a year).
                [carrier] = _event_runs(engine, {invoice_id})
                run = api.request("GET", f"/dags/{WEBHOOK_DAG}/dagRuns/{carrier}")
                assert (run["run_type"], run["triggered_by"]) == ("asset_triggered", "asset"), run
                consumed = api.request(
                    "GET", f"/dags/{WEBHOOK_DAG}/dagRuns/{carrier}/upstreamAssetEvents"
                )["asset_events"]
                assert consumed and {e["uri"] for e in consumed} == {
                    "chargebee://chargebee_default/webhooks"
                }, consumed
                assert all(e["extra"]["source"] == "chargebee webhook receiver" for e in consumed)
                assert {r["run_type"] for r in _webhook_runs(stack, since)} == {"asset_triggered"}
                # The task's extra link opens the Data Docs of what that run validated, served
                # by the plugin on the API server.
                docs = _linked_page(stack, WEBHOOK_DAG, carrier, WEBHOOK_TASK, "Data Docs")
                assert "quarantine" in docs.lower()

                # A burst: every webhook reaches NetSuite through a few coalesced runs, which
                # never overlap (max_active_runs=1), each asset-triggered.
                _eventually(
                    lambda: _finished_webhook_runs(stack, since), 120, "the webhook run", stack
                )
                since = datetime.now(UTC)
                with ThreadPoolExecutor(6) as pool:
                    burst = set(
                        pool.map(
                            lambda n: _create_invoice(
                                stack, customer, currency, 100 + n, f"Burst {n}"
                            ),
                            range(BURST),
                        )
                    )
                _eventually(
                    lambda: burst <= _invoice_ids(netsuite, site),
                    300,
                    f"the {BURST} burst invoices to reach NetSuite",
                    stack,
                )
                runs = _eventually(
                    lambda: _finished_webhook_runs(stack, since), 120, "the burst's runs", stack
                )
                carriers = _event_runs(engine, burst)
            finally:
                engine.dispose()
            print(f"{BURST} webhooks in a burst: {len(carriers)} DAG run(s) fetched their events")
            assert {r["run_type"] for r in runs} == {"asset_triggered"}, runs
            assert {r["state"] for r in runs} == {"success"}, runs
            assert carriers <= {r["dag_run_id"] for r in runs}
            assert 1 <= len(carriers) <= 3, carriers
            spans = sorted((r["start_date"], r["end_date"]) for r in runs)
            for (_, end), (start, _) in itertools.pairwise(spans):
                assert end <= start, spans  # one after the other, never side by side
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

        # 4. The reconciliation DAG: unpausing it runs its latest interval, which succeeds and
        # links to its report.
        api.wait_for_dag(RECONCILE_DAG_ID, 60)
        api.unpause(RECONCILE_DAG_ID)

        def reconciled() -> list[dict[str, Any]] | None:
            runs = api.request("GET", f"/dags/{RECONCILE_DAG_ID}/dagRuns")["dag_runs"]
            return runs if runs and all(r["state"] in ("success", "failed") for r in runs) else None

        [run] = _eventually(reconciled, 300, "the reconciliation run", stack)
        tasks = api.task_states(RECONCILE_DAG_ID, run["dag_run_id"])
        assert run["state"] == "success" and set(tasks.values()) == {"success"}, tasks
        report = _linked_page(
            stack, RECONCILE_DAG_ID, run["dag_run_id"], "reconcile", "Reconciliation report"
        )
        assert "<html" in report.lower()
