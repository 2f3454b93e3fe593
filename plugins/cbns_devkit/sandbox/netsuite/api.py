"""The FastAPI app: NetSuite REST paths behind a gate (host, governance, latency, faults, auth)."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from . import jsonout
from .account_settings import NetSuiteSandboxSettings, account_domain
from .admin import admin_router
from .asyncjobs import Job, Reply
from .conflicts import Window
from .error_bodies import NetSuiteError, OAuthError, concurrency_exceeded, unexpected_error
from .fault_injection import WRITE_METHODS, abort_connection
from .oauth import TOKEN_PATH
from .record_api import WriteContext, check_eid
from .record_types import RecordType, record_type
from .state import SandboxState

log = logging.getLogger(__name__)

Scope = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
REST = "/services/rest"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
RECORD_PREFIX = f"{REST}/record/v1/"
RECORD_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})


def base_url_of(request: Request) -> str:
    """Where links and ``Location`` headers point: https for NetSuite hosts, else as called."""
    host = request.headers.get("host", "")
    if host.split(":")[0].endswith(".netsuite.com"):
        return f"https://{host}"
    return str(request.base_url).rstrip("/")


def check_host(settings: NetSuiteSandboxSettings, host: str | None) -> None:
    """Accept the account's domain (and loopback unless strict); reject anything else."""
    host = host or ""
    name = host.split("]")[0] + "]" if host.startswith("[") else host.rsplit(":", 1)[0]
    name = name.lower()
    domain = account_domain(settings.account_id)
    if name == domain:
        return
    if not settings.strict_host and (name in LOOPBACK or name.replace("_", "-") == domain):
        return
    raise NetSuiteError(
        400,
        "INVALID_REQUEST",
        f"Invalid host '{host}'. Send requests for account {settings.account_id} to "
        f"https://{domain}.",
    )


def error_response(err: NetSuiteError) -> Response:
    """Render a NetSuite error."""
    return jsonout.json_response(err.body(), err.status, headers=err.headers or None)


class NetSuiteApp(FastAPI):
    """FastAPI whose ``__call__`` first passes the gate, where uvicorn's own ``send`` is at
    hand (commit-then-drop needs it to abort the connection)."""

    sandbox: SandboxState

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:  # type: ignore[override]
        if scope["type"] != "http" or not scope["path"].startswith(f"{REST}/"):
            await super().__call__(scope, receive, send)
            return
        await self._gate(scope, receive, send)

    async def _gate(self, scope: Scope, receive: Any, send: Any) -> None:
        state = self.sandbox
        headers = Headers(scope=scope)
        path, method = scope["path"], scope["method"]
        is_token = path == TOKEN_PATH
        try:
            check_host(state.settings, headers.get("host"))
        except NetSuiteError as err:
            await error_response(err)(scope, receive, send)
            return
        # The token endpoint is not counted against the REST concurrency limit.
        if not is_token and not state.governor.try_acquire():
            await error_response(concurrency_exceeded())(scope, receive, send)
            return
        # A NetSuite response time includes NetSuite's own work: the answer leaves
        # ``latency_ms`` after the request arrived, however long the processing took (never
        # sooner), and the request holds its concurrency slot all that time.
        arrived = time.monotonic()
        due = arrived + state.latency_ms / 1000 if state.latency_ms else None
        # A write's records are "open" from its arrival until its answer (conflicts.py).
        scope["cbns.window"] = Window(arrived, due or arrived)
        raw_send, send = send, _answer_at(send, due)
        try:
            drop = False
            if not is_token:
                is_write = method in WRITE_METHODS and path.startswith(f"{REST}/record/")
                for fault in state.faults.take(method, path, is_write):
                    if fault.kind == "timeout":
                        # Keep the request so it is still carried out after the client gave
                        # up, as a slow NetSuite would: the write lands, the answer is lost.
                        receive = await _buffered(receive)
                        await asyncio.sleep(fault.seconds)
                    elif fault.kind == "drop":
                        drop = True
                    else:
                        answer = fault.as_error(state.settings.record_changed_code)
                        assert answer is not None
                        await error_response(answer)(scope, receive, send)
                        return
                try:
                    state.tokens.check_bearer(headers.get("authorization"))
                except NetSuiteError as err:
                    await error_response(err)(scope, receive, send)
                    return
            if drop:
                send = _answer_at(self._dropping(raw_send), due)
            if method in RECORD_METHODS and path.startswith(RECORD_PREFIX):
                await self._record(scope, receive, send)
            else:
                await super().__call__(scope, receive, send)
        finally:
            if not is_token:
                state.governor.release()

    async def _record(self, scope: Scope, receive: Any, send: Any) -> None:
        """The record API, which is most requests, without FastAPI's routing, middleware and
        parameter handling (the same handler and error answers as its route)."""
        request = Request(scope, receive)
        try:
            path = scope["path"][len(RECORD_PREFIX) :]
            response = await record_response(self.sandbox, request, path)
        except NetSuiteError as err:
            response = error_response(err)
        except Exception:
            log.exception("netsuite sandbox: unhandled error")
            response = error_response(unexpected_error())
        await response(scope, receive, send)

    def _dropping(self, send: Any) -> Callable[[MutableMapping[str, Any]], Awaitable[None]]:
        aborted = False

        async def dropping_send(message: MutableMapping[str, Any]) -> None:
            nonlocal aborted
            if aborted:
                return
            if message["type"] == "http.response.start" and message["status"] < 300:
                # The write is committed; now lose the answer.
                if await abort_connection(send):
                    aborted = True
                    self.sandbox.faults.dropped += 1
                    return
                log.warning("commit-then-drop: could not reach the transport; answering")
            await send(message)

        return dropping_send


def _answer_at(
    send: Any,
    due: float | None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> Any:
    """``send``, holding the start of the response until ``due`` (a ``clock()`` time)."""
    if due is None:
        return send

    async def send_when_due(message: MutableMapping[str, Any]) -> None:
        if message["type"] == "http.response.start":
            # uvloop rounds timers to whole milliseconds from a cached clock, so a sleep can
            # end early: sleep again until the answer really is due.
            while (delay := due - clock()) > 0:
                await sleep(delay)
        await send(message)

    return send_when_due


async def _buffered(receive: Any) -> Callable[[], Awaitable[dict[str, Any]]]:
    """Read the whole request body now; replay it later even if the client has left."""
    messages: list[dict[str, Any]] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body"):
            break

    async def replay() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        return {"type": "http.disconnect"}

    return replay


def create_app(settings: NetSuiteSandboxSettings) -> FastAPI:
    """Build the NetSuite sandbox app for one account."""
    app = NetSuiteApp(
        title="NetSuite REST sandbox", docs_url=None, redoc_url=None, openapi_url=None
    )
    state = SandboxState(settings)
    app.sandbox = state
    app.state.sandbox = state
    app.include_router(admin_router(state))

    @app.exception_handler(NetSuiteError)
    async def on_netsuite_error(request: Request, err: NetSuiteError) -> Response:
        return error_response(err)

    @app.exception_handler(OAuthError)
    async def on_oauth_error(request: Request, err: OAuthError) -> Response:
        headers = {"Cache-Control": "no-store"}
        if err.status == 401:
            headers["WWW-Authenticate"] = f'Basic realm="{settings.account_id}"'
        return JSONResponse({"error": err.error}, err.status, headers=headers)

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, err: StarletteHTTPException) -> Response:
        code = {404: "NONEXISTENT_ID", 405: "INVALID_REQUEST"}.get(
            err.status_code, "INVALID_REQUEST"
        )
        detail = {
            404: "The requested resource does not exist.",
            405: "The HTTP method is not supported for this resource.",
        }.get(err.status_code, str(err.detail))
        return error_response(NetSuiteError(err.status_code, code, detail))

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, err: RequestValidationError) -> Response:
        return error_response(NetSuiteError(400, "INVALID_CONTENT", "Invalid request."))

    @app.exception_handler(Exception)
    async def on_crash(request: Request, err: Exception) -> Response:
        log.exception("netsuite sandbox: unhandled error")
        return error_response(unexpected_error())

    @app.post(TOKEN_PATH)
    async def token(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            raise OAuthError(400, "invalid_request")
        raw = await request.body()
        form = {k: v[0] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
        request_url = f"{base_url_of(request)}{TOKEN_PATH}"
        body = state.tokens.mint(form, request_url)
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    @app.get(f"{REST}/system/v1/governanceLimits")
    async def governance_limits() -> Response:
        return JSONResponse(state.governor.limits_body())

    @app.post(f"{REST}/query/v1/suiteql")
    async def suiteql(request: Request) -> Response:
        prefer = request.headers.get("prefer", "").lower()
        if "respond-async" in prefer:
            raise NetSuiteError(
                400, "INVALID_REQUEST", "Asynchronous requests are not supported for queries."
            )
        if "transient" not in prefer:
            raise NetSuiteError(
                400,
                "INVALID_REQUEST",
                "The 'Prefer: transient' header is required to run a SuiteQL query.",
            )
        limit = _int_param(request, "limit", 1000)
        offset = _int_param(request, "offset", 0)
        if not 1 <= limit <= 1000:
            raise NetSuiteError(
                400,
                "INVALID_PARAMETER",
                "Invalid limit: it must be between 1 and 1000.",
                query_param="limit",
            )
        if offset < 0 or offset % limit:
            raise NetSuiteError(
                400,
                "INVALID_PARAMETER",
                "Invalid offset: it must be a non-negative multiple of the limit.",
                query_param="offset",
            )
        body = _json_body(await request.body())
        url = f"{base_url_of(request)}{REST}/query/v1/suiteql"
        page = await run_in_threadpool(state.suiteql.page, body, limit, offset, url)
        return jsonout.json_response(page, media_type=jsonout.COLLECTION)

    # The record API is served by NetSuiteApp._record, before FastAPI's routing.

    @app.get(f"{REST}/async/v1/job/{{job_id}}")
    async def job_status(request: Request, job_id: int) -> Response:
        job = _job(state, job_id)
        url = _job_url(base_url_of(request), job)
        return jsonout.json_response(
            {
                **_job_progress(job, url),
                "task": {"links": [{"rel": "related", "href": f"{url}/task"}]},
            }
        )

    @app.get(f"{REST}/async/v1/job/{{job_id}}/task")
    async def job_tasks(request: Request, job_id: int) -> Response:
        job = _job(state, job_id)
        url = _job_url(base_url_of(request), job, "/task")
        return jsonout.json_response(
            {
                "links": [{"rel": "self", "href": url}],
                "count": 1,
                "hasMore": False,
                "offset": 0,
                "totalResults": 1,
                "items": [{"links": [{"rel": "self", "href": f"{url}/{job.id}"}]}],
            }
        )

    @app.get(f"{REST}/async/v1/job/{{job_id}}/task/{{task_id}}")
    async def job_task(request: Request, job_id: int, task_id: int) -> Response:
        job = _job(state, job_id, task_id)
        # The sandbox runs each job as one task that carries the job's id.
        url = _job_url(base_url_of(request), job, f"/task/{job.id}")
        body: dict[str, Any] = {**_job_progress(job, url), "startTime": job.start_time}
        if job.end_time:
            body["endTime"] = job.end_time
            body["result"] = {"links": [{"rel": "related", "href": f"{url}/result"}]}
        return jsonout.json_response(body)

    @app.get(f"{REST}/async/v1/job/{{job_id}}/task/{{task_id}}/result")
    async def job_result(job_id: int, task_id: int) -> Response:
        job = _job(state, job_id, task_id)
        if job.reply is None:
            raise NetSuiteError(404, "NONEXISTENT_ID", "The task has not finished yet.")
        return _to_response(job.reply)

    @app.api_route(f"{REST}/{{rest:path}}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    async def unknown(rest: str) -> Response:
        raise NetSuiteError(404, "NONEXISTENT_ID", "The requested resource does not exist.")

    return app


async def record_response(state: SandboxState, request: Request, path: str) -> Response:
    """Answer a record-API request (``path`` is what follows ``/record/v1/``)."""
    raw = await request.body()
    call = RecordCall(
        method=request.method,
        parts=[p for p in path.split("/") if p],
        query={k: v for k, v in request.query_params.items()},
        headers=dict(request.headers),
        body=raw,
        base_url=base_url_of(request),
        window=request.scope.get("cbns.window"),
    )
    if "respond-async" in request.headers.get("prefer", "").lower():
        call.window = None  # an async job runs later, on its own
        return await _start_job(state, call)
    lock = state.store.lock
    if len(call.parts) > 1 and lock.acquire(blocking=False):
        # One record is quick to read or write: answer it right here when no one else holds
        # the store, instead of handing it to a worker thread and back (which costs more
        # than the work, and waits for the OS to run that thread on a busy machine).
        try:
            reply = call.run(state)
        finally:
            lock.release()
    else:
        reply = await run_in_threadpool(call.run, state)
    return _to_response(reply)


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise NetSuiteError(
            400, "INVALID_PARAMETER", f"Invalid value for '{name}'.", query_param=name
        ) from None


def _json_body(raw: bytes) -> Any:
    if not raw.strip():
        return None
    try:
        return jsonout.loads(raw)
    except ValueError:
        raise NetSuiteError(400, "INVALID_CONTENT", "The request body is not valid JSON.") from None


def _job(state: SandboxState, job_id: int, task_id: int | None = None) -> Job:
    job = state.jobs.jobs.get(job_id)
    if job is None or (task_id is not None and task_id != job_id):
        raise NetSuiteError(404, "NONEXISTENT_ID", "Record does not exist.")
    return job


def _job_url(base_url: str, job: Job, path: str = "") -> str:
    """The URL of ``job``, or of its resource at ``path`` (``/task``, ``/task/<id>``)."""
    return f"{base_url}{REST}/async/v1/job/{job.id}{path}"


def _job_progress(job: Job, url: str) -> dict[str, Any]:
    """What a job and its task both report: the link to ``url``, id, completion, progress."""
    return {
        "links": [{"rel": "self", "href": url}],
        "id": str(job.id),
        "completed": job.completed,
        "progress": job.progress,
    }


async def _start_job(state: SandboxState, call: RecordCall) -> Response:
    key = call.headers.get("x-netsuite-idempotency-key")
    if key is not None:
        try:
            uuid.UUID(key)
        except ValueError:
            raise NetSuiteError(
                400, "INVALID_REQUEST", "The idempotency key must be a UUID."
            ) from None
    job, fresh = state.jobs.create(state.clock.iso_timestamp(), key)
    location = _job_url(call.base_url, job)
    if not fresh:
        # Documented as "400 Conflict" with the 409 type URL.
        raise NetSuiteError(
            400,
            "IDEMPOTENCY_ERROR",
            'A request with the same idempotency key is already submitted. See the "Location" '
            "header for the job.",
            title="Conflict",
            headers={"Location": location},
        )

    async def work() -> None:
        reply = await run_in_threadpool(call.run, state)
        job.end_time = state.clock.iso_timestamp()
        job.reply = reply

    task = asyncio.get_running_loop().create_task(work())
    _background.add(task)
    task.add_done_callback(_background.discard)
    return Response(
        status_code=202,
        headers={"Location": location, "Preference-Applied": "respond-async"},
    )


_background: set[asyncio.Task[None]] = set()


def _to_response(reply: Reply) -> Response:
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    return jsonout.json_response(reply.body, reply.status, reply.media_type, reply.headers)


# Identity equality as before, and no generated repr: the headers hold the bearer token.
@dataclass(eq=False, repr=False)
class RecordCall:
    """One record-API request, runnable now or later (async jobs)."""

    method: str
    parts: list[str]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    window: Window | None = None

    def run(self, state: SandboxState) -> Reply:
        """Execute; NetSuite errors become error replies."""
        try:
            return self._dispatch(state)
        except NetSuiteError as err:
            return Reply(err.status, err.body(), dict(err.headers))

    def _ctx(self) -> WriteContext:
        mode = self.headers.get("x-netsuite-propertynamevalidation", "warning").lower()
        if mode not in ("ignore", "warning", "error"):
            raise NetSuiteError(
                400,
                "INVALID_REQUEST",
                "Invalid value for the X-NetSuite-PropertyNameValidation header.",
            )
        replace = frozenset(
            p.strip().lower() for p in self.query.get("replace", "").split(",") if p.strip()
        )
        return WriteContext(name_validation=mode, replace=replace, window=self.window)  # type: ignore[arg-type]

    def _body(self, required: bool = True) -> Any:
        content_type = self.headers.get("content-type", "")
        if self.body.strip() and content_type and "json" not in content_type:
            raise NetSuiteError(
                415, "INVALID_CONTENT", f"Unsupported content type '{content_type}'."
            )
        body = _json_body(self.body)
        if body is None and required:
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body is missing.")
        return body if body is not None else {}

    def _written(self, rt: RecordType, record_id: int, ctx: WriteContext) -> Reply:
        headers = {"Location": f"{self.base_url}{REST}/record/v1/{rt.name}/{record_id}"}
        if ctx.warnings:
            # Warnings travel in a response header (the header name is UNVERIFIED).
            headers["X-NetSuite-Warning"] = " | ".join(ctx.warnings)
        return Reply(204, None, headers)

    def _dispatch(self, state: SandboxState) -> Reply:
        if not self.parts:
            raise NetSuiteError(404, "NONEXISTENT_ID", "The requested resource does not exist.")
        rt = record_type(self.parts[0])
        if rt is None:
            raise NetSuiteError(
                404, "NONEXISTENT_ID", f"Record type '{self.parts[0]}' does not exist."
            )
        records, method, n = state.records, self.method, len(self.parts)
        if n == 1 and method == "GET":
            return self._collection(state, rt)
        if n == 1 and method == "POST":
            ctx = self._ctx()
            return self._written(rt, records.save(rt, None, self._body(), ctx), ctx)
        if n == 2:
            ident = self.parts[1]
            if method == "PUT":
                if not ident.lower().startswith("eid:"):
                    raise NetSuiteError(
                        400,
                        "INVALID_REQUEST",
                        "PUT is only supported as an upsert on an external ID (eid:…).",
                    )
                eid = check_eid(ident[4:])
                ctx = self._ctx()
                existing = state.store.id_for_external(rt.recordtype, eid)
                record_id = records.save(rt, existing, self._body(), ctx, external_id=eid)
                return self._written(rt, record_id, ctx)
            record_id = records.find_id(rt, ident)
            if method == "GET":
                expand = self.query.get("expandSubResources", "").lower() == "true"
                body = records.render(rt, record_id, self.base_url, expand)
                return Reply(200, body, media_type=jsonout.SINGULAR)
            if method == "PATCH":
                ctx = self._ctx()
                return self._written(rt, records.save(rt, record_id, self._body(), ctx), ctx)
            if method == "DELETE":
                records.delete(rt, record_id)
                return Reply(204)
        if n == 3 and method == "GET" and self.parts[2] in rt.sublists:
            record_id = records.find_id(rt, self.parts[1])
            doc = state.store.get_doc(rt.recordtype, record_id) or {}
            name = self.parts[2]
            url = f"{self.base_url}{REST}/record/v1/{rt.name}/{record_id}/{name}"
            lines = records.sublist_lines(rt, record_id, name, doc)
            body = records.render_sublist(rt.sublists[name], lines, url, self.base_url)
            return Reply(200, body, media_type=jsonout.COLLECTION)
        if n == 4 and method == "POST" and self.parts[2] == "!transform":
            source_id = records.find_id(rt, self.parts[1])
            ctx = self._ctx()
            target, new_id = records.transform(rt, source_id, self.parts[3], self._body(False), ctx)
            return self._written(target, new_id, ctx)
        raise NetSuiteError(405, "INVALID_REQUEST", "The HTTP method is not supported here.")

    def _collection(self, state: SandboxState, rt: RecordType) -> Reply:
        try:
            limit = int(self.query.get("limit", "1000"))
            offset = int(self.query.get("offset", "0"))
        except ValueError:
            raise NetSuiteError(
                400, "INVALID_PARAMETER", "Invalid paging parameter.", query_param="limit"
            ) from None
        if not 1 <= limit <= 1000:
            raise NetSuiteError(400, "INVALID_PARAMETER", "Invalid limit.", query_param="limit")
        if offset < 0 or offset % limit:
            raise NetSuiteError(400, "INVALID_PARAMETER", "Invalid offset.", query_param="offset")
        try:
            ids = state.records.list_ids(rt, self.query.get("q"))
        except ValueError:
            raise NetSuiteError(
                400,
                "INVALID_PARAMETER",
                "Invalid search query. Provide a valid search query.",
                query_param="q",
            ) from None
        page = ids[offset : offset + limit]
        url = f"{self.base_url}{REST}/record/v1/{rt.name}"
        return Reply(
            200,
            {
                "links": [{"rel": "self", "href": url}],
                "count": len(page),
                "hasMore": offset + len(page) < len(ids),
                "offset": offset,
                "totalResults": len(ids),
                "items": [
                    {"links": [{"rel": "self", "href": f"{url}/{i}"}], "id": str(i)} for i in page
                ],
            },
            media_type=jsonout.COLLECTION,
        )
