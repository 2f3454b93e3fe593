"""Customers as NetSuite keeps them: a frozen primary currency, Customer IDs, inactive customers."""

from __future__ import annotations

from typing import Any

from tests.builders.netsuite_env import SITE, Env, StartEnv, ledger, mapping, netsuite_record

from chargebee_netsuite.transform.identity import external_id

from .test_tieout import assert_tied_out


def new_customer(env: Env, customer_id: str, company: str, currency: str = "USD") -> None:
    env.cb_admin(
        "POST",
        "/customers",
        {
            "id": customer_id,
            "first_name": "Ada",
            "last_name": "Okafor",
            "email": f"{customer_id}@example.com",
            "company": company,
            "currency_code": currency,
        },
    )


def new_invoice(env: Env, customer_id: str, currency: str = "USD", **line: Any) -> str:
    body = {"description": "Consulting", "unit_amount": 12000, **line}
    answer = env.cb_admin(
        "POST",
        "/invoices",
        {"customer_id": customer_id, "currency_code": currency, "lines": [body]},
    )
    return str(answer["invoice"]["id"])


def customer_record(env: Env, customer_id: str) -> dict[str, Any]:
    return netsuite_record(env, "customer", external_id(SITE, "cust", customer_id))


def assert_nothing_failed(counts: dict[str, int]) -> None:
    assert not {state: n for state, n in counts.items() if state in ("failed", "held")}, counts


def test_a_new_preferred_currency_joins_the_currency_list_and_the_primary_stays(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2, customer_currency_change="frozen")
    new_customer(env, "cust-fx", "Fx Ltd")
    new_invoice(env, "cust-fx")
    env.extract()
    assert_nothing_failed(env.sync("run-1").counts)
    env.cb_admin("POST", "/customers/cust-fx", {"preferred_currency_code": "EUR"})
    new_invoice(env, "cust-fx", "EUR")
    env.extract("extract-2")
    assert_nothing_failed(env.sync("run-2").counts)
    body = customer_record(env, "cust-fx")
    assert body["currency"]["id"] == "1"  # USD, as NetSuite first had it
    assert {x["currency"]["id"] for x in body["currencyList"]["items"]} == {"1", "3"}
    assert_tied_out(env)
    before = env.netsuite_writes()
    env.sync("run-3")
    assert env.netsuite_writes() == before


def test_two_customers_of_one_name_post_where_netsuite_does_not_number_customers(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2, customer_auto_numbering=False)
    for customer_id in ("twin-1", "twin-2"):
        new_customer(env, customer_id, "Twin Corp")
        new_invoice(env, customer_id)
    env.extract()
    assert_nothing_failed(env.sync("run-1").counts)
    ids = [customer_record(env, c)["entityId"] for c in ("twin-1", "twin-2")]
    assert ids == ["twin-1", "twin-2"]
    assert_tied_out(env)


def test_auto_numbering_can_name_customers_where_netsuite_numbers_them(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2, customer_auto_numbering=True)
    for customer_id in ("twin-1", "twin-2"):
        new_customer(env, customer_id, "Twin Corp")
    env.extract()
    config = mapping(**{'entity_id: "{id}"': "entity_id: auto"})
    assert_nothing_failed(env.sync("run-1", config=config).counts)
    numbers = [customer_record(env, c)["entityId"] for c in ("twin-1", "twin-2")]
    assert all(n.isdigit() for n in numbers) and numbers[0] != numbers[1]


def test_a_deleted_customer_stays_inactive_and_its_later_documents_still_post(
    start_env: StartEnv,
) -> None:
    env = start_env(scale=2)
    new_customer(env, "gone", "Gone Inc")
    voided, kept = new_invoice(env, "gone"), new_invoice(env, "gone", unit_amount=5000)
    new_invoice(env, "gone", unit_amount=700)  # stays open: its AR must still tie out
    env.extract()
    assert_nothing_failed(env.sync("run-1").counts)
    env.cb_admin("DELETE", "/customers/gone")
    env.cb_admin("POST", f"/invoices/{voided}/void", {"reason_code": "Duplicate"})
    env.cb_admin("POST", f"/invoices/{kept}/payments", {"payment_method": "check"})
    env.extract("extract-2")
    assert_nothing_failed(env.sync("run-2").counts)
    assert customer_record(env, "gone")["isInactive"] is True
    assert ledger(env, "invoice", voided, "reversal")["state"] == "posted"
    assert netsuite_record(env, "invoice", external_id(SITE, "inv", kept))["amountRemaining"] == 0
    assert_tied_out(env)
    before = env.netsuite_writes()
    env.sync("run-3")
    assert env.netsuite_writes() == before
