"""The tasks' retry policy and pool sizing: fail fast on what a retry cannot fix."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from airflow.sdk import RetryAction
from sqlalchemy.exc import OperationalError

from chargebee_netsuite.airflow.pools import chargebee_slots, pool_specs
from chargebee_netsuite.airflow.retry import (
    RETRY_DELAY_ENV,
    ApiRetryPolicy,
    configured_policy,
    default_args,
)
from chargebee_netsuite.chargebee import errors as cb
from chargebee_netsuite.errors import ConfigurationError, ValidationFailed
from chargebee_netsuite.mapping import MappingConfigError
from chargebee_netsuite.netsuite import errors as ns

POLICY = ApiRetryPolicy()


def _ns_api(cls: type[ns.NetSuiteAPIError], status: int) -> ns.NetSuiteAPIError:
    return cls(method="PUT", path="/record/v1/invoice/eid:x", status=status)


@pytest.mark.parametrize(
    "exc",
    [
        cb.AuthenticationError("bad key", status=401),
        cb.AuthorizationError("no rights", status=403),
        cb.NotFoundError("no such site", status=404),
        _ns_api(ns.RequestError, 400),
        ns.TokenRequestError("invalid_client", status=400, error="invalid_client"),
        _ns_api(ns.UnauthorizedError, 401),
        MappingConfigError("mapping.yaml", ["ar_account: this key is required; add it."]),
        ConfigurationError("unknown resources"),
        ValidationFailed("every staged document failed validation"),
        ValueError("Connection 'netsuite_default' needs 'client_id' in its extras"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_fails_fast(exc: BaseException) -> None:
    decision = POLICY.evaluate(exc, try_number=1, max_tries=4)
    assert decision.action is RetryAction.FAIL


@pytest.mark.parametrize(
    "exc",
    [
        cb.RetriableAPIError("502 from Chargebee", status=502),
        cb.RetriesExhaustedError(
            "gave up", last_error=cb.RetriableAPIError("503", status=503), attempts=6
        ),
        _ns_api(ns.ServerError, 500),
        ns.TransportError("read timeout"),
        httpx.ConnectError("refused"),
        OperationalError("SELECT 1", {}, Exception("database is locked")),
        TimeoutError("slow"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_retries_transient_failures(exc: BaseException) -> None:
    decision = POLICY.evaluate(exc, try_number=1, max_tries=4)
    assert decision.action is RetryAction.RETRY
    assert decision.retry_delay == timedelta(minutes=2)


def test_rate_limits_wait_longer_and_honour_retry_after() -> None:
    limited = cb.RateLimitError("429", status=429, retry_after=600)
    decision = POLICY.evaluate(limited, try_number=1, max_tries=4)
    assert decision.action is RetryAction.RETRY
    assert decision.retry_delay == timedelta(seconds=600)
    concurrency = POLICY.evaluate(_ns_api(ns.ConcurrencyLimitError, 429), 1, 4)
    assert concurrency.retry_delay == timedelta(minutes=3)


def test_other_errors_use_the_task_default() -> None:
    assert POLICY.evaluate(RuntimeError("?"), 1, 4).action is RetryAction.DEFAULT


def test_policy_round_trips() -> None:
    restored = ApiRetryPolicy.deserialize(POLICY.serialize())
    assert restored.retry_delay == POLICY.retry_delay
    assert restored.rate_limit_delay == POLICY.rate_limit_delay
    assert [r.serialize() for r in restored.rules] == [r.serialize() for r in POLICY.rules]
    limited = cb.RateLimitError("429", status=429, retry_after=600)
    assert restored.evaluate(limited, 1, 4).retry_delay == timedelta(seconds=600)


def test_the_rules_name_the_error_roots_branches_first() -> None:
    """Airflow's ordered rules: the connector's two branches decide before any builtin."""
    from chargebee_netsuite.airflow.retry import retry_rules
    from chargebee_netsuite.errors import FatalError, RetriableError

    first, second, *_ = retry_rules()
    assert (first.exception, first.action) == (RetriableError, RetryAction.RETRY)
    assert (second.exception, second.action) == (FatalError, RetryAction.FAIL)
    # MappingConfigError is also a ValueError; its branch decides, not the builtin rule.
    assert second.matches(MappingConfigError("m.yaml", ["x"]))


def test_retry_delays_are_minutes_unless_the_deployment_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(RETRY_DELAY_ENV, raising=False)
    assert default_args()["retry_delay"] == timedelta(minutes=2)
    assert default_args(delay=timedelta(seconds=30))["retry_delay"] == timedelta(seconds=30)
    assert configured_policy().retry_delay == timedelta(minutes=2)
    # The fault matrix retries after a second: it proves retries happen, not their patience.
    monkeypatch.setenv(RETRY_DELAY_ENV, "1.5")
    assert default_args(delay=timedelta(seconds=30))["retry_delay"] == timedelta(seconds=1.5)
    policy = configured_policy()
    assert (policy.retry_delay, policy.rate_limit_delay) == (
        timedelta(seconds=1.5),
        timedelta(seconds=2.25),
    )
    monkeypatch.setenv(RETRY_DELAY_ENV, "0")
    with pytest.raises(ValueError, match=RETRY_DELAY_ENV):
        default_args()


@pytest.mark.parametrize(("limit", "slots"), [(150, 3), (1000, 6), (10, 1)])
def test_chargebee_pool_sized_from_the_plan(limit: int, slots: int) -> None:
    assert chargebee_slots(limit) == slots
    chargebee, netsuite = pool_specs(limit)
    assert (chargebee.name, chargebee.slots) == ("chargebee_api", slots)
    assert (netsuite.name, netsuite.slots) == ("netsuite_api", 1)
