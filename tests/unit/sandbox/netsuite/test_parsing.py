"""Pure parsing helpers: collection ``q`` filters, SuiteQL rewriting, scopes, exact JSON."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from cbns_devkit.sandbox.netsuite import jsonout
from cbns_devkit.sandbox.netsuite.error_bodies import OAuthError
from cbns_devkit.sandbox.netsuite.oauth import parse_scopes
from cbns_devkit.sandbox.netsuite.query_filter import parse_filter
from cbns_devkit.sandbox.netsuite.suiteql_engine import rewrite

ROW = {"email": "barbara@acme.example", "id": "7", "trandate": "2024-03-15", "memo": None}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ('email START_WITH "barbara"', True),
        ("email CONTAIN ACME", True),
        ("email IS_NOT barbara@acme.example", False),
        ("id ANY_OF [1, 7]", True),
        ("id ANY_OF 1, 2", False),
        ("id BETWEEN [5, 9]", True),
        ("trandate ON_OR_AFTER 03/01/2024", True),
        ("trandate BEFORE 2024-03-15", False),
        ("memo EMPTY", True),
        ("memo EMPTY_NOT", False),
        ("id IS 1 OR id IS 7 AND memo EMPTY_NOT", False),
        ("id IS 7 OR id IS 1 AND memo EMPTY_NOT", True),
    ],
)
def test_filter(q: str, expected: bool) -> None:
    assert parse_filter(q)(ROW) is expected


@pytest.mark.parametrize("q", ["email", "email WOBBLE x", "id BETWEEN [1]", 'email IS "a" AND'])
def test_malformed_filter(q: str) -> None:
    with pytest.raises(ValueError):
        parse_filter(q)


def test_rewrite_quotes_transaction_but_not_strings() -> None:
    sql = rewrite(
        "SELECT tl.transaction FROM Transaction t JOIN transactionLine tl "
        "WHERE t.memo = 'transaction'"
    )
    assert sql == (
        'SELECT tl."transaction" FROM "transaction" t JOIN transactionLine tl '
        "WHERE t.memo = 'transaction'"
    )


def test_rewrite_builtin_df() -> None:
    assert rewrite("SELECT BUILTIN.DF(t.status) FROM transaction t") == (
        "SELECT builtin_df('status', t.status, t.type) FROM \"transaction\" t"
    )
    assert rewrite("SELECT BUILTIN.DF(entity) x") == "SELECT builtin_df('entity', entity, NULL) x"


def test_scopes() -> None:
    assert parse_scopes("restlets, rest_webservices") == ["restlets", "rest_webservices"]
    assert parse_scopes(["rest_webservices"]) == ["rest_webservices"]
    with pytest.raises(OAuthError):
        parse_scopes(42)


def test_json_keeps_decimals_exact() -> None:
    value = jsonout.loads(b'{"amount": 0.10, "n": 3}')
    assert value == {"amount": Decimal("0.10"), "n": 3}
    assert jsonout.dumps({"a": Decimal("0.30"), "b": [True, None, "x"]}) == (
        '{"a":0.30,"b":[true,null,"x"]}'
    )


def test_json_output_matches_the_json_module_apart_from_decimals() -> None:
    value = {
        "s": 'é "q" \n',
        "e": [{}, [], ()],
        "n": [0, -7, 1.5, False],
        "d": (Decimal("-0.00"), Decimal("1E+2")),
        3: "int key",
    }
    plain = {**value, "d": ["-0.00", "100"]}
    expected = json.dumps(plain, separators=(",", ":")).replace('["-0.00","100"]', "[-0.00,100]")
    assert jsonout.dumps(value) == expected
    with pytest.raises(ValueError, match="non-finite"):
        jsonout.dumps({"a": [Decimal("NaN")]})
