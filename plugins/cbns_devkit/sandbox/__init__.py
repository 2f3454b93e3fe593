"""Local stand-ins for the Chargebee and NetSuite APIs; they share no code with the connector."""
