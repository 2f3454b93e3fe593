"""The webhook asset: what the webhook DAG is scheduled on, and how the receiver records it.

The asset means "new ids are in the webhook inbox"; ``chargebee_netsuite_webhooks`` is
scheduled on it. The receiver, served by the plugin on the Airflow API server, records an
event on it after committing new ids, in that process and through Airflow's own
``AssetManager.register_asset_change`` — the call behind the REST API's
``POST /api/v2/assets/events`` (``api_fastapi/core_api/routes/public/assets.py``) and behind
the triggerer's ``AssetWatcher`` events (``Trigger.submit_event``). Why that path:

* fast: one metadata-database transaction, no HTTP round trip and no polling interval;
* no credentials: the REST endpoint needs a user with asset permissions and a token, the
  in-process call needs neither (the API server already holds its metadata-DB session);
* robust without it: the id is already committed to the inbox, so a failed registration only
  delays it to the DAG's safety-net schedule.

An ``AssetWatcher`` with a trigger polling the inbox was the alternative: wholly public API,
but it adds a poll interval and a staging-database query every second, forever, in the
triggerer, for what the receiver already knows the instant it commits.

This module imports nothing heavy at import time; DAG files read the names from it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID

if TYPE_CHECKING:
    from airflow.sdk import Asset

log = logging.getLogger(__name__)

WEBHOOKS_NAME = "chargebee/webhooks"
WEBHOOKS_URI = f"chargebee://{CHARGEBEE_CONN_ID}/webhooks"


def webhooks_asset() -> Asset:
    """New event ids are in the webhook inbox (recorded by the receiver, never by a task)."""
    from airflow.sdk import Asset

    return Asset(name=WEBHOOKS_NAME, uri=WEBHOOKS_URI)


def record_webhooks_received(count: int) -> bool:
    """Record one asset event on :func:`webhooks_asset` for ``count`` new inbox ids.

    Runs in the API server (the plugin's receiver), where Airflow's ORM is configured. True
    when the event was recorded; False when Airflow does not know the asset yet (the webhook
    DAG was never parsed). Raises on a metadata-database error (the caller logs it).
    """
    from airflow.assets.manager import asset_manager
    from airflow.serialization.definitions.assets import SerializedAssetUniqueKey
    from airflow.utils.session import create_session

    asset = webhooks_asset()
    with create_session(scoped=False) as session:
        event = asset_manager.register_asset_change(
            asset=SerializedAssetUniqueKey(name=asset.name, uri=asset.uri),
            extra={"source": "chargebee webhook receiver", "new_ids": count},
            session=session,
        )
    if event is None:
        log.warning(
            "Airflow does not know the asset %s yet (is chargebee_netsuite_webhooks parsed?); "
            "%d new webhook id(s) wait in the inbox for the DAG's next run",
            asset.uri,
            count,
        )
    return event is not None
