"""The notifiers' configuration: which channels, which recipients, the link, the fail switch."""

from __future__ import annotations

import json

import pytest

from chargebee_netsuite.airflow import notifiers
from chargebee_netsuite.errors import NotificationFailed

REPORT = {
    "site": "acme",
    "run_id": "run-1",
    "all": {"documents": 1, "by_state": {}, "by_cause": {}, "amounts": {}},
    "new": {"documents": 1, "by_state": {}, "by_cause": {}, "amounts": {}},
    "new_documents": [],
}


def connection(monkeypatch: pytest.MonkeyPatch, conn_id: str, conn: dict[str, object]) -> None:
    monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))


def test_only_channels_with_a_connection_are_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AIRFLOW_CONN_CBNS_NOTIFY_EMAIL", raising=False)
    monkeypatch.delenv("AIRFLOW_CONN_CBNS_NOTIFY_WEBHOOK", raising=False)
    assert notifiers.configured_notifiers(REPORT) == []
    connection(monkeypatch, "ops_hook", {"conn_type": "http", "host": "hooks.example.com"})
    monkeypatch.setenv("CBNS_NOTIFY_WEBHOOK_CONN_ID", "ops_hook")
    [only] = notifiers.configured_notifiers(REPORT)
    assert isinstance(only, notifiers.UnpostedWebhookNotifier) and only.http_conn_id == "ops_hook"


def test_an_email_connection_without_recipients_says_what_to_add(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    connection(monkeypatch, "cbns_notify_email", {"conn_type": "smtp", "host": "mail"})
    email = notifiers.UnpostedEmailNotifier(REPORT)
    with pytest.raises(NotificationFailed, match='add the extra "to"'):
        email.recipients()
    connection(
        monkeypatch,
        "cbns_notify_email",
        {"conn_type": "smtp", "host": "mail", "extra": {"to": "a@example.com, b@example.com"}},
    )
    assert email.recipients() == ["a@example.com", "b@example.com"]


def test_the_finance_view_link(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CBNS_FINANCE_VIEW_URL", "https://fin.example.com/view/")
    assert notifiers.finance_view_url() == "https://fin.example.com/view/"
    monkeypatch.delenv("CBNS_FINANCE_VIEW_URL")
    monkeypatch.setenv("CBNS_API_BASE_URL", "https://airflow.example.com/")
    assert notifiers.finance_view_url() == "https://airflow.example.com/chargebee-netsuite/finance/"


def test_the_fail_switch_param_first_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CBNS_UNPOSTED_FAILS_RUN", "1")
    assert notifiers.unposted_fails_run({}) is True
    assert notifiers.unposted_fails_run({"fail_on_unposted": False}) is False
    monkeypatch.setenv("CBNS_UNPOSTED_FAILS_RUN", "0")
    assert notifiers.unposted_fails_run({"fail_on_unposted": True}) is True


def test_a_dry_run_or_nothing_new_sends_nothing() -> None:
    assert notifiers.notify_unposted({"dry_run": True}, {}) == {"new": 0, "notified": []}
    quiet = {**REPORT, "new": {**REPORT["new"], "documents": 0}}
    assert notifiers.notify_unposted({"unposted": quiet}, {}, fail=True)["notified"] == []
