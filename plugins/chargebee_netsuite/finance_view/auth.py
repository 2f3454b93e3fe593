"""Access follows Airflow's own authentication: the API server's security dependencies.

Reading the view needs permission to read runs of the reconciliation DAG; re-driving needs
permission to trigger the sync DAG. The dependencies resolve the caller from the Airflow UI
session cookie or an ``Authorization: Bearer`` token, exactly like Airflow's REST API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def can_read(dag_id: str) -> Callable[..., Any]:
    """A FastAPI dependency: the caller may read runs of ``dag_id``."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return requires_access_dag("GET", DagAccessEntity.RUN, param_dag_id=dag_id)


def can_trigger(dag_id: str) -> Callable[..., Any]:
    """A FastAPI dependency: the caller may create runs of ``dag_id``."""
    from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
    from airflow.api_fastapi.core_api.security import requires_access_dag

    return requires_access_dag("POST", DagAccessEntity.RUN, param_dag_id=dag_id)


def current_user() -> Callable[..., Any]:
    """A FastAPI dependency returning the authenticated Airflow user."""
    from airflow.api_fastapi.core_api.security import get_user

    return get_user


def name_of(user: Any) -> str:
    """A user's display name for the ledger's re-drive note."""
    if user is not None and hasattr(user, "get_name"):
        return str(user.get_name())
    return str(user or "someone")
