"""Chargebee customer -> NetSuite ``customer``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.checks import check_everything, currency_id, subsidiary_id
from chargebee_netsuite.transform.model import Posting, Quarantined, TransformContext

NAME_LIMIT = 83  # NetSuite's companyName is 83 characters


def customer_ref_id(ctx: TransformContext, customer_id: str) -> str:
    """The external id of a Chargebee customer in NetSuite."""
    return identity.external_id(ctx.site, identity.CUSTOMER, customer_id)


def customer_posting(
    ctx: TransformContext, doc: Mapping[str, Any], billed_currencies: Iterable[str] = ()
) -> Posting:
    """A person or company with its contact data, subsidiary and every currency it is billed in.

    A deleted Chargebee customer is made inactive (the loader never creates one).
    """
    label = f"Chargebee customer {doc['id']}"
    check_everything(ctx, label)
    codes = [c.upper() for c in billed_currencies]
    preferred = doc.get("preferred_currency_code")
    primary = str(preferred).upper() if preferred else (sorted(codes)[0] if codes else None)
    if primary is None:
        raise Quarantined(
            f"{label} has no preferred currency and no documents, so its NetSuite currency is "
            "unknown. Set its preferred currency in Chargebee.",
            "CURRENCY",
        )
    currencies = sorted({primary, *codes})
    ids = {code: currency_id(ctx, code, label) for code in currencies}
    eid = customer_ref_id(ctx, str(doc["id"]))
    body: dict[str, Any] = {
        "externalId": eid,
        "subsidiary": {"id": subsidiary_id(ctx, doc.get("business_entity_id"), label)},
        "currency": {"id": ids[primary]},
        "currencyList": {"items": [{"currency": {"id": ids[code]}} for code in currencies]},
    }
    company = doc.get("company")
    if company:
        body.update(isPerson=False, companyName=str(company)[:NAME_LIMIT])
    elif doc.get("first_name") or doc.get("last_name"):
        body["isPerson"] = True
        if doc.get("first_name"):
            body["firstName"] = str(doc["first_name"])
        # NetSuite requires a last name for a person.
        body["lastName"] = str(doc.get("last_name") or doc["first_name"])
    else:
        body.update(isPerson=False, companyName=str(doc.get("email") or doc["id"])[:NAME_LIMIT])
    entity_id = ctx.mapping.customers.entity_id
    if entity_id != "auto":
        # An ID of our own, so two customers of one name are not refused where NetSuite does
        # not number customers; autoName false keeps it where it does (lago-api PR #3286).
        body["entityId"] = entity_id.format(id=doc["id"], site=ctx.site)
        body["autoName"] = False
    for source, target in (("email", "email"), ("phone", "phone")):
        if doc.get(source):
            body[target] = str(doc[source])
    if doc.get("deleted"):
        body["isInactive"] = True
    return Posting("customer", eid, body, label)
