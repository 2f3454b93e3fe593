"""The connector's errors: one root, split by what a retry can do.

Every error the connector raises on purpose descends from :class:`ConnectorError`, and from
exactly one of its two branches, so callers (the task retry policy, the loader) decide by class
rather than by message. The HTTP core (``http_core``) retries :class:`RetriableError` only::

    ConnectorError
    ├── RetriableError            a later attempt can succeed (carries attempts, retry_after)
    │   ├── chargebee.errors.RetriableAPIError     5xx, timeouts, dropped connections
    │   │   ├── RateLimitError                     429: the site's request limit
    │   │   └── RetriesExhaustedError              the client gave up; the task may retry later
    │   ├── netsuite.errors.RetriableAPIError      retried by the client, then by the task
    │   │   ├── ServerError                        5xx
    │   │   ├── ConcurrencyLimitError              429: the account's concurrency limit
    │   │   ├── RecordChangedError                 "Record has been changed"
    │   │   └── TransportError                     timeout or dropped connection
    │   └── NotificationFailed                     a notification channel could not be reached
    └── FatalError                retrying cannot help: fix the cause, then run again
        ├── chargebee.errors.FatalAPIError         every 4xx but 429, a request never sent
        │   ├── AuthenticationError                401: key not valid for site/env/region
        │   ├── AuthorizationError                 403: key lacks permission
        │   └── NotFoundError                      404: no such resource (or site)
        ├── netsuite.errors.FatalAPIError          retrying will not help
        │   ├── RequestError                       4xx: NetSuite rejected the request
        │   │   └── RecordNotFoundError            404 NONEXISTENT_ID
        │   └── AuthenticationError                credentials refused
        │       ├── TokenRequestError              the token endpoint refused the assertion
        │       └── UnauthorizedError              401 even with a freshly minted token
        ├── mapping.loading.MappingConfigError     a mapping file that does not parse
        ├── ConfigurationError                     settings or params that cannot work
        ├── ValidationFailed                       every staged document failed validation
        └── UnpostedDocuments                      new documents unposted; the run must fail

"Retries exhausted" stays retriable: the client's own attempts are over, but the task runs
again later, when the site's limit or NetSuite's outage may have passed.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """The root of every error the connector raises on purpose."""


class RetriableError(ConnectorError):
    """A failure a later attempt can fix: rate limits, server errors, timeouts."""

    # How many attempts the client made before raising (set when it gives up).
    attempts: int = 1
    # Seconds the server asked us to wait (its ``Retry-After``), when it said.
    retry_after: float | None = None


class FatalError(ConnectorError):
    """A failure retrying cannot fix: credentials, configuration or data must change first."""


class ConfigurationError(FatalError):
    """The deployment is misconfigured (settings, params); nothing can run until it is fixed."""


class ValidationFailed(FatalError):
    """Every staged document failed validation: something upstream is broken, not one record."""


class UnpostedDocuments(FatalError):
    """A run left new documents quarantined, held or failed, and it was told to fail then.

    Retrying the run's last task cannot post them: the data, the mapping or NetSuite must
    change first (the notification and the finance view say what).
    """


class NotificationFailed(RetriableError):
    """A notification (e-mail, webhook) about unposted documents could not be delivered."""
