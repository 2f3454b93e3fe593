"""Chargebee's list endpoints: path, list wrapper, and which filters each allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chargebee_netsuite.chargebee.filters import between, is_in, sort_asc

# Catalog endpoints have no include_deleted; deleted rows are those with status "deleted".
CATALOG_STATUSES = ("active", "archived", "deleted")


@dataclass(frozen=True)
class Endpoint:
    """A Chargebee list endpoint and the query parameters an extraction may send to it."""

    name: str  # collection path segment, e.g. "invoices"
    wrapper: str  # key of each list entry, e.g. "invoice"
    window_attr: str = "updated_at"
    # Sorting on the windowed attribute keeps a window's pages in change order; where the
    # endpoint cannot sort by it the default (created_at) order is used, which never moves.
    sorts_by_window_attr: bool = True
    supports_include_deleted: bool = True
    # Statuses to ask for when include_deleted is not supported (see CATALOG_STATUSES).
    all_statuses: tuple[str, ...] | None = None
    has_line_items: bool = False

    @property
    def path(self) -> str:
        """The list path relative to ``/api/v2``."""
        return f"/{self.name}"

    def _everything(self) -> dict[str, str]:
        params: dict[str, str] = {}
        if self.supports_include_deleted:
            params["include_deleted"] = "true"
        if self.all_statuses:
            params.update(is_in("status", self.all_statuses))
        return params

    def full_params(self) -> dict[str, str]:
        """Parameters of an unfiltered listing of every record, deleted ones included.

        No ``updated_at`` filter: records untouched since 2016 carry no ``updated_at`` and any
        filter on it silently drops them. The default ``created_at`` order is stable under
        concurrent updates, so no record moves between pages during the scan.
        """
        return self._everything()

    def window_params(self, low: int, high: int) -> dict[str, str]:
        """Parameters listing records whose window attribute is within ``[low, high]`` seconds."""
        params = self._everything()
        params.update(between(self.window_attr, low, high))
        if self.sorts_by_window_attr:
            params.update(sort_asc(self.window_attr))
        return params

    def unwrap(self, entry: dict[str, Any]) -> dict[str, Any]:
        """The resource object inside one list entry (``{"invoice": {...}}`` → ``{...}``)."""
        obj = entry.get(self.wrapper)
        if not isinstance(obj, dict):
            raise ValueError(f"{self.name} list entry lacks the {self.wrapper!r} object")
        return obj


ENDPOINTS: dict[str, Endpoint] = {
    endpoint.name: endpoint
    for endpoint in (
        # Entries may also carry a ``card``, which is not staged.
        Endpoint("customers", "customer"),
        # Product Catalog 2.0.
        Endpoint("items", "item", supports_include_deleted=False, all_statuses=CATALOG_STATUSES),
        Endpoint(
            "item_prices",
            "item_price",
            supports_include_deleted=False,
            all_statuses=CATALOG_STATUSES,
        ),
        # Entries with ``line_items_next_offset`` need a per-invoice re-fetch.
        Endpoint("invoices", "invoice", has_line_items=True),
        # Cannot sort by ``updated_at`` (only ``date``).
        Endpoint("credit_notes", "credit_note", sorts_by_window_attr=False, has_line_items=True),
        # Payments, refunds, and also failed or voided attempts.
        Endpoint("transactions", "transaction"),
    )
}
# Windowed and sorted by ``occurred_at``; events are never deleted.
EVENTS = Endpoint("events", "event", window_attr="occurred_at", supports_include_deleted=False)
