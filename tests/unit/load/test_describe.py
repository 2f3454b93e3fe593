"""How a held document names what it waits for, from nothing but that one's ledger row."""

from __future__ import annotations

import pytest

from chargebee_netsuite.load.run import describe


@pytest.mark.parametrize(
    ("key", "netsuite_type", "expected"),
    [
        (("customer", "c1", "main"), None, "Chargebee customer c1"),
        (("invoice", "1001", "main"), "invoice", "Chargebee invoice 1001"),
        (("invoice", "1001", "reversal"), "creditMemo", "Reversal of Chargebee invoice 1001"),
        (("credit_note", "CN-1", "main"), None, "Chargebee credit note CN-1"),
        (("transaction", "t1", "main"), "customerPayment", "Chargebee payment t1"),
        (("transaction", "t2", "main"), "customerRefund", "Chargebee refund t2"),
        (("transaction", "t3", "main"), None, "Chargebee transaction t3"),
        (
            ("transaction", "t1", "reversal"),
            "customerRefund",
            "Reversal of Chargebee transaction t1",
        ),
    ],
)
def test_a_document_is_named_as_its_posting_label_names_it(
    key: tuple[str, str, str], netsuite_type: str | None, expected: str
) -> None:
    assert describe(key, netsuite_type) == expected
