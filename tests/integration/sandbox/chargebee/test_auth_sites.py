"""Basic auth, site routing by host, distinct keys, error bodies and non-API paths."""

from __future__ import annotations

import base64

import httpx
import pytest

from .conftest import Sandbox, Schemas, schema_errors


def _basic(raw: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}


def test_valid_key_with_empty_password_is_accepted(generated: Sandbox) -> None:
    response = httpx.get(
        f"{generated.base_url}/api/v2/customers", headers=_basic(f"{generated.settings.test_key}:")
    )
    assert response.status_code == 200
    assert response.json()["list"]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer abc"}, {"Authorization": "Basic %%%"}, _basic("nocolon")],
)
def test_missing_or_malformed_header_is_401_wrong_format(
    generated: Sandbox, headers: dict[str, str], schemas: Schemas
) -> None:
    response = httpx.get(f"{generated.base_url}/api/v2/invoices", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["api_error_code"] == "api_authentication_failed"
    assert body["error_code"] == "api_authentication_wrong_format"
    assert body["http_status_code"] == 401
    assert schema_errors(schemas("401"), body) == []


def test_unknown_key_is_401_invalid_api_key(generated: Sandbox, schemas: Schemas) -> None:
    response = httpx.get(f"{generated.base_url}/api/v2/invoices", auth=("test_wrong", ""))
    body = response.json()
    assert response.status_code == 401
    assert body["message"] == "Sorry, authentication failed. Invalid api key"
    assert body["error_msg"] == body["message"]
    assert schema_errors(schemas("401"), body) == []


def test_key_without_rights_is_403(generated: Sandbox) -> None:
    key = generated.settings.no_rights_key
    response = httpx.get(f"{generated.base_url}/api/v2/invoices", auth=(key, ""))
    assert response.status_code == 403
    assert response.json()["api_error_code"] == "api_authorization_failed"


def test_site_is_chosen_by_host_and_keys_are_per_site(generated: Sandbox) -> None:
    settings = generated.settings
    url = f"{generated.base_url}/api/v2/invoices"
    live_host = {"Host": f"{settings.live_site}.localhost"}
    test_host = {"Host": f"{settings.site}.localhost"}
    assert httpx.get(url, auth=(settings.test_key, ""), headers=test_host).json()["list"]
    # The test key on the live site fails as an invalid key; the live key works (no data).
    wrong = httpx.get(url, auth=(settings.test_key, ""), headers=live_host)
    assert wrong.status_code == 401
    live = httpx.get(url, auth=(settings.live_key, ""), headers=live_host)
    assert live.status_code == 200 and live.json() == {"list": []}
    assert settings.live_key != settings.test_key


def test_unknown_site_is_404_site_not_found(generated: Sandbox, schemas: Schemas) -> None:
    response = httpx.get(
        f"{generated.base_url}/api/v2/invoices",
        auth=(generated.settings.test_key, ""),
        headers={"Host": "nosuchsite.localhost"},
    )
    assert response.status_code == 404
    assert response.json()["api_error_code"] == "site_not_found"
    assert schema_errors(schemas("404"), response.json()) == []


def test_configuration_reports_product_catalog_v2(generated: Sandbox) -> None:
    body = generated.api.get("/configurations").json()
    assert body["configurations"][0]["product_catalog_version"] == "v2"
    assert body["configurations"][0]["domain"] == generated.settings.site


def test_pc1_endpoints_are_configuration_incompatible(generated: Sandbox, schemas: Schemas) -> None:
    response = generated.api.get("/plans")
    assert response.status_code == 400
    assert response.json()["api_error_code"] == "configuration_incompatible"
    assert schema_errors(schemas("400"), response.json()) == []


def test_unknown_resource_is_404_resource_not_found(generated: Sandbox, schemas: Schemas) -> None:
    response = generated.api.get("/invoices/does-not-exist")
    assert response.status_code == 404
    assert response.json()["api_error_code"] == "resource_not_found"
    assert schema_errors(schemas("404"), response.json()) == []


def test_admin_is_not_reachable_under_the_api_and_needs_no_key(generated: Sandbox) -> None:
    assert generated.api.get("/__admin").status_code == 404
    assert generated.api.get("/__admin/faults").status_code == 404
    assert httpx.get(f"{generated.base_url}/__admin").status_code == 200


def test_writes_to_the_api_are_refused(generated: Sandbox) -> None:
    response = generated.api.post("/invoices", data={"customer_id": "x"})
    assert response.status_code == 405
    assert response.json()["api_error_code"] == "http_method_not_supported"
