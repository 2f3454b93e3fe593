"""Chargebee transactions -> NetSuite ``customerPayment`` and ``customerRefund``.

Chargebacks and voids follow "unapply, then refund": the payment's invoice applications shrink
(so the invoices re-open, as they do in Chargebee) and a ``customerRefund`` applied to the
payment takes the money back out, leaving every posted record in place for the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import (
    Resolution,
    resolve_chargeback_account,
    resolve_payment_account,
    resolve_refund_account,
)
from chargebee_netsuite.mapping.validation import ValidationReport
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.checks import (
    check_everything,
    keep_netsuite_tax_off,
    local_date,
    special_item,
)
from chargebee_netsuite.transform.credit_memo import credit_memo_ref_id
from chargebee_netsuite.transform.customer import customer_ref_id
from chargebee_netsuite.transform.invoice import invoice_ref_id, posting_header
from chargebee_netsuite.transform.model import (
    Posting,
    Quarantined,
    Ref,
    Skipped,
    TransformContext,
)
from chargebee_netsuite.transform.money import to_money

Document = Mapping[str, Any]

# Mapping section -> its account resolver and the (gateway, currency) pairs the preflight blocks.
_SECTIONS: dict[
    str,
    tuple[
        Callable[[MappingConfig, str, str], Resolution[str] | None],
        Callable[[ValidationReport], frozenset[tuple[str, str]]],
    ],
] = {
    "payments": (resolve_payment_account, lambda r: r.blocked_payment_gateways),
    "refunds": (resolve_refund_account, lambda r: r.blocked_refund_gateways),
    "chargebacks": (resolve_chargeback_account, lambda r: r.blocked_chargeback_gateways),
}


def transaction_ref_id(ctx: TransformContext, txn_id: str) -> str:
    """The external id of a Chargebee transaction in NetSuite."""
    return identity.external_id(ctx.site, identity.TRANSACTION, txn_id)


def transaction_reversal_ref_id(ctx: TransformContext, txn_id: str) -> str:
    """The external id of the refund that reverses a payment voided after it was posted."""
    return identity.external_id(ctx.site, identity.TRANSACTION_REVERSAL, txn_id)


def _check_postable(doc: Document, label: str) -> None:
    status = doc.get("status")
    if status != "success":
        raise Skipped(
            f"{label} has status {status or 'unknown'}; only successful transactions are posted."
        )


def is_chargeback(doc: Document) -> bool:
    """A chargeback in either of Chargebee's shapes: a ``payment_reversal``, or the automated
    one, a ``refund`` whose ``payment_method`` is ``chargeback`` ("set by Chargebee when an
    automated chargeback occurs", chargebee-node ``Transaction.d.ts``)."""
    kind = doc.get("type")
    return kind == "payment_reversal" or (
        kind == "refund" and doc.get("payment_method") == "chargeback"
    )


def _pays_out_a_credit_note(doc: Document) -> bool:
    return any(
        int(link.get("applied_amount") or 0) for link in doc.get("linked_credit_notes") or []
    )


def takes_from_payment(doc: Document) -> bool:
    """Whether ``doc`` is a chargeback applied to its payment itself (not to a credit memo), so
    the payment's invoice applications must shrink by it."""
    return is_chargeback(doc) and not _pays_out_a_credit_note(doc)


def _owner(
    ctx: TransformContext,
    doc: Document,
    label: str,
    customer_id: str | None,
    customers: tuple[str, ...] = (),
) -> tuple[str, str]:
    """``(NetSuite customer, memo note)``: the customer whose documents ``doc`` settles.

    In a Chargebee account hierarchy a parent (the ``payment_owner``) pays its children's
    invoices, and NetSuite applies a payment only to its own customer's invoices. So the
    transaction posts under the invoices' customer and its memo names the payer.
    """
    payer = str(doc["customer_id"])
    if len(customers) > 1:
        raise Quarantined(
            f"{label} settles documents of several Chargebee customers ({', '.join(customers)}); "
            "NetSuite applies a payment only to its own customer's invoices. Record it in "
            "NetSuite by hand, one payment per customer, then mark it handled.",
            "SEVERAL_CUSTOMERS",
        )
    if not customer_id or customer_id == payer:
        return payer, ""
    return customer_id, f"Paid by Chargebee customer {payer} (payment owner of {customer_id})."


def _header(
    ctx: TransformContext,
    doc: Document,
    label: str,
    account: str,
    memo: str,
    when: int | None = None,
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
) -> dict[str, Any]:
    check_everything(ctx, label)
    owner, paid_by = _owner(ctx, doc, label, customer_id, customers)
    memo = f"{memo} {paid_by}" if paid_by else memo
    moment = int(doc["date"]) if when is None else when
    return posting_header(
        ctx,
        doc,
        label,
        moment,
        memo,
        party=lambda: {
            "externalId": transaction_ref_id(ctx, str(doc["id"])),
            "customer": Ref("customer", customer_ref_id(ctx, owner)),
        },
        accounts={"account": {"id": account}, "arAcct": {"id": ctx.mapping.ar_account}},
    )


def _account(ctx: TransformContext, doc: Document, label: str, section: str) -> str:
    gateway, currency = str(doc.get("gateway", "")), str(doc["currency_code"]).upper()
    resolve, blocked_pairs = _SECTIONS[section]
    resolution = resolve(ctx.mapping, gateway, currency)
    blocked = (gateway, currency) in blocked_pairs(ctx.report)
    if resolution is not None and resolution.rule in ctx.report.blocked_rules:
        # The rule exists but names a missing, inactive or unfit account: say which.
        broken = " ".join(p.message for p in ctx.report.problems if p.rule == resolution.rule)
        raise Quarantined(f"{label} went through {gateway} in {currency}: {broken}", "MAPPING_RULE")
    if resolution is None or blocked:
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


def _describe(doc: Document) -> str:
    parts = [str(doc.get("gateway", "")), str(doc.get("payment_method", ""))]
    reference = doc.get("reference_number") or doc.get("id_at_gateway")
    text = f"via {' / '.join(p for p in parts if p)}"
    return f"{text}, reference {reference}" if reference else text


def _applications(doc: Document) -> list[tuple[str, int]]:
    """``(invoice id, applied amount)`` of a payment, as Chargebee applied it when it was paid."""
    return [
        (str(link["invoice_id"]), int(link["applied_amount"]))
        for link in doc.get("linked_invoices") or []
        if int(link.get("applied_amount") or 0)
    ]


def applications_after_chargebacks(
    payment: Document, chargebacks: Iterable[Document]
) -> list[tuple[str, int, int]]:
    """``(invoice id, applied, still applied)`` for each application of ``payment``, in minor
    units, once ``chargebacks`` (its ``payment_reversal`` transactions; only successful, live
    ones count) are taken out.

    A chargeback that names its invoices (``linked_invoices``) re-opens exactly those; what it
    does not place there comes out of the payment's unapplied cash first. One that names none
    comes off the payment's applications from the last one backwards. Either way, only what is
    left after that touches the other applications (NetSuite needs the payment to balance).
    """
    applied = _applications(payment)
    left = [amount for _, amount in applied]
    unapplied = max(int(payment.get("amount") or 0) - sum(left), 0)
    # A failed, voided or deleted chargeback takes nothing back.
    live = [c for c in chargebacks if c.get("status") == "success" and not c.get("deleted")]
    ordered = sorted(live, key=lambda c: (int(c.get("date") or 0), str(c.get("id"))))
    for chargeback in ordered:
        rest = int(chargeback.get("amount") or 0)
        links = [
            (str(link["invoice_id"]), int(link["applied_amount"]))
            for link in chargeback.get("linked_invoices") or []
            if int(link.get("applied_amount") or 0)
        ]
        for invoice_id, amount in links:
            for index, (applied_to, _) in enumerate(applied):
                if applied_to == invoice_id:
                    take = min(left[index], amount, rest)
                    left[index] -= take
                    rest -= take
                    break
        if links:
            take = min(unapplied, rest)
            unapplied -= take
            rest -= take
        for index in reversed(range(len(applied))):
            take = min(left[index], rest)
            left[index] -= take
            rest -= take
    return [(invoice, amount, now) for (invoice, amount), now in zip(applied, left, strict=True)]


def _payment_body(
    ctx: TransformContext,
    doc: Document,
    label: str,
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
) -> dict[str, Any]:
    account = _account(ctx, doc, label, "payments")
    memo = f"{label} {_describe(doc)}"
    body = _header(ctx, doc, label, account, memo, customer_id=customer_id, customers=customers)
    body["payment"] = to_money(int(doc["amount"]), str(doc["currency_code"]))
    # Said explicitly, so that account preferences cannot decide: F deposits to the mapped
    # account (T would send the money to Undeposited Funds whatever `account` says), and no
    # auto-apply of unapplied cash to the customer's oldest invoices.
    body["undepFunds"] = {"id": "F"}
    body["autoApply"] = False
    return body


def payment_posting(
    ctx: TransformContext,
    doc: Document,
    chargebacks: Iterable[Document] = (),
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
    redirect: Mapping[str, Iterable[tuple[str, int]]] | None = None,
) -> Posting:
    """A successful payment on its gateway x currency account, applied as Chargebee applied it.

    Whatever ``linked_invoices`` does not apply stays unapplied on the payment. Its
    ``chargebacks`` reduce the applications (``apply: false`` once one reaches zero: an upsert
    that merely omits a line would leave it applied), so the invoices re-open. It posts under
    ``customer_id``, the invoices' customer, when a hierarchy's payment owner paid them.

    ``redirect`` (invoice id → ``(chargeback id, amount)``) sends what it pays on an invoice
    that a chargeback re-opened after its payment's period closed to that chargeback's debit
    invoice first (see :func:`chargeback_debit_posting`): in NetSuite the invoice itself was
    never re-opened.
    """
    label = f"Chargebee payment {doc['id']}"
    _check_postable(doc, label)
    currency = str(doc["currency_code"])
    body = _payment_body(ctx, doc, label, customer_id, customers)
    apply: list[dict[str, Any]] = []
    redirected: list[str] = []
    for invoice_id, _, still in applications_after_chargebacks(doc, chargebacks):
        for chargeback_id, amount in (redirect or {}).get(invoice_id, ()):
            take = min(amount, still)
            if take <= 0:
                continue
            still -= take
            debit = Ref("invoice", transaction_ref_id(ctx, chargeback_id))
            apply.append({"doc": debit, "apply": True, "amount": to_money(take, currency)})
            redirected.append(
                f"{to_money(take, currency)} of invoice {invoice_id} to the debit invoice of "
                f"chargeback {chargeback_id}"
            )
        line: dict[str, Any] = {"doc": Ref("invoice", invoice_ref_id(ctx, invoice_id))}
        if still:
            line.update(apply=True, amount=to_money(still, currency))
        else:
            line["apply"] = False
        apply.append(line)
    if apply:
        body["apply"] = {"items": apply}
    if redirected:
        body["memo"] += (
            " Applies " + "; ".join(redirected) + " (re-opened after its period closed)."
        )
    return Posting("customerPayment", str(body["externalId"]), body, label)


def unapplied_payment_posting(
    ctx: TransformContext, doc: Document, customer_id: str | None = None
) -> Posting:
    """A posted payment that Chargebee voided or deleted: the same record, applied to nothing.

    Its invoices re-open as they did in Chargebee; :func:`payment_reversal_posting` then takes
    the money back out, so the payment itself stays in NetSuite for the audit trail.
    """
    label = f"Chargebee payment {doc['id']}"
    body = _payment_body(ctx, doc, label, customer_id)
    apply = [
        {"doc": Ref("invoice", invoice_ref_id(ctx, invoice_id)), "apply": False}
        for invoice_id, _ in _applications(doc)
    ]
    if apply:
        body["apply"] = {"items": apply}
    return Posting("customerPayment", str(body["externalId"]), body, label)


def gone_when(doc: Document) -> tuple[int, str]:
    """When and how a posted transaction stopped counting in Chargebee: ``(timestamp, how)``,
    how being "deleted", "voided" or e.g. "marked late_failure"."""
    changed = int(doc.get("updated_at") or doc["date"])
    if doc.get("deleted"):
        return changed, "deleted"
    if doc.get("status") == "voided":
        return int(doc.get("voided_at") or changed), "voided"
    return changed, f"marked {doc.get('status')}"


def payment_reversal_posting(
    ctx: TransformContext, doc: Document, amount: int, customer_id: str | None = None
) -> Posting:
    """A ``customerRefund`` taking back ``amount`` (minor units) of a payment that Chargebee
    voided or deleted after it was posted: from the payment's own account, applied to the
    payment, dated at the void (or deletion) and saying so in its memo."""
    label = f"Reversal of Chargebee payment {doc['id']}"
    when, how = gone_when(doc)
    why = f"{how} on {local_date(when, ctx).isoformat()}"
    memo = f"Reverses Chargebee payment {doc['id']} ({_describe(doc)}), {why} in Chargebee."
    account = _account(ctx, doc, label, "payments")
    body = _header(ctx, doc, label, account, memo, when=when, customer_id=customer_id)
    eid = transaction_reversal_ref_id(ctx, str(doc["id"]))
    body["externalId"] = eid
    payment = Ref("customerPayment", transaction_ref_id(ctx, str(doc["id"])))
    money = to_money(amount, str(doc["currency_code"]))
    body["apply"] = {"items": [{"doc": payment, "apply": True, "amount": money}]}
    return Posting("customerRefund", eid, body, label)


def refund_posting(
    ctx: TransformContext,
    doc: Document,
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
) -> Posting:
    """A successful refund, applied to the refundable credit memo(s) it pays out (or, naming
    none, to the payment it refunds).

    Chargebee's automated chargeback is such a refund (``payment_method: chargeback``): it
    takes the chargebacks mapping's account, not the refunds', and says so in its memo.
    """
    chargeback = is_chargeback(doc)
    label = f"Chargebee {'chargeback' if chargeback else 'refund'} {doc['id']}"
    _check_postable(doc, label)
    currency = str(doc["currency_code"])
    account = _account(ctx, doc, label, "chargebacks" if chargeback else "refunds")
    memo = f"{label} {_describe(doc)}"
    if chargeback and doc.get("refunded_txn_id"):
        memo = f"{label} (automated, a refund) of payment {doc['refunded_txn_id']} {_describe(doc)}"
    body = _header(ctx, doc, label, account, memo, customer_id=customer_id, customers=customers)
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


def chargeback_posting(
    ctx: TransformContext,
    doc: Document,
    payment_id: str | None = None,
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
) -> Posting:
    """A successful ``payment_reversal``: a ``customerRefund`` from the mapped chargeback
    account, applied to the charged-back payment for the chargeback amount.

    An online reversal names no payment; ``payment_id`` is the payment whose
    ``reversal_transaction_id`` names it (an offline one names its payment in
    ``reference_transaction_id``). It refers to the payment by :class:`Ref`, so the loader holds
    it until that payment is in NetSuite; :func:`payment_posting` shrinks the payment's
    applications by the same amount.
    """
    label = f"Chargebee chargeback {doc['id']}"
    _check_postable(doc, label)
    payment_id = payment_id or doc.get("reference_transaction_id")
    if not payment_id:
        raise Quarantined(
            f"{label} is named by no staged payment (reversal_transaction_id) and names none "
            "itself (reference_transaction_id), so NetSuite has nothing to apply it to. "
            "Extract the charged-back payment, or check the chargeback in Chargebee.",
            "UNLINKED_CHARGEBACK",
        )
    account = _account(ctx, doc, label, "chargebacks")
    memo = f"{label} of payment {payment_id} {_describe(doc)}"
    body = _header(ctx, doc, label, account, memo, customer_id=customer_id, customers=customers)
    payment = Ref("customerPayment", transaction_ref_id(ctx, str(payment_id)))
    money = to_money(int(doc["amount"]), str(doc["currency_code"]))
    body["apply"] = {"items": [{"doc": payment, "apply": True, "amount": money}]}
    return Posting("customerRefund", str(body["externalId"]), body, label)


def chargeback_debit_posting(
    ctx: TransformContext,
    doc: Document,
    payment_id: str,
    closed_period: str,
    reopened: Iterable[tuple[str, int]],
    customer_id: str | None = None,
) -> Posting:
    """A chargeback taken from a payment whose NetSuite period has closed since it was posted.

    A closed period takes no GL edit, so the payment cannot give up its invoice applications.
    Instead an invoice (a debit document) on ``chargeback_debit_item``, in an open period,
    re-opens the amount on the customer (debit A/R, credit the item's account: the same
    entries as un-applying the payment and refunding it from the chargeback account). Its memo
    names the payment, the closed period and the invoices the chargeback re-opened in
    Chargebee (``reopened``: ``(invoice id, amount)``), so AR per customer still ties out.
    """
    label = f"Chargebee chargeback {doc['id']}"
    _check_postable(doc, label)
    if ctx.mapping.chargeback_debit_item is None:
        raise Quarantined(
            f"{label} takes money back from payment {payment_id}, whose accounting period "
            f"{closed_period} is closed in NetSuite, so it must post as a debit invoice and the "
            "mapping has no chargeback_debit_item. Set chargeback_debit_item to an Other Charge "
            "item whose income account is your chargebacks clearing account (or reopen the "
            "period), then sync again.",
            "UNMAPPED_ITEM",
        )
    item = special_item(
        ctx,
        "chargeback_debit_item",
        ctx.mapping.chargeback_debit_item,
        f"a chargeback of payment {payment_id}, whose period {closed_period} is closed",
        label,
    )
    currency = str(doc["currency_code"])
    money = to_money(int(doc["amount"]), currency)
    invoices = ", ".join(f"{i} ({to_money(a, currency)})" for i, a in reopened)
    memo = (
        f"{label} of payment {payment_id} {_describe(doc)}. Payment {payment_id} is in "
        f"accounting period {closed_period}, closed in NetSuite, so this invoice re-opens the "
        f"{money} {currency} charged back instead of un-applying it"
        + (f"; Chargebee re-opened invoice {invoices}." if invoices else ".")
    )
    body = _header(ctx, doc, label, ctx.mapping.ar_account, memo, customer_id=customer_id)
    body["entity"] = body.pop("customer")
    body.pop("arAcct", None)
    body["item"] = {
        "items": [
            {
                "item": {"id": item},
                "description": f"Chargeback {doc['id']} of payment {payment_id}",
                "quantity": 1,
                "rate": money,
                "amount": money,
            }
        ]
    }
    keep_netsuite_tax_off(ctx, body, label)
    return Posting("invoice", str(body["externalId"]), body, label)


def transaction_posting(
    ctx: TransformContext,
    doc: Document,
    chargebacks: Iterable[Document] = (),
    *,
    payment_id: str | None = None,
    customer_id: str | None = None,
    customers: tuple[str, ...] = (),
    redirect: Mapping[str, Iterable[tuple[str, int]]] | None = None,
) -> Posting:
    """Dispatch a transaction by type; ``chargebacks`` are a payment's chargebacks taken from
    the payment itself, ``payment_id`` the payment an online reversal reverses and
    ``customer_id`` the customer whose documents it settles (see
    :class:`chargebee_netsuite.load.source.TransactionLink`).

    Authorisations move no money and are never posted.
    """
    kind = doc.get("type")
    if kind == "payment":
        return payment_posting(ctx, doc, chargebacks, customer_id, customers, redirect)
    if kind == "refund":
        return refund_posting(ctx, doc, customer_id, customers)
    if kind == "payment_reversal":
        return chargeback_posting(ctx, doc, payment_id, customer_id, customers)
    raise Skipped(f"Chargebee transaction {doc['id']} is an {kind}; it moves no money.")
