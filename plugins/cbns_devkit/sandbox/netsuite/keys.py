"""Key pairs and certificates for the M2M client-credentials flow (generated once, kept on disk)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

KeyType = Literal["rsa", "ec"]
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# NetSuite accepts RSA 3072/4096 and EC 256/384/521 certificates only.
ALLOWED_RSA_BITS = frozenset({3072, 4096})
ALLOWED_EC_BITS = frozenset({256, 384, 521})

PRIVATE_KEY_FILE = "netsuite_private_key.pem"
CERTIFICATE_FILE = "netsuite_certificate.pem"
CREDENTIALS_FILE = "netsuite_credentials.json"


def generate_private_key(key_type: KeyType = "rsa") -> PrivateKey:
    """A new RSA 3072 or EC P-256 private key."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=3072)


def private_key_pem(key: PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted (a local sandbox key)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def self_signed_certificate(key: PrivateKey, common_name: str = "cbns-sandbox") -> bytes:
    """A PEM X.509 certificate for ``key``, valid two years (NetSuite's maximum)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=730))
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def load_public_key(pem: bytes) -> PublicKey:
    """Read a registered certificate or public key and check NetSuite's key-size rules."""
    key: Any = (
        x509.load_pem_x509_certificate(pem).public_key()
        if b"BEGIN CERTIFICATE" in pem
        else serialization.load_pem_public_key(pem)
    )
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size not in ALLOWED_RSA_BITS:
            raise ValueError(f"RSA keys must be 3072 or 4096 bits, not {key.key_size}")
        return key
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size not in ALLOWED_EC_BITS:
            raise ValueError(f"EC keys must be 256, 384 or 521 bits, not {key.curve.key_size}")
        return key
    raise ValueError("only RSA and EC certificates can be registered")


def public_key_pem(key: PrivateKey) -> bytes:
    """The SubjectPublicKeyInfo PEM of a private key's public half."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class Credentials:
    """The client side of an M2M integration as stored in the state directory."""

    client_id: str
    certificate_id: str
    key_type: KeyType
    private_key_path: Path
    certificate_path: Path

    def certificate_pem(self) -> bytes:
        """The registered certificate (public)."""
        return self.certificate_path.read_bytes()


def ensure_credentials(state_dir: Path, key_type: KeyType = "rsa") -> Credentials:
    """Create the key pair, certificate and ids on first start; reuse them afterwards.

    A different ``key_type`` than the stored one generates a fresh pair.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    meta_path = state_dir / CREDENTIALS_FILE
    key_path = state_dir / PRIVATE_KEY_FILE
    cert_path = state_dir / CERTIFICATE_FILE
    if meta_path.exists() and key_path.exists() and cert_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("key_type") == key_type:
            return Credentials(
                meta["client_id"], meta["certificate_id"], key_type, key_path, cert_path
            )
    key = generate_private_key(key_type)
    # Write the private key readable by the owner only.
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private_key_pem(key))
    cert_path.write_bytes(self_signed_certificate(key))
    meta = {
        "client_id": secrets.token_hex(32),
        "certificate_id": secrets.token_urlsafe(32),
        "key_type": key_type,
    }
    meta_path.write_text(json.dumps(meta, indent=2) + "\n")
    return Credentials(meta["client_id"], meta["certificate_id"], key_type, key_path, cert_path)
