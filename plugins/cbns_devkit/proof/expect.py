"""What NetSuite must hold, computed independently: Chargebee's API vs NetSuite's SuiteQL.

Nothing here uses the connector's transform, ledger or staging to decide what is expected:
the expectation comes from Chargebee's list endpoints and plain rules (a finalised invoice is
an invoice for its total, a live credit note a credit memo, a successful payment or refund a
payment or refund, a successful chargeback a refund for its amount, a voided refund nothing,
a voided payment a payment cancelled by a reversing refund; each under the customer whose
documents it settles), the actual state from SuiteQL.
The ledger is read only to tell a document held back *with a reason* (quarantined by data
quality, say) from one that is lost.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from sqlalchemy import Engine, select

from chargebee_netsuite.netsuite import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.reference.pull import live_currency_codes
from chargebee_netsuite.staging.ledger_tables import ns_ledger

# Kept apart from transform.money on purpose: an expectation must not share the code it checks.
WHOLE_UNITS = {"JPY", "KRW", "XAF", "XOF"}
NETSUITE_TYPES = {
    "invoice": "CustInvc",
    "credit_note": "CustCred",
    "payment": "CustPymt",
    "refund": "CustRfnd",
    # A chargeback takes the money back out of the payment: a customer refund.
    "payment_reversal": "CustRfnd",
    # Tax the customer withheld from an invoice settles it like a payment.
    "tax_withheld": "CustPymt",
}
KIND_CODES = {
    "invoice": "inv",
    "credit_note": "cn",
    "payment": "txn",
    "refund": "txn",
    "payment_reversal": "txn",
    "customer": "cust",
    "tax_withheld": "invtwh",
}
# A document voided after it was posted is cancelled by a record under this external id kind.
REVERSAL_CODES = {"inv": "invrev", "cn": "cnrev", "txn": "txnrev"}


def _escape(text: str) -> str:
    # Independent re-statement of contract 2: letters and digits kept, every other UTF-8 byte
    # written as _XX.
    return "".join(
        c if c.isascii() and c.isalnum() else "".join(f"_{b:02X}" for b in c.encode()) for c in text
    )


def expected_external_id(site: str, kind: str, source_id: str) -> str:
    """The external id contract 2 gives a Chargebee document."""
    return f"cb-{_escape(site)}-{KIND_CODES[kind]}-{_escape(source_id)}"


def money(amount: int, currency: str) -> Decimal:
    """A Chargebee amount in major units."""
    return Decimal(amount) / (1 if currency.upper() in WHOLE_UNITS else 100)


@dataclass(frozen=True)
class Expected:
    """One NetSuite transaction that must exist exactly once."""

    external_id: str
    netsuite_type: str
    total: Decimal
    customer_eid: str
    currency: str
    label: str


def chargebee_list(base_url: str, api_key: str, resource: str) -> list[dict[str, Any]]:
    """Every object of a Chargebee list endpoint (deleted ones included), straight from the API."""
    found: list[dict[str, Any]] = []
    offset: str | None = None
    singular = resource[:-1]
    with httpx.Client(base_url=f"{base_url}/api/v2", auth=(api_key, ""), timeout=120) as http:
        while True:
            params = {
                "limit": "100",
                "include_deleted": "true",
                **({"offset": offset} if offset else {}),
            }
            body = http.get(f"/{resource}", params=params).raise_for_status().json()
            found += [entry[singular] for entry in body["list"]]
            offset = body.get("next_offset")
            if not offset:
                return found


def expected_documents(base_url: str, api_key: str, site: str) -> dict[str, Expected]:
    """Every transaction Chargebee's API says NetSuite must hold, by external id.

    A voided (or deleted) invoice, credit note or payment is expected nowhere, except that if
    it was posted before it was voided, its reversal must cancel it: :func:`compare` checks
    that pair (registered here under the main id with ``netsuite_type`` "reversed"). A voided
    refund or chargeback is simply expected nowhere: it must be gone from NetSuite.
    """
    found: dict[str, Expected] = {}
    gone: dict[str, Expected] = {}
    invoices = chargebee_list(base_url, api_key, "invoices")
    notes = chargebee_list(base_url, api_key, "credit_notes")
    transactions = chargebee_list(base_url, api_key, "transactions")
    owner = _settled_customers(invoices, notes, transactions)

    def add(kind: str, doc: dict[str, Any], amount: int, into: dict[str, Expected] = found) -> None:
        eid = expected_external_id(site, kind, str(doc["id"]))
        customer = owner.get(str(doc["id"]), str(doc["customer_id"]))
        into[eid] = Expected(
            eid,
            NETSUITE_TYPES[kind],
            money(amount, doc["currency_code"]),
            expected_external_id(site, "customer", customer),
            str(doc["currency_code"]).upper(),
            f"{kind} {doc['id']}",
        )

    for doc in invoices:
        if not doc.get("deleted") and doc["status"] not in ("voided", "pending"):
            add("invoice", doc, int(doc["total"]))
            withheld = sum(int(t.get("amount") or 0) for t in doc.get("linked_taxes_withheld", []))
            if withheld:
                add("tax_withheld", doc, withheld)
        elif doc["status"] != "pending":
            add("invoice", doc, int(doc["total"]), gone)
    for doc in notes:
        if not doc.get("deleted") and doc["status"] != "voided":
            add("credit_note", doc, int(doc["total"]))
        else:
            add("credit_note", doc, int(doc["total"]), gone)
    for doc in transactions:
        kind = str(doc.get("type"))
        if doc.get("deleted") or doc.get("status") != "success":
            # Only a payment that took money in has something left to reverse.
            if kind == "payment" and (doc.get("deleted") or doc.get("status") == "voided"):
                add(kind, doc, int(doc["amount"]), gone)
            continue
        if kind in ("payment", "refund", "payment_reversal"):
            add(kind, doc, int(doc["amount"]))
    for eid, voided in gone.items():
        found[eid] = Expected(
            eid, "reversed", voided.total, voided.customer_eid, voided.currency, voided.label
        )
    return found


def _settled_customers(
    invoices: list[dict[str, Any]], notes: list[dict[str, Any]], transactions: list[dict[str, Any]]
) -> dict[str, str]:
    """Transaction id → the customer whose documents it settles, where that is one customer.

    NetSuite applies a payment only to its own customer's invoices, so a payment made by an
    account hierarchy's payment owner for a child's invoice belongs to the child; a refund to
    the customer of the credit notes it pays out; a chargeback to its payment's customer (an
    online ``payment_reversal`` is named by its payment's ``reversal_transaction_id``).
    """
    of_invoice = {str(i["id"]): str(i["customer_id"]) for i in invoices}
    of_note = {str(n["id"]): str(n["customer_id"]) for n in notes}
    by_id = {str(t["id"]): t for t in transactions}
    reversed_by = {
        str(t["reversal_transaction_id"]): str(t["id"])
        for t in transactions
        if t.get("reversal_transaction_id")
    }

    def settles(txn: dict[str, Any]) -> set[str]:
        kind = txn.get("type")
        if kind == "payment":
            links = [li["invoice_id"] for li in txn.get("linked_invoices") or []]
            return {of_invoice[str(i)] for i in links if str(i) in of_invoice}
        paid = [ln["cn_id"] for ln in txn.get("linked_credit_notes") or []]
        if kind == "refund" and paid:
            return {of_note[str(n)] for n in paid if str(n) in of_note}
        payment_id = (
            reversed_by.get(str(txn["id"])) or txn.get("reference_transaction_id")
            if kind == "payment_reversal"
            else txn.get("refunded_txn_id")
        )
        payment = by_id.get(str(payment_id))
        return settles(payment) if payment is not None and payment is not txn else set()

    found: dict[str, str] = {}
    for txn in transactions:
        customers = settles(txn)
        if len(customers) == 1:
            found[str(txn["id"])] = customers.pop()
    return found


@dataclass
class Row:
    """One line of the fault-matrix table."""

    scenario: str
    expected: int = 0
    posted: int = 0
    held: int = 0  # expected but held back with a ledger reason (data quality, mapping)
    duplicates: int = 0
    missing: int = 0
    wrong: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No duplicate, nothing missing, nothing wrong."""
        return self.duplicates == self.missing == self.wrong == 0


def netsuite_transactions(client: NetSuiteClient) -> list[dict[str, Any]]:
    """Every transaction NetSuite holds, with customer and currency as external id and code."""
    customers = {
        str(r["id"]): str(r["externalid"])
        for r in client.suiteql.query(build("SELECT id, externalid FROM customer ORDER BY id"))
    }
    currencies = live_currency_codes(client)
    rows = client.suiteql.query(
        build("SELECT id, externalid, type, foreigntotal, entity, currency FROM transaction")
    )
    return [
        {
            **r,
            "customer_eid": customers.get(str(r.get("entity")), ""),
            "currency_code": currencies.get(str(r.get("currency")), ""),
        }
        for r in rows
    ]


def held_with_reason(engine: Engine, site: str) -> dict[str, str]:
    """External id -> reason, for ledger rows that say why they are not (yet) in NetSuite."""
    from chargebee_netsuite.transform import identity

    kinds = {
        ("invoice", "main"): "inv",
        ("credit_note", "main"): "cn",
        ("transaction", "main"): "txn",
        ("customer", "main"): "cust",
        ("invoice", "withheld"): "invtwh",
    }
    with engine.connect() as conn:
        rows = conn.execute(select(ns_ledger).where(ns_ledger.c.site == site)).mappings().all()
    return {
        identity.external_id(site, kinds[r["source_kind"], r["role"]], r["source_id"]): str(
            r["reason"]
        )
        for r in rows
        if r["state"] in ("quarantined", "held", "skipped")
        and r["reason"]
        and (r["source_kind"], r["role"]) in kinds
    }


def compare(
    scenario: str,
    expected: dict[str, Expected],
    actual: list[dict[str, Any]],
    held: dict[str, str],
) -> Row:
    """Count expected, posted, held-with-reason, duplicate, missing and wrongly posted documents."""
    row = Row(scenario, expected=len(expected))
    ours = [r for r in actual if str(r.get("externalid") or "").startswith("cb-")]
    counts = Counter(str(r["externalid"]) for r in ours)
    row.duplicates = sum(n - 1 for n in counts.values() if n > 1)
    by_eid = {str(r["externalid"]): r for r in ours}
    reversed_docs = {
        eid: want for eid, want in expected.items() if want.netsuite_type == "reversed"
    }
    for eid, want in reversed_docs.items():
        site, code, source_id = eid.split("-")[1:]
        reversal = "-".join(("cb", site, REVERSAL_CODES[code], source_id))
        main, undo = by_eid.get(eid), by_eid.get(reversal)
        if main is None and undo is None:
            continue  # voided before it was ever posted
        if main is None or undo is None:
            row.wrong += 1
            row.notes.append(f"voided {want.label}: posted without its reversal (or vice versa)")
            continue
        totals = {abs(Decimal(str(r.get("foreigntotal")))) for r in (main, undo)}
        if totals != {want.total} or undo["customer_eid"] != want.customer_eid:
            row.wrong += 1
            row.notes.append(f"voided {want.label}: reversal does not cancel it ({totals})")
    expected = {eid: want for eid, want in expected.items() if eid not in reversed_docs}
    row.expected = len(expected)
    for eid, want in expected.items():
        got = by_eid.get(eid)
        if got is None:
            if eid in held:
                row.held += 1
            else:
                row.missing += 1
                row.notes.append(f"missing {want.label}")
            continue
        row.posted += 1
        total = abs(Decimal(str(got.get("foreigntotal"))))
        problems = []
        if got.get("type") != want.netsuite_type:
            problems.append(f"type {got.get('type')} != {want.netsuite_type}")
        if total != want.total:
            problems.append(f"total {total} != {want.total}")
        if got["customer_eid"] != want.customer_eid:
            problems.append(f"customer {got['customer_eid']} != {want.customer_eid}")
        if got["currency_code"] != want.currency:
            problems.append(f"currency {got['currency_code']} != {want.currency}")
        if problems:
            row.wrong += 1
            row.notes.append(f"wrong {want.label}: {', '.join(problems)}")
    # Posted though Chargebee says it must not be (reversals of voided documents are expected).
    for eid, got in by_eid.items():
        if eid in reversed_docs or eid.split("-")[2] in REVERSAL_CODES.values():
            continue
        if eid not in expected:
            row.wrong += 1
            row.notes.append(f"unexpected {eid} ({got.get('type')})")
    return row
