"""Deleting by external id: 204 is done, 404 NONEXISTENT_ID is already done, the rest raise."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chargebee_netsuite.netsuite.errors import RequestError


def test_delete_by_external_id_sends_a_delete_to_the_eid(
    make_client: Any, fake_netsuite: Any
) -> None:
    fake = fake_netsuite(lambda _r: httpx.Response(204))
    assert make_client(fake).records.delete_by_external_id("customerRefund", "cb-s-txn-1") is True
    (request,) = fake.rest_requests
    assert request.method == "DELETE"
    assert request.url.path.endswith("/record/v1/customerRefund/eid:cb-s-txn-1")


def test_a_record_already_gone_counts_as_deleted(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    fake = fake_netsuite(lambda _r: error_response(404, "NONEXISTENT_ID", "Record does not exist."))
    assert make_client(fake).records.delete_by_external_id("customerRefund", "x") is False
    assert len(fake.rest_requests) == 1  # a 4xx is never retried


def test_a_refused_delete_raises_with_netsuite_s_words(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    closed = "You cannot delete this transaction. The accounting period Jan 2024 is closed."
    fake = fake_netsuite(lambda _r: error_response(400, "USER_ERROR", closed))
    with pytest.raises(RequestError) as raised:
        make_client(fake).records.delete_by_external_id("customerRefund", "x")
    assert raised.value.detail == closed
    assert len(fake.rest_requests) == 1


def test_a_delete_is_retried_on_5xx_like_any_request(
    make_client: Any, fake_netsuite: Any, error_response: Any
) -> None:
    answers = iter([error_response(503, "UNEXPECTED_ERROR", "busy"), httpx.Response(204)])
    fake = fake_netsuite(lambda _r: next(answers))
    assert make_client(fake).records.delete_by_external_id("customerRefund", "x") is True
    assert [r.method for r in fake.rest_requests] == ["DELETE", "DELETE"]


def test_an_external_id_netsuite_cannot_address_is_refused_before_sending(
    make_client: Any, fake_netsuite: Any
) -> None:
    fake = fake_netsuite(lambda _r: httpx.Response(204))
    with pytest.raises(ValueError, match="may only contain"):
        make_client(fake).records.delete_by_external_id("customerRefund", "a|b")
    assert fake.rest_requests == []
