"""Site selection by host name and HTTP Basic authentication with the API key."""

from __future__ import annotations

import base64
import binascii
import ipaddress

from .api_errors import authentication_failed


def site_from_host(host_header: str | None, default_site: str) -> str:
    """The site named by ``Host``: its first label (``acme-test.localhost:8710`` → acme-test).

    IP addresses and single-label hosts (``localhost``, a compose service name) have no
    site label and select the configured default site.
    """
    host = (host_header or "").strip().lower()
    if host.startswith("["):
        return default_site
    name = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    if not name or "." not in name:
        return default_site
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name.split(".", 1)[0]
    return default_site


def api_key_from_header(authorization: str | None) -> str:
    """The API key of ``Authorization: Basic base64(key:)``; password is ignored.

    Missing or malformed headers raise the 401 ``api_authentication_wrong_format`` error.
    """
    if not authorization:
        raise authentication_failed(wrong_format=True)
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        raise authentication_failed(wrong_format=True)
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("latin1")
    except (binascii.Error, ValueError):
        raise authentication_failed(wrong_format=True) from None
    key, sep, _password = decoded.partition(":")
    if not sep or not key:
        raise authentication_failed(wrong_format=True)
    return key
