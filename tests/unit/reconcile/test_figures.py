"""Report figures: exact Decimal sums per subsidiary and currency, with drill-down."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from chargebee_netsuite.reconcile.figures import differences, document_figures, summarise
from chargebee_netsuite.reconcile.model import ChargebeeDoc, NetSuiteDoc
from chargebee_netsuite.reconcile.netsuite_side import NetSuiteSnapshot
from chargebee_netsuite.reconcile.run import month_to_date
from chargebee_netsuite.transform.identity import external_id

SITE = "acme"


def doc(doc_id: str, measure: str, total: str, currency: str = "USD", **kw: object) -> ChargebeeDoc:
    kind = {"billed": "invoice", "credited": "credit_note"}.get(measure, "transaction")
    code = {"invoice": "inv", "credit_note": "cn", "transaction": "txn"}[kind]
    values: dict[str, object] = {
        "kind": kind,
        "id": doc_id,
        "external_id": external_id(SITE, code, doc_id),
        "customer_id": kw.pop("customer", "cus_1"),
        "currency": currency,
        "doc_date": None,
        "measure": measure,
        "total": Decimal(total),
        "outstanding": Decimal(str(kw.pop("due", "0"))),
    }
    values.update(kw)
    return ChargebeeDoc(**values)  # type: ignore[arg-type]


def ns(d: ChargebeeDoc, total: str, remaining: str | None = None, sub: str = "1") -> NetSuiteDoc:
    return NetSuiteDoc(
        d.external_id,
        f"ns-{d.id}",
        "CustInvc",
        total=Decimal(total),
        remaining=None if remaining is None else Decimal(remaining),
        subsidiary=sub,
    )


def test_totals_per_subsidiary_and_currency_are_exact_and_differences_drill_down() -> None:
    a = doc("a", "billed", "0.10", due="0.10")
    b = doc("b", "billed", "0.20", due="0")
    c = doc("c", "collected", "0.20")
    y = doc("y", "billed", "1500", currency="JPY", customer="cus_2", due="1500")
    missing = doc("m", "refunded", "5.00")
    voided = doc("v", "billed", "99.00", postable=False)
    snap = NetSuiteSnapshot(
        transactions={
            x.external_id: n
            for x, n in (
                (a, ns(a, "0.10", "0.10")),
                (b, ns(b, "0.20", "0.00")),
                (c, ns(c, "0.20")),
                (y, ns(y, "1400", "1400", sub="2")),
            )
        },
        customers={
            external_id(SITE, "cust", "cus_1"): NetSuiteDoc(
                external_id(SITE, "cust", "cus_1"), "7", "customer", subsidiary="1"
            )
        },
        subsidiaries={"1": "US Inc.", "2": "KK Japan"},
    )
    summary = summarise(document_figures([a, b, c, y, missing, voided], snap))
    totals = {(r["subsidiary"], r["currency"], r["measure"]): r for r in summary["totals"]}
    billed = totals[("US Inc.", "USD", "billed")]
    assert (billed["chargebee"], billed["netsuite"], billed["difference"]) == (
        "0.30",
        "0.30",
        "0.00",
    )
    assert totals[("US Inc.", "USD", "outstanding")]["chargebee"] == "0.10"
    assert totals[("US Inc.", "USD", "refunded")]["difference"] == "5.00"  # counted as 0 in NS
    assert totals[("KK Japan", "JPY", "billed")]["difference"] == "100"
    assert ("US Inc.", "USD", "billed") in totals and len(totals) == 6  # voided left out
    assert [(c["customer_id"], c["measure"]) for c in summary["customers"]] == [
        ("cus_2", "billed"),
        ("cus_2", "outstanding"),
        ("cus_1", "refunded"),
    ]
    assert {d["id"] for d in summary["documents"]} == {"y", "m"}
    assert differences(summary) == {"KK Japan/JPY": "200", "US Inc./USD": "5.00"}


def test_month_to_date_and_the_first_of_the_month_closes_the_previous_one() -> None:
    now = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)
    assert month_to_date(now) == (datetime(2026, 11, 1, tzinfo=UTC), now)
    first = datetime(2026, 12, 1, tzinfo=UTC)
    assert month_to_date(first) == (datetime(2026, 11, 1, tzinfo=UTC), first)
