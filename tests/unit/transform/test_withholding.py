"""Tax a customer withheld: a payment from the tax-withheld account, applied to its invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.builders.documents import JAN_15, context, example_mapping, invoice, line

from chargebee_netsuite.mapping.validation import Problem, ValidationReport
from chargebee_netsuite.transform.model import Quarantined, Ref, TransformContext
from chargebee_netsuite.transform.withholding import tax_withheld_posting

WITHHELD = {
    "id": "tax_wh_1",
    "amount": 4990,
    "date": JAN_15 + 5 * 86400,
    "reference_number": "WHT-1001",
    "object": "linked_tax_withheld",
}


def test_withheld_tax_posts_as_a_payment_from_the_tax_withheld_account(
    ctx: TransformContext,
) -> None:
    doc = invoice([line("li_1", 49900)], linked_taxes_withheld=[WITHHELD])
    posting = tax_withheld_posting(ctx, doc)
    body = posting.body
    assert posting.record_type == "customerPayment"
    assert posting.external_id == body["externalId"] == "cb-acme_2Dtest-invtwh-1001"
    assert body["customer"] == Ref("customer", "cb-acme_2Dtest-cust-cust_5F1")
    assert body["account"] == {"id": "31"}
    assert body["arAcct"] == {"id": "6"}
    assert body["payment"] == Decimal("49.90")
    assert body["apply"]["items"] == [
        {
            "doc": Ref("invoice", "cb-acme_2Dtest-inv-1001"),
            "apply": True,
            "amount": Decimal("49.90"),
        }
    ]
    assert body["tranDate"] == "2024-01-20"  # the day it was recorded
    assert body["memo"] == "Tax withheld from Chargebee invoice 1001 (reference WHT-1001)"
    assert "entity" not in body


def test_without_a_tax_withheld_rule_the_withholding_is_quarantined_with_the_fix() -> None:
    mapping = example_mapping().model_copy(update={"tax_withheld": None})
    doc = invoice([line("li_1", 49900)], linked_taxes_withheld=[WITHHELD])
    with pytest.raises(Quarantined, match=r"Add tax_withheld\.account"):
        tax_withheld_posting(context(mapping), doc)


def test_a_preflight_problem_with_the_account_holds_the_withholding_with_it() -> None:
    base = context()
    problem = Problem("tax_withheld.account", "tax_withheld.account: account 31 is inactive.")
    ctx = TransformContext(
        base.site, base.mapping, base.reference, base.settings, ValidationReport([problem])
    )
    doc = invoice([line("li_1", 49900)], linked_taxes_withheld=[WITHHELD])
    with pytest.raises(Quarantined, match="account 31 is inactive"):
        tax_withheld_posting(ctx, doc)
