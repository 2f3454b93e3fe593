"""NetSuite REST client: M2M token, record upserts by external id, SuiteQL, governance."""

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.config import NetSuiteConfig, Secret, host_for_account
from chargebee_netsuite.netsuite.errors import (
    AuthenticationError,
    ConcurrencyLimitError,
    FatalAPIError,
    NetSuiteAPIError,
    NetSuiteError,
    RecordChangedError,
    RecordNotFoundError,
    RequestError,
    RetriableAPIError,
    ServerError,
    TokenRequestError,
    TransportError,
)

__all__ = [
    "AuthenticationError",
    "ConcurrencyLimitError",
    "FatalAPIError",
    "NetSuiteAPIError",
    "NetSuiteClient",
    "NetSuiteConfig",
    "NetSuiteError",
    "RecordChangedError",
    "RecordNotFoundError",
    "RequestError",
    "RetriableAPIError",
    "Secret",
    "ServerError",
    "TokenRequestError",
    "TransportError",
    "host_for_account",
]
