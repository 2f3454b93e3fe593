"""Asynchronous record requests: 202 + job Location, job/task/result, idempotency keys."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx

from .conftest import Sandbox, assert_ns_error


def _wait(api: httpx.Client, job_url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        job: dict[str, Any] = api.get(job_url).json()
        if job["completed"]:
            return job
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_respond_async_runs_the_request_as_a_job(ns: Sandbox, api: httpx.Client) -> None:
    response = api.put(
        "/record/v1/customer/eid:async-1",
        json={"companyName": "Async Co", "subsidiary": {"id": "1"}},
        headers={"Prefer": "respond-async", "X-NetSuite-Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 202
    assert response.headers["preference-applied"] == "respond-async"
    job_url = response.headers["location"]
    assert "/services/rest/async/v1/job/" in job_url
    job = _wait(api, job_url)
    assert job["progress"] == "succeeded"
    tasks = api.get(job["task"]["links"][0]["href"]).json()
    task_url = tasks["items"][0]["links"][0]["href"]
    task = api.get(task_url).json()
    assert task["completed"] is True and task["progress"] == "succeeded"
    assert task["startTime"] and task["endTime"]
    result = api.get(f"{task_url}/result")
    assert result.status_code == 204
    assert "/record/v1/customer/" in result.headers["location"]
    assert api.get("/record/v1/customer/eid:async-1").json()["companyName"] == "Async Co"


def test_failed_async_task_keeps_the_error(api: httpx.Client) -> None:
    response = api.post(
        "/record/v1/customer",
        json={"companyName": "Bad", "subsidiary": {"id": "404"}},
        headers={"Prefer": "respond-async"},
    )
    job = _wait(api, response.headers["location"])
    assert job["progress"] == "failed"
    result = api.get(f"{response.headers['location']}/task/{job['id']}/result")
    assert_ns_error(result, 400, "INVALID_CONTENT", "subsidiary")


def test_reused_idempotency_key_is_refused_with_the_first_jobs_location(
    api: httpx.Client,
) -> None:
    key = str(uuid.uuid4())
    headers = {"Prefer": "respond-async", "X-NetSuite-Idempotency-Key": key}
    body = {"companyName": "Once", "subsidiary": {"id": "1"}}
    first = api.put("/record/v1/customer/eid:once", json=body, headers=headers)
    assert first.status_code == 202
    again = api.put("/record/v1/customer/eid:once", json=body, headers=headers)
    assert_ns_error(again, 400, "IDEMPOTENCY_ERROR")
    assert again.json()["title"] == "Conflict"
    assert again.headers["location"] == first.headers["location"]


def test_unknown_job_is_404(api: httpx.Client) -> None:
    assert_ns_error(api.get("/async/v1/job/999"), 404, "NONEXISTENT_ID")
