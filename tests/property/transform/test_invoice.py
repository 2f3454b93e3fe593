"""For any invoice Chargebee could bill, what NetSuite receives sums to Chargebee's total."""

from __future__ import annotations

import copy
import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.builders.strategies import context, invoices

from chargebee_netsuite.load.wire import payload_hash, to_wire
from chargebee_netsuite.transform.invoice import invoice_posting, invoice_reversal_posting
from chargebee_netsuite.transform.model import Ref
from chargebee_netsuite.transform.money import to_money

CONTEXTS = {mode: context(discounts=mode) for mode in ("separate", "net")}
modes = st.sampled_from(sorted(CONTEXTS))
SLOW = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)


def resolved(value: Any) -> Any:
    """The body with each Ref replaced the way the loader does (by a stand-in internal id)."""
    if isinstance(value, Ref):
        return {"id": f"{value.record_type}:{value.external_id}"}
    if isinstance(value, dict):
        return {key: resolved(item) for key, item in value.items()}
    if isinstance(value, list):
        return [resolved(item) for item in value]
    return value


def wire_total(body: dict[str, Any]) -> Decimal:
    """Σ line amounts exactly as the JSON NetSuite receives spells them."""
    sent = json.loads(json.dumps(to_wire(resolved(body))), parse_float=Decimal)
    return sum((Decimal(line["amount"]) for line in sent["item"]["items"]), Decimal(0))


@SLOW
@given(doc=invoices(), mode=modes)
def test_the_netsuite_invoice_total_is_the_chargebee_total(doc: dict[str, Any], mode: str) -> None:
    posting = invoice_posting(CONTEXTS[mode], doc)
    expected = to_money(doc["total"], doc["currency_code"])
    assert wire_total(posting.body) == expected
    assert sum(line["amount"] for line in posting.body["item"]["items"]) == expected
    numbers = [line["line"] for line in posting.body["item"]["items"]]
    assert numbers == list(range(1, len(numbers) + 1))


@SLOW
@given(doc=invoices(), mode=modes)
def test_a_reversal_credits_exactly_the_invoice_total(doc: dict[str, Any], mode: str) -> None:
    doc = {**doc, "status": "voided", "voided_at": doc["date"] + 86400}
    posting = invoice_reversal_posting(CONTEXTS[mode], doc)
    expected = to_money(doc["total"], doc["currency_code"])
    assert wire_total(posting.body) == expected
    assert posting.body["apply"]["items"][0]["amount"] == expected


@SLOW
@given(doc=invoices(), mode=modes)
def test_the_transform_is_deterministic(doc: dict[str, Any], mode: str) -> None:
    ctx = CONTEXTS[mode]
    first = invoice_posting(ctx, doc)
    # The same document again, as a fresh copy with its keys in another order.
    shuffled = json.loads(json.dumps(dict(reversed(list(copy.deepcopy(doc).items())))))
    second = invoice_posting(ctx, shuffled)
    one = payload_hash(first.record_type, first.external_id, resolved(first.body))
    two = payload_hash(second.record_type, second.external_id, resolved(second.body))
    assert one == two
    assert first.external_id == second.external_id


@SLOW
@given(doc=invoices())
def test_a_changed_amount_changes_the_payload_hash(doc: dict[str, Any]) -> None:
    ctx = CONTEXTS["separate"]
    before = invoice_posting(ctx, doc)
    changed = copy.deepcopy(doc)
    changed["line_items"][0]["amount"] += 1
    changed["line_items"][0]["unit_amount"] = None
    changed["total"] += 1
    after = invoice_posting(ctx, changed)
    assert payload_hash("invoice", before.external_id, resolved(before.body)) != payload_hash(
        "invoice", after.external_id, resolved(after.body)
    )
