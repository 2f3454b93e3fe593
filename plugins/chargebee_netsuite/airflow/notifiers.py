"""Notifiers for a run that leaves documents unposted: e-mail (SMTP) and a generic webhook.

Both are Airflow notifiers (``BaseNotifier``), each configured by an Airflow connection:

- ``cbns_notify_email`` (type ``smtp``; ``CBNS_NOTIFY_EMAIL_CONN_ID`` to rename): host, port,
  login/password if the server wants them, extras ``from_email`` and ``to`` (comma-separated
  recipients), plus the SMTP provider's own extras (``disable_ssl``, ``disable_tls``, ...). Sent
  by the SMTP provider's ``SmtpNotifier``.
- ``cbns_notify_webhook`` (type ``http``; ``CBNS_NOTIFY_WEBHOOK_CONN_ID`` to rename): the URL
  in host (or schema + host + port), the path in the extra ``endpoint``, headers in the extras
  as ``HttpHook`` reads them. Receives a JSON POST whose ``text`` field suits Slack- or
  Teams-style incoming webhooks and whose other fields carry the counts and amounts.

A channel whose connection is not defined is skipped. The message is built from the run's
data, never rendered as a Jinja template: reasons quote Chargebee data, which must not be
able to run template code, so the notifiers declare no template fields.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from typing import Any

from airflow.sdk.bases.notifier import BaseNotifier

from chargebee_netsuite.airflow.connection_ids import NOTIFY_EMAIL_CONN_ID, NOTIFY_WEBHOOK_CONN_ID
from chargebee_netsuite.errors import NotificationFailed, UnpostedDocuments
from chargebee_netsuite.reconcile.unposted import message_html, message_text, subject

log = logging.getLogger(__name__)


def finance_view_url() -> str | None:
    """The finance view's address: ``CBNS_FINANCE_VIEW_URL``, else the API server's base URL
    (``CBNS_API_BASE_URL`` or Airflow's ``[api] base_url``) and the plugin's path; None when
    neither is known (the message then has no link)."""
    from chargebee_netsuite.airflow.urls import FINANCE_URL_PATH, api_base_url

    explicit = os.environ.get("CBNS_FINANCE_VIEW_URL")
    if explicit:
        return explicit
    base = os.environ.get("CBNS_API_BASE_URL") or api_base_url()
    return base.rstrip("/") + FINANCE_URL_PATH if base else None


class _UnpostedNotifier(BaseNotifier):
    """Sends one run's unposted-documents ``report``, linking the finance view (``finance_url``)."""

    def __init__(self, report: Mapping[str, Any], finance_url: str | None) -> None:
        super().__init__()
        self.report = report
        self.finance_url = finance_url


class UnpostedEmailNotifier(_UnpostedNotifier):
    """E-mails the unposted-documents report through an ``smtp`` connection."""

    def __init__(
        self,
        report: Mapping[str, Any],
        *,
        smtp_conn_id: str = NOTIFY_EMAIL_CONN_ID,
        to: str | Sequence[str] | None = None,
        finance_url: str | None = None,
    ) -> None:
        super().__init__(report, finance_url)
        self.smtp_conn_id = smtp_conn_id
        self.to = to

    def recipients(self) -> list[str]:
        """``to`` if given, else the connection's extra ``to``."""
        to = self.to
        if to is None:
            from airflow.sdk import BaseHook

            to = BaseHook.get_connection(self.smtp_conn_id).extra_dejson.get("to")
        if isinstance(to, str):
            to = [part.strip() for part in to.split(",")]
        found = [address for address in to or [] if address]
        if not found:
            raise NotificationFailed(
                f"connection '{self.smtp_conn_id}' names no recipient: add the extra "
                '"to": "finance@example.com, ops@example.com"'
            )
        return found

    def notify(self, context: Any) -> None:
        """Send the e-mail (the SMTP provider's notifier does the SMTP part)."""
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        email = SmtpNotifier(
            to=self.recipients(),
            subject=subject(self.report),
            html_content=message_html(self.report, self.finance_url),
            smtp_conn_id=self.smtp_conn_id,
        )
        # ``notify``, not ``__call__``: the latter would render the body as a Jinja template.
        email.notify(context)


class UnpostedWebhookNotifier(_UnpostedNotifier):
    """POSTs the unposted-documents report as JSON to an ``http`` connection's URL."""

    def __init__(
        self,
        report: Mapping[str, Any],
        *,
        http_conn_id: str = NOTIFY_WEBHOOK_CONN_ID,
        finance_url: str | None = None,
    ) -> None:
        super().__init__(report, finance_url)
        self.http_conn_id = http_conn_id

    def payload(self) -> dict[str, Any]:
        """The JSON body: a ``text`` for chat webhooks, and the report's counts and amounts."""
        return {
            "event": "chargebee_netsuite.unposted",
            "text": f"{subject(self.report)}\n\n{message_text(self.report, self.finance_url)}",
            "finance_view": self.finance_url,
            **self.report,
        }

    def notify(self, context: Any) -> None:
        """Send the POST; a non-2xx answer raises."""
        from airflow.providers.http.hooks.http import HttpHook

        hook = HttpHook(method="POST", http_conn_id=self.http_conn_id)
        endpoint = hook.get_connection(self.http_conn_id).extra_dejson.get("endpoint")
        hook.run(endpoint, json=self.payload(), headers={"Content-Type": "application/json"})


def _defined(conn_id: str) -> bool:
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def configured_notifiers(report: Mapping[str, Any]) -> list[BaseNotifier]:
    """A notifier per channel whose connection is defined."""
    url = finance_view_url()
    email = os.environ.get("CBNS_NOTIFY_EMAIL_CONN_ID") or NOTIFY_EMAIL_CONN_ID
    webhook = os.environ.get("CBNS_NOTIFY_WEBHOOK_CONN_ID") or NOTIFY_WEBHOOK_CONN_ID
    found: list[BaseNotifier] = []
    if _defined(email):
        found.append(UnpostedEmailNotifier(report, smtp_conn_id=email, finance_url=url))
    if _defined(webhook):
        found.append(UnpostedWebhookNotifier(report, http_conn_id=webhook, finance_url=url))
    return found


def unposted_fails_run(params: Mapping[str, Any]) -> bool:
    """The DAG param ``fail_on_unposted``, else ``CBNS_UNPOSTED_FAILS_RUN=1``."""
    if params.get("fail_on_unposted") is not None:
        return bool(params["fail_on_unposted"])
    return os.environ.get("CBNS_UNPOSTED_FAILS_RUN", "0") == "1"


def notify_unposted(
    load_result: Mapping[str, Any] | None, context: Any, *, fail: bool = False
) -> dict[str, Any]:
    """Tell people when a load left NEW documents quarantined, held or failed.

    ``load_result`` is the load task's XCom (its ``unposted`` entry). Every configured channel
    is tried; one that fails raises :class:`NotificationFailed` after the others were sent.
    Then, with ``fail``, the run fails (:class:`UnpostedDocuments`) so that it is not green.
    """
    report = (load_result or {}).get("unposted")
    if not report or (load_result or {}).get("dry_run"):
        log.info("No unposted-documents report (a dry run, or no load ran): nothing to send")
        return {"new": 0, "notified": []}
    new = int(report["new"]["documents"])
    if new == 0:
        log.info("No new unposted documents (%d older ones remain)", report["all"]["documents"])
        return {"new": 0, "notified": []}
    text = message_text(report)
    log.warning("%s\n%s", subject(report), text)
    notified: list[str] = []
    errors: list[str] = []
    notifiers = configured_notifiers(report)
    if not notifiers:
        log.warning(
            "No notification connection is defined (%s, %s): the log above is the only notice",
            NOTIFY_EMAIL_CONN_ID,
            NOTIFY_WEBHOOK_CONN_ID,
        )
    for notifier in notifiers:
        name = type(notifier).__name__
        try:
            notifier(context)
        except Exception as exc:  # try every channel before reporting any failure
            errors.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            notified.append(name)
    if errors:
        raise NotificationFailed("could not send every notification: " + "; ".join(errors))
    if fail:
        raise UnpostedDocuments(
            f"{subject(report)}. The run is marked failed because fail_on_unposted is set "
            f"(CBNS_UNPOSTED_FAILS_RUN). {text}"
        )
    return {"new": new, "notified": notified}
