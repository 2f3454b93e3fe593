"""Admin endpoints under ``/__admin``: drive Chargebee-like activity, faults and webhooks.

These are not Chargebee's API and need no API key; they exist only outside ``/api/v2``.
Every operation answers the changed objects and the ids of the events it emitted.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from . import objects, operations
from .faults import FAIL_KINDS
from .objects import LineSpec, Record
from .operations import OperationError
from .seed import dump_seed, load_seed
from .site import Site
from .site_store import Store
from .webhooks import WebhookSender

router = APIRouter(prefix="/__admin")
JsonBody = dict[str, Any]
RequiredBody = Annotated[JsonBody, Body()]


async def _optional_body(body_in: Annotated[JsonBody | None, Body()] = None) -> JsonBody:
    """The JSON object sent, or an empty one when the body is absent or ``null``."""
    return body_in or {}


OptionalBody = Annotated[JsonBody, Depends(_optional_body)]


def _site(request: Request, name: str | None) -> Site:
    sites: dict[str, Site] = request.app.state.sites
    site = sites.get(name or request.app.state.settings.site)
    if site is None:
        raise HTTPException(404, f"unknown site {name!r}")
    return site


def _run(
    request: Request, site: str | None, action: Callable[[Store], Record | list[Any] | bool]
) -> Response:
    """Run ``action`` on the site's store under its lock: the result and the events it emitted."""
    store = _site(request, site).store
    before = len(store.event_sequence)
    try:
        with store.lock:
            result = action(store)
    except OperationError as exc:
        return JSONResponse({"error": str(exc)}, status_code=409)
    except (KeyError, TypeError, ValueError) as exc:
        return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
    # Only the newest events (those after ``before``), without scanning the whole log.
    event_ids = list(
        itertools.islice(reversed(store.event_sequence), len(store.event_sequence) - before)
    )
    event_ids.reverse()
    body: dict[str, Any] = {"events": event_ids}
    if isinstance(result, dict):
        body[result.get("object", "result")] = operations.snapshot(result)
    else:
        body["result"] = result
    return JSONResponse(body)


@router.get("")
async def info(request: Request) -> JsonBody:
    """Sites, their record counts and the configured webhook URLs."""
    sites: dict[str, Site] = request.app.state.sites
    return {
        "sites": {
            name: {
                "live": site.live,
                "counts": {kind: len(recs) for kind, recs in site.store.records.items()},
                "events": len(site.store.events),
                "requests": site.faults.requests,
            }
            for name, site in sites.items()
        },
        "webhook_urls": request.app.state.webhooks.urls,
    }


@router.post("/seed")
async def seed(request: Request, payload: RequiredBody, site: str | None = None) -> Response:
    """Load more objects in the seeding-contract shape."""
    return _run(request, site, lambda store: [load_seed(store, payload)])


@router.get("/export")
async def export(request: Request, site: str | None = None) -> JsonBody:
    """The site's current objects in the seeding-contract shape."""
    return dump_seed(_site(request, site).store)


@router.post("/customers")
async def create_customer(
    request: Request, payload: RequiredBody, site: str | None = None
) -> Response:
    """Create a customer (``customer_created``)."""

    def action(store: Store) -> Record:
        record = objects.customer(
            customer_id=payload.get("id") or store.token(16),
            created_at=store.now(),
            first_name=payload["first_name"],
            last_name=payload["last_name"],
            email=payload["email"],
            company=payload.get("company"),
            phone=payload.get("phone"),
            currency_code=payload.get("currency_code", "USD"),
            billing_address=payload.get("billing_address", {}),
            auto_collection=payload.get("auto_collection", "on"),
            net_term_days=int(payload.get("net_term_days", 0)),
            taxability=payload.get("taxability", "taxable"),
        )
        return operations.create_customer(store, record)

    return _run(request, site, action)


@router.post("/customers/{customer_id}")
async def change_customer(
    customer_id: str, request: Request, payload: RequiredBody, site: str | None = None
) -> Response:
    """Change a customer (``customer_changed``)."""
    return _run(
        request, site, lambda store: operations.change_customer(store, customer_id, payload)
    )


@router.delete("/customers/{customer_id}")
async def delete_customer(customer_id: str, request: Request, site: str | None = None) -> Response:
    """Delete a customer (``customer_deleted``)."""
    return _run(request, site, lambda store: operations.delete_customer(store, customer_id))


def _line(data: JsonBody, store_get: Callable[[str, str], Record | None]) -> LineSpec:
    price_id = data.get("item_price_id")
    if price_id:
        price = store_get("item_price", price_id)
        if price is None:
            raise ValueError(f"unknown item price {price_id!r}")
        entity_type = {"plan": "plan_item_price", "addon": "addon_item_price"}.get(
            price["item_type"], "charge_item_price"
        )
        return LineSpec(
            description=str(data.get("description") or price["external_name"]),
            unit_amount=int(data["unit_amount"] if "unit_amount" in data else price["price"]),
            quantity=int(data.get("quantity", 1)),
            entity_type=entity_type,
            entity_id=price_id,
            pricing_model=price["pricing_model"],
            coupon_id=data.get("coupon_id"),
            discount_percent=Decimal(str(data["discount_percent"]))
            if "discount_percent" in data
            else None,
        )
    return LineSpec(
        description=data["description"],
        unit_amount=int(data["unit_amount"]),
        quantity=int(data.get("quantity", 1)),
        coupon_id=data.get("coupon_id"),
        discount_percent=Decimal(str(data["discount_percent"]))
        if "discount_percent" in data
        else None,
    )


@router.post("/invoices")
async def generate_invoice(
    request: Request, payload: RequiredBody, site: str | None = None
) -> Response:
    """Generate an invoice (``invoice_generated``).

    Body: ``customer_id``, ``currency_code``, ``lines`` (``description``/``unit_amount`` or
    ``item_price_id``, ``quantity``, optional ``coupon_id`` + ``discount_percent``),
    optional ``tax`` (``{"name","rate"}``), ``document_coupon`` (``{"id","amount"}``),
    ``round_off``, ``subscription_id``, ``net_term_days``, ``store_credits`` (store credit
    note ids to use up before tax).
    """

    def action(store: Store) -> Record:
        coupon = payload.get("document_coupon")
        return operations.generate_invoice(
            store,
            payload["customer_id"],
            currency_code=payload.get("currency_code", "USD"),
            lines=[_line(line, store.get) for line in payload["lines"]],
            tax=operations.tax_spec(payload.get("tax")),
            subscription_id=payload.get("subscription_id"),
            recurring=bool(payload.get("recurring", "subscription_id" in payload)),
            document_coupon=(str(coupon["id"]), int(coupon["amount"])) if coupon else None,
            round_off=bool(payload.get("round_off", False)),
            net_term_days=payload.get("net_term_days"),
            store_credits=[str(cn_id) for cn_id in payload.get("store_credits", [])],
        )

    return _run(request, site, action)


@router.post("/invoices/{invoice_id}")
async def update_invoice(
    invoice_id: str, request: Request, payload: RequiredBody, site: str | None = None
) -> Response:
    """Change ``po_number``/``dunning_status``/``next_retry_at`` (``invoice_updated``)."""
    return _run(request, site, lambda store: operations.update_invoice(store, invoice_id, payload))


@router.post("/invoices/{invoice_id}/payments")
async def record_payment(
    invoice_id: str, request: Request, payload: OptionalBody, site: str | None = None
) -> Response:
    """Collect a payment: ``amount`` (default: all due), ``succeeded``, ``payment_method``."""
    return _run(
        request,
        site,
        lambda store: operations.record_payment(
            store,
            invoice_id,
            amount=payload.get("amount"),
            succeeded=bool(payload.get("succeeded", True)),
            payment_method=payload.get("payment_method", "card"),
        ),
    )


@router.post("/invoices/{invoice_id}/credit_notes")
async def issue_credit_note(
    invoice_id: str, request: Request, payload: OptionalBody, site: str | None = None
) -> Response:
    """Issue a credit note: ``type`` adjustment|refundable|store, ``amount``, ``reason_code``,
    ``create_reason_code``, ``round_off`` (total to a whole unit), ``prorate`` (Chargebee's
    per-line proration, with a fractional correction)."""
    return _run(
        request,
        site,
        lambda store: operations.issue_credit_note(
            store,
            invoice_id,
            amount=payload.get("amount"),
            cn_type=payload.get("type", "adjustment"),
            reason_code=payload.get("reason_code", "order_change"),
            create_reason_code=payload.get("create_reason_code"),
            round_off=bool(payload.get("round_off", False)),
            prorate=bool(payload.get("prorate", False)),
        ),
    )


@router.post("/invoices/{invoice_id}/write_off")
async def write_off(invoice_id: str, request: Request, site: str | None = None) -> Response:
    """Write off what is due (adjustment credit note, reason ``write_off``)."""
    return _run(request, site, lambda store: operations.write_off_invoice(store, invoice_id))


@router.post("/invoices/{invoice_id}/tax_withheld")
async def record_tax_withheld(
    invoice_id: str, request: Request, payload: RequiredBody, site: str | None = None
) -> Response:
    """Record tax the customer withheld: ``amount``, ``reference_number``, ``description``,
    ``date`` (``tax_withheld_recorded``)."""
    return _run(
        request,
        site,
        lambda store: operations.record_tax_withheld(
            store,
            invoice_id,
            amount=int(payload["amount"]),
            reference_number=payload.get("reference_number"),
            description=payload.get("description"),
            date=payload.get("date"),
        ),
    )


@router.post("/invoices/{invoice_id}/dunning_exhausted")
async def dunning_exhausted(invoice_id: str, request: Request, site: str | None = None) -> Response:
    """Stop dunning: the invoice becomes ``not_paid``."""
    return _run(request, site, lambda store: operations.exhaust_dunning(store, invoice_id))


@router.post("/invoices/{invoice_id}/void")
async def void_invoice(
    invoice_id: str, request: Request, payload: OptionalBody, site: str | None = None
) -> Response:
    """Void an invoice without payments or credits."""
    return _run(
        request,
        site,
        lambda store: operations.void_invoice(
            store, invoice_id, payload.get("reason_code", "Other")
        ),
    )


@router.delete("/invoices/{invoice_id}")
async def delete_invoice(invoice_id: str, request: Request, site: str | None = None) -> Response:
    """Delete an invoice (``invoice_deleted``)."""
    return _run(request, site, lambda store: operations.delete_invoice(store, invoice_id))


@router.post("/transactions/{transaction_id}/refunds")
async def refund(
    transaction_id: str,
    request: Request,
    payload: OptionalBody,
    site: str | None = None,
) -> Response:
    """Refund a payment (``payment_refunded`` with a refundable credit note)."""
    return _run(
        request,
        site,
        lambda store: operations.refund_payment(
            store,
            transaction_id,
            amount=payload.get("amount"),
            reason_code=payload.get("reason_code", "product_unsatisfactory"),
        ),
    )


@router.post("/transactions/{transaction_id}/chargeback")
async def chargeback(
    transaction_id: str,
    request: Request,
    payload: OptionalBody,
    site: str | None = None,
) -> Response:
    """Charge back a card payment: ``amount`` (default: all not refunded), ``name_invoices``
    (default true: the chargeback lists the invoices it re-opens), ``shape``
    (``payment_reversal`` by default, or ``refund``: Chargebee's automated chargeback)."""
    return _run(
        request,
        site,
        lambda store: operations.chargeback_payment(
            store,
            transaction_id,
            amount=payload.get("amount"),
            name_invoices=bool(payload.get("name_invoices", True)),
            shape=str(payload.get("shape", "payment_reversal")),
            source="admin_console",
        ),
    )


@router.post("/transactions/{transaction_id}/void")
async def void_transaction(
    transaction_id: str, request: Request, site: str | None = None
) -> Response:
    """Void a successful payment or refund (``transaction_updated``)."""
    return _run(request, site, lambda store: operations.void_transaction(store, transaction_id))


@router.delete("/transactions/{transaction_id}")
async def delete_transaction(
    transaction_id: str, request: Request, site: str | None = None
) -> Response:
    """Delete an offline payment (``transaction_deleted``)."""
    return _run(request, site, lambda store: operations.delete_transaction(store, transaction_id))


@router.post("/credit_notes/{cn_id}/void")
async def void_credit_note(cn_id: str, request: Request, site: str | None = None) -> Response:
    """Void a credit note (``credit_note_updated``)."""
    return _run(request, site, lambda store: operations.void_credit_note(store, cn_id))


@router.delete("/credit_notes/{cn_id}")
async def delete_credit_note(cn_id: str, request: Request, site: str | None = None) -> Response:
    """Delete a credit note (``credit_note_deleted``)."""
    return _run(request, site, lambda store: operations.delete_credit_note(store, cn_id))


@router.post("/touch")
async def touch(request: Request, payload: RequiredBody, site: str | None = None) -> Response:
    """Update the first ``count`` records of ``kind`` now (bumps versions, emits events)."""
    return _run(
        request,
        site,
        lambda store: operations.touch_records(store, payload["kind"], int(payload["count"])),
    )


@router.get("/faults")
async def get_faults(request: Request, site: str | None = None) -> JsonBody:
    """Current fault and limit settings of a site."""
    target = _site(request, site)
    return {
        "fail_nth": target.faults.fail_nth,
        "fail_kind": target.faults.fail_kind,
        "latency_ms": target.faults.latency_ms,
        "mutate_on_page": target.faults.mutate_on_page,
        "requests": target.faults.requests,
        "rate_limit_per_minute": target.limiter.per_window,
        "rate_limit_window_seconds": target.limiter.window_seconds,
        "concurrency_limit": target.limiter.concurrency,
        "retry_after": target.retry_after,
    }


@router.post("/faults")
async def set_faults(request: Request, payload: RequiredBody, site: str | None = None) -> JsonBody:
    """Change faults/limits: ``fail_nth`` (the Nth API request from now fails),
    ``fail_kind``, ``latency_ms``, ``mutate_on_page``, ``rate_limit_per_minute``,
    ``rate_limit_window_seconds``, ``concurrency_limit``, ``retry_after``."""
    target = _site(request, site)
    kind = payload.get("fail_kind", target.faults.fail_kind)
    if kind not in FAIL_KINDS:
        raise HTTPException(400, f"fail_kind must be one of {FAIL_KINDS}")
    if payload.get("fail_nth") is not None:
        target.faults.fail_after(int(payload["fail_nth"]), kind)
    if "latency_ms" in payload:
        target.faults.latency_ms = int(payload["latency_ms"])
    if "mutate_on_page" in payload:
        target.faults.mutate_on_page = int(payload["mutate_on_page"])
    if "retry_after" in payload:
        target.retry_after = bool(payload["retry_after"])
    limits = {
        "per_window": payload.get("rate_limit_per_minute"),
        "window_seconds": payload.get("rate_limit_window_seconds"),
        "concurrency": payload.get("concurrency_limit"),
    }
    if any(v is not None for v in limits.values()):
        target.limiter.reconfigure(
            per_window=int(limits["per_window"]) if limits["per_window"] is not None else None,
            window_seconds=float(limits["window_seconds"])
            if limits["window_seconds"] is not None
            else None,
            concurrency=int(limits["concurrency"]) if limits["concurrency"] is not None else None,
        )
    return await get_faults(request, site)


@router.get("/webhooks")
async def webhook_attempts(request: Request) -> JsonBody:
    """Every delivery attempt made so far."""
    sender: WebhookSender = request.app.state.webhooks
    return {"urls": sender.urls, "attempts": [a.as_dict() for a in sender.attempts]}


@router.post("/webhooks/deliver")
async def deliver(request: Request, payload: RequiredBody, site: str | None = None) -> Response:
    """Deliver ``event_ids`` now, ``copies`` times each, ``order`` given|reverse|shuffle."""
    target = _site(request, site)
    sender: WebhookSender = request.app.state.webhooks
    missing = [eid for eid in payload["event_ids"] if eid not in target.store.events]
    if missing:
        return JSONResponse({"error": f"unknown events {missing}"}, status_code=404)
    try:
        made = await sender.deliver_now(
            target.store,
            list(payload["event_ids"]),
            copies=int(payload.get("copies", 1)),
            order=str(payload.get("order", "given")),
            seed=int(payload.get("seed", 0)),
        )
    except ValueError as exc:
        return JSONResponse({"error": str(exc)}, status_code=400)
    return JSONResponse({"attempts": [a.as_dict() for a in made]})
