"""Configuration: hosts from account ids, algorithm rules, secrets kept out of reprs."""

from __future__ import annotations

from typing import Any

import pytest

from chargebee_netsuite.netsuite import NetSuiteConfig, Secret, host_for_account


def test_host_is_built_from_the_account_id() -> None:
    assert host_for_account("1234567_SB1") == "1234567-sb1.suitetalk.api.netsuite.com"
    assert host_for_account("TSTDRV123") == "tstdrv123.suitetalk.api.netsuite.com"


def test_urls_default_to_the_account_host(make_client: Any) -> None:
    config = make_client.config()
    assert config.rest_url == "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest"
    assert config.token_url == f"{config.rest_url}/auth/oauth2/v1/token"


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8720", "http://127.0.0.1:8720/", "http://127.0.0.1:8720/services/rest"],
)
def test_base_url_overrides_the_host(make_client: Any, base_url: str) -> None:
    config = make_client.config(base_url=base_url)
    assert config.rest_url == "http://127.0.0.1:8720/services/rest"


@pytest.mark.parametrize("algorithm", ["RS256", "HS256", "none"])
def test_rs256_and_other_algorithms_are_refused(make_client: Any, algorithm: str) -> None:
    with pytest.raises(ValueError, match="PS256"):
        make_client.config(algorithm=algorithm)


def test_scope_accepts_a_comma_separated_string(make_client: Any) -> None:
    config = make_client.config(scope="rest_webservices, suite_analytics")
    assert config.scope == ("rest_webservices", "suite_analytics")


def test_the_private_key_never_shows_in_reprs(make_client: Any, rsa_pem: str) -> None:
    config: NetSuiteConfig = make_client.config()
    body = rsa_pem.splitlines()[1]
    assert body not in repr(config)
    assert body not in str(config.private_key)
    assert repr(Secret("hunter2")) == "Secret('**********')"
    assert config.private_key.reveal() == rsa_pem


def test_a_plain_string_key_is_wrapped(make_client: Any, rsa_pem: str) -> None:
    config = make_client.config(private_key=rsa_pem)
    assert isinstance(config.private_key, Secret)


def test_concurrency_must_be_positive_or_governance(make_client: Any) -> None:
    assert make_client.config(concurrency="governance").concurrency == "governance"
    with pytest.raises(ValueError, match="concurrency"):
        make_client.config(concurrency=0)
