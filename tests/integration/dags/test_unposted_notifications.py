"""A run that leaves documents unposted is loud: a local SMTP server (aiosmtpd) and a local HTTP
receiver each get the notification, through the Airflow connections; nothing is sent when
nothing new stays unposted, and ``fail_on_unposted`` fails the run.

Real parts throughout: both sandboxes over HTTP, SQLite staging, the task callables the DAG
runs, Airflow connections from AIRFLOW_CONN_ variables, the SMTP provider's notifier.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from cbns_devkit.demo.sandboxes import SandboxProcess, add_problem_records
from cbns_devkit.sandbox.connections import (
    connections_from_sandbox_state,
    env_assignments,
)
from chargebee_netsuite.airflow.operators import (
    ChargebeeToStagingOperator,
    GreatExpectationsValidationOperator,
    MappingCheckOperator,
    MappingParseOperator,
    MigrateStagingOperator,
    NetSuiteLoadOperator,
    NetSuiteReferenceOperator,
)
from chargebee_netsuite.airflow.operators.netsuite import notify_unposted
from chargebee_netsuite.errors import UnpostedDocuments
from chargebee_netsuite.extract.resources import RESOURCES as ALL_RESOURCES

RESOURCES = list(ALL_RESOURCES)
FINANCE = "http://airflow.test/chargebee-netsuite/finance/"
EXAMPLE = Path(__file__).resolve().parents[3] / "include" / "mapping.example.yaml"


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(parsed)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[list[dict[str, Any]], int]]:
    received: list[dict[str, Any]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append({"path": self.path, "json": json.loads(body)})
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def start_sandbox(tmp_path_factory: pytest.TempPathFactory, problems: bool) -> Iterator[Any]:
    state_dir = tmp_path_factory.mktemp("sandbox")
    process = SandboxProcess(state_dir, scale=1, log=state_dir / "sandbox.log")
    state = process.start()
    if problems:
        add_problem_records(state)
    try:
        yield state
    finally:
        process.stop()


@pytest.fixture(scope="module")
def troubled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Generated data plus the demo's CHF customer and invoices, which cannot post."""
    yield from start_sandbox(tmp_path_factory, problems=True)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    yield from start_sandbox(tmp_path_factory, problems=False)


def wire(
    monkeypatch: pytest.MonkeyPatch,
    sandbox: dict[str, Any],
    tmp_path: Path,
    smtp_port: int,
    webhook_port: int,
) -> None:
    for key, value in env_assignments(connections_from_sandbox_state(sandbox)).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("CBNS_STAGING_URL", f"sqlite:///{tmp_path / 'staging.db'}")
    monkeypatch.setenv("CBNS_REPORTS_DIR", str(tmp_path / "reports"))
    monkeypatch.setenv("CBNS_NETSUITE_TIME_ZONE", "America/Los_Angeles")
    monkeypatch.setenv("CBNS_FINANCE_VIEW_URL", FINANCE)
    email = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": smtp_port,
        "extra": {
            "from_email": "cbns@example.com",
            "to": "finance@example.com, ops@example.com",
            "disable_ssl": True,
            "disable_tls": True,
        },
    }
    hook = {
        "conn_type": "http",
        "host": "127.0.0.1",
        "port": webhook_port,
        "schema": "http",
        "extra": {"endpoint": "/hooks/cbns"},
    }
    monkeypatch.setenv("AIRFLOW_CONN_CBNS_NOTIFY_EMAIL", json.dumps(email))
    monkeypatch.setenv("AIRFLOW_CONN_CBNS_NOTIFY_WEBHOOK", json.dumps(hook))


def context(run_id: str, **params: Any) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "params": {"dry_run": False, "resources": RESOURCES, "fail_on_unposted": False, **params},
        "data_interval_start": None,
        "data_interval_end": None,
    }


def sync(run_id: str) -> dict[str, Any]:
    """One run of the sync DAG's operators, up to the load's result (which notifies)."""
    ctx: Any = context(run_id)
    MigrateStagingOperator(task_id="migrate_staging").execute(ctx)
    NetSuiteReferenceOperator(task_id="pull_reference").execute(ctx)
    MappingParseOperator(task_id="parse_mapping").execute(ctx)
    for resource in RESOURCES:
        ChargebeeToStagingOperator(task_id=resource, resource=resource).execute(ctx)
    MappingCheckOperator(task_id="check_mapping").execute(ctx)
    GreatExpectationsValidationOperator(task_id="validate").execute(ctx)
    return NetSuiteLoadOperator(task_id="load").execute(ctx)


def test_documents_left_unposted_reach_an_smtp_server_and_a_webhook(
    troubled: dict[str, Any],
    smtp: tuple[Inbox, int],
    webhook: tuple[list[dict[str, Any]], int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    inbox, smtp_port = smtp
    posts, webhook_port = webhook
    wire(monkeypatch, troubled, tmp_path, smtp_port, webhook_port)

    first = sync("manual__first")
    new = first["unposted"]["new"]
    # The demo's CHF customer and invoices (data check), and documents in closed periods.
    assert new["by_cause"]["data check"] == 3 and new["amounts"]["CHF"] == "1650.00", new
    assert first["notify"]["notified"] == ["UnpostedEmailNotifier", "UnpostedWebhookNotifier"]

    [mail] = inbox.messages
    assert mail["X-Envelope-To"] == "finance@example.com, ops@example.com"
    assert mail["From"] == "cbns@example.com"
    assert f"{new['documents']} new document(s) not posted" in mail["Subject"]
    html = mail.get_body(("html",)).get_content()
    assert "1,650.00 CHF" in html and "CHF" in html and FINANCE in html
    assert "data check" in html or "mapping" in html

    [post] = posts
    assert post["path"] == "/hooks/cbns"
    body = post["json"]
    assert body["event"] == "chargebee_netsuite.unposted"
    assert body["new"] == new and body["finance_view"] == FINANCE
    assert "1,650.00 CHF" in body["text"] and FINANCE in body["text"]
    # The run's one report: Data Docs' section lists every cause, not "Every document passed".
    pages = list((tmp_path / "reports" / "data_docs").glob("*/quarantine.html"))
    [page] = [p for p in pages if "manual__first" in p.parent.name]
    assert "Not posted after run manual__first" in page.read_text()

    # Nothing new stays unposted: nothing is sent again.
    again = sync("manual__again")
    assert again["unposted"]["new"]["documents"] == 0
    assert again["unposted"]["all"]["documents"] == first["unposted"]["all"]["documents"]
    assert again["notify"]["notified"] == []
    assert (len(inbox.messages), len(posts)) == (1, 1)

    # fail_on_unposted: the notification goes out, then the run fails.
    with pytest.raises(UnpostedDocuments, match="fail_on_unposted"):
        notify_unposted(first, context("manual__first", fail_on_unposted=True))  # type: ignore[arg-type]
    assert (len(inbox.messages), len(posts)) == (2, 2)


def test_nothing_is_sent_when_everything_posted(
    clean: dict[str, Any],
    smtp: tuple[Inbox, int],
    webhook: tuple[list[dict[str, Any]], int],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    inbox, smtp_port = smtp
    posts, webhook_port = webhook
    wire(monkeypatch, clean, tmp_path, smtp_port, webhook_port)
    # The generated data has documents in closed periods: post them re-dated, so all post.
    text = EXAMPLE.read_text().replace("  policy: hold", "  policy: first_open_period")
    (tmp_path / "mapping.yaml").write_text(text)
    monkeypatch.setenv("CBNS_MAPPING_PATH", str(tmp_path / "mapping.yaml"))
    result = sync("manual__clean")
    assert result["counts"]["posted"] > 0
    assert result["unposted"]["all"]["documents"] == 0, result["unposted"]
    assert result["notify"] == {"new": 0, "notified": []}
    ctx: Any = context("manual__clean", fail_on_unposted=True)
    assert notify_unposted(result, ctx) == {"new": 0, "notified": []}
    assert inbox.messages == [] and posts == []
