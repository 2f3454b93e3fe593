"""The task retry policy: fail fast on credentials and bad input, retry 429, 5xx and timeouts.

Clients already retry single requests (short waits, ``Retry-After``). What reaches Airflow is
either a failure retrying cannot fix (a rejected API key, a mapping file that does not parse,
a validation run where nothing passed) or one that outlasted the client's patience (a long
rate-limit episode, an outage). The first kind fails the task at once, so nobody waits an hour
for three doomed retries; the second kind is retried with a longer delay.

The policy is Airflow's :class:`ExceptionRetryPolicy`: ordered rules, the first match wins. The
connector's own errors come first, by their branch of the error root
(``chargebee_netsuite.errors``: every ``RetriableError`` retries, every ``FatalError`` fails);
then the few third-party and built-in errors that can escape the clients. Rules name
third-party classes by dotted path, as Airflow's example does; Airflow warns at parse time
about a name that cannot be imported. :class:`ApiRetryPolicy` adds only what a rule cannot
say: a 429 waits for its ``Retry-After``, and at least the rate-limit delay.
"""

from __future__ import annotations

import dataclasses
import os
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk.definitions.retry_policy import (
    ExceptionRetryPolicy,
    RetryAction,
    RetryDecision,
    RetryRule,
)

from chargebee_netsuite.errors import FatalError, RetriableError

if TYPE_CHECKING:
    from airflow.sdk import Context

RETRY_DELAY = timedelta(minutes=2)
# Rate limits clear within Chargebee's one-minute window; give them more than that.
RATE_LIMIT_DELAY = timedelta(minutes=3)
TOO_MANY_REQUESTS = 429


def retry_rules(retry_delay: timedelta = RETRY_DELAY) -> list[RetryRule]:
    """The ordered rules: the connector's two branches, then what escapes the clients."""
    return [
        RetryRule(
            exception=RetriableError,
            action=RetryAction.RETRY,
            retry_delay=retry_delay,
            reason="transient (rate limit, server error, timeout): retrying",
        ),
        RetryRule(
            exception=FatalError,
            action=RetryAction.FAIL,
            reason="not retryable: fix the credentials, configuration or data and re-run",
        ),
        # A missing connection, or a malformed value in one: the same until someone edits it.
        RetryRule(
            exception=[
                "airflow.sdk.exceptions.AirflowNotFoundException",
                ValueError,
                TypeError,
                KeyError,
            ],
            action=RetryAction.FAIL,
            reason="not retryable: fix the connection or the input and re-run",
        ),
        # What can escape the clients' own retries: dropped connections, a busy staging database.
        RetryRule(
            exception=[
                "httpx.TransportError",
                "sqlalchemy.exc.OperationalError",
                ConnectionError,
                TimeoutError,
            ],
            action=RetryAction.RETRY,
            retry_delay=retry_delay,
            reason="transient (connection, timeout, busy database): retrying",
        ),
    ]


class ApiRetryPolicy(ExceptionRetryPolicy):
    """The rules, plus patience for 429s: at least ``rate_limit_delay``, or ``Retry-After``.

    A rule can only shorten a task's retries, never add to its ``retries``.
    """

    def __init__(
        self,
        retry_delay: timedelta = RETRY_DELAY,
        rate_limit_delay: timedelta = RATE_LIMIT_DELAY,
        rules: list[RetryRule] | None = None,
    ) -> None:
        super().__init__(rules if rules is not None else retry_rules(retry_delay))
        self.retry_delay = retry_delay
        self.rate_limit_delay = rate_limit_delay

    def evaluate(
        self,
        exception: BaseException,
        try_number: int,
        max_tries: int,
        context: Context | None = None,
    ) -> RetryDecision:
        """The first matching rule's decision; a retried 429 waits as long as it asked."""
        decision = super().evaluate(exception, try_number, max_tries, context)
        if decision.action is not RetryAction.RETRY:
            return decision
        if getattr(exception, "status", None) != TOO_MANY_REQUESTS:
            return decision
        delay = self.rate_limit_delay
        retry_after = getattr(exception, "retry_after", None)
        if isinstance(retry_after, int | float) and retry_after > delay.total_seconds():
            delay = timedelta(seconds=float(retry_after))
        reason = f"{type(exception).__name__}: rate limited, retrying after {delay}"
        return dataclasses.replace(decision, retry_delay=delay, reason=reason)

    def serialize(self) -> dict[str, Any]:
        """The rules and both delays, as JSON."""
        return {
            **super().serialize(),
            "__type": "ApiRetryPolicy",
            "retry_delay": self.retry_delay.total_seconds(),
            "rate_limit_delay": self.rate_limit_delay.total_seconds(),
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ApiRetryPolicy:
        """The policy back from :meth:`serialize`."""
        rules = [RetryRule.deserialize(rule) for rule in data["rules"]]
        return cls(
            timedelta(seconds=float(data["retry_delay"])),
            timedelta(seconds=float(data["rate_limit_delay"])),
            rules=rules,
        )


# The delay before a task's first retry, in seconds, instead of the defaults above (read at
# parse time, like the schedule, so every process parsing the DAG files must see the same
# value). The fault matrix sets one second: it proves that retries happen, not their patience.
RETRY_DELAY_ENV = "CBNS_RETRY_DELAY_SECONDS"


def retry_delay_override() -> timedelta | None:
    """``CBNS_RETRY_DELAY_SECONDS`` as a delay, or None when it is not set."""
    raw = os.environ.get(RETRY_DELAY_ENV, "").strip()
    if not raw:
        return None
    seconds = float(raw)
    if seconds <= 0:
        raise ValueError(f"{RETRY_DELAY_ENV} must be a positive number of seconds, not {raw!r}")
    return timedelta(seconds=seconds)


def default_args(retries: int = 3, delay: timedelta = RETRY_DELAY) -> dict[str, Any]:
    """``default_args`` for the connector's DAGs (the policy goes on each operator).

    ``default_args`` are serialised with the DAG, and a policy object is not serialisable
    there, so the operators default to :data:`POLICY` themselves. ``delay`` is the first
    retry's wait unless ``CBNS_RETRY_DELAY_SECONDS`` overrides it.
    """
    return {
        "owner": "finance-systems",
        "retries": retries,
        "retry_delay": retry_delay_override() or delay,
        "retry_exponential_backoff": 2.0,
        "max_retry_delay": timedelta(minutes=20),
    }


def configured_policy() -> ApiRetryPolicy:
    """The policy; with ``CBNS_RETRY_DELAY_SECONDS`` set, that delay for transient failures and
    half as much again for rate limits (the defaults' proportion)."""
    override = retry_delay_override()
    return ApiRetryPolicy() if override is None else ApiRetryPolicy(override, override * 1.5)


POLICY = configured_policy()
