"""Thin Airflow adapters: hooks, operators, provider info and the AirflowPlugin."""
