"""Read-only Chargebee API v2 client: hosts, auth, pagination, filters, rate limits, errors."""

from chargebee_netsuite.chargebee.client import ChargebeeClient, ChargebeeSettings
from chargebee_netsuite.chargebee.errors import (
    AuthenticationError,
    AuthorizationError,
    ChargebeeError,
    FatalAPIError,
    NotFoundError,
    RateLimitError,
    RetriableAPIError,
    RetriesExhaustedError,
)
from chargebee_netsuite.chargebee.hosts import REGION_DOMAINS, base_url_for

__all__ = [
    "REGION_DOMAINS",
    "AuthenticationError",
    "AuthorizationError",
    "ChargebeeClient",
    "ChargebeeError",
    "ChargebeeSettings",
    "FatalAPIError",
    "NotFoundError",
    "RateLimitError",
    "RetriableAPIError",
    "RetriesExhaustedError",
    "base_url_for",
]
