"""Faults that need a hand on the sandbox while a stage runs (re-armed 5xx, token expiry)."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from types import TracebackType

import httpx

CHARGEBEE_5XX = ("internal_error", "internal_temporary_error", "html_502", "html_503", "html_504")


class Disturber:
    """Calls ``poke`` every ``interval`` seconds on a background thread until the block ends."""

    def __init__(self, poke: Callable[[], None], interval: float) -> None:
        self._poke = poke
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="proof-disturber", daemon=True)
        self.pokes = 0

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._poke()
                self.pokes += 1
            except httpx.HTTPError:
                pass  # the sandbox is busy; try again next tick

    def __enter__(self) -> Disturber:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def chargebee_random_5xx(base_url: str, rng: random.Random) -> Callable[[], None]:
    """Keep one 5xx armed at all times, on one of the next few requests (so on random pages)."""

    def poke() -> None:
        faults = httpx.get(f"{base_url}/__admin/faults", timeout=10).json()
        if faults["fail_nth"] is None:
            body = {"fail_nth": rng.randint(2, 12), "fail_kind": rng.choice(CHARGEBEE_5XX)}
            httpx.post(f"{base_url}/__admin/faults", json=body, timeout=10)

    return poke


def netsuite_token_expiry(base_url: str) -> Callable[[], None]:
    """Move NetSuite's clock past the token lifetime: every held token expires mid-run."""

    def poke() -> None:
        httpx.post(f"{base_url}/__admin/clock/advance", json={"seconds": 3700}, timeout=10)

    return poke
