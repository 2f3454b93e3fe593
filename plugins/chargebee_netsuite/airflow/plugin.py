"""The AirflowPlugin: the Chargebee webhook receiver and the finance view on the API server."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from chargebee_netsuite.airflow.assets import record_webhooks_received
from chargebee_netsuite.airflow.settings import webhook_receiver_config
from chargebee_netsuite.finance_view.app import create_app as create_finance_app
from chargebee_netsuite.finance_view.settings import settings_from_environment
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app
from chargebee_netsuite.webhooks.signal import InboxSignal

URL_PREFIX = "/chargebee-netsuite"
# The URL to give Chargebee: https://<airflow api server>/chargebee-netsuite/webhooks/chargebee
WEBHOOK_URL_PATH = f"{URL_PREFIX}{WEBHOOK_PATH}"
FINANCE_PATH = "/finance"
# The finance view: https://<airflow api server>/chargebee-netsuite/finance/
FINANCE_URL_PATH = f"{URL_PREFIX}{FINANCE_PATH}/"

# Building the apps does no I/O: connections and settings are read on the first request, and
# the signal's thread starts with the first new id. Each new id committed to the inbox becomes
# (coalesced) an asset event that schedules chargebee_netsuite_webhooks.
inbox_signal = InboxSignal(record_webhooks_received)
webhook_app = create_app(webhook_receiver_config, signal=inbox_signal)
finance_app = create_finance_app(settings_from_environment)
# One mount on the API server for both: the view lives under the receiver's prefix.
webhook_app.mount(FINANCE_PATH, finance_app, name="finance_view")


class ChargebeeNetSuitePlugin(AirflowPlugin):
    """Mounts the webhook receiver and the finance view under ``/chargebee-netsuite``."""

    name = "chargebee_netsuite"
    fastapi_apps = [
        {
            "app": webhook_app,
            "url_prefix": URL_PREFIX,
            "name": "Chargebee webhook receiver and finance view",
        }
    ]
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
