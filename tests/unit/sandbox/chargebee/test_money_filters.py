"""Pure helpers: integer money math, list-value parsing, host → site, offsets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from cbns_devkit.sandbox.chargebee.api_errors import ChargebeeError
from cbns_devkit.sandbox.chargebee.filter_params import parse_list
from cbns_devkit.sandbox.chargebee.minor_units import allocate, tax_inside, to_minor
from cbns_devkit.sandbox.chargebee.offsets import decode_offset, encode_offset
from cbns_devkit.sandbox.chargebee.site_auth import site_from_host


def test_to_minor_uses_whole_units_for_zero_decimal_currencies() -> None:
    assert to_minor("499.99", "USD") == 49999
    assert to_minor("15", "JPY") == 15
    assert to_minor(Decimal("1200"), "KRW") == 1200


@pytest.mark.parametrize(("total", "weights"), [(100, [1, 1, 1]), (7, [5, 0, 2]), (0, [3, 4])])
def test_allocate_sums_exactly(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total and len(parts) == len(weights)


def test_tax_inside_splits_gross() -> None:
    assert tax_inside(12000, Decimal(20)) == 2000
    assert tax_inside(1100, Decimal(10)) == 100


@pytest.mark.parametrize("raw", ['["paid","posted"]', "['paid', 'posted']", "[paid, posted]"])
def test_parse_list_accepts_json_repr_and_bare(raw: str) -> None:
    assert parse_list(raw, "status[in]") == ["paid", "posted"]


@pytest.mark.parametrize("raw", ["paid", "[]", "[[1]]"])
def test_parse_list_rejects_non_lists(raw: str) -> None:
    with pytest.raises(ChargebeeError):
        parse_list(raw, "status[in]")


@pytest.mark.parametrize(
    ("host", "site"),
    [
        ("acme-test.localhost:8710", "acme-test"),
        ("acme.chargebee.com", "acme"),
        ("127.0.0.1:8710", "default"),
        ("localhost", "default"),
        ("chargebee-sandbox:8710", "default"),
    ],
)
def test_site_from_host(host: str, site: str) -> None:
    assert site_from_host(host, "default") == site


def test_offset_round_trip() -> None:
    assert decode_offset(encode_offset((1630848839000, 42)), "updated_at") == (1630848839000, 42)
    assert decode_offset(encode_offset(("Name", 3)), "name") == ("Name", 3)
