"""The hooks' test_connection really calls each API, and every credential is masked in logs."""

from __future__ import annotations

import copy
import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook

from .conftest import set_connection


def test_both_connections_test_ok(connections: dict[str, Any]) -> None:
    assert ChargebeeHook().test_connection() == (True, "Chargebee connection works")
    ok, message = NetSuiteHook().test_connection()
    assert ok, message


def test_a_wrong_chargebee_key_fails_clearly(
    connections: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = copy.deepcopy(connections["chargebee_default"])
    wrong["password"] = "test_not_a_real_key_42"
    set_connection(monkeypatch, "chargebee_default", wrong)
    ok, message = ChargebeeHook().test_connection()
    assert not ok
    assert "401" in message and "acme-test" in message
    assert "test_not_a_real_key_42" not in message


def test_a_wrong_netsuite_client_id_fails_clearly(
    connections: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = copy.deepcopy(connections["netsuite_default"])
    wrong["extra"]["client_id"] = "someone-else"
    set_connection(monkeypatch, "netsuite_default", wrong)
    ok, message = NetSuiteHook().test_connection()
    assert not ok and "invalid_client" in message
    pem = connections["netsuite_default"]["extra"]["private_key"]
    assert not any(line in message for line in pem.splitlines()[1:-1])


@pytest.fixture
def log_masking() -> Iterator[None]:
    """Log masking switched on, as the task runner does for every task."""
    from airflow.sdk._shared.secrets_masker import SecretsMasker, _secrets_masker

    was = SecretsMasker.is_log_masking_enabled()
    SecretsMasker.enable_log_masking()
    # Forget what earlier tests registered, so that this one sees only its own hooks' work.
    _secrets_masker().reset_masker()
    yield
    if not was:
        SecretsMasker.disable_log_masking()


def _logged(text: str) -> str:
    """What a task log shows for ``text``: Airflow's secrets masker is the log filter."""
    from airflow.sdk._shared.secrets_masker import _secrets_masker

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(_secrets_masker())
    logger = logging.getLogger("cbns.test.masking")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("value: %s", text)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_credentials_are_masked_in_log_lines(
    connections: dict[str, Any], log_masking: None
) -> None:
    api_key = connections["chargebee_default"]["password"]
    pem = connections["netsuite_default"]["extra"]["private_key"]
    pem_line = pem.splitlines()[1]
    # Sanity: the masker does not yet know these values, so the test can fail.
    assert api_key in _logged(api_key)

    ChargebeeHook().get_settings()
    hook = NetSuiteHook()
    token = hook.get_conn().tokens.token().reveal()

    for secret in (api_key, pem_line, token):
        line = _logged(f"oops {secret} leaked")
        assert secret not in line and "***" in line
