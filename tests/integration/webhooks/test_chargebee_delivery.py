"""Real deliveries: the Chargebee sandbox posts its events to the receiver with Basic auth."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cbns_devkit.sandbox.chargebee.app import create_app as chargebee_app
from cbns_devkit.sandbox.chargebee.site_settings import ChargebeeSandboxSettings
from cbns_devkit.sandbox.server import serve_in_thread
from chargebee_netsuite.airflow.settings import webhook_receiver_config
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

from .conftest import PASSWORD, SITE, USER, Receiver


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)


def _customer(n: int) -> dict[str, Any]:
    return {"first_name": "Ada", "last_name": f"Hook{n}", "email": f"ada{n}@example.com"}


def test_sandbox_webhooks_land_their_event_ids_in_the_inbox(receiver: Receiver) -> None:
    settings = ChargebeeSandboxSettings(
        site=SITE,
        webhook_urls=[receiver.url],
        webhook_user=USER,
        webhook_password=PASSWORD,
        webhook_time_factor=0.001,
    )
    with serve_in_thread(chargebee_app(settings)) as sandbox:
        admin = f"{sandbox.base_url}/__admin"
        for n in range(3):
            httpx.post(f"{admin}/customers", json=_customer(n), timeout=10).raise_for_status()
        events = httpx.get(
            f"{sandbox.base_url}/api/v2/events",
            auth=(settings.test_key, ""),
            timeout=10,
        ).json()["list"]
        event_ids = {entry["event"]["id"] for entry in events}
        assert len(event_ids) == 3
        _wait_for(lambda: {row["event_id"] for row in receiver.inbox()} == event_ids)

        # Chargebee may deliver again, in any order: still one row per event.
        response = httpx.post(
            f"{admin}/webhooks/deliver",
            json={"event_ids": sorted(event_ids), "copies": 2, "order": "shuffle"},
            timeout=10,
        )
        assert {a["status"] for a in response.json()["attempts"]} == {200}
        attempts = httpx.get(f"{admin}/webhooks", timeout=10).json()["attempts"]
    assert all(a["status"] == 200 for a in attempts)
    rows = receiver.inbox()
    assert sorted(row["event_id"] for row in rows) == sorted(event_ids)
    assert {row["event_type"] for row in rows} == {"customer_created"}


def test_a_sandbox_with_the_wrong_password_gets_nowhere(receiver: Receiver) -> None:
    settings = ChargebeeSandboxSettings(
        site=SITE,
        webhook_urls=[receiver.url],
        webhook_user=USER,
        webhook_password="not-the-password",
        webhook_time_factor=1000.0,  # no retries during the test
    )
    with serve_in_thread(chargebee_app(settings)) as sandbox:
        admin = f"{sandbox.base_url}/__admin"
        httpx.post(f"{admin}/customers", json=_customer(9), timeout=10).raise_for_status()
        _wait_for(lambda: bool(httpx.get(f"{admin}/webhooks", timeout=10).json()["attempts"]))
        [attempt] = httpx.get(f"{admin}/webhooks", timeout=10).json()["attempts"]
    assert attempt["status"] == 401
    assert receiver.inbox() == []


def test_the_airflow_connections_configure_the_receiver(
    monkeypatch: pytest.MonkeyPatch, sqlite_url: str
) -> None:
    monkeypatch.setenv("CBNS_STAGING_URL", sqlite_url)
    monkeypatch.setenv(
        "AIRFLOW_CONN_CHARGEBEE_WEBHOOK",
        json.dumps({"conn_type": "http", "login": USER, "password": PASSWORD}),
    )
    monkeypatch.setenv(
        "AIRFLOW_CONN_CHARGEBEE_DEFAULT",
        json.dumps({"conn_type": "chargebee", "login": SITE, "password": "test_key_xyz"}),
    )
    config = webhook_receiver_config()
    assert (config.username, config.site, config.staging_url) == (USER, SITE, sqlite_url)
    with serve_in_thread(create_app(webhook_receiver_config)) as server:
        url = f"{server.base_url}{WEBHOOK_PATH}"
        body = {"id": "ev_cfg", "event_type": "invoice_generated", "object": "event"}
        assert httpx.post(url, json=body, auth=(USER, PASSWORD), timeout=10).status_code == 200
        assert httpx.post(url, json=body, auth=(USER, "nope"), timeout=10).status_code == 401
    assert [row["site"] for row in Receiver(server, sqlite_url).inbox()] == [SITE]


def test_missing_connections_name_what_to_define(monkeypatch: pytest.MonkeyPatch) -> None:
    from chargebee_netsuite.webhooks.config import ReceiverNotConfigured

    monkeypatch.delenv("AIRFLOW_CONN_CHARGEBEE_WEBHOOK", raising=False)
    with pytest.raises(ReceiverNotConfigured, match="'chargebee_webhook'"):
        webhook_receiver_config()
    monkeypatch.setenv(
        "AIRFLOW_CONN_CHARGEBEE_WEBHOOK",
        json.dumps({"conn_type": "http", "login": USER, "password": PASSWORD}),
    )
    monkeypatch.delenv("AIRFLOW_CONN_CHARGEBEE_DEFAULT", raising=False)
    with pytest.raises(ReceiverNotConfigured, match="extra 'site'"):
        webhook_receiver_config()
    monkeypatch.setenv(
        "AIRFLOW_CONN_CHARGEBEE_WEBHOOK",
        json.dumps(
            {"conn_type": "http", "login": USER, "password": PASSWORD, "extra": {"site": "x"}}
        ),
    )
    assert webhook_receiver_config().site == "x"
