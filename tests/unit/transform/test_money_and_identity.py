"""Money conversion, external ids and local dates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders.documents import context

from chargebee_netsuite.netsuite.records import check_external_id
from chargebee_netsuite.transform.checks import local_date
from chargebee_netsuite.transform.identity import (
    escape,
    external_id,
    parse_external_id,
    unescape,
)
from chargebee_netsuite.transform.model import TransformSettings
from chargebee_netsuite.transform.money import to_money


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        (49999, "USD", Decimal("499.99")),
        (1, "EUR", Decimal("0.01")),
        (-250, "GBP", Decimal("-2.50")),
        (1500, "JPY", Decimal("1500")),
        (1500, "krw", Decimal("1500")),
        (7, "XOF", Decimal("7")),
        (0, "USD", Decimal("0.00")),
    ],
)
def test_chargebee_amounts_become_exact_decimals(
    amount: int, currency: str, expected: Decimal
) -> None:
    result = to_money(amount, currency)
    assert result == expected
    assert isinstance(result, Decimal)
    assert result.as_tuple().exponent == expected.as_tuple().exponent


@pytest.mark.parametrize("bad", [12.5, True, "100"])
def test_anything_but_an_integer_amount_is_refused(bad: object) -> None:
    with pytest.raises(TypeError):
        to_money(bad, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "source_id", ["1001", "CN-12", "txn_AzZ9", "inv 7/8|x", "ünïcødé-ид", "a_b-c__d--", "_2D"]
)
def test_external_ids_use_only_netsuite_safe_characters_and_round_trip(source_id: str) -> None:
    eid = external_id("acme-test", "inv", source_id)
    assert check_external_id(eid) == eid
    assert parse_external_id(eid) == ("acme-test", "inv", source_id)
    assert unescape(escape(source_id)) == source_id


def test_two_sites_and_two_kinds_never_collide() -> None:
    ids = {
        external_id("acme", "inv", "1-x"),
        external_id("acme-1", "inv", "x"),
        external_id("acme", "cn", "1-x"),
        external_id("acme_1", "inv", "x"),
    }
    assert len(ids) == 4


def test_a_foreign_external_id_is_not_parsed() -> None:
    with pytest.raises(ValueError, match="not an external id"):
        parse_external_id("INV-1001")


def test_dates_are_calendar_days_in_the_account_time_zone_not_utc() -> None:
    just_after_midnight_utc = 1704070800  # 2024-01-01T01:00:00Z
    assert str(local_date(just_after_midnight_utc, context())) == "2024-01-01"
    pacific = context(time_zone="America/Los_Angeles")
    assert str(local_date(just_after_midnight_utc, pacific)) == "2023-12-31"


def test_settings_refuse_a_time_zone_that_does_not_exist() -> None:
    with pytest.raises(ValueError, match="IANA time zone"):
        TransformSettings("Pacific Standard Time")
