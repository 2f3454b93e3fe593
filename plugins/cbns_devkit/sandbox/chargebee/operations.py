"""Chargebee's own operations on a site's records, each emitting the events Chargebee emits."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import objects
from .conventions import WRITE_OFF_CREATE_REASON
from .jsoncopy import json_copy
from .minor_units import round_to_unit
from .objects import LineSpec, Record, TaxSpec
from .site_store import Store

OFFLINE_METHODS = frozenset({"cash", "check", "bank_transfer", "other", "custom"})
CUSTOMER_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "email",
        "phone",
        "company",
        "vat_number",
        "auto_collection",
        "net_term_days",
        "taxability",
        "locale",
        "billing_address",
        # Set "using either API or Chargebee's admin console ... under the edit customer
        # option" (Chargebee KB "Smart routing rule vs preferred currency").
        "preferred_currency_code",
    }
)


class OperationError(Exception):
    """The operation is not allowed in the record's current state (Chargebee would refuse)."""


def _require(store: Store, kind: str, record_id: str) -> Record:
    record = store.get(kind, record_id)
    if record is None or record.get("deleted"):
        raise OperationError(f"{kind} {record_id!r} not found")
    return record


def _line_id_factory(store: Store) -> Callable[[], str]:
    return lambda: f"li_{store.token()}"


def _subscription_stub(invoice: Record) -> Record | None:
    # The sandbox serves no subscriptions; events that carry one get a minimal stand-in.
    if "subscription_id" not in invoice:
        return None
    return {
        "id": invoice["subscription_id"],
        "customer_id": invoice["customer_id"],
        "currency_code": invoice["currency_code"],
        "status": "active",
        "deleted": False,
        "object": "subscription",
    }


def _payment_content(store: Store, txn: Record, invoice: Record, **extra: Record) -> dict[str, Any]:
    content: dict[str, Any] = {"transaction": txn, "invoice": invoice, **extra}
    customer = store.get("customer", invoice["customer_id"])
    if customer is not None:
        content["customer"] = customer
    subscription = _subscription_stub(invoice)
    if subscription is not None:
        content["subscription"] = subscription
    return content


# -- customers and catalog ----------------------------------------------------------------


def create_customer(store: Store, record: Record, *, source: str = "admin_console") -> Record:
    """Add a customer; emits ``customer_created``."""
    store.touch(record)
    store.insert("customer", record)
    store.emit("customer_created", {"customer": record}, source=source)
    return record


def change_customer(
    store: Store, customer_id: str, changes: dict[str, Any], *, source: str = "admin_console"
) -> Record:
    """Update a customer's attributes; emits ``customer_changed``."""
    customer = _require(store, "customer", customer_id)
    unknown = set(changes) - CUSTOMER_FIELDS
    if unknown:
        raise OperationError(f"cannot change {sorted(unknown)} on a customer")
    for key, value in changes.items():
        if key == "billing_address":
            customer["billing_address"] = objects.address("billing_address", value)
        elif value is None:
            customer.pop(key, None)
        else:
            customer[key] = value
    store.touch(customer)
    store.emit("customer_changed", {"customer": customer}, source=source)
    return customer


def delete_customer(store: Store, customer_id: str, *, source: str = "admin_console") -> Record:
    """Delete a customer; emits ``customer_deleted`` carrying the deleted customer."""
    customer = _require(store, "customer", customer_id)
    customer["deleted"] = True
    store.touch(customer)
    store.emit("customer_deleted", {"customer": customer}, source=source)
    return customer


def create_catalog_record(store: Store, kind: str, record: Record, *, source: str) -> Record:
    """Add an item or item price; emits ``item_created``/``item_price_created``."""
    store.touch(record)
    store.insert(kind, record)
    store.emit(f"{kind}_created", {kind: record}, source=source)
    return record


# -- invoices -----------------------------------------------------------------------------


def generate_invoice(
    store: Store,
    customer_id: str,
    *,
    currency_code: str,
    lines: list[LineSpec],
    tax: TaxSpec | None,
    date: int | None = None,
    net_term_days: int | None = None,
    subscription_id: str | None = None,
    recurring: bool = True,
    document_coupon: tuple[str, int] | None = None,
    round_off: bool = False,
    store_credits: list[str] | None = None,
    source: str = "admin_console",
) -> Record:
    """Create an invoice for a customer; emits ``invoice_generated``.

    ``store_credits`` names store credit notes of the customer to use up, before tax, on the
    new invoice's lines; each then emits ``credit_note_updated``.
    """
    customer = _require(store, "customer", customer_id)
    if not lines:
        raise OperationError("an invoice needs at least one line")
    notes = [_store_credit(store, cn, customer_id, currency_code) for cn in store_credits or []]
    date = store.now() if date is None else date
    terms = customer.get("net_term_days", 0) if net_term_days is None else net_term_days
    first = not store.has_customer_record("invoice", customer_id)
    invoice = objects.build_invoice(
        invoice_id=store.new_id("invoice"),
        customer_record=customer,
        currency_code=currency_code,
        date=date,
        due_date=date + terms * 86400,
        lines=lines,
        tax=tax if customer.get("taxability") != "exempt" else None,
        new_line_id=_line_id_factory(store),
        subscription_id=subscription_id,
        recurring=recurring,
        document_coupon=document_coupon,
        round_off=round_off,
        first_invoice=first,
        store_credits=[(cn["id"], cn["amount_available"]) for cn in notes],
        store_credits_reduce_total=store.conventions.store_credits_reduce_total,
    )
    invoice["net_term_days"] = terms
    store.currencies.stamp(invoice)
    owner = (customer.get("relationship") or {}).get("payment_owner_id")
    if owner and owner != customer_id:
        # "Payment owner of an invoice" (chargebee-node v2.41.0 Invoice.d.ts payment_owner):
        # the customer's relationship.payment_owner_id, e.g. its parent.
        invoice["payment_owner"] = owner
    _use_store_credits(store, invoice, notes)
    objects.refresh_invoice(invoice, store.now())
    for allocation in (a for cn in notes for a in cn["allocations"]):
        if allocation["invoice_id"] == invoice["id"]:
            allocation["invoice_status"] = invoice["status"]
    store.touch(invoice)
    store.insert("invoice", invoice)
    store.emit("invoice_generated", {"invoice": invoice}, source=source)
    for cn in notes:
        store.touch(cn)
        store.emit("credit_note_updated", {"credit_note": cn}, source=source)
    return invoice


def _store_credit(store: Store, cn_id: str, customer_id: str, currency_code: str) -> Record:
    cn = _require(store, "credit_note", cn_id)
    if cn["type"] != "store" or cn["status"] == "voided" or not cn["amount_available"]:
        raise OperationError(f"credit note {cn_id} has no store credit left")
    if cn["customer_id"] != customer_id or cn["currency_code"] != currency_code:
        raise OperationError(f"credit note {cn_id} belongs to another customer or currency")
    return cn


def _use_store_credits(store: Store, invoice: Record, notes: list[Record]) -> None:
    """Allocate the store credits the invoice's lines took (``line_item_credits``)."""
    now = store.now()
    by_note: dict[str, int] = {}
    for entry in invoice.get("line_item_credits", []):
        by_note[entry["cn_id"]] = by_note.get(entry["cn_id"], 0) + int(entry["applied_amount"])
    for cn in notes:
        used = by_note.get(cn["id"], 0)
        if not used:
            continue
        cn["allocations"].append(_allocation(invoice, used, now, tax_application="pre_tax"))
        objects.refresh_credit_note(cn)
        if not store.conventions.store_credits_reduce_total:
            ref = objects.cn_reference(cn, "applied_credit")
            ref.pop("cn_total")
            invoice["applied_credits"].append(
                {**ref, "applied_amount": used, "applied_at": now, "tax_application": "pre_tax"}
            )


def update_invoice(
    store: Store, invoice_id: str, changes: dict[str, Any], *, source: str = "admin_console"
) -> Record:
    """Change ``po_number``/``dunning_status``/``next_retry_at``; emits ``invoice_updated``.

    Changes to only ``next_retry_at``/``dunning_status`` bump ``resource_version`` but not
    ``updated_at`` (SPEC Invoice.updated_at note).
    """
    invoice = _require(store, "invoice", invoice_id)
    allowed = {"po_number", "dunning_status", "next_retry_at", "has_advance_charges"}
    if set(changes) - allowed:
        raise OperationError(f"cannot change {sorted(set(changes) - allowed)} on an invoice")
    for key, value in changes.items():
        if value is None:
            invoice.pop(key, None)
        else:
            invoice[key] = value
    objects.refresh_invoice(invoice, store.now())
    quiet = set(changes) <= {"dunning_status", "next_retry_at", "has_advance_charges"}
    store.touch(invoice, bump_updated_at=not quiet)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return invoice


def void_invoice(
    store: Store, invoice_id: str, reason_code: str = "Other", *, source: str = "admin_console"
) -> Record:
    """Void an unpaid invoice; emits ``invoice_updated``."""
    invoice = _require(store, "invoice", invoice_id)
    if invoice["status"] == "voided":
        raise OperationError(f"invoice {invoice_id} is already voided")
    if _settled_part(invoice):
        raise OperationError(f"invoice {invoice_id} has payments or credits; it cannot be voided")
    invoice["status"] = "voided"
    invoice["voided_at"] = store.now()
    invoice["void_reason_code"] = reason_code
    invoice.pop("dunning_status", None)
    invoice.pop("next_retry_at", None)
    store.touch(invoice)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return invoice


def _settled_part(invoice: Record) -> int:
    """What payments, credits, adjustments (write-offs too) and withheld tax settled."""
    return invoice["total"] - invoice["amount_due"]


def delete_invoice(store: Store, invoice_id: str, *, source: str = "admin_console") -> Record:
    """Delete an invoice without payments or credits; emits ``invoice_deleted``."""
    invoice = _require(store, "invoice", invoice_id)
    if _settled_part(invoice):
        raise OperationError(f"invoice {invoice_id} has payments or credits; delete them first")
    invoice["deleted"] = True
    store.touch(invoice)
    store.emit("invoice_deleted", {"invoice": invoice}, source=source)
    return invoice


# -- payments and refunds -------------------------------------------------------------------


def _new_transaction(fields: Record) -> Record:
    """A transaction of ``fields`` with the flags and (empty) links every new one starts with."""
    return objects.clean(
        {
            **fields,
            "amount_unused": 0,
            "deleted": False,
            "object": "transaction",
            "linked_invoices": [],
            "linked_credit_notes": [],
            "linked_refunds": [],
        }
    )


def _allocation(invoice: Record, amount: int, at: int, **extra: Any) -> Record:
    """A credit note's ``allocations`` entry: ``amount`` of it allocated to ``invoice``."""
    return {
        "invoice_id": invoice["id"],
        "allocated_amount": amount,
        "allocated_at": at,
        "invoice_date": invoice.get("date"),
        "invoice_status": invoice["status"],
        **extra,
        "object": "allocation",
    }


def _linked_invoice(invoice: Record, amount: int, at: int) -> Record:
    """A transaction's ``linked_invoices`` entry: ``amount`` of it applied to ``invoice``."""
    return {
        "invoice_id": invoice["id"],
        "applied_amount": amount,
        "applied_at": at,
        "invoice_date": invoice.get("date"),
        "invoice_total": invoice["total"],
        "invoice_status": invoice["status"],
        "object": "linked_invoice",
    }


def _applied_transaction(txn: Record, amount: int, at: int, kind: str, **extra: Any) -> Record:
    """A document's entry (``kind``: ``linked_payment``, ``linked_refund``) for ``txn``."""
    return {
        "txn_id": txn["id"],
        "applied_amount": amount,
        "applied_at": at,
        "txn_status": txn["status"],
        "txn_date": at,
        "txn_amount": amount,
        **extra,
        "object": kind,
    }


def _invoice_updated(store: Store, invoice: Record, source: str) -> None:
    """Recompute ``invoice`` now, save it and emit ``invoice_updated``."""
    objects.refresh_invoice(invoice, store.now())
    store.touch(invoice)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)


def record_payment(
    store: Store,
    invoice_id: str,
    *,
    amount: int | None = None,
    succeeded: bool = True,
    payment_method: str = "card",
    gateway: str | None = None,
    payer_is_owner: bool = True,
    source: str = "admin_console",
) -> Record:
    """Collect (or fail to collect) a payment on an invoice.

    The transaction belongs to the invoice's ``payment_owner`` (a parent paying for its
    child in an account hierarchy) unless ``payer_is_owner`` is false, when it carries the
    invoice's customer. Emits ``payment_succeeded``/``payment_failed`` and
    ``invoice_updated``. A failed payment starts dunning on the invoice.
    """
    invoice = _require(store, "invoice", invoice_id)
    # "the invoice is raised to the child customer, but the payment is made by the parent
    # customer" (Chargebee docs, receivables/account-hierarchy); which customer_id the
    # transaction then carries is not documented, hence payer_is_owner (both variants).
    payer = invoice.get("payment_owner") if payer_is_owner else None
    payer = str(payer or invoice["customer_id"])
    if invoice["status"] in ("voided", "paid"):
        raise OperationError(f"invoice {invoice_id} is {invoice['status']}")
    amount = invoice["amount_due"] if amount is None else amount
    if amount <= 0 or amount > invoice["amount_due"]:
        raise OperationError(
            f"amount {amount} must be between 1 and the amount due {invoice['amount_due']}"
        )
    now = store.now()
    offline = payment_method in OFFLINE_METHODS
    gateway = gateway or ("not_applicable" if offline else "stripe")
    txn = _new_transaction(
        {
            "id": store.new_id("transaction", "txn_"),
            "customer_id": payer,
            "subscription_id": invoice.get("subscription_id"),
            "gateway_account_id": None if offline else "gw_sandbox_stripe",
            "payment_source_id": None if offline else f"pm_{payer[:12]}",
            "payment_method": payment_method,
            "reference_number": f"REF-{invoice_id}" if offline else None,
            "gateway": gateway,
            "type": "payment",
            "date": now,
            "settled_at": now if succeeded else None,
            "exchange_rate": store.currencies.rate(invoice["currency_code"]),
            "currency_code": invoice["currency_code"],
            "base_currency_code": store.currencies.base,
            "amount": amount,
            "id_at_gateway": None if offline else f"ch_{store.token(24)}",
            "status": "success" if succeeded else "failure",
            "initiator_type": "merchant",
            "error_code": None if succeeded else "card_declined",
            "error_text": None if succeeded else "Your card was declined.",
            "masked_card_number": None if offline else "************4242",
        }
    )
    invoice["linked_payments"].append(_applied_transaction(txn, amount, now, "linked_payment"))
    if not succeeded:
        attempt = len(invoice.get("dunning_attempts", [])) + 1
        invoice.setdefault("dunning_attempts", []).append(
            {
                "attempt": attempt,
                "transaction_id": txn["id"],
                "dunning_type": "auto_collect",
                "created_at": now,
                "txn_status": "failure",
                "txn_amount": amount,
                "object": "dunning_attempt",
            }
        )
        invoice["dunning_status"] = "in_progress"
        invoice["next_retry_at"] = now + 3 * 86400
    objects.refresh_invoice(invoice, now)
    txn["linked_invoices"].append(_linked_invoice(invoice, amount, now))
    store.touch(txn)
    store.insert("transaction", txn)
    store.touch(invoice)
    event = "payment_succeeded" if succeeded else "payment_failed"
    store.emit(event, _payment_content(store, txn, invoice), source=source)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return txn


def mark_overdue(store: Store, invoice_id: str, *, source: str = "scheduled_job") -> bool:
    """Re-evaluate an unpaid invoice after its due date; emits ``invoice_updated`` on change."""
    invoice = _require(store, "invoice", invoice_id)
    before = invoice["status"]
    objects.refresh_invoice(invoice, store.now())
    if invoice["status"] == before:
        return False
    store.touch(invoice)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return True


def exhaust_dunning(store: Store, invoice_id: str, *, source: str = "scheduled_job") -> Record:
    """Dunning gave up: the invoice becomes ``not_paid``; emits ``invoice_updated``."""
    invoice = _require(store, "invoice", invoice_id)
    if invoice.get("dunning_status") != "in_progress":
        raise OperationError(f"invoice {invoice_id} is not in dunning")
    invoice["dunning_status"] = "exhausted"
    invoice.pop("next_retry_at", None)
    _invoice_updated(store, invoice, source)
    return invoice


def _new_credit_note(
    store: Store,
    invoice: Record,
    cn_type: str,
    reason_code: str,
    gross: int,
    *,
    create_reason_code: str | None = None,
    round_off: bool = False,
    prorate: bool = False,
) -> Record:
    conventions = store.conventions
    cn = objects.build_credit_note(
        cn_id=store.new_id("credit_note", "CN-"),
        invoice=invoice,
        cn_type=cn_type,
        reason_code=reason_code,
        gross_total=gross,
        date=store.now(),
        new_line_id=_line_id_factory(store),
        create_reason_code=create_reason_code,
        keep_reason_code=conventions.credit_note_reason_code,
        round_off=round_off,
        by_ratio=prorate,
        correction_in_total=conventions.fractional_correction_in_total,
    )
    store.currencies.stamp(cn)
    return cn


def _credited_so_far(invoice: Record) -> int:
    links = ("issued_credit_notes", "adjustment_credit_notes")
    return sum(objects.linked_credit_total(invoice, link) for link in links)


def refund_payment(
    store: Store,
    transaction_id: str,
    *,
    amount: int | None = None,
    reason_code: str = "product_unsatisfactory",
    payment_method: str | None = None,
    source: str = "admin_console",
) -> Record:
    """Refund (part of) a successful payment through a refundable credit note.

    ``payment_method`` defaults to the payment's (``chargeback`` for an automated chargeback,
    see :func:`chargeback_payment`). Emits ``credit_note_created``, ``payment_refunded``,
    ``transaction_updated`` (the original payment's ``linked_refunds``) and
    ``invoice_updated`` (its ``issued_credit_notes``). Returns the refund transaction.
    """
    payment = _require(store, "transaction", transaction_id)
    if payment["type"] != "payment" or payment["status"] != "success":
        raise OperationError(f"transaction {transaction_id} is not a successful payment")
    if payment.get("reversal_transaction_id"):
        raise OperationError(f"transaction {transaction_id} was charged back")
    if not payment["linked_invoices"]:
        raise OperationError(f"transaction {transaction_id} is not applied to an invoice")
    invoice = _require(store, "invoice", payment["linked_invoices"][0]["invoice_id"])
    already = _refunded(payment)
    refundable = min(payment["amount"] - already, invoice["total"] - _credited_so_far(invoice))
    amount = refundable if amount is None else amount
    if amount <= 0 or amount > refundable:
        raise OperationError(f"refund amount {amount} must be between 1 and {refundable}")
    now = store.now()
    cn = _new_credit_note(store, invoice, "refundable", reason_code, amount)
    refund = _new_transaction(
        {
            "id": store.new_id("transaction", "txn_"),
            "customer_id": payment.get("customer_id"),
            "subscription_id": payment.get("subscription_id"),
            "gateway_account_id": payment.get("gateway_account_id"),
            "payment_source_id": payment.get("payment_source_id"),
            "payment_method": payment_method or payment["payment_method"],
            "reference_number": payment.get("reference_number"),
            "gateway": payment["gateway"],
            "type": "refund",
            "date": now,
            "settled_at": now,
            "exchange_rate": store.currencies.rate(payment["currency_code"]),
            "currency_code": payment["currency_code"],
            "base_currency_code": store.currencies.base,
            "amount": amount,
            "id_at_gateway": f"re_{store.token(24)}" if payment.get("id_at_gateway") else None,
            "status": "success",
            "initiator_type": "merchant",
            "masked_card_number": payment.get("masked_card_number"),
            "refunded_txn_id": payment["id"],
        }
    )
    cn["linked_refunds"].append(
        _applied_transaction(refund, amount, now, "linked_refund", refund_reason_code=reason_code)
    )
    cn["refunded_at"] = now
    objects.refresh_credit_note(cn)
    refund["linked_credit_notes"].append(
        {
            **objects.cn_reference(cn, "linked_credit_note"),
            "applied_amount": amount,
            "applied_at": now,
            "cn_reference_invoice_id": invoice["id"],
        }
    )
    payment["linked_refunds"].append(
        {
            "txn_id": refund["id"],
            "txn_status": "success",
            "txn_date": now,
            "txn_amount": amount,
            "object": "linked_refund",
        }
    )
    invoice["issued_credit_notes"].append(objects.cn_reference(cn, "issued_credit_note"))
    for record in (cn, refund, payment, invoice):
        store.touch(record)
    store.insert("credit_note", cn)
    store.insert("transaction", refund)
    store.emit("credit_note_created", {"credit_note": cn}, source=source)
    store.emit(
        "payment_refunded", _payment_content(store, refund, invoice, credit_note=cn), source=source
    )
    store.emit("transaction_updated", {"transaction": payment}, source=source)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return refund


def issue_credit_note(
    store: Store,
    invoice_id: str,
    *,
    amount: int | None = None,
    cn_type: str = "adjustment",
    reason_code: str = "order_change",
    create_reason_code: str | None = None,
    round_off: bool = False,
    prorate: bool = False,
    source: str = "admin_console",
) -> Record:
    """Issue an adjustment, refundable or store credit note against an invoice.

    An adjustment note reduces the amount due (``adjustment_credit_notes``); a refundable
    note is applied to what is still due (``applied_credits``/``allocations``) and keeps
    the rest available for refund; a store note (paid or partly paid invoices only) has no
    tax and stays available for later invoices, which take it before tax
    (``line_item_credits``). ``round_off`` rounds the note's total to a whole unit;
    ``prorate`` splits it over the lines as Chargebee does, with a ``fractional_correction``.
    Emits ``credit_note_created`` and ``invoice_updated``.
    """
    invoice = _require(store, "invoice", invoice_id)
    if invoice["status"] == "voided":
        raise OperationError(f"invoice {invoice_id} is voided")
    if cn_type == "adjustment":
        limit = invoice["amount_due"]
    elif cn_type == "refundable":
        limit = invoice["total"] - _credited_so_far(invoice)
    elif cn_type == "store":
        # "created for paid or partially_paid invoice status" (apidocs credit_notes).
        if not invoice["amount_paid"]:
            raise OperationError(f"invoice {invoice_id} has no payment; store credit needs one")
        limit = invoice["total"] - _credited_so_far(invoice)
    else:
        raise OperationError(f"unsupported credit note type {cn_type!r}")
    amount = limit if amount is None else amount
    total = round_to_unit(amount, invoice["currency_code"]) if round_off else amount
    if amount <= 0 or total <= 0 or total > limit:
        raise OperationError(f"credit note amount {amount} must be between 1 and {limit}")
    now = store.now()
    cn = _new_credit_note(
        store,
        invoice,
        cn_type,
        reason_code,
        amount,
        create_reason_code=create_reason_code,
        round_off=round_off,
        prorate=prorate,
    )
    if cn_type == "adjustment":
        applied = total
    elif cn_type == "refundable":
        applied = min(total, invoice["amount_due"])
    else:
        applied = 0
    if applied:
        cn["allocations"].append(_allocation(invoice, applied, now))
    objects.refresh_credit_note(cn)
    if cn_type == "adjustment":
        invoice["adjustment_credit_notes"].append(
            objects.cn_reference(cn, "adjustment_credit_note")
        )
    else:
        invoice["issued_credit_notes"].append(objects.cn_reference(cn, "issued_credit_note"))
        if applied:
            ref = objects.cn_reference(cn, "applied_credit")
            ref.pop("cn_total")
            invoice["applied_credits"].append({**ref, "applied_amount": applied, "applied_at": now})
    objects.refresh_invoice(invoice, now)
    for allocation in cn["allocations"]:
        allocation["invoice_status"] = invoice["status"]
    store.touch(cn)
    store.touch(invoice)
    store.insert("credit_note", cn)
    store.emit("credit_note_created", {"credit_note": cn}, source=source)
    store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return cn


def write_off_invoice(store: Store, invoice_id: str, *, source: str = "admin_console") -> Record:
    """Write off what is still due with an adjustment note (reason ``write_off``).

    The note's create_reason_code is "Write Off", its total the amount due, and the invoice
    becomes paid with ``write_off_amount`` set (apidocs.chargebee.com, "Write off an invoice").
    """
    return issue_credit_note(
        store,
        invoice_id,
        cn_type="adjustment",
        reason_code="write_off",
        create_reason_code=WRITE_OFF_CREATE_REASON,
        source=source,
    )


def record_tax_withheld(
    store: Store,
    invoice_id: str,
    *,
    amount: int,
    reference_number: str | None = None,
    description: str | None = None,
    date: int | None = None,
    source: str = "admin_console",
) -> Record:
    """Record tax the customer withheld from an invoice (Chargebee's ``record_tax_withheld``).

    Allowed once per invoice, while something is due and the invoice is ``payment_due``,
    ``not_paid`` or ``posted`` (apidocs, "Record tax withheld for an invoice"). The entry in
    ``linked_taxes_withheld[]`` carries ``id`` (``tax_wh_…``), ``amount``, ``description``,
    ``date`` and ``reference_number`` (chargebee-node v2.29.0 Invoice.d.ts) and counts in
    ``amount_due``. Emits ``tax_withheld_recorded`` with the tax_withheld and the invoice
    (chargebee-node 3.31 ``TaxWithheldRecordedContent``). Returns the invoice.
    """
    invoice = _require(store, "invoice", invoice_id)
    if invoice.get("linked_taxes_withheld"):
        raise OperationError(f"invoice {invoice_id} already has tax withheld")
    if invoice["status"] not in ("payment_due", "not_paid", "posted"):
        raise OperationError(f"invoice {invoice_id} is {invoice['status']}")
    if amount <= 0 or amount > invoice["amount_due"]:
        raise OperationError(
            f"tax withheld {amount} must be between 1 and the amount due {invoice['amount_due']}"
        )
    now = store.now()
    entry = objects.clean(
        {
            "id": store.new_id("tax_withheld", "tax_wh_"),
            "amount": amount,
            "description": description,
            "date": now if date is None else date,
            "reference_number": reference_number,
            "object": "linked_tax_withheld",
        }
    )
    invoice.setdefault("linked_taxes_withheld", []).append(entry)
    objects.refresh_invoice(invoice, now)
    store.touch(invoice)
    tax_withheld = objects.clean(
        {
            "id": entry["id"],
            "type": "payment",
            "payment_method": "other",
            "reference_number": reference_number,
            "description": description,
            "date": entry["date"],
            "currency_code": invoice["currency_code"],
            "amount": amount,
            "resource_version": invoice.get("resource_version"),
            "updated_at": invoice.get("updated_at"),
            "exchange_rate": invoice.get("exchange_rate"),
            "object": "tax_withheld",
        }
    )
    store.emit(
        "tax_withheld_recorded", {"tax_withheld": tax_withheld, "invoice": invoice}, source=source
    )
    return invoice


def _unlink_credit_note(invoice: Record, cn_id: str) -> None:
    for key in ("applied_credits", "adjustment_credit_notes", "issued_credit_notes"):
        invoice[key] = [ref for ref in invoice.get(key, []) if ref["cn_id"] != cn_id]


def void_credit_note(store: Store, cn_id: str, *, source: str = "admin_console") -> Record:
    """Void a credit note that has not been refunded; emits ``credit_note_updated``."""
    cn = _require(store, "credit_note", cn_id)
    if cn["status"] == "voided" or cn["amount_refunded"]:
        raise OperationError(f"credit note {cn_id} cannot be voided")
    cn["allocations"] = []
    cn["status"] = "voided"
    cn["voided_at"] = store.now()
    objects.refresh_credit_note(cn)
    store.touch(cn)
    store.emit("credit_note_updated", {"credit_note": cn}, source=source)
    _refresh_cn_invoice(store, cn, source, voided=True)
    return cn


def delete_credit_note(store: Store, cn_id: str, *, source: str = "admin_console") -> Record:
    """Delete an unrefunded credit note; emits ``credit_note_deleted``."""
    cn = _require(store, "credit_note", cn_id)
    if cn["amount_refunded"]:
        raise OperationError(f"credit note {cn_id} has refunds; it cannot be deleted")
    cn["deleted"] = True
    store.touch(cn)
    store.emit("credit_note_deleted", {"credit_note": cn}, source=source)
    _refresh_cn_invoice(store, cn, source, voided=False)
    return cn


def _refresh_cn_invoice(store: Store, cn: Record, source: str, *, voided: bool) -> None:
    invoice = store.get("invoice", cn.get("reference_invoice_id", ""))
    if invoice is None or invoice.get("deleted"):
        return
    _unlink_credit_note(invoice, cn["id"])
    if voided:
        invoice["issued_credit_notes"].append(objects.cn_reference(cn, "issued_credit_note"))
    _invoice_updated(store, invoice, source)


def delete_transaction(
    store: Store, transaction_id: str, *, source: str = "admin_console"
) -> Record:
    """Delete an offline payment (unapplying it); emits ``transaction_deleted``."""
    txn = _require(store, "transaction", transaction_id)
    if txn["payment_method"] not in OFFLINE_METHODS or txn["type"] != "payment":
        raise OperationError("only offline payments can be deleted")
    if txn["linked_refunds"] or txn.get("reversal_transaction_id"):
        raise OperationError(f"transaction {transaction_id} has refunds or a chargeback")
    txn["deleted"] = True
    store.touch(txn)
    store.emit("transaction_deleted", {"transaction": txn}, source=source)
    for link in txn["linked_invoices"]:
        invoice = store.get("invoice", link["invoice_id"])
        if invoice is None or invoice.get("deleted"):
            continue
        invoice["linked_payments"] = [
            lp for lp in invoice["linked_payments"] if lp["txn_id"] != transaction_id
        ]
        if invoice["status"] == "paid":
            invoice["status"] = "posted"
            invoice.pop("paid_at", None)
        _invoice_updated(store, invoice, source)
    return txn


def _refunded(payment: Record) -> int:
    return sum(r["txn_amount"] for r in payment["linked_refunds"] if r["txn_status"] == "success")


def chargeback_payment(
    store: Store,
    transaction_id: str,
    *,
    amount: int | None = None,
    name_invoices: bool = True,
    shape: str = "payment_reversal",
    source: str = "system",
) -> Record:
    """Record a chargeback (dispute lost) on a successful card payment, in either real shape.

    ``shape="refund"`` is Chargebee's automated chargeback: a refundable credit note and a
    ``type: refund`` transaction with ``payment_method: chargeback`` that names the payment in
    ``refunded_txn_id`` and the credit note in ``linked_credit_notes`` (the invoice stays
    paid; the credit note carries the amount).

    ``shape="payment_reversal"``: a ``payment_reversal`` transaction for ``amount`` (default:
    everything not refunded) that names no payment; the payment names it in
    ``reversal_transaction_id``. The money leaves the merchant, so the invoices the payment
    paid re-open, last application first: their ``linked_payments`` entry for the payment
    keeps only what is still applied, and ``amount_paid``/``amount_due``/``status`` follow.
    ``name_invoices`` lists those invoices on the chargeback (``linked_invoices``); without it
    the chargeback names none. Emits ``transaction_created``, ``transaction_updated`` (the
    payment) and ``invoice_updated`` per re-opened invoice. Returns the chargeback.
    """
    if shape == "refund":
        # "chargeback - Only applicable for a transaction of type = refund ... set by Chargebee
        # when an automated chargeback occurs" (chargebee-node v2.41.0 Transaction.d.ts
        # payment_method); "Create credit note and record refund (Recommended)" (Chargebee docs,
        # payments/configuring-chargeback-management).
        payment = _require(store, "transaction", transaction_id)
        if payment["payment_method"] in OFFLINE_METHODS:
            raise OperationError(f"transaction {transaction_id} is offline; it has no chargeback")
        return refund_payment(
            store,
            transaction_id,
            amount=amount,
            reason_code="chargeback",
            payment_method="chargeback",
            source=source,
        )
    if shape != "payment_reversal":
        raise OperationError(f"unknown chargeback shape {shape!r}")
    payment = _require(store, "transaction", transaction_id)
    if payment["type"] != "payment" or payment["status"] != "success":
        raise OperationError(f"transaction {transaction_id} is not a successful payment")
    if payment["payment_method"] in OFFLINE_METHODS:
        raise OperationError(f"transaction {transaction_id} is offline; it has no chargeback")
    if payment.get("reversal_transaction_id"):
        raise OperationError(f"transaction {transaction_id} was already charged back")
    disputable = payment["amount"] - _refunded(payment)
    amount = disputable if amount is None else amount
    if amount <= 0 or amount > disputable:
        raise OperationError(f"chargeback amount {amount} must be between 1 and {disputable}")
    now = store.now()
    chargeback = _new_transaction(
        {
            "id": store.new_id("transaction", "txn_"),
            "customer_id": payment.get("customer_id"),
            "subscription_id": payment.get("subscription_id"),
            "gateway_account_id": payment.get("gateway_account_id"),
            "payment_source_id": payment.get("payment_source_id"),
            "payment_method": payment["payment_method"],
            "gateway": payment["gateway"],
            "type": "payment_reversal",
            "date": now,
            "settled_at": now,
            "exchange_rate": payment.get("exchange_rate", 1.0),
            "currency_code": payment["currency_code"],
            "base_currency_code": payment.get("base_currency_code"),
            "amount": amount,
            "id_at_gateway": f"dp_{store.token(24)}",
            "status": "success",
            "initiator_type": "customer",
            "masked_card_number": payment.get("masked_card_number"),
            # No reference_transaction_id: it names "the offline transaction that is being
            # refunded or reversed"; an online reversal is named by the payment's
            # reversal_transaction_id (chargebee-node v2.41.0 Transaction.d.ts).
        }
    )
    payment["reversal_transaction_id"] = chargeback["id"]
    invoices: list[Record] = []
    rest = amount
    # The payment's own linked_invoices keep what it paid at the time (the history).
    for link in reversed(payment["linked_invoices"]):
        invoice = store.get("invoice", link["invoice_id"])
        if rest == 0 or invoice is None or invoice.get("deleted"):
            continue
        entry = next(
            (lp for lp in invoice["linked_payments"] if lp["txn_id"] == payment["id"]), None
        )
        if entry is None or entry.get("txn_status") != "success":
            continue
        take = min(rest, entry["applied_amount"])
        if take == 0:
            continue
        entry["applied_amount"] -= take
        rest -= take
        objects.refresh_invoice(invoice, now)
        if name_invoices:
            chargeback["linked_invoices"].append(_linked_invoice(invoice, take, now))
        invoices.append(invoice)
    store.touch(chargeback)
    store.insert("transaction", chargeback)
    store.touch(payment)
    store.emit("transaction_created", {"transaction": chargeback}, source=source)
    store.emit("transaction_updated", {"transaction": payment}, source=source)
    for invoice in invoices:
        store.touch(invoice)
        store.emit("invoice_updated", {"invoice": invoice}, source=source)
    return chargeback


def void_transaction(store: Store, transaction_id: str, *, source: str = "admin_console") -> Record:
    """Void a successful payment or refund after the fact; emits ``transaction_updated``.

    A voided payment no longer pays its invoices (their ``linked_payments`` entry turns
    ``voided``, so they re-open); a voided refund no longer pays out its credit notes (their
    ``linked_refunds`` entry goes, so the credit is available again) nor counts on the
    payment it refunded. A payment with refunds or a chargeback cannot be voided.
    """
    txn = _require(store, "transaction", transaction_id)
    if txn["type"] not in ("payment", "refund") or txn["status"] != "success":
        raise OperationError(f"transaction {transaction_id} is not a successful payment or refund")
    if txn["type"] == "payment" and (_refunded(txn) or txn.get("reversal_transaction_id")):
        raise OperationError(f"transaction {transaction_id} has refunds or a chargeback")
    now = store.now()
    txn["status"] = "voided"
    txn["voided_at"] = now
    store.touch(txn)
    store.emit("transaction_updated", {"transaction": txn}, source=source)
    changed: list[tuple[str, Record]] = []
    if txn["type"] == "payment":
        for link in txn["linked_invoices"]:
            invoice = store.get("invoice", link["invoice_id"])
            if invoice is None or invoice.get("deleted"):
                continue
            for entry in invoice["linked_payments"]:
                if entry["txn_id"] == transaction_id:
                    entry["txn_status"] = "voided"
            objects.refresh_invoice(invoice, now)
            changed.append(("invoice", invoice))
    else:
        for link in txn["linked_credit_notes"]:
            cn = store.get("credit_note", link["cn_id"])
            if cn is None or cn.get("deleted"):
                continue
            cn["linked_refunds"] = [r for r in cn["linked_refunds"] if r["txn_id"] != txn["id"]]
            objects.refresh_credit_note(cn)
            changed.append(("credit_note", cn))
            invoice = store.get("invoice", cn.get("reference_invoice_id", ""))
            if invoice is not None and not invoice.get("deleted"):
                invoice["issued_credit_notes"] = [
                    objects.cn_reference(cn, "issued_credit_note")
                    if ref["cn_id"] == cn["id"]
                    else ref
                    for ref in invoice["issued_credit_notes"]
                ]
                changed.append(("invoice", invoice))
        payment = store.get("transaction", txn.get("refunded_txn_id", ""))
        if payment is not None:
            for entry in payment["linked_refunds"]:
                if entry["txn_id"] == transaction_id:
                    entry["txn_status"] = "voided"
            changed.append(("transaction", payment))
    for kind, record in changed:
        store.touch(record)
        store.emit(f"{kind}_updated", {kind: record}, source=source)
    return txn


def touch_records(store: Store, kind: str, count: int, *, source: str = "system") -> list[str]:
    """Update the first ``count`` live records of ``kind`` (mid-pagination fault)."""
    touched: list[str] = []
    # Iterating in place (no copy of the whole list) stops after ``count`` hits; touching
    # and emitting never insert records, so the dict cannot change size under us.
    for record in store.records[kind].values():
        if len(touched) >= count:
            break
        if record.get("deleted"):
            continue
        store.touch(record)
        event = {"customer": "customer_changed"}.get(kind, f"{kind}_updated")
        store.emit(event, {kind: record}, source=source)
        touched.append(record["id"])
    return touched


def snapshot(record: Record) -> Record:
    """A deep copy safe to hand out of the store."""
    return json_copy(record)


def tax_spec(data: dict[str, Any] | None) -> TaxSpec | None:
    """A :class:`TaxSpec` from a JSON-ish dict (``{"name", "rate", ...}``), or None."""
    if not data:
        return None
    return TaxSpec(
        name=str(data["name"]),
        rate=Decimal(str(data["rate"])),
        juris_type=str(data.get("juris_type", "country")),
        juris_name=str(data.get("juris_name", data["name"])),
        juris_code=str(data.get("juris_code", "")),
    )
