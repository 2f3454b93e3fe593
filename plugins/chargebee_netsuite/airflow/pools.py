"""Airflow pools for the two APIs, sized from the connections' limits.

* ``chargebee_api``: extraction tasks, one listing each. A Chargebee site's request limit is
  shared by everything that reads it; the task processes draw on one budget for the site,
  kept in the staging database (``extract/budget.py``), so a finished listing's requests go
  to those still running. The pool caps how many listings run side by side (one per 50
  requests/minute of the plan, at most one per resource): Starter/test sites (150/min) get
  3 slots, larger plans 6.
* ``netsuite_api``: tasks that call NetSuite (reference pull, load, reconcile). One slot:
  NetSuite governs concurrency per *account*, and one loader already keeps the connection's
  ``concurrency`` requests in flight; a second loader (say the webhook DAG's while the
  scheduled sync loads) would double that and earn 429s. The single slot also serialises
  the two DAGs' writes to the ledger.

A pool limits concurrency, not request rate; the clients still pace and honour 429s.
"""

from __future__ import annotations

from dataclasses import dataclass

CHARGEBEE_POOL = "chargebee_api"
NETSUITE_POOL = "netsuite_api"
# Requests per minute that justify one more listing side by side.
REQUESTS_PER_SLOT = 50
MAX_CHARGEBEE_SLOTS = 6  # one per staged resource


@dataclass(frozen=True)
class PoolSpec:
    """One pool as ``airflow pools import`` takes it."""

    name: str
    slots: int
    description: str

    def as_dict(self) -> dict[str, object]:
        """The pool in the JSON shape of ``airflow pools import``."""
        return {"slots": self.slots, "description": self.description, "include_deferred": False}


def chargebee_slots(rate_limit_per_minute: int) -> int:
    """Listings side by side for a plan's request limit (1…6)."""
    return max(1, min(MAX_CHARGEBEE_SLOTS, rate_limit_per_minute // REQUESTS_PER_SLOT))


def pool_specs(chargebee_rate_limit_per_minute: int) -> list[PoolSpec]:
    """The pools for a Chargebee connection with the given request limit."""
    slots = chargebee_slots(chargebee_rate_limit_per_minute)
    return [
        PoolSpec(
            CHARGEBEE_POOL,
            slots,
            f"Chargebee listings side by side, sharing {chargebee_rate_limit_per_minute}/min "
            "through the staging database",
        ),
        PoolSpec(
            NETSUITE_POOL,
            1,
            "One NetSuite writer at a time; it keeps the connection's concurrency in flight",
        ),
    ]


def pools_file(specs: list[PoolSpec]) -> dict[str, dict[str, object]]:
    """The content of a pools JSON file for ``airflow pools import``."""
    return {spec.name: spec.as_dict() for spec in specs}
