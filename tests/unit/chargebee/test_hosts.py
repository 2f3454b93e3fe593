"""Base URL derivation: site, environment, region table and the full override."""

from __future__ import annotations

import pytest

from chargebee_netsuite.chargebee.hosts import REGION_DOMAINS, base_url_for


@pytest.mark.parametrize(
    ("site", "environment", "region", "expected"),
    [
        ("acme", "live", "us", "https://acme.chargebee.com/api/v2"),
        ("acme", "test", "us", "https://acme-test.chargebee.com/api/v2"),
        ("acme-test", "test", "us", "https://acme-test.chargebee.com/api/v2"),
        ("acme", "live", "eu", "https://acme.chargebee.com/api/v2"),
        ("acme", "test", "au", "https://acme-test.chargebee.com/api/v2"),
        ("acme", "live", "EU", "https://acme.chargebee.com/api/v2"),
    ],
)
def test_host_derivation(site: str, environment: str, region: str, expected: str) -> None:
    assert base_url_for(site, environment, region) == expected


def test_every_region_defaults_to_the_one_public_domain() -> None:
    assert set(REGION_DOMAINS) == {"us", "eu", "au"}
    assert set(REGION_DOMAINS.values()) == {"chargebee.com"}


def test_region_table_is_the_single_place_a_regional_host_would_go(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(REGION_DOMAINS, "eu", "eu.chargebee.example")
    assert base_url_for("acme", "live", "eu") == "https://acme.eu.chargebee.example/api/v2"


@pytest.mark.parametrize(
    "override", ["http://127.0.0.1:8710", "http://127.0.0.1:8710/", "http://127.0.0.1:8710/api/v2"]
)
def test_base_url_override_wins_and_gets_the_api_path(override: str) -> None:
    assert base_url_for("acme", "test", "eu", override) == "http://127.0.0.1:8710/api/v2"


@pytest.mark.parametrize(
    ("site", "environment", "region"),
    [
        ("", "live", "us"),
        ("acme.chargebee.com", "live", "us"),
        ("acme", "prod", "us"),
        ("acme", "live", "mars"),
    ],
)
def test_invalid_inputs_are_refused(site: str, environment: str, region: str) -> None:
    with pytest.raises(ValueError):
        base_url_for(site, environment, region)
