"""A customer's Customer ID (entityId): a template of the Chargebee id, or NetSuite's numbering."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.builders.documents import SITE, context, example_mapping

from chargebee_netsuite.mapping.model import CustomerMapping
from chargebee_netsuite.transform.customer import customer_posting

CUSTOMER = {"id": "cust_1", "company": "Twin Corp", "preferred_currency_code": "USD"}


def _body(entity_id: str) -> dict[str, object]:
    customers = CustomerMapping(entity_id=entity_id)
    mapping = example_mapping().model_copy(update={"customers": customers})
    return customer_posting(context(mapping), CUSTOMER).body


def test_the_default_sends_the_chargebee_id_and_keeps_it_from_auto_numbering() -> None:
    body = _body("{id}")
    assert (body["entityId"], body["autoName"]) == ("cust_1", False)
    assert _body("{site}-{id}")["entityId"] == f"{SITE}-cust_1"


def test_auto_leaves_the_customer_id_to_netsuite() -> None:
    body = _body("auto")
    assert "entityId" not in body and "autoName" not in body


@pytest.mark.parametrize("template", ["{name}", "customer", "{id}-{email}"])
def test_a_template_needs_the_chargebee_id_and_nothing_unknown(template: str) -> None:
    with pytest.raises(ValidationError, match="entity_id"):
        CustomerMapping(entity_id=template)
