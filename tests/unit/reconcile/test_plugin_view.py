"""The AirflowPlugin adds the finance view: an external view in the UI, an app on the server."""

from __future__ import annotations

from starlette.routing import Mount

from chargebee_netsuite.airflow.plugin import (
    FINANCE_URL_PATH,
    ChargebeeNetSuitePlugin,
    finance_app,
    webhook_app,
)


def test_the_view_is_declared_for_the_ui_and_mounted_with_the_receiver() -> None:
    [view] = ChargebeeNetSuitePlugin.external_views
    assert view["name"] == "Chargebee ↔ NetSuite"
    assert view["href"] == FINANCE_URL_PATH == "/chargebee-netsuite/finance/"
    assert view["url_route"] == "chargebee-netsuite" and view["destination"] == "nav"
    mounts = [r for r in webhook_app.routes if isinstance(r, Mount)]
    assert [m.app for m in mounts if m.path == "/finance"] == [finance_app]


def test_airflows_ui_plugin_listing_includes_it() -> None:
    from airflow import plugins_manager

    external_views, _ = plugins_manager._get_ui_plugins()
    assert any(v.get("url_route") == "chargebee-netsuite" for v in external_views)
