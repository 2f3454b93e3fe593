"""The "Chargebee ↔ NetSuite" finance view served by the Airflow API server (a FastAPI app)."""
