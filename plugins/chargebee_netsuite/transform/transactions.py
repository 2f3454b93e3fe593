"""Chargebee transactions -> NetSuite ``customerPayment`` and ``customerRefund``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chargebee_netsuite.mapping.resolve import resolve_payment_account, resolve_refund_account
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.checks import (
    check_everything,
    currency_id,
    local_date,
    posting_date,
    subsidiary_id,
)
from chargebee_netsuite.transform.credit_memo import credit_memo_ref_id
from chargebee_netsuite.transform.customer import customer_ref_id
from chargebee_netsuite.transform.invoice import invoice_ref_id
from chargebee_netsuite.transform.model import (
    Posting,
    Quarantined,
    Ref,
    Skipped,
    TransformContext,
)
from chargebee_netsuite.transform.money import rate, to_money


def transaction_ref_id(ctx: TransformContext, txn_id: str) -> str:
    """The external id of a Chargebee transaction in NetSuite."""
    return identity.external_id(ctx.site, identity.TRANSACTION, txn_id)


def _check_postable(doc: Mapping[str, Any], label: str) -> None:
    status = doc.get("status")
    if status != "success":
        raise Skipped(
            f"{label} has status {status or 'unknown'}; only successful transactions are posted."
        )


def _header(
    ctx: TransformContext, doc: Mapping[str, Any], label: str, account: str, memo: str
) -> dict[str, Any]:
    check_everything(ctx, label)
    day, note, period = posting_date(ctx, local_date(int(doc["date"]), ctx), label)
    body: dict[str, Any] = {
        "externalId": transaction_ref_id(ctx, str(doc["id"])),
        "customer": Ref("customer", customer_ref_id(ctx, str(doc["customer_id"]))),
        "tranDate": day.isoformat(),
        "currency": {"id": currency_id(ctx, str(doc["currency_code"]), label)},
        "subsidiary": {"id": subsidiary_id(ctx, doc.get("business_entity_id"), label)},
        "account": {"id": account},
        "arAcct": {"id": ctx.mapping.ar_account},
        "memo": f"{memo} {note}" if note else memo,
    }
    if period is not None:
        body["postingPeriod"] = {"id": period}
    if doc.get("exchange_rate") is not None:
        body["exchangeRate"] = rate(doc["exchange_rate"])
    return body


def _account(ctx: TransformContext, doc: Mapping[str, Any], label: str, section: str) -> str:
    gateway, currency = str(doc.get("gateway", "")), str(doc["currency_code"]).upper()
    if section == "payments":
        resolution = resolve_payment_account(ctx.mapping, gateway, currency)
        blocked = (gateway, currency) in ctx.report.blocked_payment_gateways
    else:
        resolution = resolve_refund_account(ctx.mapping, gateway, currency)
        blocked = (gateway, currency) in ctx.report.blocked_refund_gateways
    if resolution is None or blocked or resolution.rule in ctx.report.blocked_rules:
        problems = " ".join(
            p.message for p in ctx.report.problems if p.rule.startswith(section)
        ) or (
            f"Add a rule under {section}.rules for gateway {gateway} and currency {currency}, "
            f"or set {section}.default."
        )
        raise Quarantined(
            f"{label} went through {gateway} in {currency}: {problems}", "UNMAPPED_ACCOUNT"
        )
    return resolution.value


def _describe(doc: Mapping[str, Any]) -> str:
    parts = [str(doc.get("gateway", "")), str(doc.get("payment_method", ""))]
    reference = doc.get("reference_number") or doc.get("id_at_gateway")
    text = f"via {' / '.join(p for p in parts if p)}"
    return f"{text}, reference {reference}" if reference else text


def payment_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """A successful payment on its gateway x currency account, applied as Chargebee applied it.

    Whatever ``linked_invoices`` does not apply stays unapplied on the payment.
    """
    label = f"Chargebee payment {doc['id']}"
    _check_postable(doc, label)
    currency = str(doc["currency_code"])
    account = _account(ctx, doc, label, "payments")
    body = _header(ctx, doc, label, account, f"{label} {_describe(doc)}")
    body["payment"] = to_money(int(doc["amount"]), currency)
    apply = [
        {
            "doc": Ref("invoice", invoice_ref_id(ctx, str(link["invoice_id"]))),
            "apply": True,
            "amount": to_money(int(link["applied_amount"]), currency),
        }
        for link in doc.get("linked_invoices", [])
        if int(link.get("applied_amount", 0))
    ]
    if apply:
        body["apply"] = {"items": apply}
    return Posting("customerPayment", str(body["externalId"]), body, label)


def refund_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """A successful refund, applied to the refundable credit memo(s) it pays out."""
    label = f"Chargebee refund {doc['id']}"
    _check_postable(doc, label)
    currency = str(doc["currency_code"])
    account = _account(ctx, doc, label, "refunds")
    body = _header(ctx, doc, label, account, f"{label} {_describe(doc)}")
    apply: list[dict[str, Any]] = [
        {
            "doc": Ref("creditMemo", credit_memo_ref_id(ctx, str(link["cn_id"]))),
            "apply": True,
            "amount": to_money(int(link["applied_amount"]), currency),
        }
        for link in doc.get("linked_credit_notes", [])
        if int(link.get("applied_amount", 0))
    ]
    if not apply and doc.get("refunded_txn_id"):
        apply.append(
            {
                "doc": Ref("customerPayment", transaction_ref_id(ctx, str(doc["refunded_txn_id"]))),
                "apply": True,
                "amount": to_money(int(doc["amount"]), currency),
            }
        )
    if not apply:
        raise Quarantined(
            f"{label} names neither a credit note nor a payment it refunds, so NetSuite has "
            "nothing to apply it to. Check the refund in Chargebee.",
            "UNLINKED_REFUND",
        )
    body["apply"] = {"items": apply}
    return Posting("customerRefund", str(body["externalId"]), body, label)


def transaction_posting(ctx: TransformContext, doc: Mapping[str, Any]) -> Posting:
    """Dispatch a transaction by type; authorisations and chargebacks are never posted here."""
    kind = doc.get("type")
    if kind == "payment":
        return payment_posting(ctx, doc)
    if kind == "refund":
        return refund_posting(ctx, doc)
    if kind == "payment_reversal":
        raise Quarantined(
            f"Chargebee chargeback {doc['id']} (payment_reversal of "
            f"{doc.get('reference_transaction_id', 'a payment')}) is not posted: the mapping "
            "has no chargeback treatment yet. Record it in NetSuite by hand (refund the payment "
            "to the chargeback account) until one is configured.",
            "CHARGEBACK",
        )
    raise Skipped(f"Chargebee transaction {doc['id']} is an {kind}; it moves no money.")
