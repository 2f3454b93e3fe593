"""The demo: an Airflow home wired to the sandboxes, one real sync, and a summary for finance."""
