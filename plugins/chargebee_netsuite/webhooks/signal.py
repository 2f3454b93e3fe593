"""Telling the scheduler that the inbox holds new ids: one coalescing signal, off the request path.

The receiver calls :meth:`InboxSignal.notify` after an id is committed to the inbox. A
background thread then calls ``emit`` (in the Airflow plugin: record an asset event that the
webhook DAG is scheduled on). Why a thread and coalescing:

* the webhook is answered as soon as the id is stored; the signal never delays nor fails it;
* a burst of deliveries becomes a few emissions (at most one per ``min_interval``), not one
  metadata-database write per webhook;
* every emission happens after the commits it covers, so the run it starts sees those ids.

A failed or lost emission loses no id: the id stays pending in the inbox and the next run (the
next signal, or the webhook DAG's safety-net schedule) takes it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# A burst of webhooks makes at most this many emissions a second (plus the first, at once).
MIN_INTERVAL_SECONDS = 0.5


class InboxSignal:
    """Calls ``emit(n)`` soon after :meth:`notify`, ``n`` being the notifications it covers.

    The first notification after a quiet spell is emitted at once; later ones wait until
    ``min_interval`` has passed since the previous emission and are emitted together.
    ``emit`` runs in a daemon thread started on the first notification (building the signal
    does no I/O and starts nothing, so the plugin can be imported anywhere).
    """

    def __init__(
        self,
        emit: Callable[[int], object],
        *,
        min_interval: float = MIN_INTERVAL_SECONDS,
        name: str = "chargebee-inbox-signal",
    ) -> None:
        self._emit = emit
        self._min_interval = min_interval
        self._name = name
        self._cond = threading.Condition()
        self._pending = 0
        self._closed = False
        self._thread: threading.Thread | None = None
        self.emitted = 0  # emissions that returned
        self.failed = 0  # emissions that raised (logged; the ids wait in the inbox)

    def notify(self) -> None:
        """Note one new id in the inbox (already committed); returns at once."""
        with self._cond:
            if self._closed:
                return
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def close(self, timeout: float = 5.0) -> None:
        """Emit what is pending, then stop the thread."""
        with self._cond:
            self._closed = True
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def _run(self) -> None:
        last = float("-inf")
        while True:
            with self._cond:
                while not self._pending and not self._closed:
                    self._cond.wait()
                if not self._pending:
                    return  # closed, nothing left
            # Coalesce: notifications arriving until the interval is over join this emission.
            wait = last + self._min_interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self._cond:
                count, self._pending = self._pending, 0
            last = time.monotonic()
            try:
                self._emit(count)
                self.emitted += 1
            except Exception:  # any failure: the ids wait in the inbox for the next run
                self.failed += 1
                log.warning(
                    "Could not signal %d new webhook id(s) to Airflow; they stay pending in the "
                    "inbox for the next run of the webhook DAG (its safety-net schedule at the "
                    "latest)",
                    count,
                    exc_info=True,
                )
