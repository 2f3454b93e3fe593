"""The CLI contract: ``add_arguments``, ``build`` (keys kept in the state dir), describe, demo."""

from __future__ import annotations

import argparse
import stat
from pathlib import Path

import httpx
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from cbns_devkit.sandbox import netsuite
from cbns_devkit.sandbox.server import serve_in_thread


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    netsuite.add_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults() -> None:
    args = _args()
    assert args.ns_account_id == "1234567_SB1"
    assert args.ns_key_type == "rsa"
    assert args.ns_concurrency_limit == 5
    assert (args.ns_latency_ms, args.ns_fail_nth, args.ns_drop_nth) == (0, 0, 0)
    assert args.ns_strict_host is False


def test_build_keeps_credentials_and_the_demo_runs(tmp_path: Path) -> None:
    spec = netsuite.build(_args("--ns-key-type", "ec"), tmp_path)
    again = netsuite.build(_args("--ns-key-type", "ec"), tmp_path)
    assert spec.name == "netsuite"
    with serve_in_thread(spec.app) as server:
        section = spec.describe(server.base_url)
        assert set(section) == {
            "account_id",
            "base_url",
            "token_url",
            "client_id",
            "certificate_id",
            "private_key_path",
            "admin_url",
        }
        assert section["token_url"] == f"{server.base_url}/services/rest/auth/oauth2/v1/token"
        assert section["admin_url"] == f"{server.base_url}/__admin"
        key_path = Path(section["private_key_path"])
        assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
        lines = list(spec.demo(section))
        assert any("minted an access token" in line for line in lines)
        assert any("SuiteQL" in line for line in lines)
        text = "\n".join(lines)
        assert "PRIVATE KEY" not in text and "eyJ" not in text  # no key, no JWT
        assert httpx.get(f"{section['admin_url']}/state").status_code == 200
    with serve_in_thread(again.app) as server:
        assert again.describe(server.base_url)["client_id"] == section["client_id"]
        assert again.describe(server.base_url)["certificate_id"] == section["certificate_id"]
    cert = x509.load_pem_x509_certificate((tmp_path / "netsuite_certificate.pem").read_bytes())
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)


def test_default_key_is_rsa_3072_signed_with_ps256(tmp_path: Path) -> None:
    spec = netsuite.build(_args(), tmp_path)
    cert = x509.load_pem_x509_certificate((tmp_path / "netsuite_certificate.pem").read_bytes())
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 3072
    with serve_in_thread(spec.app) as server:
        lines = list(spec.demo(spec.describe(server.base_url)))
    assert len(lines) >= 4
