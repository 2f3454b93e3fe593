"""OAuth 2.0 client credentials for NetSuite: JWT assertions, a single-flight token, bearer auth."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Generator
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from chargebee_netsuite.http_core import copy_request
from chargebee_netsuite.netsuite.config import NetSuiteConfig, Secret
from chargebee_netsuite.netsuite.errors import TokenRequestError

log = logging.getLogger(__name__)

GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def load_signing_key(pem: Secret, algorithm: str) -> SigningKey:
    """Parse the PEM private key and check it fits the algorithm (RSA for PS*, EC for ES*)."""
    try:
        key = serialization.load_pem_private_key(pem.reveal().encode(), password=None)
    except (ValueError, TypeError):
        # The parser's message can quote key material; say only what is wrong.
        raise ValueError("the NetSuite private key is not an unencrypted PEM private key") from None
    if algorithm.startswith("PS") and isinstance(key, rsa.RSAPrivateKey):
        return key
    if algorithm.startswith("ES") and isinstance(key, ec.EllipticCurvePrivateKey):
        return key
    wanted = "an RSA" if algorithm.startswith("PS") else "an EC"
    raise ValueError(f"algorithm {algorithm} needs {wanted} private key")


class AssertionSigner:
    """Builds the signed client assertion NetSuite's token endpoint expects."""

    def __init__(self, config: NetSuiteConfig, clock: Callable[[], float] = time.time) -> None:
        self._config = config
        self._clock = clock
        self._key = load_signing_key(config.private_key, config.algorithm)

    def __repr__(self) -> str:
        return f"AssertionSigner({self._config.describe()}, {self._config.algorithm})"

    def claims(self) -> dict[str, Any]:
        """The assertion claims: who we are, for which scopes and audience, for how long."""
        now = int(self._clock())
        return {
            "iss": self._config.client_id,
            # Oracle's own sample assertions send an array; the sandbox accepts both forms.
            "scope": list(self._config.scope),
            "aud": self._config.token_url,
            "iat": now,
            "exp": now + self._config.assertion_lifetime,
            "jti": str(uuid.uuid4()),
        }

    def sign(self) -> Secret:
        """A fresh assertion (kept wrapped: it grants a token to whoever holds it)."""
        token = jwt.encode(
            self.claims(),
            self._key,
            algorithm=self._config.algorithm,
            headers={"kid": self._config.certificate_id, "typ": "JWT"},
        )
        return Secret(token)


class TokenManager:
    """Holds one bearer token for an integration and mints a new one when it runs out.

    There is no refresh token in the M2M flow, so "refreshing" is minting a new assertion.
    Minting is single-flight: threads that need a token while one is being minted wait for it
    instead of each asking the token endpoint.
    """

    def __init__(
        self,
        config: NetSuiteConfig,
        post: Callable[[str, dict[str, str]], httpx.Response],
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        on_mint: Callable[[Secret], None] | None = None,
    ) -> None:
        self._config = config
        self._post = post
        # Told of every new token (the Airflow hook registers it with the secrets masker).
        self._on_mint = on_mint
        self._clock = clock
        self._signer = AssertionSigner(config, wall_clock)
        self._lock = threading.Lock()
        self._token: Secret | None = None
        self._expires_at = 0.0
        self.mint_count = 0

    def __repr__(self) -> str:
        state = "cached" if self._token is not None else "empty"
        return f"TokenManager({self._config.describe()}, token={state})"

    def token(self) -> Secret:
        """A bearer token that is valid for a while yet (minting one if needed)."""
        current = self._token
        if current is not None and self._clock() < self._expires_at:
            return current
        with self._lock:
            # Another thread may have minted while we waited for the lock.
            if self._token is not None and self._clock() < self._expires_at:
                return self._token
            return self._mint()

    def invalidate(self, rejected: Secret) -> None:
        """Forget ``rejected`` after NetSuite answered 401 to it.

        Only that exact token is dropped, so when many threads see the same 401 the first one
        to get the lock re-mints and the others pick up its token.
        """
        with self._lock:
            if self._token is not None and self._token == rejected:
                self._token = None
                self._expires_at = 0.0

    def _mint(self) -> Secret:
        assertion = self._signer.sign()
        form = {
            "grant_type": GRANT_TYPE,
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": assertion.reveal(),
        }
        started = self._clock()
        response = self._post(self._config.token_url, form)
        self.mint_count += 1
        if response.status_code != 200:
            raise _token_error(self._config, response)
        try:
            payload = response.json()
            token = Secret(str(payload["access_token"]))
            expires_in = float(payload.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise TokenRequestError(
                f"NetSuite's token endpoint answered 200 without a usable access token "
                f"({self._config.describe()})",
                status=response.status_code,
                error=None,
            ) from None
        # Renew a little early so a token never expires between our check and NetSuite's.
        lifetime = max(expires_in - self._config.token_renew_margin, expires_in / 2)
        if self._on_mint is not None:
            self._on_mint(token)
        self._token = token
        self._expires_at = started + lifetime
        log.info("Minted a NetSuite access token for %s", self._config.describe())
        return token


class BearerTokenAuth(httpx.Auth):
    """``Authorization: Bearer`` from the shared token; on a 401, one fresh token, one more try.

    Tokens can be revoked or expire early (NetSuite's clock is the one that counts), so the
    first 401 drops the token and sends the request once more with a newly minted one, outside
    the client's retry budget and without a backoff. A second 401 goes back to the client,
    which reports it as :class:`~chargebee_netsuite.netsuite.errors.UnauthorizedError`.
    """

    def __init__(self, tokens: TokenManager) -> None:
        self._tokens = tokens

    def __repr__(self) -> str:
        return f"BearerTokenAuth({self._tokens!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._tokens.token()
        request.headers["Authorization"] = f"Bearer {token.reveal()}"
        response = yield request
        if response.status_code != 401:
            return
        self._tokens.invalidate(token)
        log.info(
            "NetSuite answered 401 to %s %s; minting a new token", request.method, request.url.path
        )
        retry = copy_request(request)
        retry.headers["Authorization"] = f"Bearer {self._tokens.token().reveal()}"
        yield retry


def _token_error(config: NetSuiteConfig, response: httpx.Response) -> TokenRequestError:
    error: str | None = None
    try:
        body = response.json()
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            error = body["error"]
    except ValueError:
        pass
    hint = {
        "invalid_client": "check the client id, that the certificate id is still registered "
        "(not revoked or expired) under OAuth 2.0 Client Credentials Setup, that the private "
        "key matches that certificate, and that the algorithm is PS* for RSA or ES* for EC",
        "invalid_grant": "check the machine clock and the token URL used as audience",
        "invalid_scope": "the integration needs the rest_webservices scope",
    }.get(error or "", "see the Login Audit Trail in NetSuite for the reason")
    return TokenRequestError(
        f"NetSuite refused to issue an access token ({response.status_code} {error or 'error'}) "
        f"for {config.describe()}: {hint}",
        status=response.status_code,
        error=error,
    )
