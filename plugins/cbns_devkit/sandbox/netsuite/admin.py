"""Admin endpoints under ``/__admin/`` (no NetSuite auth): clock, faults, limits, reset."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from .error_bodies import NetSuiteError
from .fault_injection import FAULT_KINDS, Fault

if TYPE_CHECKING:
    from .state import SandboxState

PREFERENCES = {
    "DATEPERIODMISMATCH": ("date_period_mismatch", {"disallow", "warn", "allow"}),
    "DEFAULTPERIODIFCLOSED": ("default_period_if_closed", {"reject", "first_open", "current"}),
}


def _bad(detail: str) -> NetSuiteError:
    return NetSuiteError(400, "INVALID_REQUEST", detail)


async def _object(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise _bad("The body must be a JSON object.") from None
    if not isinstance(body, dict):
        raise _bad("The body must be a JSON object.")
    return body


def _number(body: dict[str, Any], key: str, minimum: float = 0) -> float:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < minimum:
        raise _bad(f"'{key}' must be a number >= {minimum}.")
    return float(value)


def admin_router(state: SandboxState) -> APIRouter:
    """The admin API of one sandbox."""
    router = APIRouter(prefix="/__admin")

    def snapshot() -> dict[str, Any]:
        settings = state.settings
        return {
            "account_id": settings.account_id,
            "clock": {"offset_seconds": state.clock.offset, "now": state.clock.iso_timestamp()},
            "latency_ms": state.latency_ms,
            # CPU this sandbox process has used, so a benchmark can show its cost per request.
            "cpu_seconds": time.process_time(),
            "governance": state.governor.snapshot(),
            "faults": state.faults.snapshot(),
            "preferences": {
                "DATEPERIODMISMATCH": settings.date_period_mismatch,
                "DEFAULTPERIODIFCLOSED": settings.default_period_if_closed,
            },
        }

    @router.get("/state")
    async def get_state() -> JSONResponse:
        return JSONResponse(snapshot())

    @router.post("/clock/advance")
    async def advance_clock(request: Request) -> JSONResponse:
        state.clock.advance(_number(await _object(request), "seconds"))
        return JSONResponse(snapshot())

    @router.post("/faults")
    async def add_fault(request: Request) -> JSONResponse:
        """Queue a fault ``{"kind", "count"?, "method"?, "path_contains"?, "seconds"?}`` and/or
        set ``{"fail_nth": N, "drop_nth": N}``."""
        body = await _object(request)
        for key in ("fail_nth", "drop_nth"):
            if key in body:
                setattr(state.faults, key, int(_number(body, key)))
        if "kind" in body:
            if body["kind"] not in FAULT_KINDS:
                raise _bad(f"'kind' must be one of {sorted(FAULT_KINDS)}.")
            state.faults.add(
                Fault(
                    kind=body["kind"],
                    count=int(_number(body, "count", 1)) if "count" in body else 1,
                    method=body.get("method"),
                    path_contains=body.get("path_contains"),
                    seconds=_number(body, "seconds") if "seconds" in body else 30.0,
                )
            )
        return JSONResponse(snapshot())

    @router.delete("/faults")
    async def clear_faults() -> JSONResponse:
        state.faults.clear()
        return JSONResponse(snapshot())

    @router.put("/concurrency")
    async def set_concurrency(request: Request) -> JSONResponse:
        """``{"limit": N}`` (account) and/or ``{"integration_limit": N | null}``."""
        body = await _object(request)
        governor = state.governor
        limit = int(_number(body, "limit", 1)) if "limit" in body else governor.limit
        integration = governor.integration_limit
        if "integration_limit" in body:
            integration = None
            if body["integration_limit"] is not None:
                integration = int(_number(body, "integration_limit", 1))
        # At least one slot of the account limit always stays unallocated.
        if integration is not None and integration > limit - 1:
            raise _bad("An integration limit must leave at least one slot unallocated.")
        governor.limit, governor.integration_limit = limit, integration
        return JSONResponse(snapshot())

    @router.put("/latency")
    async def set_latency(request: Request) -> JSONResponse:
        state.latency_ms = int(_number(await _object(request), "ms"))
        return JSONResponse(snapshot())

    @router.put("/preferences")
    async def set_preferences(request: Request) -> JSONResponse:
        for key, value in (await _object(request)).items():
            attr, allowed = PREFERENCES.get(str(key).upper(), ("", set()))
            if not attr or str(value).lower() not in allowed:
                raise _bad(f"Unknown preference or value: {key}={value}.")
            setattr(state.settings, attr, str(value).lower())
        return JSONResponse(snapshot())

    @router.patch("/accountingperiod/{period_id}")
    async def set_period(period_id: int, request: Request) -> JSONResponse:
        """Close or lock a period: ``{"closed": true, "arLocked": true, "allLocked": false}``."""
        body = await _object(request)
        columns = {"closed": "closed", "arlocked": "arlocked", "alllocked": "alllocked"}
        with state.store.transaction() as conn:
            if (
                conn.execute("SELECT 1 FROM accountingperiod WHERE id = ?", (period_id,)).fetchone()
                is None
            ):
                raise NetSuiteError(404, "NONEXISTENT_ID", "Record does not exist.")
            for key, value in body.items():
                column = columns.get(str(key).lower())
                if column is None or not isinstance(value, bool):
                    raise _bad(f"Unknown period flag {key}.")
                conn.execute(
                    f"UPDATE accountingperiod SET {column} = ? WHERE id = ?",
                    ("T" if value else "F", period_id),
                )
        return JSONResponse({"id": str(period_id), **body})

    @router.post("/reset")
    async def reset(request: Request) -> JSONResponse:
        """Empty the account and reseed; an optional body replaces the reference data."""
        raw = await request.body()
        data = await _object(request) if raw.strip() else None
        try:
            state.reset(data)
        except (ValueError, KeyError) as err:
            state.reset(None)
            raise _bad(f"Invalid reference data: {err}") from None
        return JSONResponse(snapshot())

    return router
