"""Customers as NetSuite keeps them: a primary currency that stays, and inactive customers made
active around the postings that need them.

NetSuite's field help for customer.currency says "This customer's currency cannot be changed
after transactions for this customer have been saved"; a new currency is added to the
customer's currency list instead. And "the inactive customer does not show on transactions for
selection in lists" (HC section_1515598204), so a Chargebee customer deleted after it was posted
(posted as inactive) would stop every later document of its own, such as the credit memo that
reverses its voided invoice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.errors import NetSuiteError
from chargebee_netsuite.staging.ledger_queries import LedgerEntry, upsert_entries

log = logging.getLogger(__name__)


def keep_primary_currency(posted: Any, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with the primary currency NetSuite holds (``posted``, the payload it last
    accepted); a different new primary joins the currency list instead."""
    if not isinstance(posted, dict) or not posted.get("currency"):
        return body
    primary = posted["currency"]
    if body.get("currency") == primary:
        return body
    items = list((body.get("currencyList") or {}).get("items") or [])
    if all(item.get("currency") != primary for item in items):
        items.append({"currency": primary})
    items.sort(key=lambda item: str((item.get("currency") or {}).get("id")))
    return {**body, "currency": primary, "currencyList": {"items": items}}


def posted_inactive(entry: LedgerEntry | None) -> bool:
    """Whether NetSuite holds this customer as inactive (the payload it last accepted says so)."""
    if entry is None or not entry.netsuite_id:
        return False
    payload = entry.posted_payload
    return isinstance(payload, dict) and payload.get("isInactive") is True


RowMaker = Callable[..., dict[str, Any]]


@dataclass
class Reactivations:
    """Inactive customers made active for this run's postings, and made inactive again after.

    Before a customer is made active its ledger row forgets the posted payload hash: if the run
    stops before the customer is made inactive again, the next run's customers phase posts it
    again (inactive), so a crash never leaves it active for good.
    """

    client: NetSuiteClient
    engine: Engine
    row: RowMaker
    strict_fields: bool = True
    active: dict[str, LedgerEntry] = field(default_factory=dict)  # external id -> ledger entry
    refused: dict[str, str] = field(default_factory=dict)  # external id -> NetSuite's words
    writes: int = 0

    def ensure_active(self, external_id: str, entry: LedgerEntry) -> str | None:
        """Make the customer active (once per run); NetSuite's words if it refused."""
        if external_id in self.active:
            return None
        if external_id in self.refused:
            return self.refused[external_id]
        with self.engine.begin() as conn:
            upsert_entries(conn, [self.row(entry.key, state=entry.state, posted_hash=None)])
        try:
            self._set_inactive(external_id, False)
        except NetSuiteError as exc:
            self.refused[external_id] = str(exc)
            return str(exc)
        log.info("Customer %s made active in NetSuite for this run's postings", external_id)
        self.active[external_id] = entry
        return None

    def restore(self) -> None:
        """Make every customer this run made active inactive again, as Chargebee has it."""
        for external_id, entry in self.active.items():
            try:
                self._set_inactive(external_id, True)
            except NetSuiteError as exc:
                log.warning(
                    "Customer %s stays active in NetSuite until the next run makes it inactive "
                    "again: %s",
                    external_id,
                    exc,
                )
                continue
            with self.engine.begin() as conn:
                upsert_entries(
                    conn, [self.row(entry.key, state=entry.state, posted_hash=entry.posted_hash)]
                )
        self.active.clear()

    def _set_inactive(self, external_id: str, inactive: bool) -> None:
        self.writes += 1
        self.client.records.upsert(
            "customer", external_id, {"isInactive": inactive}, strict_fields=self.strict_fields
        )
