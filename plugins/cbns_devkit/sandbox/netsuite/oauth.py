"""The OAuth 2.0 client-credentials (JWT assertion) token endpoint and bearer-token checks."""

from __future__ import annotations

import functools
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from .account_settings import NetSuiteSandboxSettings, account_domain
from .clock import Clock
from .error_bodies import OAuthError, invalid_login
from .keys import PublicKey, load_public_key

GRANT_TYPE = "client_credentials"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ALLOWED_ALGS = frozenset({"PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
KNOWN_SCOPES = frozenset({"restlets", "rest_webservices", "suite_analytics"})
MAX_ASSERTION_LIFETIME = 3600
# Tolerated skew between the client's clock and ours when checking the assertion.
CLOCK_SKEW = 60
TOKEN_PATH = "/services/rest/auth/oauth2/v1/token"
# Verified access tokens remembered at most (a client holds one token for an hour).
VERIFIED_TOKENS_KEPT = 1024


@functools.cache
def _server_key() -> rsa.RSAPrivateKey:
    # NetSuite's access tokens are RS256 JWTs; one signing key per process is plenty.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def parse_scopes(raw: Any) -> list[str]:
    """Scopes from the claim: a JSON array (Oracle's samples) or a comma-separated string (docs)."""
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return [item.strip() for item in raw]
    raise OAuthError(400, "invalid_scope")


class TokenService:
    """Verifies client assertions, mints access tokens and checks them on REST calls."""

    def __init__(self, settings: NetSuiteSandboxSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.public_keys: dict[str, PublicKey] = {
            cert_id: load_public_key(pem) for cert_id, pem in settings.certificates.items()
        }
        # Claims of access tokens whose signature was already checked. A token is the same
        # string on every call, and verifying its RSA signature again each time costs the
        # sandbox more CPU than the rest of a request; expiry is still checked on every call.
        self._verified: dict[str, dict[str, Any]] = {}
        self._verified_lock = threading.Lock()

    def accepted_audiences(self, request_url: str) -> set[str]:
        """The token URLs NetSuite's own samples use as ``aud``, plus the URL actually called."""
        label = account_domain(self.settings.account_id).split(".", 1)[0]
        hosts = [f"{label}.{kind}.api.netsuite.com" for kind in ("suitetalk", "restlets")]
        hosts.append(f"{label}.connect.api.netsuite.com")
        return {f"https://{host}{TOKEN_PATH}" for host in hosts} | {request_url}

    def mint(self, form: Mapping[str, str], request_url: str) -> dict[str, Any]:
        """Handle a token request body; return the token response or raise ``OAuthError``."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError(400, "invalid_request")
        if grant_type != GRANT_TYPE:
            raise OAuthError(400, "unsupported_grant_type")
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            raise OAuthError(400, "invalid_request")
        assertion = form.get("client_assertion")
        if not assertion:
            raise OAuthError(400, "invalid_request")
        claims = self._verify_assertion(assertion, request_url)
        scopes = parse_scopes(claims.get("scope"))
        if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
            raise OAuthError(400, "invalid_scope")
        if "rest_webservices" not in scopes:
            raise OAuthError(400, "invalid_scope")
        now = int(self.clock.now())
        ttl = self.settings.token_ttl_seconds
        token = jwt.encode(
            {
                "sub": "3;1081;sandbox",
                "aud": [self.settings.client_id, "app:sandbox"],
                "scope": scopes,
                "iss": f"https://{account_domain(self.settings.account_id)}",
                "iat": now,
                "exp": now + ttl,
                "jti": secrets.token_hex(16),
            },
            _server_key(),
            algorithm="RS256",
            headers={"kid": "s.SYSTEM.2020_1"},
        )
        # No refresh token in this flow: a new token needs a new assertion.
        return {"access_token": token, "expires_in": ttl, "token_type": "Bearer"}

    def _verify_assertion(self, assertion: str, request_url: str) -> dict[str, Any]:
        # Which OAuth error each failure gets is not documented for M2M (UNVERIFIED): bad
        # format -> invalid_request; the client cannot be authenticated (alg, kid, iss,
        # signature) -> invalid_client; a valid client with an unusable grant (aud, times)
        # -> invalid_grant.
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            raise OAuthError(400, "invalid_request") from None
        if header.get("typ", "JWT") != "JWT":
            raise OAuthError(400, "invalid_request")
        alg = header.get("alg")
        if alg not in ALLOWED_ALGS:
            raise OAuthError(401, "invalid_client")
        key = self.public_keys.get(str(header.get("kid") or ""))
        if key is None:
            raise OAuthError(401, "invalid_client")
        if (alg.startswith("ES") and not isinstance(key, ec.EllipticCurvePublicKey)) or (
            alg.startswith("PS") and not isinstance(key, rsa.RSAPublicKey)
        ):
            raise OAuthError(401, "invalid_client")
        try:
            claims: dict[str, Any] = jwt.decode(
                assertion,
                key,
                algorithms=[alg],
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError:
            raise OAuthError(401, "invalid_client") from None
        if claims.get("iss") != self.settings.client_id:
            raise OAuthError(401, "invalid_client")
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if not any(
            isinstance(a, str) and a in self.accepted_audiences(request_url) for a in audiences
        ):
            raise OAuthError(400, "invalid_grant")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int | float) or not isinstance(exp, int | float):
            raise OAuthError(400, "invalid_request")
        if not 0 < exp - iat < MAX_ASSERTION_LIFETIME:
            raise OAuthError(400, "invalid_grant")
        # The client signs with its real clock, so assertions are checked against real time;
        # only the access tokens we issue live on the (advanceable) sandbox clock.
        now = time.time()
        if iat > now + CLOCK_SKEW or exp < now - CLOCK_SKEW:
            raise OAuthError(400, "invalid_grant")
        return claims

    def check_bearer(self, authorization: str | None) -> dict[str, Any]:
        """Validate ``Authorization: Bearer …``; raise the 401 ``INVALID_LOGIN`` error if not."""
        failure = invalid_login(self.settings.account_id)
        if not authorization:
            raise failure
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            raise failure
        claims = self._verified.get(token)
        if claims is None:
            try:
                claims = jwt.decode(
                    token,
                    _server_key().public_key(),
                    algorithms=["RS256"],
                    options={"verify_exp": False, "verify_aud": False, "verify_iat": False},
                )
            except jwt.PyJWTError:
                raise failure from None
            with self._verified_lock:
                if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                    self._verified.clear()
                self._verified[token] = claims
        if claims.get("exp", 0) <= self.clock.now():
            raise failure
        if self.settings.client_id not in claims.get("aud", []):
            raise failure
        return claims
