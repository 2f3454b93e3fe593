"""The Airflow connection ids the connector reads by default, defined once.

Hooks, operators, asset URIs, the webhook receiver and the sandbox wiring all name these;
operators take any other id as an argument (``chargebee_conn_id=…``, ``netsuite_conn_id=…``).
"""

from __future__ import annotations

CHARGEBEE_CONN_ID = "chargebee_default"
NETSUITE_CONN_ID = "netsuite_default"
# Basic-auth credentials Chargebee sends with each webhook delivery.
WEBHOOK_CONN_ID = "chargebee_webhook"
# Optional: where staging lives, when ``CBNS_STAGING_URL`` is not set.
STAGING_CONN_ID = "cbns_staging"
# Optional: where to tell people that a run left documents unposted (airflow/notifiers.py).
NOTIFY_EMAIL_CONN_ID = "cbns_notify_email"
NOTIFY_WEBHOOK_CONN_ID = "cbns_notify_webhook"
