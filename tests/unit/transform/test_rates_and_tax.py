"""exchangeRate by base currency, NetSuite's tax engine kept off the lines, payment defaults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from tests.builders.documents import (
    ITEM_PRICES,
    SITE,
    example_mapping,
    invoice,
    line,
    payment,
    periods,
)

from chargebee_netsuite.mapping.validation import ValidationReport, validate_mapping
from chargebee_netsuite.reference.model import ReferenceData, ReferenceRecord
from chargebee_netsuite.transform.credit_memo import credit_memo_posting
from chargebee_netsuite.transform.invoice import invoice_posting
from chargebee_netsuite.transform.model import Quarantined, TransformContext, TransformSettings
from chargebee_netsuite.transform.transactions import payment_posting

USD_SUBSIDIARY = [
    ReferenceRecord("currency", "1", "US Dollar", code="USD"),
    ReferenceRecord("currency", "3", "Euro", code="EUR"),
    ReferenceRecord("subsidiary", "1", "SaaSCo Inc.", currency="1"),
]
TAX_CODES = [
    ReferenceRecord("item", "101", "Standard rate", type="TaxItem", code="S-STANDARD"),
    ReferenceRecord("item", "102", "Not taxable", type="TaxItem", code="S-EXEMPT"),
]


def _context(records: list[ReferenceRecord], **replace: str) -> TransformContext:
    mapping = example_mapping(**replace)
    reference = ReferenceData.build(records, periods())
    return TransformContext(
        site=SITE,
        mapping=mapping,
        reference=reference,
        settings=TransformSettings("UTC"),
        # Only the tax checks: this reference data holds no accounts or items to check.
        report=ValidationReport(
            [
                p
                for p in validate_mapping(mapping, reference).problems
                if p.rule.startswith("netsuite_tax")
            ]
        ),
        item_prices=ITEM_PRICES,
    )


def _eur_invoice(**extra: Any) -> dict[str, Any]:
    lines = [line("li_1", 499900, price="platform-enterprise-EUR-monthly")]
    return invoice(lines, currency="EUR", exchange_rate=1.087, **extra)


def test_the_subsidiarys_own_currency_posts_at_one() -> None:
    doc = invoice([line("li_1", 49900)], exchange_rate=0.92, base_currency_code="EUR")
    body = invoice_posting(_context(USD_SUBSIDIARY), doc).body
    assert body["exchangeRate"] == Decimal(1)


def test_chargebees_rate_is_kept_when_both_base_currencies_agree() -> None:
    body = invoice_posting(_context(USD_SUBSIDIARY), _eur_invoice(base_currency_code="USD")).body
    assert body["exchangeRate"] == Decimal("1.087")


@pytest.mark.parametrize("site_base", ["GBP", None])
def test_another_base_currency_leaves_the_rate_to_netsuite(site_base: str | None) -> None:
    doc = _eur_invoice(**({"base_currency_code": site_base} if site_base else {}))
    body = invoice_posting(_context(USD_SUBSIDIARY), doc).body
    assert "exchangeRate" not in body


def test_the_quarantine_policy_holds_a_rate_to_another_base_currency() -> None:
    ctx = _context(
        USD_SUBSIDIARY,
        **{"  other_base_currency: netsuite": "  other_base_currency: quarantine"},
    )
    with pytest.raises(Quarantined) as caught:
        invoice_posting(ctx, _eur_invoice(base_currency_code="GBP"))
    assert caught.value.code == "EXCHANGE_RATE"
    assert "Chargebee's base currency GBP" in caught.value.reason
    assert "other_base_currency: netsuite" in caught.value.reason


def test_with_tax_codes_every_line_carries_the_exempt_code() -> None:
    doc = invoice([line("li_1", 49900, tax=4990)], taxes=[])
    lines = invoice_posting(_context(TAX_CODES), doc).body["item"]["items"]
    assert len(lines) == 2  # the product line and Chargebee's tax line
    assert {str(li["taxCode"]) for li in lines} == {"{'id': '102'}"}


def test_override_sets_tax_details_override_and_no_code() -> None:
    ctx = _context(
        TAX_CODES,
        **{"  method: exempt_code\n  exempt_code: 102": "  method: override"},
    )
    body = invoice_posting(ctx, invoice([line("li_1", 49900)])).body
    assert body["taxDetailsOverride"] is True
    assert all("taxCode" not in li for li in body["item"]["items"])


def test_without_tax_codes_nothing_about_tax_is_sent() -> None:
    body = invoice_posting(_context([]), invoice([line("li_1", 49900)])).body
    assert "taxDetailsOverride" not in body
    assert all("taxCode" not in li for li in body["item"]["items"])


def test_tax_codes_and_no_netsuite_tax_is_refused_and_holds_the_invoice() -> None:
    text = (example_mapping.__globals__["REPO"] / "include/mapping.example.yaml").read_text()
    start = text.index("netsuite_tax:")
    end = text.index("\n\n", start)
    ctx = _context(TAX_CODES, **{text[start:end]: ""})
    assert [p.rule for p in ctx.report.problems] == ["netsuite_tax"]
    with pytest.raises(Quarantined) as caught:
        invoice_posting(ctx, invoice([line("li_1", 49900)]))
    assert caught.value.code == "NETSUITE_TAX"
    assert "S-STANDARD" in caught.value.reason


def test_an_exempt_code_that_is_no_tax_code_is_refused() -> None:
    ctx = _context(
        [*TAX_CODES, ReferenceRecord("item", "9", "Sales tax", type="OthCharge")],
        **{"exempt_code: 102": "exempt_code: 9"},
    )
    assert [p.rule for p in ctx.report.problems] == ["netsuite_tax.exempt_code"]


def test_payments_say_where_the_money_goes_and_never_auto_apply() -> None:
    body = payment_posting(_context([]), payment()).body
    assert body["undepFunds"] == {"id": "F"}
    assert body["account"] == {"id": "3"}
    assert body["autoApply"] is False


def test_credit_memos_never_auto_apply() -> None:
    doc = invoice([line("li_1", 1000)], invoice_id="CN-1", status="refund_due", allocations=[])
    body = credit_memo_posting(_context([]), doc).body
    assert body["autoApply"] is False
