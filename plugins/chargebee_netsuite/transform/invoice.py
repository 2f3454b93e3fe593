"""Chargebee invoice -> NetSuite ``invoice``, and the credit memo reversing a voided one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.checks import (
    check_everything,
    currency_id,
    keep_netsuite_tax_off,
    local_date,
    posting_date,
    subsidiary_id,
)
from chargebee_netsuite.transform.customer import customer_ref_id
from chargebee_netsuite.transform.lines import document_lines
from chargebee_netsuite.transform.model import Posting, Ref, Skipped, TransformContext
from chargebee_netsuite.transform.money import to_money
from chargebee_netsuite.transform.rates import exchange_rate


def invoice_ref_id(ctx: TransformContext, invoice_id: str) -> str:
    """The external id of a Chargebee invoice in NetSuite."""
    return identity.external_id(ctx.site, identity.INVOICE, invoice_id)


def transaction_header(
    ctx: TransformContext, doc: Mapping[str, Any], label: str, when: int, memo: str
) -> dict[str, Any]:
    """Body fields shared by AR transactions: customer, dates, currency, subsidiary, memo."""
    check_everything(ctx, label)
    return posting_header(
        ctx,
        doc,
        label,
        when,
        memo,
        party=lambda: {"entity": Ref("customer", customer_ref_id(ctx, str(doc["customer_id"])))},
        accounts={"account": {"id": ctx.mapping.ar_account}},
    )


def posting_header(
    ctx: TransformContext,
    doc: Mapping[str, Any],
    label: str,
    when: int,
    memo: str,
    *,
    party: Callable[[], dict[str, Any]],
    accounts: dict[str, Any],
) -> dict[str, Any]:
    """The ``party`` fields, date, currency, subsidiary, ``accounts`` and memo of a posting.

    The posting period and exchange rate follow where they apply. ``party`` is called once the
    date and subsidiary are settled, so a held period or an unmapped subsidiary is reported
    first, as it always was.
    """
    day, note, period = posting_date(ctx, local_date(when, ctx), label)
    subsidiary = subsidiary_id(ctx, doc.get("business_entity_id"), label)
    body: dict[str, Any] = {
        **party(),
        "tranDate": day.isoformat(),
        "currency": {"id": currency_id(ctx, str(doc["currency_code"]), label)},
        "subsidiary": {"id": subsidiary},
        **accounts,
        "memo": f"{memo} {note}" if note else memo,
    }
    if period is not None:
        body["postingPeriod"] = {"id": period}
    fx = exchange_rate(ctx, doc, subsidiary, label)
    if fx is not None:
        body["exchangeRate"] = fx
    return body


def invoice_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """The NetSuite invoice for a finalised Chargebee invoice (its total equals Chargebee's)."""
    label = f"Chargebee invoice {doc['id']}"
    if doc.get("status") == "pending":
        raise Skipped(f"{label} is still pending (not final) in Chargebee; it posts once closed.")
    eid = invoice_ref_id(ctx, str(doc["id"]))
    body = transaction_header(ctx, doc, label, int(doc["date"]), label)
    body["externalId"] = eid
    if doc.get("due_date") is not None:
        body["dueDate"] = local_date(int(doc["due_date"]), ctx).isoformat()
    if doc.get("po_number"):
        body["otherRefNum"] = str(doc["po_number"])
    lines = document_lines(ctx, doc, label)
    body["item"] = {"items": lines}
    currency = str(doc["currency_code"])
    credited = sum(line["amount"] for line in lines) - to_money(int(doc["total"]), currency)
    if credited:
        notes = sorted({str(c["cn_id"]) for c in doc.get("line_item_credits", [])})
        body["memo"] += (
            f" Its Chargebee total is net of {credited} {currency} store credit taken before "
            f"tax ({', '.join(notes)}); that credit memo, applied here, makes up the difference."
        )
    keep_netsuite_tax_off(ctx, body, label)
    return Posting("invoice", eid, body, label)


def invoice_reversal_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """A credit memo cancelling a posted invoice that Chargebee voided or deleted.

    It carries the invoice's lines, is dated at the void (or deletion), is applied to the
    invoice for its full total and names the reason in its memo.
    """
    label = f"Reversal of Chargebee invoice {doc['id']}"
    if doc.get("status") == "voided":
        when = int(doc.get("voided_at") or doc.get("updated_at") or doc["date"])
        why = f"voided on {local_date(when, ctx).isoformat()}"
        if doc.get("void_reason_code"):
            why += f" (reason: {doc['void_reason_code']})"
    else:
        when = int(doc.get("updated_at") or doc["date"])
        why = f"deleted on {local_date(when, ctx).isoformat()}"
    memo = f"Reverses Chargebee invoice {doc['id']}, {why} in Chargebee."
    eid = identity.external_id(ctx.site, identity.INVOICE_REVERSAL, str(doc["id"]))
    body = transaction_header(ctx, doc, label, when, memo)
    body["externalId"] = eid
    body["item"] = {"items": document_lines(ctx, doc, label)}
    total = to_money(int(doc["total"]), str(doc["currency_code"]))
    body["apply"] = {
        "items": [
            {
                "doc": Ref("invoice", invoice_ref_id(ctx, str(doc["id"]))),
                "apply": True,
                "amount": total,
            }
        ]
    }
    keep_netsuite_tax_off(ctx, body, label)
    return Posting("creditMemo", eid, body, label)
