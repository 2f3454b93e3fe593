"""Clients that work against real Chargebee work against the sandbox unchanged.

singer-io/tap-chargebee (tap_chargebee/client.py) sends every list call through ``requests``
with ``params['include_deleted'] = self.include_deleted``, a Python bool: on the wire that is
``include_deleted=True``. The tap retries and then fails on any 4xx, so real Chargebee takes it.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from .conftest import Sandbox


def tap_style_list(sandbox: Sandbox, resource: str, **params: Any) -> requests.Response:
    """One list page the way tap-chargebee asks for it: requests, Basic auth, raw Python values."""
    return requests.get(
        f"{sandbox.base_url}/api/v2/{resource}",
        auth=(sandbox.settings.test_key, ""),
        params={"limit": 100, **params},
        timeout=30,
    )


@pytest.mark.parametrize("include_deleted", [True, False])
def test_python_booleans_from_requests_are_accepted(
    start_sandbox: Any, include_deleted: bool
) -> None:
    sandbox = start_sandbox(scale=3, rate_limit_per_minute=100_000)
    deleted = next(
        entry["invoice"]["id"]
        for entry in sandbox.list_all("invoices")
        if sandbox.admin.delete(f"/invoices/{entry['invoice']['id']}").is_success
    )

    response = tap_style_list(sandbox, "invoices", include_deleted=include_deleted)
    assert response.request.url is not None
    assert f"include_deleted={include_deleted}" in response.request.url  # "True" / "False"
    assert response.status_code == 200, response.text
    ids = {entry["invoice"]["id"] for entry in response.json()["list"]}
    assert (deleted in ids) is include_deleted


def test_boolean_filters_take_any_letter_case(start_sandbox: Any) -> None:
    sandbox = start_sandbox(scale=3, rate_limit_per_minute=100_000)
    lowered = tap_style_list(sandbox, "invoices", **{"recurring[is]": "true"})
    capital = tap_style_list(sandbox, "invoices", **{"recurring[is]": True})
    assert lowered.status_code == capital.status_code == 200, capital.text
    assert capital.json() == lowered.json()
    # Not a boolean at all is still the documented 400.
    wrong = tap_style_list(sandbox, "invoices", include_deleted="yes")
    assert wrong.status_code == 400
    assert wrong.json()["api_error_code"] == "param_wrong_value"
