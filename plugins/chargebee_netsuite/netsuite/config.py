"""Connection settings for one NetSuite account, with the private key kept out of reprs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# NetSuite's M2M flow accepts RSA-PSS and ECDSA only; RSA PKCS#1 v1.5 (RS*) is rejected.
SUPPORTED_ALGORITHMS = frozenset({"PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
DEFAULT_SCOPE = ("rest_webservices",)
DEFAULT_CONCURRENCY = 5

ConcurrencySetting = int | Literal["governance"]


class Secret:
    """A string that never shows itself in ``repr``/``str``; call :meth:`reveal` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The secret value, for the one place that must use it."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def host_for_account(account_id: str) -> str:
    """The REST host of an account: ``1234567_SB1`` -> ``1234567-sb1.suitetalk.api.netsuite.com``.

    Oracle advises reading the URL from Company Information rather than building it, which is
    why :attr:`NetSuiteConfig.base_url` can override this; every client we read builds it so.
    """
    label = account_id.strip().lower().replace("_", "-")
    if not label:
        raise ValueError("a NetSuite account id is required")
    return f"{label}.suitetalk.api.netsuite.com"


def parse_scope(scope: str | tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Scopes as a tuple, from a comma-separated string or a sequence."""
    parts = scope.split(",") if isinstance(scope, str) else list(scope)
    cleaned = tuple(part.strip() for part in parts if part.strip())
    if not cleaned:
        raise ValueError("at least one scope is required, e.g. 'rest_webservices'")
    return cleaned


@dataclass(frozen=True)
class NetSuiteConfig:
    """Everything the client needs to talk to one account as one integration."""

    account_id: str
    client_id: str
    certificate_id: str
    private_key: Secret = field(repr=False)
    algorithm: str = "PS256"
    scope: tuple[str, ...] = DEFAULT_SCOPE
    base_url: str | None = None
    # An int caps in-flight requests; "governance" reads the cap from governanceLimits once.
    concurrency: ConcurrencySetting = DEFAULT_CONCURRENCY
    timeout: float = 60.0
    max_attempts: int = 6
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # How long an assertion is valid; NetSuite requires exp - iat < 60 minutes.
    assertion_lifetime: int = 300
    # Renew the bearer token this many seconds before NetSuite says it expires.
    token_renew_margin: int = 120

    def __post_init__(self) -> None:
        if isinstance(self.private_key, str):
            object.__setattr__(self, "private_key", Secret(self.private_key))
        object.__setattr__(self, "scope", parse_scope(self.scope))
        algorithm = self.algorithm.upper()
        if algorithm not in SUPPORTED_ALGORITHMS:
            raise ValueError(
                f"algorithm {self.algorithm!r} is not accepted by NetSuite's client-credentials "
                f"flow; use one of {', '.join(sorted(SUPPORTED_ALGORITHMS))} (PS256 by default)"
            )
        object.__setattr__(self, "algorithm", algorithm)
        for name in ("account_id", "client_id", "certificate_id"):
            if not getattr(self, name):
                raise ValueError(f"NetSuite {name.replace('_', ' ')} is required")
        if not self.private_key:
            raise ValueError("a PEM private key is required")
        if not 0 < self.assertion_lifetime < 3600:
            raise ValueError("assertion_lifetime must be under 3600 seconds")
        if self.concurrency != "governance" and (
            not isinstance(self.concurrency, int) or self.concurrency < 1
        ):
            raise ValueError("concurrency must be a positive integer or 'governance'")
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    @property
    def rest_url(self) -> str:
        """``https://<host>/services/rest`` unless ``base_url`` overrides it."""
        if self.base_url:
            base = self.base_url.rstrip("/")
            return base if base.endswith("/services/rest") else f"{base}/services/rest"
        return f"https://{host_for_account(self.account_id)}/services/rest"

    @property
    def token_url(self) -> str:
        """The token endpoint, which is also the assertion's ``aud``."""
        return f"{self.rest_url}/auth/oauth2/v1/token"

    def describe(self) -> str:
        """Who we are, for error messages: account, client id, certificate id (never the key)."""
        return (
            f"account {self.account_id}, client id {self.client_id}, "
            f"certificate id {self.certificate_id}"
        )
