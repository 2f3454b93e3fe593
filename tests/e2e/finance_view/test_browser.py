"""The finance flows in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

The finance view's app is served on its own by uvicorn (mounted where the Airflow plugin
mounts it) over a staging database filled by a real sync into both sandboxes, with a mapping
that sends add-ons through a catch-all rule and has no rule for the onboarding charge, so
every first invoice is quarantined. Airflow's REST trigger is replaced by a stand-in that
runs what the DAG would in this process: the reconciliation of the picked period, or
validation and load for a re-drive. Every request the browser makes to anything but this
machine is blocked and counted; the tests fail on any.

The flows: pick a period and reconcile it; see the catch-all warning; fix the mapping,
re-drive a quarantined invoice and see it posted; download the month-end pack and open it
with openpyxl; open the Data Docs offline; read the one-page summary.
``CBNS_UPDATE_DOCS_SCREENSHOT=1`` also writes the screenshots in ``docs/finance-view/``.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from tests.builders.netsuite_env import SITE, Env, mapping_text, start_environments

from cbns_devkit.sandbox.server import RunningServer, serve_in_thread
from chargebee_netsuite.finance_view.app import create_app
from chargebee_netsuite.finance_view.period import default_period
from chargebee_netsuite.finance_view.settings import (
    RECONCILE_DAG_ID,
    SYNC_DAG_ID,
    ViewSettings,
)
from chargebee_netsuite.mapping import load_mapping
from chargebee_netsuite.quality.run import validate_staged
from chargebee_netsuite.reconcile.run import reconcile
from chargebee_netsuite.staging.ledger_tables import POSTED, QUARANTINED, ns_ledger

playwright_api = pytest.importorskip("playwright.sync_api")

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[3]
SCREENSHOTS = REPO / "docs" / "finance-view"
USER = "controller@acme.example"
PREFIX = "/chargebee-netsuite/finance"
# The example mapping without a rule for the onboarding charge (and no catch-all for
# charges): every first invoice stops in quarantine until the rule is added back.
ONBOARDING_RULE = (
    "    onboarding:\n"
    "      item: 7               # CHARGE-ONBOARDING\n"
    "      revenue_account: 12   # 4020 One-time Charges\n"
    "      department: 2         # Customer Success\n"
)
CHARGE_CATCH_ALL = (
    "    charge:\n      item: 6               # CHARGE-SETUP\n      revenue_account: 12\n"
)

pytestmark = [
    pytest.mark.timeout(300),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium (.ci/run does)"),
]


@dataclass
class Airflow:
    """Stands in for Airflow's REST API: runs what a triggered DAG run would, in a thread."""

    env: Env
    mapping_path: Path
    reports_dir: Path
    runs: dict[str, Future[Any]] = field(default_factory=dict)
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(1))
    lock: threading.Lock = field(default_factory=threading.Lock)
    triggered: list[dict[str, Any]] = field(default_factory=list)

    async def trigger(self, base_url: str, dag_id: str, **kwargs: Any) -> dict[str, Any]:
        with self.lock:
            run_id = f"manual__{len(self.runs) + 1}"
            self.triggered.append({"dag_id": dag_id, "run_id": run_id, **kwargs})
            work = self.reconcile if dag_id == RECONCILE_DAG_ID else self.sync
            assert dag_id in (RECONCILE_DAG_ID, SYNC_DAG_ID)
            self.runs[run_id] = self.pool.submit(work, run_id, kwargs.get("conf") or {})
        return {"dag_id": dag_id, "dag_run_id": run_id, "state": "queued"}

    async def run_state(self, base_url: str, dag_id: str, dag_run_id: str, **_: Any) -> str:
        future = self.runs[dag_run_id]
        if not future.done():
            return "running"
        return "failed" if future.exception() else "success"

    def reconcile(self, run_id: str, conf: dict[str, Any]) -> None:
        start = datetime.fromisoformat(conf["window_start"])
        end = datetime.fromisoformat(conf["window_end"])
        client = self.env.netsuite_client()
        # The sandbox account prints times in UTC (its default), as the other e2e tests use it.
        reconcile(self.env.engine, client, SITE, start, end, run_id, self.reports_dir)

    def sync(self, run_id: str, conf: dict[str, Any]) -> None:
        """The sync DAG's validate and load steps (extraction has nothing new). Only invoices
        are validated: Data Docs for one kind show the flow, at a third of the time."""
        config = load_mapping(self.mapping_path)
        validate_staged(
            self.env.engine,
            SITE,
            run_id,
            config.currencies,
            self.reports_dir,
            kinds=("invoice",),
        )
        self.env.sync(run_id, config=config)


@dataclass
class World:
    env: Env
    airflow: Airflow
    server: RunningServer
    url: str
    page: Any
    blocked: list[str]
    failed: list[str]
    downloads: Path


@pytest.fixture(scope="module")
def world(rsa_key: tuple[str, bytes], tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("finance-browser")
    starter = start_environments(rsa_key, f"sqlite:///{tmp / 'staging.db'}")
    start = next(starter)
    env = start(scale=10)
    mapping_path = tmp / "mapping.yaml"
    mapping_path.write_text(mapping_text(**{ONBOARDING_RULE: "", CHARGE_CATCH_ALL: ""}))
    reports = tmp / "reports"
    airflow = Airflow(env, mapping_path, reports)
    # The scheduled sync: extraction, then validation of what it staged, then the load.
    env.extract("scheduled__1")
    airflow.sync("scheduled__1", {})

    app = create_app(
        lambda: ViewSettings(
            staging_url=str(env.engine.url),
            site=SITE,
            reports_dir=reports,
            mapping_path=mapping_path,
        ),
        read_access=lambda: None,
        trigger_access=lambda: None,
        user=lambda: USER,
        trigger=airflow.trigger,
        run_state=airflow.run_state,
    )
    host = FastAPI()
    host.mount(PREFIX, app)
    server = serve_in_thread(host)
    blocked: list[str] = []
    failed: list[str] = []
    with playwright_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        context = browser.new_context(
            accept_downloads=True,
            viewport={"width": 1440, "height": 1000},
            timezone_id="Europe/Berlin",
            locale="en-GB",
        )

        def only_this_machine(route: Any) -> None:
            if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        context.route("**/*", only_this_machine)
        context.on("requestfailed", lambda request: failed.append(request.url))
        page = context.new_page()
        page.set_default_timeout(60_000)
        try:
            yield World(
                env, airflow, server, f"{server.base_url}{PREFIX}/", page, blocked, failed, tmp
            )
        finally:
            context.close()
            browser.close()
            server.stop()
            airflow.pool.shutdown(wait=True)
            for _ in starter:
                pass


def _shot(page: Any, name: str, at: str | None = None) -> None:
    """Write ``docs/finance-view/<name>`` (the viewport, scrolled to ``at``) when asked to."""
    if os.environ.get("CBNS_UPDATE_DOCS_SCREENSHOT") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if at is not None:
            page.locator(at).scroll_into_view_if_needed()
            page.evaluate(f"document.querySelector('{at}').scrollIntoView()")
        page.screenshot(path=str(SCREENSHOTS / name))


def _open(world: World) -> Any:
    page = world.page
    page.goto(world.url)
    page.wait_for_selector("body[data-ready='1']")
    return page


def test_pick_a_period_reconciles_it_and_keeps_a_history(world: World) -> None:
    page = _open(world)
    with world.env.engine.connect() as conn:
        expected = default_period(conn, SITE, datetime.now().date())
    # The first view covers the data: the generator's documents are years old.
    assert page.input_value("#period-first") == expected.first.isoformat()
    assert page.input_value("#period-last") == expected.last.isoformat()
    assert "No reconciliation of" in page.inner_text("#meta")
    page.click("#period-reconcile")
    page.wait_for_selector("#groups table", timeout=120_000)
    groups = page.inner_text("#groups")
    # Amounts with symbols and thousands separators; yen without decimals.
    assert re.search(r"\$\d{1,3}(,\d{3})+\.\d\d", groups), groups[:500]
    assert "Billed (invoices)" in groups
    assert re.search(r"¥\d{1,3}(,\d{3})*(?![.\d])", groups) or "JPY" not in groups
    [call] = [c for c in world.airflow.triggered if c["dag_id"] == RECONCILE_DAG_ID]
    start, end = expected.window()
    assert call["conf"] == {"window_start": start.isoformat(), "window_end": end.isoformat()}
    # Another period: its last day included, then the history lists both.
    first_month_end = expected.first.replace(day=28)
    page.fill("#period-first", expected.first.isoformat())
    page.fill("#period-last", first_month_end.isoformat())
    page.click("#period-reconcile")
    page.wait_for_function(
        "document.querySelectorAll('#history tbody tr').length === 2", timeout=120_000
    )
    assert "No reconciliation" not in page.inner_text("#meta")
    history = page.inner_text("#history")
    assert history.count("Open") == 2
    page.click("#history tbody tr:last-child button[data-run]")
    page.wait_for_function(
        f"document.getElementById('period-last').value === '{expected.last.isoformat()}'"
    )
    # No encoded external ids, NetSuite type codes or YAML in what finance reads.
    main = page.evaluate(
        "Array.from(document.body.children).filter(e => e.id !== 'audit-details')"
        ".map(e => e.innerText).join('\\n')"
    )
    assert "cb-acme" not in main and "CustInvc" not in main and "items.by_" not in main
    assert not world.blocked and not world.failed


def test_a_catch_all_is_a_warning_with_its_amount(world: World) -> None:
    page = _open(world)
    warning = page.inner_text("#catch-all-warning")
    assert "post through a catch-all rule" in warning
    # Add-ons without a rule of their own fall to the mapping's rule for every add-on.
    assert "priority-support" in warning and "the general rule for every addon" in warning
    assert re.search(r"[$€£¥]\d", warning)
    _shot(page, "overview.png")


def test_fix_the_mapping_redrive_a_quarantined_invoice_and_see_it_posted(world: World) -> None:
    page = _open(world)
    rows = page.locator("#exceptions tbody tr", has_text="Stopped by a check")
    assert rows.count() >= 1
    invoices = rows.filter(has_text=re.compile(r"^Invoice \S+")).filter(
        has_text="Add a rule in the mapping file"
    )
    row = invoices.first
    text = row.inner_text()
    assert "onboarding" in text  # the item price the rule is missing for
    assert re.search(r"[$€£¥]\d", text) and "@" in text  # an amount, a customer's e-mail
    # Times in the reader's time zone (the browser's is Europe/Berlin, its language en-GB).
    stamp = row.locator("time").first
    utc = datetime.fromisoformat(str(stamp.get_attribute("datetime")))
    local = utc.astimezone(ZoneInfo("Europe/Berlin"))
    assert stamp.inner_text() == f"{local.day} {local:%b %Y}, {local:%H:%M}"
    invoice = re.search(r"Invoice (\S+)", text)
    assert invoice is not None
    invoice_id = invoice.group(1)
    # The fix: whoever keeps the mapping file adds the rule back.
    world.airflow.mapping_path.write_text(mapping_text())
    button = row.locator("button.redrive")
    index = button.get_attribute("data-index")
    button.click()
    # The result shows next to the button, and the row's status changes.
    result = page.locator(f"#result-{index}")
    result.filter(has_text="Posted to NetSuite").wait_for(timeout=60_000)
    assert page.inner_text(f"#state-{index}") == "Posted"
    with world.env.engine.connect() as conn:
        state = conn.scalar(
            select(ns_ledger.c.state).where(
                ns_ledger.c.source_kind == "invoice",
                ns_ledger.c.source_id == invoice_id,
                ns_ledger.c.role == "main",
            )
        )
        left = conn.scalar(select(ns_ledger.c.source_id).where(ns_ledger.c.state == QUARANTINED))
    assert state == POSTED
    assert left is None  # the sync after the fix posted every onboarding invoice
    _shot(page, "redrive.png", at="#exceptions")


def test_the_month_end_pack_opens_in_openpyxl(world: World) -> None:
    page = _open(world)
    with page.expect_download() as info:
        page.click("#pack-link")
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = world.downloads / download.suggested_filename
    download.save_as(str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Totals", "Posted documents", "Exceptions", "Sign-off"]
    totals = book["Totals"]
    amounts = [row[3] for row in totals.iter_rows(min_row=2) if row[3].value is not None]
    assert amounts and all(isinstance(c.value, int | float) for c in amounts)
    assert any("#,##0" in c.number_format for c in amounts)
    posted = book["Posted documents"]
    assert posted.max_row > 10 and isinstance(posted.cell(2, 6).value, int | float)
    sign = {row[0].value: row[1].value for row in book["Sign-off"].iter_rows(min_row=2)}
    assert sign["Generated by"] == USER and sign["Chargebee site"] == SITE
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", str(sign["Generated at (UTC)"]))


def test_data_docs_open_offline(world: World) -> None:
    page = _open(world)
    href = page.get_attribute("#datadocs-link", "href")
    assert href
    world.failed.clear()
    docs = page.context.new_page()
    docs.goto(href if href.startswith("http") else f"{world.server.base_url}{href}")
    docs.wait_for_load_state("networkidle")
    # GX's index table is drawn from its data by the bundled script, styled by the bundled CSS.
    assert docs.locator("table.cbns-table tbody tr").count() >= 1
    background = docs.evaluate(
        "getComputedStyle(document.querySelector('.table thead th') || document.body)"
        ".backgroundColor"
    )
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    _shot(docs, "data-docs.png")
    docs.click("text=Expectation Suites")
    docs.get_by_role("cell", name="chargebee_invoice").first.wait_for()
    docs.get_by_role("cell", name="chargebee_invoice").first.click()  # the suite's own page
    docs.wait_for_load_state("networkidle")
    assert "values must never be null" in docs.inner_text("body")
    docs.click("a.cbns-back")  # the view opens Data Docs in its own frame: a way back
    docs.wait_for_selector("body[data-ready='1']")
    assert not world.blocked, world.blocked
    assert not world.failed, world.failed
    docs.close()


def test_the_one_page_summary_reads_like_finance(world: World) -> None:
    page = _open(world)
    href = page.get_attribute("#summary-link", "href")
    assert href
    summary = page.context.new_page()
    summary.goto(f"{world.server.base_url}{href}")
    body = summary.inner_text("body")
    assert "Totals by subsidiary and currency" in body
    assert re.search(r"\$\d{1,3}(,\d{3})+\.\d\d", body)
    assert not re.search(r"\b1[6-9]\d{8}\b", body)  # no epoch seconds
    _shot(summary, "summary.png")
    summary.close()
    assert not world.blocked and not world.failed
