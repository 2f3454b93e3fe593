"""The official ``chargebee`` Python package, pointed at the sandbox by host name."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from .conftest import Sandbox

chargebee = pytest.importorskip("chargebee")


@pytest.fixture
def sdk(generated: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A ``chargebee.Chargebee`` client for ``{site}.localhost:{port}`` over plain http.

    The SDK always builds ``{protocol}://{site}.{domain}/api/v2``; ``*.localhost`` does not
    resolve here, so name resolution (only) is pointed at 127.0.0.1 for this test. The
    class-level ``verify_ca_certs = False`` is what lets ``protocol="http"`` take effect.
    """
    real = socket.getaddrinfo

    def resolve(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(chargebee.Chargebee, "verify_ca_certs", False)
    return chargebee.Chargebee(
        api_key=generated.settings.test_key,
        site=generated.settings.site,
        chargebee_domain=f"localhost:{generated.server.port}",
        protocol="http",
    )


def test_sdk_lists_invoices_with_filters_and_pages(sdk: Any) -> None:
    first = sdk.Invoice.list({"limit": 5, "status": {"in": ["paid", "payment_due"]}})
    assert len(first.list) == 5
    assert all(row.invoice.status in ("paid", "payment_due") for row in first.list)
    assert first.next_offset
    second = sdk.Invoice.list(
        {"limit": 5, "status": {"in": ["paid", "payment_due"]}, "offset": first.next_offset}
    )
    assert {r.invoice.id for r in first.list}.isdisjoint({r.invoice.id for r in second.list})
    window = sdk.Invoice.list(
        {
            "limit": 100,
            "updated_at": {"between": [1600000000, 1900000000]},
            "sort_by": {"asc": "updated_at"},
        }
    )
    stamps = [row.invoice.updated_at for row in window.list]
    assert stamps == sorted(stamps)


def test_sdk_retrieves_an_event(sdk: Any, generated: Sandbox) -> None:
    event_id = generated.api.get("/events", params={"limit": 1}).json()["list"][0]["event"]["id"]
    response = sdk.Event.retrieve(event_id)
    assert response.event.id == event_id
    assert response.event.content


def test_sdk_raises_on_a_bad_key(generated: Sandbox, sdk: Any) -> None:
    bad = chargebee.Chargebee(
        api_key="test_bad",
        site=generated.settings.site,
        chargebee_domain=f"localhost:{generated.server.port}",
        protocol="http",
    )
    with pytest.raises(chargebee.APIError) as caught:
        bad.Invoice.list({"limit": 1})
    assert caught.value.http_status_code == 401
    assert caught.value.api_error_code == "api_authentication_failed"
