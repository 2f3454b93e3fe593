"""Chargebee API base URLs: site, environment (live/test) and region → ``https://…/api/v2``."""

from __future__ import annotations

from typing import Literal

Environment = Literal["live", "test"]
Region = Literal["us", "eu", "au"]

# Data residency is chosen per account, but every official SDK and the OpenAPI spec use the same
# `{site}.chargebee.com` host for all three regions. The table exists so that a region-specific
# host can be introduced in one place if Chargebee ever publishes one.
REGION_DOMAINS: dict[str, str] = {
    "us": "chargebee.com",
    "eu": "chargebee.com",
    "au": "chargebee.com",
}
ENVIRONMENTS = ("live", "test")
API_PATH = "/api/v2"


def site_host(site: str, environment: str = "live", region: str = "us") -> str:
    """The API host name, e.g. ``acme-test.chargebee.com`` for the test site of ``acme``."""
    if not site or "/" in site or "." in site:
        raise ValueError(f"Chargebee site must be a bare site name like 'acme', got {site!r}")
    if environment not in ENVIRONMENTS:
        raise ValueError(f"Chargebee environment must be 'live' or 'test', got {environment!r}")
    try:
        domain = REGION_DOMAINS[region.lower()]
    except KeyError:
        known = ", ".join(sorted(REGION_DOMAINS))
        raise ValueError(f"unknown Chargebee region {region!r}; known regions: {known}") from None
    # A test site is the live site's name with "-test" appended; accept either spelling.
    name = site.removesuffix("-test")
    if environment == "test":
        name = f"{name}-test"
    return f"{name}.{domain}"


def base_url_for(
    site: str,
    environment: str = "live",
    region: str = "us",
    base_url: str | None = None,
) -> str:
    """The API base URL (ending in ``/api/v2``) for a site; ``base_url`` overrides it entirely.

    The override is for proxies and the local sandbox; when it lacks the ``/api/v2`` suffix the
    suffix is added, so both ``http://127.0.0.1:8710`` and ``http://127.0.0.1:8710/api/v2`` work.
    """
    if base_url:
        url = base_url.rstrip("/")
        return url if url.endswith(API_PATH) else url + API_PATH
    return f"https://{site_host(site, environment, region)}{API_PATH}"
