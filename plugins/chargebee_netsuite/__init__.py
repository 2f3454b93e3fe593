"""Chargebee to NetSuite accounts-receivable sync."""
