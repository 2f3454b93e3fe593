"""The AirflowPlugin: the Chargebee webhook receiver, the finance view and Data Docs on the API
server, and the operators' extra links."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from chargebee_netsuite.airflow.assets import record_webhooks_received
from chargebee_netsuite.airflow.operators import registered_links
from chargebee_netsuite.airflow.settings import webhook_receiver_config
from chargebee_netsuite.airflow.urls import FINANCE_PATH, FINANCE_URL_PATH, URL_PREFIX
from chargebee_netsuite.finance_view.app import create_app as create_finance_app
from chargebee_netsuite.finance_view.settings import settings_from_environment
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app
from chargebee_netsuite.webhooks.signal import InboxSignal

# The URL to give Chargebee: https://<airflow api server>/chargebee-netsuite/webhooks/chargebee
WEBHOOK_URL_PATH = f"{URL_PREFIX}{WEBHOOK_PATH}"

# Building the apps does no I/O: connections and settings are read on the first request, and
# the signal's thread starts with the first new id. Each new id committed to the inbox becomes
# (coalesced) an asset event that schedules chargebee_netsuite_webhooks.
inbox_signal = InboxSignal(record_webhooks_received)
webhook_app = create_app(webhook_receiver_config, signal=inbox_signal)
finance_app = create_finance_app(settings_from_environment)
# One mount on the API server for both: the finance view (and each run's Data Docs, served
# offline by it) lives under the receiver's prefix.
webhook_app.mount(FINANCE_PATH, finance_app, name="finance_view")


class ChargebeeNetSuitePlugin(AirflowPlugin):
    """Mounts the webhook receiver, the finance view and Data Docs under
    ``/chargebee-netsuite``; registers the operators' extra links."""

    name = "chargebee_netsuite"
    fastapi_apps = [
        {
            "app": webhook_app,
            "url_prefix": URL_PREFIX,
            "name": "Chargebee webhook receiver and finance view",
        }
    ]
    # Task-instance buttons: the run's Data Docs, its reconciliation report, the finance view.
    operator_extra_links = registered_links()
    # Shown in the Airflow UI's navigation; the page is an iframe on the same origin, so the
    # UI session cookie authenticates its API calls.
    external_views = [
        {
            "name": "Chargebee ↔ NetSuite",
            "href": FINANCE_URL_PATH,
            "url_route": "chargebee-netsuite",
            "destination": "nav",
            "nav_top_level": True,
        }
    ]
