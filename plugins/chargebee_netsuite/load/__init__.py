"""Ordered, concurrent, idempotent posting to NetSuite, with the audit ledger."""
