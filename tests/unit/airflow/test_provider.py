"""Airflow sees this package as a provider with the chargebee and netsuite connection types."""

from __future__ import annotations

import json
import warnings
from importlib.metadata import distribution
from pathlib import Path

import jsonschema
import pytest

from chargebee_netsuite.airflow.provider import get_provider_info


def test_provider_info_matches_airflows_schema_and_the_distribution() -> None:
    import airflow

    schema_path = Path(airflow.__file__).with_name("provider_info.schema.json")
    info = get_provider_info()
    jsonschema.validate(info, json.loads(schema_path.read_text()))
    # Airflow refuses a provider whose package-name differs from the installed distribution.
    assert info["package-name"] == distribution("chargebee-netsuite").metadata["Name"]
    assert get_provider_info() is not get_provider_info()


def test_providers_manager_registers_both_connection_types_without_deprecations() -> None:
    from airflow.exceptions import AirflowProviderDeprecationWarning
    from airflow.providers_manager import ProvidersManager

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = ProvidersManager()
        assert "chargebee-netsuite" in manager.providers
        hooks = manager.hooks
        chargebee, netsuite = hooks["chargebee"], hooks["netsuite"]
        widgets = manager.connection_form_widgets
        behaviours = manager.field_behaviours
    assert chargebee is not None and netsuite is not None
    assert chargebee.hook_class_name.endswith("hooks.chargebee.ChargebeeHook")
    assert netsuite.hook_class_name.endswith("hooks.netsuite.NetSuiteHook")
    assert (chargebee.connection_id_attribute_name, netsuite.connection_id_attribute_name) == (
        "chargebee_conn_id",
        "netsuite_conn_id",
    )
    ours = [
        w
        for w in caught
        if issubclass(w.category, (DeprecationWarning, AirflowProviderDeprecationWarning))
        and ("chargebee" in str(w.message).lower() or "netsuite" in str(w.message).lower())
    ]
    assert ours == []
    for name in ("environment", "region", "base_url", "plan", "rate_limit_per_minute"):
        assert f"extra__chargebee__{name}" in widgets
    for name in ("client_id", "certificate_id", "private_key", "algorithm", "concurrency"):
        assert f"extra__netsuite__{name}" in widgets
    assert widgets["extra__netsuite__private_key"].is_sensitive
    assert not widgets["extra__netsuite__client_id"].is_sensitive
    assert behaviours["chargebee"]["relabeling"] == {"login": "Site", "password": "API key"}
    assert behaviours["netsuite"]["relabeling"] == {"login": "Account ID"}


@pytest.mark.parametrize("hook", ["chargebee", "netsuite"])
def test_hooks_define_no_deprecated_ui_methods(hook: str) -> None:
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
    from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook

    cls = ChargebeeHook if hook == "chargebee" else NetSuiteHook
    assert "get_ui_field_behaviour" not in cls.__dict__
    assert "get_connection_form_widgets" not in cls.__dict__
