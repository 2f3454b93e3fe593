"""Faithful local stand-ins for the Chargebee and NetSuite APIs (no code shared with the connector)."""
