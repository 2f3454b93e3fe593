"""Trigger a DAG run through Airflow's REST API, as the user who asked for it.

Going through ``POST /api/v2/dags/{dag_id}/dagRuns`` with the caller's own credential keeps
every rule of the API server in force (permissions, paused DAGs, params validation) instead
of re-implementing them here.
"""

from __future__ import annotations

from typing import Any

import httpx

COOKIE = "_token"  # the Airflow UI session cookie (airflow.api_fastapi.auth.managers)


class TriggerFailed(Exception):
    """The API server refused or could not create the run."""


async def trigger_dag_run(
    base_url: str,
    dag_id: str,
    *,
    authorization: str | None,
    token_cookie: str | None,
    note: str,
    conf: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create a manual run of ``dag_id``; returns the API's DAG run (id and state)."""
    headers = {"Authorization": authorization} if authorization else {}
    cookies = {COOKIE: token_cookie} if token_cookie and not authorization else {}
    body = {"logical_date": None, "conf": conf or {}, "note": note}
    async with httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=30) as client:
        response = await client.post(
            f"/api/v2/dags/{dag_id}/dagRuns", json=body, headers=headers, cookies=cookies
        )
    if response.status_code >= 400:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text[:200]
        raise TriggerFailed(f"Airflow answered {response.status_code}: {detail}")
    run: dict[str, Any] = response.json()
    return {"dag_id": dag_id, "dag_run_id": run.get("dag_run_id"), "state": run.get("state")}


async def dag_run_state(
    base_url: str,
    dag_id: str,
    dag_run_id: str,
    *,
    authorization: str | None,
    token_cookie: str | None,
) -> str | None:
    """The state of one DAG run (``queued``, ``running``, ``success``, ``failed``), read as
    the caller; None when Airflow does not answer it."""
    headers = {"Authorization": authorization} if authorization else {}
    cookies = {COOKIE: token_cookie} if token_cookie and not authorization else {}
    async with httpx.AsyncClient(base_url=base_url.rstrip("/"), timeout=30) as client:
        response = await client.get(
            f"/api/v2/dags/{dag_id}/dagRuns/{dag_run_id}", headers=headers, cookies=cookies
        )
    if response.status_code >= 400:
        return None
    state = response.json().get("state")
    return None if state is None else str(state)
