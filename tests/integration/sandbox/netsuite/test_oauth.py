"""Token endpoint (JWT client credentials), host routing and bearer checks with a movable clock."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from .conftest import EC_CERT, GRANT, RSA_CERT, Sandbox, SandboxFactory, assert_ns_error


def test_ec_assertion_mints_a_bearer_token_without_refresh_token(ns: Sandbox) -> None:
    response = ns.token_request(ns.assertion(alg="ES256"))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["expires_in"] == 3600
    assert body["token_type"] == "Bearer"
    assert "refresh_token" not in body


@pytest.mark.parametrize("alg", ["PS256", "PS384", "PS512"])
def test_rsa_pss_assertion_is_accepted(ns: Sandbox, alg: str) -> None:
    response = ns.token_request(ns.assertion(alg=alg, kid=RSA_CERT))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "scope",
    [["rest_webservices"], "restlets,rest_webservices", "rest_webservices, suite_analytics"],
)
def test_scope_may_be_an_array_or_a_comma_separated_string(ns: Sandbox, scope: Any) -> None:
    assert ns.token_request(ns.assertion(scope=scope)).status_code == 200


def _oauth_error(response: httpx.Response, status: int, error: str) -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": error}


def test_rs256_is_rejected(ns: Sandbox) -> None:
    _oauth_error(ns.token_request(ns.assertion(alg="RS256", kid=RSA_CERT)), 401, "invalid_client")


def test_unknown_certificate_id_is_rejected(ns: Sandbox) -> None:
    _oauth_error(ns.token_request(ns.assertion(kid="not-registered")), 401, "invalid_client")


def test_key_that_is_not_the_registered_one_is_rejected(ns: Sandbox) -> None:
    stranger = ec.generate_private_key(ec.SECP256R1())
    _oauth_error(ns.token_request(ns.assertion(key=stranger)), 401, "invalid_client")


def test_algorithm_not_matching_the_certificate_is_rejected(ns: Sandbox) -> None:
    # The RSA certificate's id with an EC signature.
    _oauth_error(ns.token_request(ns.assertion(kid=RSA_CERT)), 401, "invalid_client")


def test_wrong_issuer_is_rejected(ns: Sandbox) -> None:
    _oauth_error(ns.token_request(ns.assertion(iss="someone-else")), 401, "invalid_client")


def test_wrong_audience_is_rejected(ns: Sandbox) -> None:
    wrong = "https://other-account.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
    _oauth_error(ns.token_request(ns.assertion(aud=wrong)), 400, "invalid_grant")


def test_canonical_netsuite_token_url_is_accepted_as_audience(ns: Sandbox) -> None:
    aud = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
    assert ns.token_request(ns.assertion(aud=aud)).status_code == 200


def test_assertion_living_an_hour_or_more_is_rejected(ns: Sandbox) -> None:
    _oauth_error(ns.token_request(ns.assertion(lifetime=3600)), 400, "invalid_grant")
    assert ns.token_request(ns.assertion(lifetime=3599)).status_code == 200


def test_expired_assertion_is_rejected(ns: Sandbox) -> None:
    now = int(time.time())
    stale = ns.assertion(iat=now - 900, exp=now - 600)
    _oauth_error(ns.token_request(stale), 400, "invalid_grant")


@pytest.mark.parametrize("scope", [["restlets"], ["rest_webservices", "bogus"], []])
def test_scope_without_rest_webservices_is_invalid_scope(ns: Sandbox, scope: Any) -> None:
    _oauth_error(ns.token_request(ns.assertion(scope=scope)), 400, "invalid_scope")


def test_form_errors(ns: Sandbox) -> None:
    assertion = ns.assertion()
    _oauth_error(
        ns.token_request(assertion, grant_type="authorization_code"), 400, "unsupported_grant_type"
    )
    _oauth_error(ns.token_request(assertion, client_assertion_type="basic"), 400, "invalid_request")
    _oauth_error(ns.token_request("not-a-jwt"), 400, "invalid_request")
    as_json = httpx.post(ns.token_url, json={**GRANT, "client_assertion": assertion})
    _oauth_error(as_json, 400, "invalid_request")


def test_access_token_works_then_expires_on_the_sandbox_clock(ns: Sandbox) -> None:
    api = ns.client()
    assert api.get("/system/v1/governanceLimits").status_code == 200
    ns.admin("POST", "/clock/advance", {"seconds": 3540})
    assert api.get("/system/v1/governanceLimits").status_code == 200
    ns.admin("POST", "/clock/advance", {"seconds": 61})
    expired = api.get("/system/v1/governanceLimits")
    assert_ns_error(expired, 401, "INVALID_LOGIN")
    # A new assertion (signed with the real clock) still mints a fresh, working token.
    fresh = ns.client()
    assert fresh.get("/system/v1/governanceLimits").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer garbage", "Basic dXNlcjpwYXNz"],
)
def test_missing_or_invalid_bearer_gets_invalid_login(
    ns: Sandbox, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    response = httpx.get(f"{ns.rest}/record/v1/customer", headers=headers)
    assert_ns_error(response, 401, "INVALID_LOGIN")
    assert response.headers["www-authenticate"] == (
        'Bearer realm="1234567_SB1", error="invalid_token", '
        'error_description="Invalid login attempt."'
    )


def test_token_signed_by_someone_else_is_rejected(ns: Sandbox) -> None:
    forged = jwt.encode(
        {"aud": ["test-client-id"], "exp": int(time.time()) + 3600},
        ns.keys.ec,
        algorithm="ES256",
    )
    response = httpx.get(
        f"{ns.rest}/record/v1/customer", headers={"Authorization": f"Bearer {forged}"}
    )
    assert_ns_error(response, 401, "INVALID_LOGIN")


def test_secrets_do_not_appear_in_error_bodies(ns: Sandbox) -> None:
    assertion = ns.assertion(kid="not-registered")
    assert assertion not in ns.token_request(assertion).text
    token = ns.mint()
    ns.admin("POST", "/clock/advance", {"seconds": 4000})
    response = httpx.get(
        f"{ns.rest}/record/v1/customer", headers={"Authorization": f"Bearer {token}"}
    )
    assert token not in response.text and token not in str(response.headers)


def test_account_host_routing(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(account_id="123_SB1")
    token = ns.mint()
    auth = {"Authorization": f"Bearer {token}"}
    url = f"{ns.rest}/system/v1/governanceLimits"
    ok_host = {"Host": "123-sb1.suitetalk.api.netsuite.com", **auth}
    assert httpx.get(url, headers=ok_host).status_code == 200
    assert (
        httpx.get(url, headers={"Host": "123_SB1.suitetalk.api.netsuite.com", **auth}).status_code
        == 200
    )
    assert httpx.get(url, headers=auth).status_code == 200  # loopback
    wrong = httpx.get(url, headers={"Host": "999-sb1.suitetalk.api.netsuite.com", **auth})
    assert_ns_error(wrong, 400, "INVALID_REQUEST")


def test_strict_host_mode_rejects_other_host_forms(sandbox_factory: SandboxFactory) -> None:
    ns = sandbox_factory(account_id="123_SB1", strict_host=True)
    host = "123-sb1.suitetalk.api.netsuite.com"
    aud = f"https://{host}/services/rest/auth/oauth2/v1/token"
    minted = httpx.post(
        ns.token_url,
        data={**GRANT, "client_assertion": ns.assertion(aud=aud)},
        headers={"Host": host},
    )
    assert minted.status_code == 200, minted.text
    auth = {"Authorization": f"Bearer {minted.json()['access_token']}"}
    url = f"{ns.rest}/system/v1/governanceLimits"
    assert httpx.get(url, headers={"Host": host, **auth}).status_code == 200
    for bad in ("123_SB1.suitetalk.api.netsuite.com", None):
        headers = {"Host": bad, **auth} if bad else auth
        assert_ns_error(httpx.get(url, headers=headers), 400, "INVALID_REQUEST")
    # Locations point at the account's https domain.
    created = httpx.put(
        f"{ns.rest}/record/v1/customer/eid:c1",
        json={"companyName": "Host Co", "subsidiary": {"id": "1"}},
        headers={"Host": host, **auth},
    )
    assert created.headers["location"].startswith(f"https://{host}/services/rest/record/v1/")


def test_registered_certificate_must_meet_key_size_rules(keys: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from cbns_devkit.sandbox.netsuite import NetSuiteSandboxSettings, create_app
    from cbns_devkit.sandbox.netsuite.keys import public_key_pem

    small = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(ValueError, match="3072 or 4096"):
        create_app(NetSuiteSandboxSettings(certificates={"c": public_key_pem(small)}))
    assert EC_CERT
