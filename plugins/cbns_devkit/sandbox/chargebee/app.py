"""The FastAPI application: sites, the API gate (site, auth, limits, faults) and routers."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import Response

from . import admin, api, stats
from . import api_errors as errors
from .api_errors import ChargebeeError, error_response
from .faults import Faults, fault_response
from .generator import generate
from .request_limits import RateLimiter
from .seed import load_seed, read_seed_file
from .site import Site
from .site_auth import api_key_from_header, site_from_host
from .site_settings import ChargebeeSandboxSettings
from .site_store import Store
from .webhooks import WebhookSender


def _seed_data(settings: ChargebeeSandboxSettings) -> dict[str, object] | None:
    if settings.seed_data is not None:
        return settings.seed_data
    if settings.seed_file is not None:
        return read_seed_file(settings.seed_file)
    if settings.scale > 0:
        payer_is_owner = settings.hierarchy_payment_customer == "payment_owner"
        return generate(
            settings.scale,
            settings.random_seed,
            settings.currencies,
            payer_is_owner=payer_is_owner,
            conventions=settings.conventions,
        )
    return None


def build_sites(settings: ChargebeeSandboxSettings, sender: WebhookSender) -> dict[str, Site]:
    """The test site (seeded) and the empty live site, each with its own key and limits."""
    sites: dict[str, Site] = {}
    for name, key, live in (
        (settings.site, settings.test_key, False),
        (settings.live_site, settings.live_key, True),
    ):
        store = Store(name, clock=time.time, conventions=settings.conventions)
        store.webhooks_configured = sender.enabled
        store.currencies = settings.currencies
        store.listeners.append(sender.listener(store))
        sites[name] = Site(
            name=name,
            api_key=key,
            restricted_key=None if live else settings.no_rights_key,
            live=live,
            store=store,
            limiter=RateLimiter(
                settings.rate_limit_per_minute,
                settings.rate_limit_window_seconds,
                settings.concurrency_limit,
            ),
            faults=Faults(
                fail_nth=settings.fail_nth,
                fail_kind=settings.fail_kind,
                latency_ms=settings.latency_ms,
            ),
            retry_after=settings.retry_after,
        )
    data = _seed_data(settings)
    if data is not None:
        load_seed(sites[settings.site].store, dict(data))
    return sites


def _authenticate(site: Site, authorization: str | None) -> None:
    key = api_key_from_header(authorization)
    if site.restricted_key is not None and hmac.compare_digest(key, site.restricted_key):
        raise errors.authorization_failed()
    if not hmac.compare_digest(key, site.api_key):
        raise errors.authentication_failed(wrong_format=False)


async def _api_gate(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Everything Chargebee checks before an API call runs (logged with its answer)."""
    if not request.url.path.startswith("/api/"):
        return await call_next(request)
    state = request.app.state
    # Counted on arrival, so refused attempts (bad key, 405, rate limit) show up too.
    state.stats.count(request.method, request.url.path)
    arrived = state.request_log.arrived()
    response = await _gated(request, call_next)
    state.request_log.answered(arrived, request.url.path, response.status_code)
    return response


async def _gated(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """Site, key, limits and faults, then the endpoint itself."""
    state = request.app.state
    name = site_from_host(request.headers.get("host"), state.settings.site)
    site: Site | None = state.sites.get(name)
    try:
        if site is None:
            raise errors.site_not_found(name)
        _authenticate(site, request.headers.get("authorization"))
        wait = site.limiter.acquire()
        if wait is not None:
            raise errors.rate_limited(wait if site.retry_after else None)
    except ChargebeeError as err:
        return error_response(err)
    try:
        fault = site.faults.count_request()
        if site.faults.latency_ms:
            await asyncio.sleep(site.faults.latency_ms / 1000)
        if fault is not None:
            return fault_response(fault)
        request.state.site = site
        return await call_next(request)
    finally:
        site.limiter.release()


async def _chargebee_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ChargebeeError)
    return error_response(exc)


def create_app(settings: ChargebeeSandboxSettings | None = None) -> FastAPI:
    """A Chargebee sandbox app; webhook delivery starts and stops with its lifespan."""
    settings = settings or ChargebeeSandboxSettings()
    sender = WebhookSender(
        settings.webhook_urls,
        user=settings.webhook_user,
        password=settings.webhook_password,
        time_factor=settings.webhook_time_factor,
        timeout=settings.webhook_timeout_seconds,
    )
    sites = build_sites(settings, sender)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await sender.start()
        try:
            yield
        finally:
            await sender.stop()

    app = FastAPI(
        title="Chargebee API v2 sandbox",
        lifespan=lifespan,
        docs_url="/__admin/docs",
        redoc_url=None,
        openapi_url="/__admin/openapi.json",
    )
    app.state.settings = settings
    app.state.sites = sites
    app.state.webhooks = sender
    app.state.stats = stats.RequestStats()
    app.state.request_log = stats.RequestLog()
    app.middleware("http")(_api_gate)
    app.add_exception_handler(ChargebeeError, _chargebee_error)
    app.include_router(api.router)
    app.include_router(admin.router)
    app.include_router(stats.router)
    return app
