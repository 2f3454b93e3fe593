"""Extract Chargebee list endpoints into staging: full listings and incremental windows."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.chargebee.client import ChargebeeClient
from chargebee_netsuite.chargebee.endpoints import ENDPOINTS, Endpoint
from chargebee_netsuite.chargebee.errors import NotFoundError
from chargebee_netsuite.extract.lines import complete_lines, needs_lines
from chargebee_netsuite.extract.prefetch import prefetched
from chargebee_netsuite.extract.resources import RESOURCES
from chargebee_netsuite.extract.rows import document_row
from chargebee_netsuite.extract.windows import DEFAULT_OVERLAP, Window
from chargebee_netsuite.staging import chargebee_queries as q
from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

log = logging.getLogger(__name__)


@dataclass
class ExtractStats:
    """What one resource's extraction did (small enough for XCom)."""

    resource: str
    mode: str  # "full" or "window"
    documents: int = 0
    pages: int = 0
    line_fetches: int = 0
    incomplete: int = 0
    tail_documents: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable summary."""
        return dict(self.__dict__)


def _now() -> datetime:
    return datetime.now(UTC)


def stage_documents(
    client: ChargebeeClient,
    engine: Engine,
    endpoint: Endpoint,
    docs: list[dict[str, Any]],
    *,
    site: str,
    run_id: str | None,
    stats: ExtractStats,
) -> None:
    """Complete the lines of ``docs`` where needed and upsert them in one transaction."""
    extracted_at = _now()
    rows = []
    for doc in docs:
        complete = True
        if endpoint.has_line_items and needs_lines(doc):
            stats.line_fetches += 1
            try:
                doc, complete = complete_lines(client, endpoint, doc)
            except NotFoundError:
                # Gone since it was listed (deleted); a later window stages its deletion.
                complete = False
            if not complete:
                stats.incomplete += 1
        rows.append(
            document_row(
                endpoint.name,
                doc,
                site=site,
                run_id=run_id,
                extracted_at=extracted_at,
                lines_complete=complete,
            )
        )
    with engine.begin() as conn:
        q.upsert_documents(conn, DOCUMENT_TABLES[endpoint.name], rows)
    stats.documents += len(rows)


def _listing(
    client: ChargebeeClient, endpoint: Endpoint, params: dict[str, str], stats: ExtractStats
) -> Iterator[list[dict[str, Any]]]:
    for page in client.list_pages(endpoint.path, params):
        stats.pages += 1
        yield [endpoint.unwrap(entry) for entry in page]


def _stage_listing(
    client: ChargebeeClient,
    engine: Engine,
    endpoint: Endpoint,
    params: dict[str, str],
    *,
    site: str,
    run_id: str | None,
    stats: ExtractStats,
) -> int:
    before = stats.documents
    # One page in memory and one in flight: memory stays flat however large the window.
    for docs in prefetched(_listing(client, endpoint, params, stats)):
        stage_documents(client, engine, endpoint, docs, site=site, run_id=run_id, stats=stats)
    return stats.documents - before


def extract_resource(
    client: ChargebeeClient,
    engine: Engine,
    resource: str,
    window: Window | None = None,
    *,
    run_id: str | None = None,
    full: bool = False,
    clock: Callable[[], float] = time.time,
) -> ExtractStats:
    """Stage one resource for ``window``, or all of it when ``full`` or never fully synced.

    A site's first sync (and any explicit full resync) is unfiltered: a filter on
    ``updated_at`` silently drops records untouched since 2016, which carry no ``updated_at``.
    After a main listing of several pages, the tail of the window — everything changed since
    the listing started — is read again: a record updated mid-scan moves within an
    ``updated_at``-sorted listing, and the re-read stages its newest version.
    """
    endpoint = ENDPOINTS[resource]
    site = client.settings.site
    with engine.connect() as conn:
        never_synced = q.full_synced_at(conn, site, resource) is None
    mode = "full" if full or window is None or never_synced else "window"
    stats = ExtractStats(resource, mode)
    overlap = window.overlap if window is not None else DEFAULT_OVERLAP
    started = clock()
    scan_started = int(started) - int(overlap.total_seconds())

    if mode == "full":
        _stage_listing(
            client, engine, endpoint, endpoint.full_params(), site=site, run_id=run_id, stats=stats
        )
        tail = (scan_started, int(clock()) + int(overlap.total_seconds()))
    else:
        assert window is not None
        low, high = window.bounds()
        _stage_listing(
            client,
            engine,
            endpoint,
            endpoint.window_params(low, high),
            site=site,
            run_id=run_id,
            stats=stats,
        )
        tail = (max(low, scan_started), high)
    # A listing that fit in one page was read in one response: nothing in it can have moved
    # or gone stale between pages, so it needs no tail (one request less per small resource,
    # and per quiet window).
    if tail[0] <= tail[1] and stats.pages > 1:
        stats.tail_documents = _stage_listing(
            client,
            engine,
            endpoint,
            endpoint.window_params(*tail),
            site=site,
            run_id=run_id,
            stats=stats,
        )
    with engine.begin() as conn:
        q.record_sync(
            conn,
            site,
            resource,
            _now(),
            run_id,
            full=mode == "full",
            window=window.bounds() if window is not None else None,
        )
    stats.seconds = clock() - started
    log.info(
        "Chargebee %s %s: %d documents in %d pages (%d line re-fetches, %d incomplete)",
        resource,
        mode,
        stats.documents,
        stats.pages,
        stats.line_fetches,
        stats.incomplete,
    )
    return stats


def extract_all(
    client: ChargebeeClient,
    engine: Engine,
    window: Window | None = None,
    *,
    resources: Iterable[str] = RESOURCES,
    run_id: str | None = None,
    full: bool = False,
    workers: int = 3,
) -> list[ExtractStats]:
    """Extract several resources, ``workers`` at a time, sharing the client's rate limiter.

    Each listing is sequential (every page needs the previous page's offset), so listing
    resources side by side is what lets an extraction approach the plan's request rate.
    """
    names = list(resources)
    unknown = [n for n in names if n not in ENDPOINTS]
    if unknown:
        raise ValueError(f"unknown Chargebee resources {unknown}; known: {sorted(ENDPOINTS)}")
    if workers <= 1:
        return [
            extract_resource(client, engine, n, window, run_id=run_id, full=full) for n in names
        ]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chargebee-extract") as pool:
        futures = [
            pool.submit(extract_resource, client, engine, n, window, run_id=run_id, full=full)
            for n in names
        ]
        return [f.result() for f in futures]
