"""The AirflowPlugin: serves the Chargebee webhook receiver from the Airflow API server."""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from chargebee_netsuite.airflow.settings import webhook_receiver_config
from chargebee_netsuite.webhooks.receiver import WEBHOOK_PATH, create_app

URL_PREFIX = "/chargebee-netsuite"
# The URL to give Chargebee: https://<airflow api server>/chargebee-netsuite/webhooks/chargebee
WEBHOOK_URL_PATH = f"{URL_PREFIX}{WEBHOOK_PATH}"

# Building the app does no I/O: connections are read on the first delivery, then cached.
webhook_app = create_app(webhook_receiver_config)


class ChargebeeNetSuitePlugin(AirflowPlugin):
    """Mounts the webhook receiver under ``/chargebee-netsuite`` on the API server."""

    name = "chargebee_netsuite"
    fastapi_apps = [
        {
            "app": webhook_app,
            "url_prefix": URL_PREFIX,
            "name": "Chargebee webhook receiver",
        }
    ]
