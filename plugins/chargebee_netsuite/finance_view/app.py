"""The finance view's FastAPI app: the page, the JSON it reads, re-drive, the month-end pack,
the run summary and the Data Docs.

Mounted by the AirflowPlugin under ``/chargebee-netsuite/finance`` and shown in the Airflow UI
as an external view (an iframe on the same origin, so the UI session cookie authenticates).
"""

# No ``from __future__ import annotations`` here: FastAPI resolves the endpoints' annotations
# at definition time, and some of them name dependencies local to ``create_app``.
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlalchemy import Connection, Engine, distinct, select

from chargebee_netsuite.mapping import load_mapping
from chargebee_netsuite.reconcile import queue
from chargebee_netsuite.reconcile.charts import chart_groups
from chargebee_netsuite.reconcile.ledger import document_states, quarantined_documents, redrive
from chargebee_netsuite.reconcile.store import (
    find_report,
    latest_report,
    list_runs,
    report_dir_of,
)
from chargebee_netsuite.rendering import render
from chargebee_netsuite.staging.db import create_staging_engine
from chargebee_netsuite.staging.ledger_tables import ns_ledger

from . import auth, datadocs, pack, period
from .catch_alls import catch_alls
from .present import present_catch_alls, present_exceptions, present_report
from .settings import ViewSettings
from .trigger import COOKIE, TriggerFailed, dag_run_state, trigger_dag_run

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


async def _json_object(body: Annotated[dict[str, Any] | None, Body()] = None) -> dict[str, Any]:
    """The posted JSON object; an empty or absent body is an empty object."""
    return body or {}


@dataclass(frozen=True)
class _Caller:
    """The user behind a write request, and Airflow's REST API called as them."""

    name: str  # for notes and the ledger
    # trigger(dag_id, note=…, conf=…) with this request's base URL and credentials.
    start_run: Callable[..., Any]


# A POST endpoint's JSON object body (FastAPI's reusable Annotated dependency).
JsonObject = Annotated[dict[str, Any], Depends(_json_object)]


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


def _site_of(lazy: _Lazy, conn: Connection, requested: str | None) -> str | None:
    """The site asked for, else the configured one, else the newest report's or the only one."""
    if requested:
        return requested
    if lazy.settings.site:
        return lazy.settings.site
    report = latest_report(conn)
    if report is not None:
        return str(report["site"])
    sites = list(conn.scalars(select(distinct(ns_ledger.c.site)).limit(2)))
    return sites[0] if len(sites) == 1 else None


def _site(lazy: _Lazy, requested: str | None) -> str | None:
    with lazy.engine.connect() as conn:
        return _site_of(lazy, conn, requested)


def _with_charts(report: dict[str, Any]) -> dict[str, Any]:
    """The stored report for the page: audit trails dropped, an SVG per subsidiary/currency."""
    out = {key: value for key, value in report.items() if key not in ("audit", "charts")}
    out["groups"] = chart_groups(report["figures"]["totals"])
    return out


def _period(first: str | None, last: str | None) -> period.Period | None:
    if not first and not last:
        return None
    if not first or not last:
        raise HTTPException(422, "Pick both the first and the last day of the period.")
    try:
        return period.parse(first, last)
    except ValueError as exc:
        raise HTTPException(422, f"Not a period: {exc}") from None


def _documents(raw: Any) -> list[tuple[str, str]] | None:
    if raw is None:
        return None
    return [(str(kind), str(source_id)) for kind, source_id in raw]


def create_app(
    load_settings: Callable[[], ViewSettings],
    *,
    read_access: Dependency | None = None,
    trigger_access: Dependency | None = None,
    user: Dependency | None = None,
    trigger: Callable[..., Any] = trigger_dag_run,
    run_state: Callable[..., Any] = dag_run_state,
    today: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> FastAPI:
    """The view's app. Access checks default to Airflow's; tests may pass their own, and a
    ``trigger``/``run_state`` pair that stands in for Airflow's REST API."""
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

    def base_url(request: Request) -> str:
        return lazy.settings.api_base_url or f"{request.url.scheme}://{request.url.netloc}"

    def credentials(request: Request) -> dict[str, Any]:
        return {
            "authorization": request.headers.get("authorization"),
            "token_cookie": request.cookies.get(COOKIE),
        }

    async def as_caller(request: Request, user: Annotated[Any, Depends(who)]) -> _Caller:
        """The write endpoints' caller: their name, and runs started with their credentials."""
        return _Caller(
            auth.name_of(user), partial(trigger, base_url(request), **credentials(request))
        )

    def mapping_catch_alls(
        conn: Connection, site: str, chosen: period.Period | None
    ) -> list[dict[str, Any]]:
        path = lazy.settings.mapping_path
        if path is None or not Path(path).is_file():
            return []
        try:
            mapping = load_mapping(path)
        except Exception as exc:  # a broken mapping is the sync's to report, not the view's
            log.warning("The finance view cannot read the mapping %s: %s", path, exc)
            return []
        window = chosen.window() if chosen is not None else None
        return present_catch_alls(catch_alls(conn, site, mapping, window))

    @app.get("/", response_class=HTMLResponse, dependencies=readers)
    async def page() -> HTMLResponse:
        """The single page (vanilla JS, no CDN)."""
        return HTMLResponse((STATIC / "index.html").read_text(encoding="utf-8"))

    @app.get("/api/view", dependencies=readers)
    async def view(
        site: str | None = None,
        first: str | None = None,
        last: str | None = None,
        run_id: str | None = None,
    ) -> JSONResponse:
        """Everything the page shows for a period (default: one with data in it) or a run:
        the report, the history of past reports, catch-alls and the Data Docs runs."""
        asked = _period(first, last)

        def load() -> dict[str, Any]:
            with lazy.engine.connect() as conn:
                chosen_site = _site_of(lazy, conn, site)
                default = period.default_period(conn, chosen_site, today().date())
                found = find_report(
                    conn,
                    chosen_site,
                    run_id=run_id,
                    window=(asked or default).window() if run_id is None else None,
                )
                shown = asked or default
                if found is None and asked is None and run_id is None:
                    # Nothing over the default period: the newest report is the first view.
                    found = find_report(conn, chosen_site)
                if found is not None and (run_id is not None or asked is None):
                    start, end = found["window"]
                    shown = period.from_window(
                        datetime.fromisoformat(start), datetime.fromisoformat(end)
                    )
                history = [
                    {
                        **{k: v for k, v in run.items() if k not in ("window_start", "window_end")},
                        "period": period.from_window(
                            run["window_start"], run["window_end"]
                        ).as_dict(),
                    }
                    for run in list_runs(conn, chosen_site)
                ]
                return {
                    "site": chosen_site,
                    "period": shown.as_dict(),
                    "default_period": default.as_dict(),
                    "report": None if found is None else present_report(conn, found),
                    "history": history,
                    # A report that lists its catch-alls (the run's own) wins over reading
                    # the mapping file now.
                    "catch_alls": (
                        present_catch_alls(found["catch_alls"])
                        if found is not None and isinstance(found.get("catch_alls"), list)
                        else []
                        if chosen_site is None
                        else mapping_catch_alls(conn, chosen_site, shown)
                    ),
                    "data_docs": datadocs.runs(lazy.settings.reports_dir)[:20],
                }

        return JSONResponse(await run_in_threadpool(load))

    @app.get("/api/report", dependencies=readers)
    async def report(site: str | None = None) -> JSONResponse:
        """The newest reconciliation report of the site, as stored (for tools)."""

        def load() -> dict[str, Any] | None:
            chosen = _site(lazy, site)
            with lazy.engine.connect() as conn:
                found = latest_report(conn, chosen)
            return None if found is None else _with_charts(found)

        found = await run_in_threadpool(load)
        return JSONResponse({"report": found})

    @app.post("/api/reconcile", dependencies=[Depends(write)])
    async def reconcile_period(
        caller: Annotated[_Caller, Depends(as_caller)], body: JsonObject
    ) -> JSONResponse:
        """Reconcile a picked period (first and last day, inclusive): trigger the
        reconciliation DAG with the period's window, as the caller."""
        chosen = _period(body.get("first"), body.get("last"))
        if chosen is None:
            raise HTTPException(422, "Pick the first and the last day of the period.")
        start, end = chosen.window()
        try:
            run = await caller.start_run(
                lazy.settings.reconcile_dag_id,
                note=f"Period {chosen.first} to {chosen.last} from the finance view by "
                f"{caller.name}",
                conf={"window_start": start.isoformat(), "window_end": end.isoformat()},
            )
        except TriggerFailed as exc:
            return JSONResponse(
                {"message": f"Could not start the reconciliation: {exc}"}, status_code=502
            )
        return JSONResponse(
            {
                "period": chosen.as_dict(),
                "dag_run": run,
                "message": f"Reconciling {chosen.first} to {chosen.last}…",
            }
        )

    @app.get("/api/exceptions", dependencies=readers)
    async def exceptions(site: str | None = None, q: str | None = None) -> JSONResponse:
        """The exception queue, oldest first; ``q`` searches document ids, customers, e-mails."""

        def load() -> dict[str, Any]:
            chosen = _site(lazy, site)
            if chosen is None:
                return {"site": None, "items": []}
            with lazy.engine.connect() as conn:
                items = queue.exception_queue(conn, chosen, search=q)
            return {"site": chosen, "items": present_exceptions(items)}

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

    @app.get("/summary/{run_id}", response_class=HTMLResponse, dependencies=readers)
    async def summary(run_id: str, site: str | None = None) -> HTMLResponse:
        """A one-page finance summary of one reconciliation run."""

        def load() -> str:
            with lazy.engine.connect() as conn:
                chosen = _site_of(lazy, conn, site)
                found = find_report(conn, chosen, run_id=run_id)
                if found is None:
                    raise HTTPException(404, "no such reconciliation run")
                shown = present_report(conn, found)
                items = present_exceptions(found.get("exceptions", []))
            return str(
                render(
                    "chargebee_netsuite.finance_view",
                    "summary.html.j2",
                    report=shown,
                    exceptions=items,
                )
            )

        return HTMLResponse(await run_in_threadpool(load))

    @app.get("/api/pack", dependencies=readers)
    async def month_end_pack(
        caller: Annotated[Any, Depends(who)],
        site: str | None = None,
        run_id: str | None = None,
        first: str | None = None,
        last: str | None = None,
    ) -> Response:
        """The month-end pack (.xlsx) of a run, or of the newest run over a period."""
        asked = _period(first, last)
        actor = auth.name_of(caller) if caller is not None else "unknown"
        now = datetime.now(UTC)

        def build() -> tuple[str, bytes]:
            with lazy.engine.connect() as conn:
                chosen_site = _site_of(lazy, conn, site)
                window = asked.window() if asked is not None and run_id is None else None
                found = find_report(conn, chosen_site, run_id=run_id, window=window)
                if found is None:
                    raise HTTPException(404, "Reconcile the period first: it has no report.")
                start, end = found["window"]
                shown = period.from_window(
                    datetime.fromisoformat(start), datetime.fromisoformat(end)
                )
                site_of = str(found["site"])
                posted = pack.posted_documents(conn, site_of, shown)
                catches = mapping_catch_alls(conn, site_of, shown)
                found["exceptions"] = present_exceptions(found.get("exceptions", []))
            data = pack.build_pack(
                found,
                posted,
                period=shown,
                generated_by=actor,
                generated_at=now,
                catch_alls=catches,
            )
            safe = re.sub(r"[^A-Za-z0-9._-]", "_", site_of)
            return f"month-end-pack_{safe}_{shown.first}_{shown.last}.xlsx", data

        name, data = await run_in_threadpool(build)
        return Response(
            data,
            media_type=pack.CONTENT_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @app.get("/assets/{name}", dependencies=readers)
    async def asset(name: str) -> FileResponse:
        """The bundled stylesheet and script that stand in for Data Docs' CDN assets."""
        if name not in datadocs.ASSET_FILES:
            raise HTTPException(404, "no such asset")
        return FileResponse(datadocs.ASSETS / name)

    @app.get("/data-docs/{run}/{path:path}", dependencies=readers)
    async def data_docs(run: str, path: str, request: Request) -> Response:
        """A file of one run's Data Docs; pages are rewritten to need nothing off-site."""
        target = datadocs.resolve(lazy.settings.reports_dir, run, path)
        if target is None:
            raise HTTPException(404, "no such Data Docs page")
        if target.suffix != ".html":
            return FileResponse(target)
        prefix = request.scope.get("root_path", "")
        html = datadocs.offline(
            target.read_text(encoding="utf-8"),
            f"{prefix}/assets",
            f"{prefix}/data-docs/{run}/static/images",
            datadocs.images(lazy.settings.reports_dir, run),
            back_url=f"{prefix}/",
        )
        return HTMLResponse(html)

    @app.post("/api/redrive", dependencies=[Depends(write)])
    async def redrive_documents(
        caller: Annotated[_Caller, Depends(as_caller)], body: JsonObject
    ) -> JSONResponse:
        """Re-drive documents (all, or ``documents``): failed and held ones go back to the
        load queue; quarantined ones are validated, transformed and loaded again by the
        sync run this triggers (after the fix: a mapping change, a correction in Chargebee)."""
        documents = _documents(body.get("documents"))
        actor = caller.name

        def requeue() -> tuple[str | None, list[tuple[str, str, str]], list[tuple[str, str]]]:
            chosen = _site(lazy, body.get("site"))
            if chosen is None:
                return None, [], []
            with lazy.engine.begin() as conn:
                keys = redrive(
                    conn, chosen, documents=documents, actor=actor, now=datetime.now(UTC)
                )
                again = quarantined_documents(conn, chosen, documents)
            return chosen, keys, again

        site, keys, again = await run_in_threadpool(requeue)
        result: dict[str, Any] = {
            "site": site,
            "requeued": [list(k) for k in keys],
            "revalidate": [list(k) for k in again],
        }
        if not keys and not again:
            result["message"] = "Nothing failed, held or quarantined to re-drive."
            return JSONResponse(result)
        what = []
        if keys:
            what.append(f"re-queued {len(keys)} document(s)")
        if again:
            what.append(f"{len(again)} quarantined document(s) to check again")
        try:
            result["dag_run"] = await caller.start_run(
                lazy.settings.sync_dag_id,
                note=f"Re-drive of {len(keys) + len(again)} document(s) from the finance view "
                f"by {actor}",
            )
            text = " and ".join(what)
            result["message"] = (
                f"{text[0].upper()}{text[1:]}; sync run {result['dag_run']['dag_run_id']} is "
                f"{result['dag_run']['state']}."
            )
        except TriggerFailed as exc:
            log.warning("Re-drive could not trigger %s: %s", lazy.settings.sync_dag_id, exc)
            result["message"] = (
                f"{' and '.join(what).capitalize()}; the next scheduled sync handles them "
                f"(starting one now failed: {exc})."
            )
        return JSONResponse(result)

    @app.post("/api/status", dependencies=readers)
    async def status(request: Request, body: JsonObject) -> JSONResponse:
        """Where re-driven documents stand (posted yet?) and the state of the run doing it."""
        documents = _documents(body.get("documents")) or []
        dag_run = body.get("dag_run") or {}

        def load() -> dict[tuple[str, str], dict[str, Any]]:
            chosen = _site(lazy, body.get("site"))
            if chosen is None:
                return {}
            with lazy.engine.connect() as conn:
                return document_states(conn, chosen, documents)

        states = await run_in_threadpool(load)
        run = None
        if dag_run.get("dag_id") and dag_run.get("dag_run_id"):
            run = await run_state(
                base_url(request),
                str(dag_run["dag_id"]),
                str(dag_run["dag_run_id"]),
                **credentials(request),
            )
        return JSONResponse(
            {
                "run_state": run,
                "documents": [
                    {"kind": kind, "id": source_id, **states.get((kind, source_id), {})}
                    for kind, source_id in documents
                ],
            }
        )

    return app
