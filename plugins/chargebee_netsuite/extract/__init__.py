"""Chargebee extraction into staging: windows, full syncs, line completion, webhook events."""
