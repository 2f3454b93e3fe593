"""Per-endpoint list rules: filterable attributes and their operators, sorts, include_deleted."""

from __future__ import annotations

from dataclasses import dataclass, field

STRING_OPS = frozenset({"is", "is_not", "starts_with", "in", "not_in"})
ENUM_OPS = frozenset({"is", "is_not", "in", "not_in"})
NUMBER_OPS = frozenset({"is", "is_not", "lt", "lte", "gt", "gte", "between"})
TIMESTAMP_OPS = frozenset({"after", "before", "on", "between"})
BOOLEAN_OPS = frozenset({"is"})


@dataclass(frozen=True)
class Field:
    """A filterable attribute: its type, operators and (for enums) allowed values."""

    kind: str  # string | enum | number | timestamp | boolean
    values: frozenset[str] = frozenset()
    presence: bool = False  # also supports ``is_present``

    @property
    def operators(self) -> frozenset[str]:
        base = {
            "string": STRING_OPS,
            "enum": ENUM_OPS,
            "number": NUMBER_OPS,
            "timestamp": TIMESTAMP_OPS,
            "boolean": BOOLEAN_OPS,
        }[self.kind]
        return base | {"is_present"} if self.presence else base


def _enum(*values: str, presence: bool = False) -> Field:
    return Field("enum", frozenset(values), presence)


S = Field("string")
SP = Field("string", presence=True)
N = Field("number")
T = Field("timestamp")
B = Field("boolean")
CHANNEL = _enum("web", "app_store", "play_store")
INVOICE_STATUS = _enum("paid", "posted", "payment_due", "not_paid", "voided", "pending")
CN_STATUS = _enum("adjusted", "refunded", "refund_due", "voided")
PRICE_TYPE = _enum("tax_exclusive", "tax_inclusive")
CN_REASONS = _enum(
    "write_off",
    "subscription_change",
    "subscription_cancellation",
    "subscription_pause",
    "chargeback",
    "product_unsatisfactory",
    "service_unsatisfactory",
    "order_change",
    "order_cancellation",
    "waiver",
    "other",
    "fraudulent",
)
TXN_STATUS = _enum(
    "in_progress", "success", "voided", "failure", "timeout", "needs_attention", "late_failure"
)
CATALOG_STATUS = _enum("active", "archived", "deleted")
ITEM_TYPE = _enum("plan", "addon", "charge")
# Payment methods and gateways are long enums; values are not checked here.
OPEN_ENUM = Field("enum")


@dataclass(frozen=True)
class Resource:
    """One list endpoint: path segment, wrapper key and what it accepts."""

    name: str  # wrapper key, e.g. "invoice"
    path: str  # e.g. "invoices"
    sorts: frozenset[str]
    fields: dict[str, Field]
    include_deleted: bool
    created_key: str | None  # default order: ascending creation time
    int_params: frozenset[str] = field(default_factory=frozenset)


RESOURCES: dict[str, Resource] = {
    r.path: r
    for r in (
        Resource(
            "invoice",
            "invoices",
            frozenset({"date", "updated_at"}),
            {
                "id": S,
                "subscription_id": SP,
                "customer_id": S,
                "recurring": B,
                "status": INVOICE_STATUS,
                "price_type": PRICE_TYPE,
                "date": T,
                "paid_at": T,
                "total": N,
                "amount_paid": N,
                "amount_adjusted": N,
                "credits_applied": N,
                "amount_due": N,
                "dunning_status": _enum(
                    "in_progress", "exhausted", "stopped", "success", presence=True
                ),
                "payment_owner": S,
                "updated_at": T,
                "channel": CHANNEL,
                "voided_at": T,
                "void_reason_code": S,
            },
            True,
            "generated_at",
            frozenset({"paid_on_after"}),
        ),
        Resource(
            "credit_note",
            "credit_notes",
            frozenset({"date"}),
            {
                "id": S,
                "customer_id": S,
                "subscription_id": SP,
                "reference_invoice_id": SP,
                "type": _enum("adjustment", "refundable", "store"),
                "reason_code": CN_REASONS,
                "create_reason_code": S,
                "status": CN_STATUS,
                "date": T,
                "total": N,
                "price_type": PRICE_TYPE,
                "amount_allocated": N,
                "amount_refunded": N,
                "amount_available": N,
                "voided_at": T,
                "updated_at": T,
                "channel": CHANNEL,
            },
            True,
            "generated_at",
        ),
        Resource(
            "transaction",
            "transactions",
            frozenset({"date", "updated_at"}),
            {
                "id": S,
                "customer_id": SP,
                "subscription_id": SP,
                "payment_source_id": SP,
                "payment_method": OPEN_ENUM,
                "gateway": OPEN_ENUM,
                "gateway_account_id": S,
                "id_at_gateway": S,
                "reference_number": SP,
                "type": _enum("authorization", "payment", "refund", "payment_reversal"),
                "date": T,
                "amount": N,
                "amount_capturable": N,
                "status": TXN_STATUS,
                "updated_at": T,
            },
            True,
            "date",
        ),
        Resource(
            "customer",
            "customers",
            frozenset({"created_at", "updated_at"}),
            {
                "id": S,
                "first_name": SP,
                "last_name": SP,
                "email": SP,
                "company": SP,
                "phone": SP,
                "auto_collection": _enum("on", "off"),
                "taxability": _enum("taxable", "exempt"),
                "created_at": T,
                "updated_at": T,
                "offline_payment_method": OPEN_ENUM,
                "auto_close_invoices": B,
                "channel": CHANNEL,
                "business_entity_id": S,
            },
            True,
            "created_at",
        ),
        Resource(
            "item",
            "items",
            frozenset({"name", "id", "updated_at"}),
            {
                "id": S,
                "item_family_id": S,
                "type": ITEM_TYPE,
                "name": S,
                "item_applicability": _enum("all", "restricted"),
                "status": CATALOG_STATUS,
                "is_giftable": B,
                "updated_at": T,
                "enabled_for_checkout": B,
                "enabled_in_portal": B,
                "metered": B,
                "usage_calculation": _enum("sum_of_usages", "last_usage", "max_usage"),
                "channel": CHANNEL,
            },
            False,
            None,
        ),
        Resource(
            "item_price",
            "item_prices",
            frozenset({"name", "id", "updated_at"}),
            {
                "id": S,
                "name": S,
                "pricing_model": _enum("flat_fee", "per_unit", "tiered", "volume", "stairstep"),
                "item_id": S,
                "item_family_id": S,
                "item_type": ITEM_TYPE,
                "currency_code": S,
                "trial_period": N,
                "trial_period_unit": _enum("day", "month"),
                "status": CATALOG_STATUS,
                "updated_at": T,
                "period": N,
                "period_unit": _enum("day", "week", "month", "year"),
                "channel": CHANNEL,
            },
            False,
            "created_at",
        ),
        Resource(
            "event",
            "events",
            frozenset({"occurred_at"}),
            {
                "id": S,
                "webhook_status": _enum(
                    "not_configured",
                    "scheduled",
                    "succeeded",
                    "re_scheduled",
                    "failed",
                    "skipped",
                    "not_applicable",
                    "disabled",
                    "rate_limited",
                ),
                "event_type": OPEN_ENUM,
                "source": _enum(
                    "admin_console",
                    "api",
                    "scheduled_job",
                    "hosted_page",
                    "portal",
                    "system",
                    "none",
                    "js_api",
                    "migration",
                    "bulk_operation",
                    "external_service",
                ),
                "occurred_at": T,
            },
            False,
            "occurred_at",
            frozenset({"start_time", "end_time"}),
        ),
    )
}

# Product Catalog 1.0 endpoints: on a PC2 site they fail with configuration_incompatible.
PC1_PATHS = frozenset({"plans", "addons"})
