"""'Record has been changed' (a concurrent write saved the record first) is retried, not fatal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite import FatalAPIError, RetriableAPIError

PATH = "/record/v1/customerPayment/eid:acme-txn-1"
# Both shapes REST may use: USER_ERROR with SOAP's message, or the SOAP code itself.
SHAPES = [
    ("USER_ERROR", "Error while accessing a resource. Record has been changed"),
    ("RCRD_HAS_BEEN_CHANGED", "Record has been changed"),
]


@pytest.mark.parametrize(("code", "detail"), SHAPES)
def test_record_changed_is_retried_with_backoff_until_it_goes_through(
    make_client: Any, fake_netsuite: Any, error_response: Any, code: str, detail: str
) -> None:
    answers = [error_response(400, code, detail)] * 2 + [httpx.Response(204)]
    fake = fake_netsuite(lambda request: answers.pop(0))
    client = make_client(fake)
    assert client.request("PUT", PATH, json={}).status_code == 204
    assert len(fake.rest_requests) == 3
    assert len(make_client.sleeps) == 2 and make_client.sleeps[1] > 0


@pytest.mark.parametrize(("code", "detail"), SHAPES)
def test_record_changed_past_the_attempts_is_still_a_retriable_error(
    make_client: Any, fake_netsuite: Any, error_response: Any, code: str, detail: str
) -> None:
    client = make_client(fake_netsuite(lambda request: error_response(400, code, detail)))
    with pytest.raises(RetriableAPIError) as raised:
        client.request("PUT", PATH, json={})
    assert not isinstance(raised.value, FatalAPIError)
    assert raised.value.attempts == 4
    assert "Record has been changed" in str(raised.value)


def test_other_user_errors_stay_fatal(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    detail = "Error while accessing a resource. This record has been locked by a user workflow."
    client = make_client(fake_netsuite(lambda request: error_response(400, "USER_ERROR", detail)))
    with pytest.raises(FatalAPIError):
        client.request("PUT", PATH, json={})
