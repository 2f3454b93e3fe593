"""The site's Chargebee request budget, shared by extraction processes through staging.

Chargebee limits a site, not a client: requests in the past minute and requests in flight
(https://www.chargebee.com/docs/billing/2.0/kb/platform/what-are-the-chargebee-api-limits).
The DAG extracts each resource in its own task process, so one process's in-memory limiter
cannot see the others; splitting the limit into fixed shares per task leaves a finished
task's share idle while the big listings still run. This limiter
keeps one log of the site's requests in the staging database instead, which every deployment
has and every worker reaches (SQLite for single-machine runs, Postgres across Celery workers);
Redis exists only in the Celery deployment. Each request takes a slot in one short
transaction and marks it done in another. On Postgres each is one round trip to a function
(migration 0011), so the site's lock is held for a fraction of a millisecond however busy
the workers are; on SQLite (one machine) the same steps run as statements.

The rule is the in-process limiter's (``chargebee.ratelimit.RateLimiter``): a request counts
from the moment its response arrived (the server saw it earlier, so any window the server
looks at holds at most the budget), and requests in flight count too. A process that dies
holding slots cannot release them; each slot is a lease that ends by itself after
``lease_seconds`` (longer than any request can take), so a crash costs at most its slots for
one lease and one window, never the budget for good.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    case,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError, SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.staging.request_budget_tables import cb_request_budget, cb_request_slots

log = logging.getLogger(__name__)

# Wait this long before looking again while every concurrency slot is taken.
POLL_SECONDS = 0.05
# A lease outlives the longest request the client allows by this much.
LEASE_MARGIN_SECONDS = 30.0
# SQLite's julianday of the Unix epoch.
_UNIX_EPOCH_JULIAN_DAY = 2440587.5


# The staging dialects the budget can live in.
DIALECTS = ("postgresql", "sqlite")


def _db_now(engine: Engine) -> ColumnElement[Any]:
    """The database server's clock in Unix seconds (one clock for every worker)."""
    if engine.dialect.name == "postgresql":
        # clock_timestamp(), not now(): now() is frozen at the transaction's start.
        return func.date_part("epoch", func.clock_timestamp())
    if engine.dialect.name == "sqlite":
        return (func.julianday("now") - _UNIX_EPOCH_JULIAN_DAY) * 86400.0
    raise ValueError(f"no shared Chargebee request budget on {engine.dialect.name} staging")


def _own_engine(engine: Engine) -> Engine:
    """The engine the log is kept through: on a SQLite file, one of its own.

    Its connections skip the disk sync at each commit (``synchronous=NORMAL``; WAL keeps the
    file consistent, and a log lost to a power cut ages out within a window anyway): every
    request commits twice, and SQLite writers queue for one lock, so a synced commit slows
    every process's requests. Staging's own connections keep their settings.
    """
    if engine.dialect.name != "sqlite" or engine.url.database in (None, "", ":memory:"):
        return engine
    from chargebee_netsuite.staging.db import create_staging_engine

    own = create_staging_engine(engine.url.render_as_string(hide_password=False))

    @event.listens_for(own, "connect")
    def _no_sync_per_commit(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return own


class SharedRateLimiter:
    """Chargebee's two per-site caps across processes: a window's requests, and concurrency.

    ``slot()`` has the interface of the in-process limiter, so a :class:`ChargebeeClient` takes
    either. ``waited_seconds`` is how long this process waited for the budget (not for
    concurrency): zero means the rate never bound it. ``bookkeeping_seconds`` is the time its
    transactions on the log took, waiting for the site's lock included.
    """

    def __init__(
        self,
        engine: Engine,
        site: str,
        requests_per_window: int,
        window_seconds: float = 60.0,
        max_concurrency: int = 8,
        *,
        lease_seconds: float = 140.0,
        poll_seconds: float = POLL_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_window < 1 or max_concurrency < 1 or window_seconds <= 0:
            raise ValueError("rate limit, window and concurrency must be positive")
        if lease_seconds <= 0:
            raise ValueError("the lease must be positive")
        self._given = engine
        self.engine = _own_engine(engine)
        self.site = site
        self.requests_per_window = requests_per_window
        self.window_seconds = window_seconds
        self.max_concurrency = max_concurrency
        self.lease_seconds = lease_seconds
        self.poll_seconds = poll_seconds
        self.holder = f"{socket.gethostname()[:100]}:{os.getpid()}"
        self._sleep = sleep
        self._now = _db_now(engine)
        self._server_side = engine.dialect.name == "postgresql"
        # Each call is its own transaction: no BEGIN and COMMIT round trips around it.
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lock = threading.Lock()
        self.waited_seconds = 0.0
        self.bookkeeping_seconds = 0.0
        try:
            self._ensure_lock_row()
        except SQLAlchemyError:
            self.close()
            raise

    def __repr__(self) -> str:
        return (
            f"SharedRateLimiter(site={self.site!r}, {self.requests_per_window} per "
            f"{self.window_seconds:g}s, {self.max_concurrency} in flight)"
        )

    def close(self) -> None:
        """Close the connections of the log's own engine, if it has one."""
        if self.engine is not self._given:
            self.engine.dispose()

    def now(self) -> float:
        """The database server's clock (Unix seconds), which every sharing process reads."""
        with self.engine.connect() as conn:
            return float(conn.execute(select(self._now)).scalar_one())

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the site's request slots for the duration of the ``with`` block."""
        slot_id = self._acquire()
        try:
            yield
        finally:
            self._release(slot_id)

    # -- the budget ---------------------------------------------------------------------------

    def _ensure_lock_row(self) -> None:
        with self.engine.begin() as conn:
            exists = conn.execute(
                select(cb_request_budget.c.site).where(cb_request_budget.c.site == self.site)
            ).first()
        if exists:
            return
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(cb_request_budget).values(site=self.site, touched_at=0.0))
        except IntegrityError:
            pass  # another process created it first

    def _acquire(self) -> int:
        while True:
            started = time.perf_counter()
            slot_id, wait, for_budget = self._try_acquire()
            self._count(time.perf_counter() - started, wait if for_budget else 0.0)
            if slot_id is not None:
                return slot_id
            self._sleep(wait)

    def _count(self, bookkeeping: float, waited: float) -> None:
        with self._lock:
            self.bookkeeping_seconds += bookkeeping
            self.waited_seconds += waited

    def _try_acquire(self) -> tuple[int | None, float, bool]:
        """``(slot id, 0, False)`` when admitted, else ``(None, seconds to wait, for budget)``."""
        if not self._server_side:
            return self._try_acquire_here()
        with self._autocommit.connect() as conn:
            slot_id, wait, for_budget = conn.execute(
                text(
                    "SELECT slot_id, wait_seconds, for_budget FROM cb_take_request_slot("
                    "CAST(:site AS text), CAST(:budget AS integer), "
                    "CAST(:window AS double precision), CAST(:concurrency AS integer), "
                    "CAST(:lease AS double precision), CAST(:holder AS text))"
                ),
                {
                    "site": self.site,
                    "budget": self.requests_per_window,
                    "window": self.window_seconds,
                    "concurrency": self.max_concurrency,
                    "lease": self.lease_seconds,
                    "holder": self.holder,
                },
            ).one()
        if slot_id is not None:
            return int(slot_id), 0.0, False
        if for_budget:
            return None, self._budget_wait(wait), True
        return None, self.poll_seconds, False

    def _budget_wait(self, wait: float | None) -> float:
        # The budget frees when the oldest counted request leaves the window.
        return min(max(wait or 0.0, 0.001), self.window_seconds)

    def _try_acquire_here(self) -> tuple[int | None, float, bool]:
        """:meth:`_try_acquire` as statements (SQLite), the steps of ``cb_take_request_slot``."""
        slots = cb_request_slots.c
        mine = slots.site == self.site
        with self.engine.begin() as conn:
            now = self._lock_site(conn)
            window_start = now - self.window_seconds
            ended = func.coalesce(slots.done_at, slots.expires_at)
            conn.execute(delete(cb_request_slots).where(mine, ended <= window_start))
            in_flight = case((slots.done_at.is_(None) & (slots.expires_at > now), 1), else_=0)
            counted, flying, oldest = conn.execute(
                select(func.count(), func.coalesce(func.sum(in_flight), 0), func.min(ended)).where(
                    mine
                )
            ).one()
            if flying >= self.max_concurrency:
                return None, self.poll_seconds, False
            if counted >= self.requests_per_window:
                wait = float(oldest) + self.window_seconds - now if oldest is not None else 0.0
                return None, self._budget_wait(wait), True
            slot_id = conn.execute(
                insert(cb_request_slots)
                .values(
                    site=self.site,
                    started_at=now,
                    expires_at=now + self.lease_seconds,
                    holder=self.holder,
                )
                .returning(slots.id)
            ).scalar_one()
            return int(slot_id), 0.0, False

    def _lock_site(self, conn: Connection) -> float:
        """Take the site's lock row for this transaction; returns the database's time."""
        # A write first: on SQLite the transaction holds the write lock from here on (a read
        # first could not upgrade to a write under WAL without failing), on Postgres the row.
        touched = conn.execute(
            update(cb_request_budget)
            .where(cb_request_budget.c.site == self.site)
            .values(touched_at=self._now)
            .returning(cb_request_budget.c.touched_at)
        ).scalar_one()
        return float(touched)

    def _release(self, slot_id: int) -> None:
        started = time.perf_counter()
        try:
            if self._server_side:
                with self._autocommit.connect() as conn:
                    conn.execute(
                        text("SELECT cb_release_request_slot(CAST(:id AS bigint))"),
                        {"id": slot_id},
                    )
            else:
                with self.engine.begin() as conn:
                    conn.execute(
                        update(cb_request_slots)
                        .where(cb_request_slots.c.id == slot_id)
                        .values(done_at=self._now)
                    )
        except SQLAlchemyError as exc:
            # The lease ends the slot by itself; the request already happened.
            log.warning(
                "Could not mark Chargebee request slot %s of site %s done (%s); it counts "
                "until its lease ends in at most %.0fs",
                slot_id,
                self.site,
                type(exc).__name__,
                self.lease_seconds,
            )
        self._count(time.perf_counter() - started, 0.0)


def lease_for(settings: ChargebeeSettings) -> float:
    """A slot lease longer than any request of a client with ``settings`` can take."""
    return settings.connect_timeout + settings.read_timeout + LEASE_MARGIN_SECONDS


def shared_limiter(engine: Engine, settings: ChargebeeSettings) -> SharedRateLimiter:
    """The shared limiter for the connection's site, limits and timeouts."""
    return SharedRateLimiter(
        engine,
        settings.site,
        settings.rate_limit_per_minute,
        settings.rate_limit_window_seconds,
        settings.max_concurrency,
        lease_seconds=lease_for(settings),
    )


def budgeted_client(engine: Engine, settings: ChargebeeSettings) -> ChargebeeClient:
    """A client whose requests draw on the site's budget shared through ``engine``.

    A staging database without the budget's tables (not migrated since this release) gets a
    client with its own in-process limiter, as before, and a warning naming the fix.
    """
    if engine.dialect.name not in DIALECTS:
        return _alone(settings, f"staging on {engine.dialect.name}; use Postgres or SQLite")
    try:
        limiter = shared_limiter(engine, settings)
    except (OperationalError, ProgrammingError) as exc:
        return _alone(
            settings,
            f"{type(exc).__name__}; the sync DAG's migrate_staging task (or `cbns check`) "
            "creates it",
        )
    return ChargebeeClient(settings, limiter=limiter)


def _alone(settings: ChargebeeSettings, why: str) -> ChargebeeClient:
    log.warning(
        "No shared Chargebee request budget for site %s (%s): this process paces itself "
        "alone and may meet 429s beside other extraction tasks",
        settings.site,
        why,
    )
    return ChargebeeClient(settings)
