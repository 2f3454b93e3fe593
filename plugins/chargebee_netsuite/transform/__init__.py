"""Pure functions turning staged Chargebee documents into NetSuite record payloads."""
