"""The finance view's FastAPI app: a static page and the JSON it reads, plus re-drive.

Mounted by the AirflowPlugin under ``/chargebee-netsuite/finance`` and shown in the Airflow UI
as an external view (an iframe on the same origin, so the UI session cookie authenticates).
"""

# No ``from __future__ import annotations`` here: FastAPI resolves the endpoints' annotations
# at definition time, and some of them name dependencies local to ``create_app``.
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse
from sqlalchemy import Engine, distinct, select

from chargebee_netsuite.reconcile import queue
from chargebee_netsuite.reconcile.charts import chart_groups
from chargebee_netsuite.reconcile.ledger import redrive
from chargebee_netsuite.reconcile.store import latest_report, report_dir_of
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.staging.ledger_tables import ns_ledger

from . import auth
from .settings import ViewSettings
from .trigger import COOKIE, TriggerFailed, trigger_dag_run

log = logging.getLogger(__name__)

STATIC = Path(__file__).with_name("static")
REPORT_FILES = frozenset(
    {
        "index.html",
        "report.json",
        "chart.vl.json",
        "totals.csv",
        "customers.csv",
        "documents.csv",
        "findings.csv",
        "exceptions.csv",
    }
)
Dependency = Callable[..., Any]


class _Lazy:
    """Settings and the staging engine, made on the first request (no I/O at import)."""

    def __init__(self, load: Callable[[], ViewSettings]) -> None:
        self._load = load
        self._settings: ViewSettings | None = None
        self._engine: Engine | None = None

    @property
    def settings(self) -> ViewSettings:
        if self._settings is None:
            self._settings = self._load()
        return self._settings

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = create_staging_engine(self.settings.staging_url)
        return self._engine


def _site(lazy: _Lazy, requested: str | None) -> str | None:
    """The site asked for, else the configured one, else the newest report's or the only one."""
    if requested:
        return requested
    if lazy.settings.site:
        return lazy.settings.site
    with lazy.engine.connect() as conn:
        report = latest_report(conn)
        if report is not None:
            return str(report["site"])
        sites = list(conn.scalars(select(distinct(ns_ledger.c.site)).limit(2)))
    return sites[0] if len(sites) == 1 else None


def _with_charts(report: dict[str, Any]) -> dict[str, Any]:
    """The stored report for the page: audit trails dropped, an SVG per subsidiary/currency."""
    out = {key: value for key, value in report.items() if key not in ("audit", "charts")}
    out["groups"] = chart_groups(report["figures"]["totals"])
    return out


def create_app(
    load_settings: Callable[[], ViewSettings],
    *,
    read_access: Dependency | None = None,
    trigger_access: Dependency | None = None,
    user: Dependency | None = None,
    trigger: Callable[..., Any] = trigger_dag_run,
) -> FastAPI:
    """The view's app. Access checks default to Airflow's; tests may pass their own."""
    lazy = _Lazy(load_settings)
    from .settings import RECONCILE_DAG_ID, SYNC_DAG_ID

    read = read_access or auth.can_read(RECONCILE_DAG_ID)
    write = trigger_access or auth.can_trigger(SYNC_DAG_ID)
    who = user or auth.current_user()
    app = FastAPI(
        title="Chargebee ↔ NetSuite finance view",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    readers = [Depends(read)]

    @app.get("/", response_class=HTMLResponse, dependencies=readers)
    async def page() -> HTMLResponse:
        """The single page (vanilla JS, no CDN)."""
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/api/report", dependencies=readers)
    async def report(site: str | None = None) -> JSONResponse:
        """The newest reconciliation report of the site."""

        def load() -> dict[str, Any] | None:
            chosen = _site(lazy, site)
            with lazy.engine.connect() as conn:
                found = latest_report(conn, chosen)
            return None if found is None else _with_charts(found)

        found = await run_in_threadpool(load)
        if found is None:
            return JSONResponse({"report": None})
        return JSONResponse({"report": found})

    @app.get("/api/exceptions", dependencies=readers)
    async def exceptions(site: str | None = None, q: str | None = None) -> JSONResponse:
        """The exception queue, oldest first; ``q`` searches document and external ids."""

        def load() -> dict[str, Any]:
            chosen = _site(lazy, site)
            if chosen is None:
                return {"site": None, "items": []}
            with lazy.engine.connect() as conn:
                return {"site": chosen, "items": queue.exception_queue(conn, chosen, search=q)}

        return JSONResponse(await run_in_threadpool(load))

    @app.get("/api/catch-alls", dependencies=readers)
    async def catch_alls(site: str | None = None) -> JSONResponse:
        """Staged item prices that post through a catch-all rule, with what they billed."""

        def load() -> dict[str, Any]:
            from chargebee_netsuite.airflow.settings import mapping_path
            from chargebee_netsuite.errors import ConfigurationError
            from chargebee_netsuite.mapping import MappingConfigError, load_mapping
            from chargebee_netsuite.reconcile.catch_alls import (
                catch_all_summary,
                staged_catch_alls,
            )

            chosen = _site(lazy, site)
            if chosen is None:
                return {"site": None, "count": 0, "totals": {}, "items": []}
            try:
                mapping = load_mapping(mapping_path())
            except (MappingConfigError, ConfigurationError) as exc:  # shown, not a 500
                return {"site": chosen, "count": 0, "totals": {}, "items": [], "error": str(exc)}
            uses = staged_catch_alls(lazy.engine, chosen, mapping)
            return {"site": chosen, **catch_all_summary(uses)}

        return JSONResponse(await run_in_threadpool(load))

    @app.get("/api/audit/{kind}/{source_id}", dependencies=readers)
    async def audit(kind: str, source_id: str, site: str | None = None) -> JSONResponse:
        """The audit trail of one document."""

        def load() -> dict[str, Any]:
            chosen = _site(lazy, site)
            if chosen is None:
                raise HTTPException(404, "no Chargebee site has been synced yet")
            with lazy.engine.connect() as conn:
                return queue.audit_trail(conn, chosen, kind, source_id)

        return JSONResponse(await run_in_threadpool(load))

    @app.get("/reports/{run_id}/{name}", dependencies=readers)
    async def report_file(run_id: str, name: str) -> FileResponse:
        """One file of a run's report (the HTML page, a CSV, the JSON)."""
        if name not in REPORT_FILES:
            raise HTTPException(404, "no such report file")

        def where() -> str | None:
            with lazy.engine.connect() as conn:
                return report_dir_of(conn, run_id)

        folder = await run_in_threadpool(where)
        path = Path(folder) / name if folder else None
        if path is None or not path.is_file():
            raise HTTPException(404, "the report file is not on this server")
        return FileResponse(path)

    @app.post("/api/redrive", dependencies=[Depends(write)])
    async def redrive_documents(
        request: Request,
        caller: Annotated[Any, Depends(who)],
        body: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> JSONResponse:
        """Re-queue failed and held documents (all, or ``documents``) and trigger a sync."""
        body = body or {}
        wanted = body.get("documents")
        documents = None if wanted is None else [(str(k), str(i)) for k, i in wanted]
        actor = auth.name_of(caller)

        def requeue() -> tuple[str | None, list[tuple[str, str, str]]]:
            chosen = _site(lazy, body.get("site"))
            if chosen is None:
                return None, []
            with lazy.engine.begin() as conn:
                keys = redrive(
                    conn, chosen, documents=documents, actor=actor, now=datetime.now(UTC)
                )
            return chosen, keys

        site, keys = await run_in_threadpool(requeue)
        result: dict[str, Any] = {"site": site, "requeued": [list(k) for k in keys]}
        if not keys:
            result["message"] = "Nothing failed or held to re-drive."
            return JSONResponse(result)
        base = lazy.settings.api_base_url or f"{request.url.scheme}://{request.url.netloc}"
        try:
            result["dag_run"] = await trigger(
                base,
                lazy.settings.sync_dag_id,
                authorization=request.headers.get("authorization"),
                token_cookie=request.cookies.get(COOKIE),
                note=f"Re-drive of {len(keys)} document(s) from the finance view by {actor}",
            )
            result["message"] = (
                f"Re-queued {len(keys)} document(s); sync run "
                f"{result['dag_run']['dag_run_id']} is {result['dag_run']['state']}."
            )
        except TriggerFailed as exc:
            log.warning("Re-drive could not trigger %s: %s", lazy.settings.sync_dag_id, exc)
            result["message"] = (
                f"Re-queued {len(keys)} document(s); the next scheduled sync posts them "
                f"(triggering one now failed: {exc})."
            )
        return JSONResponse(result)

    return app
