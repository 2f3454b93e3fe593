"""Airflow hooks that turn Connections into this package's API clients."""
