"""The Chargebee API v2 (Product Catalog 2.0) read endpoints under ``/api/v2``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from . import api_errors as errors
from . import operations
from .api_errors import param_wrong_value
from .filter_params import matches, parse_bool, parse_filters
from .jsoncopy import json_copy
from .listindex import PageQuery, page_rows
from .offsets import decode_offset, encode_offset, line_items_window
from .resources import PC1_PATHS, RESOURCES, Resource
from .site import Site
from .site_settings import ChargebeeSandboxSettings
from .site_store import Record

router = APIRouter(prefix="/api/v2")
_LINE_DOCUMENTS = frozenset({"invoice", "credit_note"})


def _site(request: Request) -> Site:
    site: Site = request.state.site
    return site


def _settings(request: Request) -> ChargebeeSandboxSettings:
    settings: ChargebeeSandboxSettings = request.app.state.settings
    return settings


def _int_param(raw: str | None, name: str, low: int, high: int | None, default: int) -> int:
    if raw is None:
        return default
    if not raw.strip().lstrip("-").isdigit():
        raise param_wrong_value(name, f"invalid integer {raw!r}")
    value = int(raw)
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise param_wrong_value(name, f"The value {value} is invalid. It should be {bound}")
    return value


def _sort(resource: Resource, params: dict[str, str]) -> tuple[str | None, bool]:
    asc, desc = params.get("sort_by[asc]"), params.get("sort_by[desc]")
    if asc is not None and desc is not None:
        raise param_wrong_value("sort_by", "only one of sort_by[asc] and sort_by[desc]")
    attr = asc if asc is not None else desc
    if attr is None:
        return resource.created_key, False
    if attr not in resource.sorts:
        name = "sort_by[asc]" if asc is not None else "sort_by[desc]"
        raise param_wrong_value(name, f"sorting by {attr} is not supported")
    return attr, desc is not None


def _bool_param(raw: str | None, name: str) -> bool:
    return False if raw is None else parse_bool(raw, name)


@router.get("/configurations")
async def configurations(request: Request) -> Response:
    """The site configuration (tap-chargebee reads ``product_catalog_version`` first)."""
    site = _site(request)
    return JSONResponse(
        {
            "configurations": [
                {
                    "domain": site.name,
                    "product_catalog_version": "v2",
                    "chargebee_response_schema_type": "items",
                    "object": "configuration",
                }
            ]
        }
    )


def list_records(
    site: Site,
    resource: Resource,
    query: list[tuple[str, str]],
    line_limit: int,
    *,
    snapshot: bool = True,
) -> dict[str, Any]:
    """The body of ``GET /api/v2/<resource>`` for ``query`` (raises ChargebeeError).

    With ``snapshot=False`` the body refers to the live records: the caller must hold
    ``site.store.lock`` until it has serialized the body.
    """
    params = dict(query)
    limit = _int_param(params.get("limit"), "limit", 1, 100, 10)
    attr, descending = _sort(resource, params)
    conditions = parse_filters(resource, query)
    include_deleted = (
        _bool_param(params.get("include_deleted"), "include_deleted")
        if resource.include_deleted
        else True
    )
    extra = {
        name: _int_param(params.get(name), name, 0, None, 0)
        for name in resource.int_params
        if name in params
    }
    after = decode_offset(params["offset"], attr) if "offset" in params else None
    if after is not None and site.faults.mutate_on_page and resource.name != "event":
        operations.touch_records(site.store, resource.name, site.faults.mutate_on_page)
    store = site.store

    def accept(record: Record) -> bool:
        if not include_deleted and record.get("deleted"):
            return False
        return matches(record, conditions) and _extra_match(record, extra)

    with store.lock:
        # A maintained sorted index instead of filtering and sorting every record per page.
        index = store.sorted_index(resource.name, attr)
        page = PageQuery(descending=descending, after=after, limit=limit, accept=accept)
        chunk, more = page_rows(index, store.rows(resource.name), page)
        next_offset = encode_offset(chunk[-1][0]) if more else None
        items = [_shape_for_list(resource.name, rec, line_limit, snapshot) for _, rec in chunk]
    body: dict[str, Any] = {"list": [{resource.name: rec} for rec in items]}
    if next_offset is not None:
        body["next_offset"] = next_offset
    return body


def _extra_match(record: Record, extra: dict[str, int]) -> bool:
    occurred = record.get("occurred_at", 0)
    if "start_time" in extra and occurred < extra["start_time"]:
        return False
    if "end_time" in extra and occurred > extra["end_time"]:
        return False
    return not ("paid_on_after" in extra and record.get("paid_at", 0) <= extra["paid_on_after"])


def _shape_for_list(kind: str, record: Record, line_limit: int, snapshot: bool) -> Record:
    if kind in _LINE_DOCUMENTS and len(record.get("line_items", [])) > line_limit:
        record = line_items_window(record, line_limit, None)
    return json_copy(record) if snapshot else record


def _readable_resource(request: Request, path: str) -> tuple[Site, Resource]:
    """The request's site and the resource at ``path``, or the error Chargebee answers."""
    site = _site(request)
    if path in PC1_PATHS:
        raise errors.configuration_incompatible()
    resource = RESOURCES.get(path)
    if resource is None:
        raise errors.resource_not_found()
    if request.method != "GET":
        # The sandbox serves Chargebee's read API only; writes go through /__admin.
        raise errors.method_not_supported()
    return site, resource


@router.api_route("/{path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def list_endpoint(path: str, request: Request) -> Response:
    """``GET /api/v2/<resource>`` for every listed resource."""
    site, resource = _readable_resource(request, path)
    query = list(request.query_params.multi_items())
    line_limit = _settings(request).list_line_items_limit
    with site.store.lock:
        # JSONResponse serializes on construction: rendering under the lock makes the JSON
        # itself the consistent snapshot, so the page's rows need no deep copy first.
        return JSONResponse(list_records(site, resource, query, line_limit, snapshot=False))


@router.api_route("/{path}/{record_id}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def retrieve_endpoint(path: str, record_id: str, request: Request) -> Response:
    """``GET /api/v2/<resource>/<id>``; deleted records answer 404 (assumed)."""
    site, resource = _readable_resource(request, path)
    store = site.store
    record = (
        store.events.get(record_id)
        if resource.name == "event"
        else store.get(resource.name, record_id)
    )
    if record is None or record.get("deleted"):
        raise errors.resource_not_found()
    if resource.name in _LINE_DOCUMENTS:
        params = request.query_params
        limit = _int_param(
            params.get("line_items_limit"),
            "line_items_limit",
            1,
            300,
            _settings(request).retrieve_line_items_default,
        )
        record = line_items_window(record, limit, params.get("line_items_offset"))
    return JSONResponse({resource.name: json_copy(record)})


@router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
async def unknown_endpoint(rest: str) -> Response:
    """Anything else under /api/v2 (including ``/api/v2/__admin/...``) is not found."""
    raise errors.resource_not_found()
