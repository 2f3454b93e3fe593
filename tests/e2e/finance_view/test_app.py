"""The finance view in a real Airflow UI, driven by headless Chromium over the DevTools protocol.

An ``airflow api-server`` subprocess (isolated AIRFLOW_HOME, SQLite metadata DB, simple auth
manager with a test user and password) serves the UI and the plugin. Staging holds a real
sync into the sandboxes with a NetSuite amount edited by hand, documents held by a mapping
gap and one quarantined document. The browser logs in (the UI's session cookie), opens the
view inside the Airflow UI, sees all three, presses re-drive and a sync run is created.
No Python browser package is needed: Chromium is driven through its DevTools WebSocket with
``websockets`` (already installed with uvicorn).
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select
from tests.builders.netsuite_env import SITE, TIME_ZONE, StartEnv, mapping, untouched_open_invoices
from tests.builders.reconcile import advance_netsuite_clock
from tests.builders.tieout import chargebee_list
from websockets.sync.client import ClientConnection, connect

from chargebee_netsuite.quality.quarantine import QuarantineEntry, replace_quarantine
from chargebee_netsuite.reconcile.run import reconcile
from chargebee_netsuite.staging.chargebee_tables import cb_invoices
from chargebee_netsuite.staging.ledger_tables import FAILED, HELD, ns_ledger
from chargebee_netsuite.transform.identity import external_id

# The load tests' fixtures: both sandboxes, a staging database, the real extractor and loader.

REPO = Path(__file__).resolve().parents[3]
AIRFLOW = Path(sys.executable).with_name("airflow")
USER, PASSWORD = "finance", "finance-pass-7Qx"
# Write the README screenshot too: CBNS_UPDATE_DOCS_SCREENSHOT=1 pytest tests/e2e/...
DOCS_SCREENSHOT = REPO / "docs" / "finance-view" / "airflow-ui.png"
WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))

pytestmark = pytest.mark.timeout(600)


# -- Chromium ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium; installed with apt-get when missing (CI runs as root)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.geteuid() != 0:
        pytest.skip("chromium is not installed and apt-get needs root")
    subprocess.run(
        "apt-get update && apt-get install -y chromium",
        shell=True,
        check=True,
        env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        capture_output=True,
        timeout=900,
    )
    found = shutil.which("chromium")
    assert found, "apt-get installed chromium but it is not on PATH"
    return found


class Browser:
    """One headless Chromium page over the DevTools protocol."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Call a DevTools method and wait for its answer (events in between are dropped)."""
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 60) -> Any:
        """Poll ``expression`` until it is truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.evaluate(expression)
            except RuntimeError:
                value = None
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {expression}")

    def screenshot(self, path: Path) -> None:
        """Save a PNG of the viewport."""
        data = self.send("Page.captureScreenshot", format="png")["data"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(data))


@pytest.fixture
def browser(chromium: str, tmp_path: Path) -> Iterator[Browser]:
    profile = tmp_path / "chromium-profile"
    process = subprocess.Popen(
        [
            chromium,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile}",
            "--window-size=1440,1100",
            "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline, "chromium did not start"
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        pages = httpx.get(f"http://127.0.0.1:{port}/json/list", timeout=10).json()
        [page] = [p for p in pages if p["type"] == "page"][:1]
        with connect(page["webSocketDebuggerUrl"], max_size=None) as ws:
            b = Browser(ws)
            b.send("Page.enable")
            b.send("Network.enable")
            yield b
    finally:
        process.terminate()
        process.wait(timeout=30)


# -- Airflow -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def airflow_env(home: Path, port: int, staging_url: str) -> dict[str, str]:
    """An environment for Airflow commands, isolated from the test process's own Airflow."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__CORE__AUTH_MANAGER": (
                "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
            ),
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(home / "passwords.json"),
            "AIRFLOW__API_AUTH__JWT_SECRET": "e2e-jwt-secret-not-for-production-" + "x" * 40,
            "AIRFLOW__API__BASE_URL": f"http://127.0.0.1:{port}",
            "AIRFLOW__API__PORT": str(port),
            "CBNS_STAGING_URL": staging_url,
            "CBNS_SITE": SITE,
        }
    )
    return env


@pytest.fixture
def start_airflow(tmp_path: Path) -> Iterator[Any]:
    """Start ``airflow api-server`` against a staging URL; stopped after the test."""
    running: list[subprocess.Popen[bytes]] = []

    def start(staging_url: str) -> str:
        home = tmp_path / "airflow-home"
        home.mkdir()
        (home / "passwords.json").write_text(json.dumps({USER: PASSWORD}))
        port = _free_port()
        env = airflow_env(home, port, staging_url)
        for command in (["db", "migrate"], ["dags", "reserialize"]):
            done = subprocess.run(
                [str(AIRFLOW), *command], env=env, capture_output=True, text=True, timeout=300
            )
            assert done.returncode == 0, done.stderr[-3000:]
        log = (tmp_path / "api-server.log").open("wb")
        server = subprocess.Popen(
            [str(AIRFLOW), "api-server", "--port", str(port), "--host", "127.0.0.1"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        running.append(server)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, (tmp_path / "api-server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/api/v2/monitor/health", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the API server did not come up"
            time.sleep(0.5)

    yield start
    for server in running:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


# -- the test ------------------------------------------------------------------------------


def test_finance_view_shows_the_mismatch_and_the_quarantine_and_redrives(
    start_env: StartEnv, start_airflow: Any, browser: Browser, tmp_path: Path
) -> None:
    env = start_env(scale=10)
    env.extract()
    # The newest invoice's accounting period is closed and the policy is to hold: its
    # documents wait (re-drive them once the period is reopened). GBP is missing from the
    # mapping: GBP documents are quarantined until someone adds it.
    invoices = chargebee_list(env.chargebee.base_url, env.chargebee_settings.test_key, "invoices")
    recent = max((i for i in invoices if i["status"] != "voided"), key=lambda i: i["date"])
    day = datetime.fromtimestamp(recent["date"], ZoneInfo(TIME_ZONE)).date()
    period = env.reference().period_for(day)
    assert period is not None
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": True})
    env.sync("run-1", config=mapping(policy="hold", **{"  GBP: 2\n": ""}))
    with env.engine.connect() as conn:
        rows = conn.execute(
            select(
                ns_ledger.c.source_kind, ns_ledger.c.source_id, ns_ledger.c.role, ns_ledger.c.state
            )
        ).all()
        # One ledger row per document and role (an invoice's withheld tax has its own).
        held = [row for row in rows if row.state in (HELD, FAILED)]
        states = {
            row.source_id: row.state
            for row in rows
            if row.source_kind == "invoice" and row.role == "main"
        }
        staged = conn.scalars(select(cb_invoices.c.id).order_by(cb_invoices.c.id)).all()
    assert held, f"the generated data bills in GBP: {sorted({row.state for row in rows})}"
    # A person edits an invoice amount in NetSuite, later.
    invoice = next(i for i in untouched_open_invoices(env) if states[i["id"]] == "posted")
    client = env.netsuite_client()
    record = client.records.get_by_external_id(
        "invoice", external_id(SITE, "inv", invoice["id"]), expand_sub_resources=True
    )
    line = record["item"]["items"][0]
    advance_netsuite_clock(env, 3600)
    client.request(
        "PATCH",
        f"/record/v1/invoice/{record['id']}",
        json={"item": {"items": [{"line": line["line"], "amount": float(line["amount"]) + 25}]}},
    )
    # Validation quarantined one invoice.
    quarantined = next(i for i in staged if i != invoice["id"])
    with env.engine.begin() as conn:
        replace_quarantine(
            conn,
            SITE,
            {},
            [
                QuarantineEntry(
                    "invoice",
                    quarantined,
                    "invoice.lines_sum_to_total",
                    "expect_column_pair_values_to_be_equal(lines_total, total)",
                    f"Chargebee invoice {quarantined}: its lines do not add up to its total; "
                    "correct it in Chargebee.",
                )
            ],
            run_id="validate-1",
            at=datetime.now(UTC),
        )
    env.ns_admin("PATCH", f"/accountingperiod/{period.id}", {"closed": False})  # the fix
    summary = reconcile(env.engine, client, SITE, *WINDOW, "reconcile-e2e", tmp_path / "reports")
    assert summary.counts.get("mismatch")

    base = start_airflow(str(env.engine.url))
    token = httpx.post(
        f"{base}/auth/token", json={"username": USER, "password": PASSWORD}, timeout=30
    ).json()["access_token"]
    # Unauthenticated callers get nothing from the view.
    assert httpx.get(f"{base}/chargebee-netsuite/finance/api/report", timeout=30).status_code == 401
    # The browser holds the UI session cookie, as after logging in.
    browser.send("Network.setCookie", name="_token", value=token, url=base, httpOnly=True)
    browser.send("Page.navigate", url=f"{base}/plugin/chargebee-netsuite")
    frame = "document.querySelector('iframe')"
    doc = f"{frame}.contentDocument"
    browser.wait_for(f"{frame} && {doc} && {doc}.body && {doc}.body.dataset.ready === '1'", 120)
    text = browser.evaluate(f"{doc}.body.innerText")
    assert "Different in NetSuite: 1" in text
    assert invoice["id"] in text and "total" in text
    assert quarantined in text and "Stopped by a check" in text
    assert "Waiting" in text
    # Airflow's own navigation lists the view.
    assert browser.evaluate("document.body.innerText.includes('Chargebee ↔ NetSuite')")
    browser.screenshot(tmp_path / "airflow-ui.png")
    if os.environ.get("CBNS_UPDATE_DOCS_SCREENSHOT") == "1":
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            width=1440,
            height=1900,
            deviceScaleFactor=1,
            mobile=False,
        )
        time.sleep(1)
        browser.screenshot(DOCS_SCREENSHOT)
        browser.send("Emulation.clearDeviceMetricsOverride")

    browser.evaluate(f"{doc}.getElementById('redrive-all').click()")
    message = browser.wait_for(
        f"{doc}.getElementById('status').className === 'ok' && "
        f"{doc}.getElementById('status').textContent.startsWith('Re-queued') && "
        f"{doc}.getElementById('status').textContent",
        60,
    )
    assert message.startswith(f"Re-queued {len(held)} document(s)") and "; sync run" in message
    runs = httpx.get(
        f"{base}/api/v2/dags/chargebee_netsuite_sync/dagRuns",
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    ).json()["dag_runs"]
    assert len(runs) == 1 and runs[0]["run_type"] == "manual"
    with env.engine.connect() as conn:
        left = select(ns_ledger.c.source_id).where(ns_ledger.c.state.in_((HELD, FAILED)))
        assert not conn.scalars(left).all()
    browser.screenshot(tmp_path / "finance_view_after_redrive.png")
