"""Extraction windows and the per-endpoint query parameters they produce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargebee_netsuite.chargebee.endpoints import ENDPOINTS
from chargebee_netsuite.extract.windows import Window

START = datetime(2026, 11, 1, tzinfo=UTC)
END = START + timedelta(hours=1)


def test_bounds_reach_back_by_the_overlap_and_stop_before_the_end() -> None:
    low, high = Window(START, END).bounds()
    assert low == int(START.timestamp()) - 600
    assert high == int(END.timestamp()) - 1
    assert Window(START, END, timedelta(minutes=1)).bounds()[0] == int(START.timestamp()) - 60


def test_windows_are_explicit_and_repeatable() -> None:
    assert Window(START, END).bounds() == Window(START, END).bounds()


@pytest.mark.parametrize(("start", "end"), [(END, START), (START.replace(tzinfo=None), END)])
def test_invalid_windows_are_refused(start: datetime, end: datetime) -> None:
    with pytest.raises(ValueError):
        Window(start, end)


def test_window_params_sort_by_updated_at_and_include_deleted() -> None:
    params = ENDPOINTS["invoices"].window_params(10, 20)
    assert params == {
        "include_deleted": "true",
        "updated_at[between]": "[10,20]",
        "sort_by[asc]": "updated_at",
    }


def test_credit_notes_cannot_sort_by_updated_at() -> None:
    params = ENDPOINTS["credit_notes"].window_params(10, 20)
    assert "sort_by[asc]" not in params
    assert params["updated_at[between]"] == "[10,20]"


@pytest.mark.parametrize("resource", ["items", "item_prices"])
def test_catalog_endpoints_use_status_instead_of_include_deleted(resource: str) -> None:
    params = ENDPOINTS[resource].window_params(10, 20)
    assert "include_deleted" not in params
    assert params["status[in]"] == '["active","archived","deleted"]'


@pytest.mark.parametrize("resource", sorted(ENDPOINTS))
def test_full_listings_never_filter_on_updated_at(resource: str) -> None:
    params = ENDPOINTS[resource].full_params()
    assert not any(key.startswith("updated_at") for key in params)
    assert "sort_by[asc]" not in params
