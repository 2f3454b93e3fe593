"""Decimals on the wire and the payload hash."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest

from chargebee_netsuite.load.wire import payload_hash, to_json_number, to_record, to_wire


@pytest.mark.parametrize("text", ["0.10", "1234567.89", "-49.90", "0.01", "99999999999.99"])
def test_amounts_travel_as_json_numbers_with_exactly_their_digits(text: str) -> None:
    wire = json.dumps(to_json_number(Decimal(text)))
    assert Decimal(wire) == Decimal(text)


def test_whole_amounts_travel_as_integers() -> None:
    assert to_json_number(Decimal("74850")) == 74850
    assert isinstance(to_json_number(Decimal("5.00")), int)


def test_an_amount_a_json_number_cannot_carry_exactly_is_refused() -> None:
    with pytest.raises(ValueError, match="without rounding"):
        to_json_number(Decimal("0.12345678901234567890"))


def test_payloads_convert_recursively_for_the_wire_and_the_ledger() -> None:
    body = {"a": [{"amount": Decimal("1.50")}], "b": "x"}
    assert to_wire(body) == {"a": [{"amount": 1.5}], "b": "x"}
    assert to_record(body) == {"a": [{"amount": "1.50"}], "b": "x"}


def test_the_hash_ignores_key_order_and_notices_any_change() -> None:
    one = payload_hash("invoice", "e1", {"a": Decimal("1.00"), "b": 2})
    assert one == payload_hash("invoice", "e1", {"b": 2, "a": Decimal("1.00")})
    assert one != payload_hash("invoice", "e1", {"a": Decimal("1.01"), "b": 2})
    assert one != payload_hash("creditMemo", "e1", {"a": Decimal("1.00"), "b": 2})
    assert one != payload_hash("invoice", "e2", {"a": Decimal("1.00"), "b": 2})


def test_the_hash_is_of_the_ledger_form_so_stored_hashes_stay_valid() -> None:
    # Ledgers written before keep their payload hashes: the hash is SHA-256 of the canonical
    # JSON of the record type, the external id and the payload as the ledger stores it.
    body = {"z": [{"amount": Decimal("1.50"), "n": None}], "a": "ü", "t": True}
    canonical = json.dumps(
        {"type": "invoice", "eid": "e1", "body": to_record(body)},
        sort_keys=True,
        separators=(",", ":"),
    )
    assert payload_hash("invoice", "e1", body) == hashlib.sha256(canonical.encode()).hexdigest()
