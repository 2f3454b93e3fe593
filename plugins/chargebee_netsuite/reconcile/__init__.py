"""Reconciliation: SuiteQL poll of NetSuite against staged Chargebee, re-queueing, the report."""
