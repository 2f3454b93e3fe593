"""Tax a customer withheld from a Chargebee invoice -> a NetSuite ``customerPayment``.

Chargebee counts ``linked_taxes_withheld[].amount`` as settling the invoice (its
``amount_due`` formula subtracts it). The customer paid that part to a tax authority instead
of to the merchant, who claims it back; so it posts as a payment into the mapping's
``tax_withheld.account`` (a receivable), applied to the invoice, and NetSuite's open balance
on the invoice matches Chargebee's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.invoice import invoice_ref_id, transaction_header
from chargebee_netsuite.transform.model import Posting, Quarantined, Ref, TransformContext
from chargebee_netsuite.transform.money import to_money


def tax_withheld_ref_id(ctx: TransformContext, invoice_id: str) -> str:
    """The external id of the payment for an invoice's withheld tax."""
    return identity.external_id(ctx.site, identity.TAX_WITHHELD, invoice_id)


def withheld_entries(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The invoice's ``linked_taxes_withheld`` entries that withhold something."""
    entries = doc.get("linked_taxes_withheld") or []
    return [e for e in entries if isinstance(e, Mapping) and int(e.get("amount") or 0)]


def _account(ctx: TransformContext, label: str) -> str:
    mapping = ctx.mapping.tax_withheld
    problems = " ".join(p.message for p in ctx.report.problems if p.rule.startswith("tax_withheld"))
    if mapping is None or problems:
        raise Quarantined(
            f"{label}: "
            + (
                problems
                or "the mapping has no tax_withheld section. Add tax_withheld.account: a Bank "
                "or Other Current Asset account such as 'Tax withheld receivable'."
            ),
            "UNMAPPED_TAX_WITHHELD",
        )
    return mapping.account


def tax_withheld_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """The payment for the tax withheld from invoice ``doc``: dated when it was recorded, from
    the tax-withheld account, applied to the invoice for the amount withheld."""
    label = f"Tax withheld from Chargebee invoice {doc['id']}"
    entries = withheld_entries(doc)
    amount = sum(int(e["amount"]) for e in entries)
    refs = ", ".join(str(e.get("reference_number") or e.get("id")) for e in entries)
    when = max((int(e["date"]) for e in entries if e.get("date")), default=int(doc["date"]))
    memo = f"{label} (reference {refs})"
    account = _account(ctx, label)
    body = transaction_header(ctx, doc, label, when, memo)
    # A payment names its customer and A/R account differently from an invoice.
    body["customer"] = body.pop("entity")
    body["arAcct"] = body.pop("account")
    eid = tax_withheld_ref_id(ctx, str(doc["id"]))
    money = to_money(amount, str(doc["currency_code"]))
    body.update(
        externalId=eid,
        account={"id": account},
        # As every payment: into this account, never Undeposited Funds, and no auto-apply.
        undepFunds={"id": "F"},
        autoApply=False,
        payment=money,
        apply={
            "items": [
                {
                    "doc": Ref("invoice", invoice_ref_id(ctx, str(doc["id"]))),
                    "apply": True,
                    "amount": money,
                }
            ]
        },
    )
    return Posting("customerPayment", eid, body, label)
