"""The task retry policy: fail fast on credentials and bad input, retry 429, 5xx and timeouts.

Clients already retry single requests (short waits, ``Retry-After``). What reaches Airflow is
either a failure retrying cannot fix (a rejected API key, a mapping file that does not parse,
a validation run where nothing passed) or one that outlasted the client's patience (a long
rate-limit episode, an outage). The first kind fails the task at once, so nobody waits an hour
for three doomed retries; the second kind is retried with a longer delay.

Exceptions are matched by the dotted names of their classes (and base classes), so that
declaring the policy in a DAG file imports none of the HTTP clients at parse time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import RetryDecision, RetryPolicy

if TYPE_CHECKING:
    from airflow.sdk import Context

# Never worth a retry: the credentials, the configuration or the data must change first. Every
# 4xx but 429 is fatal (the clients already re-minted a token once after a 401).
FAIL_FAST = frozenset(
    {
        "chargebee_netsuite.chargebee.errors.FatalAPIError",
        "chargebee_netsuite.netsuite.errors.FatalAPIError",
        "chargebee_netsuite.mapping.loading.MappingConfigError",
        "chargebee_netsuite.errors.FatalError",
        "airflow.sdk.exceptions.AirflowNotFoundException",
        "builtins.ValueError",
        "builtins.TypeError",
        "builtins.KeyError",
    }
)

# Worth another try later: rate limits, server errors, timeouts, dropped connections, a busy
# staging database. ``RetriesExhaustedError`` is a 429/5xx the client gave up on.
RETRY = frozenset(
    {
        "chargebee_netsuite.chargebee.errors.RetriableAPIError",
        "chargebee_netsuite.chargebee.errors.RetriesExhaustedError",
        "chargebee_netsuite.netsuite.errors.RetriableAPIError",
        "chargebee_netsuite.errors.RetriableError",
        "httpx.TransportError",
        "sqlalchemy.exc.OperationalError",
        "builtins.ConnectionError",
        "builtins.TimeoutError",
    }
)

# Rate limits clear within Chargebee's one-minute window; give them more than that.
RATE_LIMITED = frozenset(
    {
        "chargebee_netsuite.chargebee.errors.RateLimitError",
        "chargebee_netsuite.netsuite.errors.ConcurrencyLimitError",
    }
)


def class_names(exc: BaseException) -> list[str]:
    """Dotted names of the exception's class and all its bases, most specific first."""
    return [f"{cls.__module__}.{cls.__qualname__}" for cls in type(exc).__mro__]


def _first(names: Iterable[str], *groups: frozenset[str]) -> int | None:
    for name in names:
        for index, group in enumerate(groups):
            if name in group:
                return index
    return None


class ApiRetryPolicy(RetryPolicy):
    """Decide, per exception, whether a failed task is retried (and after how long).

    The most specific class wins: a ``RateLimitError`` is also a ``RetriableError``, and its
    own name (in ``RATE_LIMITED``) is matched before its base's. A rule can only shorten a
    task's retries, never add to its ``retries``.
    """

    def __init__(
        self,
        retry_delay: timedelta = timedelta(minutes=2),
        rate_limit_delay: timedelta = timedelta(minutes=3),
    ) -> None:
        self.retry_delay = retry_delay
        self.rate_limit_delay = rate_limit_delay

    def evaluate(
        self,
        exception: BaseException,
        try_number: int,
        max_tries: int,
        context: Context | None = None,
    ) -> RetryDecision:
        """Fail on credentials and bad input, retry transient failures, else default."""
        names = class_names(exception)
        kind = _first(names, RATE_LIMITED, FAIL_FAST, RETRY)
        label = type(exception).__name__
        if kind == 0:
            delay = self.rate_limit_delay
            retry_after = getattr(exception, "retry_after", None)
            if isinstance(retry_after, int | float) and retry_after > delay.total_seconds():
                delay = timedelta(seconds=float(retry_after))
            return RetryDecision.retry(delay, f"{label}: rate limited, retrying later")
        if kind == 1:
            return RetryDecision.fail(f"{label}: not retryable; fix the cause and re-run")
        if kind == 2:
            return RetryDecision.retry(self.retry_delay, f"{label}: transient, retrying")
        return RetryDecision.default()

    def serialize(self) -> dict[str, Any]:
        """A JSON description (Airflow stores only that a policy exists)."""
        return {
            "__type": "ApiRetryPolicy",
            "retry_delay": self.retry_delay.total_seconds(),
            "rate_limit_delay": self.rate_limit_delay.total_seconds(),
        }

    @classmethod
    def deserialize(cls, data: dict[str, Any]) -> ApiRetryPolicy:
        """The policy back from :meth:`serialize`."""
        return cls(
            timedelta(seconds=float(data["retry_delay"])),
            timedelta(seconds=float(data["rate_limit_delay"])),
        )


# The delay before a task's first retry, in seconds, instead of the defaults below (read at parse
# time, like the schedule, so every process parsing the DAG files must see the same value). The
# fault matrix sets one second: it proves that retries happen, not that they are patient.
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


def default_args(retries: int = 3, delay: timedelta = timedelta(minutes=2)) -> dict[str, Any]:
    """``default_args`` for the sync DAGs (the policy itself goes on each task: ``POLICY``).

    ``default_args`` are serialised with the DAG, and a policy object is not serialisable
    there, so tasks take ``retry_policy=POLICY`` explicitly. ``delay`` is the first retry's
    wait unless ``CBNS_RETRY_DELAY_SECONDS`` overrides it.
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
