"""The Chargebee resources the connector stages, in dependency order (import-light: DAG files
name their extraction tasks after them at parse time)."""

from __future__ import annotations

# Dependencies first: catalog and customers before the documents that reference them.
RESOURCES = ("customers", "items", "item_prices", "invoices", "credit_notes", "transactions")
