"""Hostile ids and names round-trip intact through staging, SuiteQL, external ids and reports;
the reconciliation report shows them as text."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from tests.builders.html_page import Page

from cbns_devkit.proof import stages
from cbns_devkit.proof.harness import SITE, Harness
from chargebee_netsuite.extract.documents import extract_all
from chargebee_netsuite.extract.events import process_events
from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.quality.docs import docs_dir
from chargebee_netsuite.reconcile.report import run_dir
from chargebee_netsuite.reconcile.run import reconcile
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import cb_customers, cb_invoices
from chargebee_netsuite.transform import identity

# 81 characters: within NetSuite's 83 for a company name, so it arrives whole.
NAME = "<script>alert(1)</script>O'Brien | a/b c\"; DROP TABLE cb_customers;-- é✓ 🙂 \\ %s ?"
HTML_ID = "<img src=x onerror=alert(1)>"
# Made up in NetSuite under this connector's external-id prefix; Chargebee never had it.
STRAY_ID = "<script>alert(3)</script>"
RECONCILE_RUN = "injection<img src=x onerror=alert(4)>"
WINDOW = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
IDS = [
    "cust'; DROP TABLE cb_customers;--",
    'cust"quoted"',
    "cust/../../etc/passwd",
    "cust|eid:1 2",
    "cust-with-dash_2D",
    "cüst🙂",
    "cust?x=1&y=%20#frag",
    HTML_ID,
]


@pytest.fixture
def harness(tmp_path: Path, staging_url: str) -> Iterator[Harness]:
    started = Harness.start(tmp_path, scale=0, staging_url=staging_url)
    yield started
    started.stop()


def seed(harness: Harness) -> list[str]:
    """Create the hostile customers, each with an invoice whose line repeats the name."""
    events: list[str] = []
    for customer_id in IDS:
        made = harness.cb_admin(
            "POST",
            "/customers",
            {
                "id": customer_id,
                "first_name": NAME,
                "last_name": "Ünïcødé",
                "email": "a@b.c",
                "company": NAME,
            },
        )
        events += made["events"]
        made = harness.cb_admin(
            "POST",
            "/invoices",
            {
                "customer_id": customer_id,
                "currency_code": "USD",
                "lines": [{"description": NAME, "unit_amount": 1000}],
            },
        )
        events += made["events"]
    return events


def staged_customers(harness: Harness) -> dict[str, dict[str, Any]]:
    with harness.engine.connect() as conn:
        rows = conn.execute(select(cb_customers).where(cb_customers.c.site == SITE)).mappings()
        return {str(r["id"]): dict(r) for r in rows}


def reconcile_hostile_findings(harness: Harness, ns: NetSuiteClient, reports: Path) -> Page:
    """Delete the HTML-named customer's invoice in NetSuite and make up one Chargebee never
    had, reconcile, and read the report page (both show up in it)."""
    with harness.engine.connect() as conn:
        invoice_id = conn.scalar(
            select(cb_invoices.c.id).where(
                cb_invoices.c.site == SITE, cb_invoices.c.customer_id == HTML_ID
            )
        )
    eid = identity.external_id(SITE, identity.INVOICE, str(invoice_id))
    invoice = ns.records.get_by_external_id("invoice", eid, expand_sub_resources=True)
    ns.records.upsert(
        "invoice",
        identity.external_id(SITE, identity.INVOICE, STRAY_ID),
        {
            "entity": {"id": invoice["entity"]["id"]},
            "currency": {"id": invoice["currency"]["id"]},
            "tranDate": invoice["tranDate"],
            "item": {"items": [{"item": {"id": "1"}, "amount": 5}]},
        },
        strict_fields=False,
    )
    ns.records.delete("invoice", f"eid:{eid}")
    args = harness.stage_args()
    summary = reconcile(
        harness.engine, ns, SITE, *WINDOW, RECONCILE_RUN, reports, time_zone=args["time_zone"]
    )
    assert (summary.counts.get("missing"), summary.counts.get("unknown")) == (1, 1)
    return Page.read(Path(str(summary.report_dir)) / "index.html")


def test_hostile_ids_round_trip_through_staging_suiteql_and_eid_upserts(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    events = seed(harness)
    args = {**harness.stage_args(), "run_id": "injection"}
    monkeypatch.setenv(args["chargebee_key_env"], harness.chargebee_settings.test_key)
    client = stages.chargebee_client(args)
    try:
        extract_all(client, harness.engine, run_id="injection")
        # The same ids again through the event path, which retrieves each resource by id.
        with harness.engine.begin() as conn:
            q.enqueue_events(conn, SITE, events, datetime.now(UTC))
        result = process_events(client, harness.engine, events, run_id="events")
    finally:
        client.close()
    assert result.rejected == [] and result.failed == []
    staged = staged_customers(harness)
    assert set(staged) >= set(IDS)
    assert {staged[i]["company"] for i in IDS} == {NAME}
    assert {staged[i]["raw"]["company"] for i in IDS} == {NAME}

    stages.run_reference(harness.engine, args)
    summary = stages.run_load(harness.engine, args)
    assert summary["counts"].get("failed", 0) == 0, summary

    ns = stages.netsuite_client(args)
    try:
        for customer_id in IDS:
            eid = identity.external_id(SITE, identity.CUSTOMER, customer_id)
            assert identity.parse_external_id(eid) == (SITE, identity.CUSTOMER, customer_id)
            record = ns.records.get_by_external_id("customer", eid)
            assert record["externalId"] == eid
            assert record["companyName"] == NAME
            query = build(
                "SELECT id, externalid, companyname FROM customer WHERE externalid = ?", eid
            )
            rows = list(ns.suiteql.query(query))
            assert [(r["externalid"], r["companyname"]) for r in rows] == [(eid, NAME)]
        # A value written in by the literal builder is data, never SQL: the classic
        # tautology matches nothing, and the hostile name matches exactly its customers.
        hostile = build("SELECT id FROM customer WHERE companyname = ?", "x' OR '1'='1")
        assert list(ns.suiteql.query(hostile)) == []
        every = list(ns.suiteql.query(build("SELECT id FROM customer WHERE companyname = ?", NAME)))
        assert len(every) == len(IDS)
        eids = [identity.external_id(SITE, identity.CUSTOMER, i) for i in IDS]
        listed = build("SELECT id FROM customer WHERE externalid IN (?)", [*eids, "x') OR ('1"])
        assert len(list(ns.suiteql.query(listed))) == len(IDS)
        page = reconcile_hostile_findings(harness, ns, tmp_path / "reports")
    finally:
        ns.close()
    # Staging still has its tables (nothing was executed from the names).
    assert set(staged_customers(harness)) >= set(IDS)
    # The report shows the ids from both sides and the run id as text, never as markup: the
    # customer with a difference, the record unknown to Chargebee and its audit anchor.
    assert page.only_inert_markup(), (page.tags, page.handlers, page.scripts)
    assert HTML_ID in page.text and STRAY_ID in page.text and RECONCILE_RUN in page.text
    assert f"audit-invoice-{STRAY_ID}" in page.ids


HOSTILE_RUNS = [
    "manual__2024-01-01T00:00:00+00:00",
    "../../../../tmp/escape",
    "a/b\\c",
    "run id with spaces; rm -rf /",
    "…unicode✓",
    "%2e%2e%2f",
    ".hidden",
]


@pytest.mark.parametrize("run_id", HOSTILE_RUNS)
def test_report_folders_stay_inside_the_reports_dir(tmp_path: Path, run_id: str) -> None:
    reports = tmp_path / "reports"
    quality = docs_dir(reports, run_id)
    assert quality.resolve().is_relative_to((reports / "data_docs").resolve())
    assert quality.resolve() != (reports / "data_docs").resolve()
    reconcile = run_dir(reports, run_id)
    assert reconcile.resolve().is_relative_to((reports / "reconcile").resolve())
    assert reconcile.resolve() != (reports / "reconcile").resolve()


@pytest.mark.parametrize("run_id", ["..", "."])
def test_a_run_id_of_dots_stays_inside_the_reconcile_folder(tmp_path: Path, run_id: str) -> None:
    reconcile = run_dir(tmp_path / "reports", run_id)
    assert reconcile.resolve().is_relative_to((tmp_path / "reports" / "reconcile").resolve())
    assert reconcile.resolve() != (tmp_path / "reports" / "reconcile").resolve()
