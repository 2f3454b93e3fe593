"""The AirflowPlugin loads through Airflow's plugins manager and mounts the webhook receiver."""

from __future__ import annotations

from fastapi import FastAPI
from starlette.routing import Mount

from chargebee_netsuite.airflow.plugin import (
    URL_PREFIX,
    WEBHOOK_URL_PATH,
    ChargebeeNetSuitePlugin,
    webhook_app,
)


def test_the_plugin_declares_the_receiver_app() -> None:
    [entry] = ChargebeeNetSuitePlugin.fastapi_apps
    assert entry["app"] is webhook_app and entry["url_prefix"] == URL_PREFIX
    assert WEBHOOK_URL_PATH == "/chargebee-netsuite/webhooks/chargebee"
    paths = {getattr(route, "path", None) for route in webhook_app.routes}
    assert {"/webhooks/chargebee", "/finance"} <= paths


def test_the_plugin_registers_the_operators_extra_links() -> None:
    from chargebee_netsuite.airflow.operators import NetSuiteLoadOperator

    links = {link.name: link for link in ChargebeeNetSuitePlugin.operator_extra_links}
    assert set(links) == {"Data Docs", "Finance view", "Reconciliation report"}
    assert NetSuiteLoadOperator in links["Finance view"].operators


def test_airflows_plugins_manager_loads_it_and_the_api_server_mounts_it() -> None:
    from airflow import plugins_manager
    from airflow.api_fastapi.app import init_plugins

    plugins, errors = plugins_manager._get_plugins()
    [ours] = [p for p in plugins if p.name == "chargebee_netsuite"]
    assert isinstance(ours, ChargebeeNetSuitePlugin)
    assert not [k for k in errors if "chargebee" in k]
    apps, _ = plugins_manager.get_fastapi_plugins()
    assert any(app["app"] is webhook_app for app in apps)

    api_server = FastAPI()
    init_plugins(api_server)  # what the Airflow API server does at startup
    mounts = [r for r in api_server.routes if isinstance(r, Mount)]
    assert [m.app for m in mounts if m.path == URL_PREFIX] == [webhook_app]
