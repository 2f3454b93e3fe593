"""SuiteQL: transient queries over real SQL, paging rules, row shape, caps and errors."""

from __future__ import annotations

import httpx
import pytest

from .conftest import SandboxFactory, assert_ns_error, make_customer, make_invoice, new_id

TRANSIENT = {"Prefer": "transient"}
# 156 periods x 6 currencies x 3 departments: a real query with more than 1000 rows.
CROSS = (
    "SELECT p.id AS PeriodId, c.symbol AS Symbol, d.name FROM accountingperiod p "
    "CROSS JOIN currency c CROSS JOIN department d ORDER BY p.id, c.id, d.id"
)


def query(api: httpx.Client, q: str, **paging: int) -> httpx.Response:
    return api.post("/query/v1/suiteql", params=paging, json={"q": q}, headers=TRANSIENT)


def test_prefer_transient_is_required_and_async_is_refused(api: httpx.Client) -> None:
    q = {"q": "SELECT id FROM currency"}
    assert_ns_error(api.post("/query/v1/suiteql", json=q), 400, "INVALID_REQUEST")
    refused = api.post("/query/v1/suiteql", json=q, headers={"Prefer": "respond-async"})
    assert_ns_error(refused, 400, "INVALID_REQUEST")


def test_rows_have_lowercase_keys_string_values_and_empty_links(api: httpx.Client) -> None:
    response = query(
        api,
        "SELECT id AS CurrencyId, symbol, currencyprecision, isbasecurrency "
        "FROM Currency WHERE symbol IN ('USD', 'JPY') ORDER BY id",
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["items"] == [
        {
            "links": [],
            "currencyid": "1",
            "symbol": "USD",
            "currencyprecision": "2",
            "isbasecurrency": "T",
        },
        {
            "links": [],
            "currencyid": "4",
            "symbol": "JPY",
            "currencyprecision": "0",
            "isbasecurrency": "F",
        },
    ]
    assert (body["count"], body["totalResults"], body["hasMore"], body["offset"]) == (
        2,
        2,
        False,
        0,
    )
    assert any(link["rel"] == "self" for link in body["links"])


def test_paging_over_more_than_1000_rows(api: httpx.Client) -> None:
    first = query(api, CROSS).json()  # default limit is 1000
    assert (first["count"], first["totalResults"], first["hasMore"]) == (1000, 2808, True)
    seen = [(r["periodid"], r["symbol"], r["name"]) for r in first["items"]]
    offset = 1000
    while True:
        page = query(api, CROSS, limit=1000, offset=offset).json()
        seen += [(r["periodid"], r["symbol"], r["name"]) for r in page["items"]]
        if not page["hasMore"]:
            break
        offset += 1000
    assert page["count"] == 808 and page["offset"] == 2000
    assert len(seen) == len(set(seen)) == 2808


@pytest.mark.parametrize(
    ("paging", "param"),
    [
        ({"limit": 1001}, "limit"),
        ({"limit": 0}, "limit"),
        ({"limit": 100, "offset": 150}, "offset"),
        ({"offset": 5}, "offset"),
        ({"limit": 100, "offset": -100}, "offset"),
    ],
)
def test_paging_rules(api: httpx.Client, paging: dict[str, int], param: str) -> None:
    detail = assert_ns_error(query(api, CROSS, **paging), 400, "INVALID_PARAMETER")
    assert detail["o:errorQueryParam"] == param


def test_results_are_capped_at_100000(api: httpx.Client) -> None:
    huge = "SELECT a.id FROM accountingperiod a, accountingperiod b, accountingperiod c"
    last = query(api, huge, limit=1000, offset=99000).json()
    assert (last["totalResults"], last["count"], last["hasMore"]) == (100000, 1000, False)
    beyond = assert_ns_error(query(api, huge, limit=1000, offset=100000), 400, "INVALID_PARAMETER")
    assert beyond["o:errorQueryParam"] == "offset"


def test_unknown_column_and_table_errors(api: httpx.Client) -> None:
    response = query(api, "SELECT foo FROM customer")
    detail = assert_ns_error(response, 400, "USER_ERROR")
    assert detail["detail"] == "Search error occurred: Field 'foo' not found."
    assert response.json()["title"] == "Invalid search query."
    detail = assert_ns_error(query(api, "SELECT t.nonsense FROM transaction t"), 400, "USER_ERROR")
    assert "Field 'nonsense' not found" in detail["detail"]
    assert_ns_error(query(api, "SELECT id FROM nosuchtable"), 400, "USER_ERROR")
    assert_ns_error(query(api, "SELEKT id FROM customer"), 400, "USER_ERROR")


def test_queries_are_read_only_and_see_only_suiteql_tables(api: httpx.Client) -> None:
    make_customer(api)
    assert_ns_error(query(api, "DELETE FROM customer"), 400, "USER_ERROR")
    assert_ns_error(query(api, "SELECT doc FROM ns_record"), 400, "USER_ERROR")
    assert_ns_error(query(api, "SELECT name FROM sqlite_master"), 400, "USER_ERROR")
    assert query(api, "SELECT COUNT(*) AS n FROM customer").json()["items"][0]["n"] == "1"


def test_transactions_lines_and_links_are_queryable(api: httpx.Client) -> None:
    cid = make_customer(api, eid="acme")
    inv = make_invoice(api, cid, eid="inv-q", amount="100.10")
    pay = new_id(
        api.put(
            "/record/v1/customerPayment/eid:pay-q",
            json={
                "customer": {"id": cid},
                "payment": 40,
                "tranDate": "2024-03-20",
                "apply": {"items": [{"doc": {"id": inv}, "apply": True, "amount": 40}]},
            },
        )
    )
    rows = query(
        api,
        (
            "SELECT id, tranid, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, type, recordtype, "
            "entity, externalid, currency, "
            "exchangerate, foreigntotal, foreignamountremaining, status, BUILTIN.DF(status) AS st, "
            "subsidiary, postingperiod, lastmodifieddate FROM transaction "
            "WHERE type IN ('CustInvc', 'CustPymt') ORDER BY id"
        ),
    ).json()["items"]
    invoice, payment = rows
    assert invoice["id"] == inv and payment["id"] == pay
    assert (invoice["type"], invoice["recordtype"], payment["type"], payment["recordtype"]) == (
        "CustInvc",
        "invoice",
        "CustPymt",
        "customerpayment",
    )
    assert invoice["foreigntotal"] == "100.1"
    assert invoice["foreignamountremaining"] == "60.1"
    assert (invoice["status"], invoice["st"]) == ("A", "Invoice : Open")
    assert invoice["externalid"] == "inv-q" and invoice["entity"] == cid
    assert invoice["trandate"] == "2024-03-15" and invoice["postingperiod"] == "111"
    assert invoice["currency"] == "1" and invoice["subsidiary"] == "1"
    assert invoice["lastmodifieddate"]
    lines = query(
        api,
        "SELECT tl.item, BUILTIN.DF(tl.item) AS itemname, tl.account, "
        f"tl.foreignamount FROM transactionline tl WHERE tl.transaction = {inv} "
        "AND tl.mainline = 'F'",
    ).json()["items"]
    assert lines == [
        {
            "links": [],
            "item": "1",
            "itemname": "PLAN-STARTER",
            "account": "10",
            "foreignamount": "-100.1",
        }
    ]
    links = query(
        api,
        "SELECT previousdoc, nextdoc, foreignamount, BUILTIN.DF(nextdoc) AS d "
        f"FROM NextTransactionLineLink WHERE previousdoc = {int(inv)}",
    ).json()
    assert links["items"][0]["nextdoc"] == pay
    assert links["items"][0]["foreignamount"] == "40"
    assert links["items"][0]["d"].startswith("Payment #")
    named = query(api, f"SELECT BUILTIN.DF(entity) AS who FROM transaction WHERE id = {inv}")
    assert named.json()["items"][0]["who"] == "Customer acme"


def test_sums_are_exact_and_null_columns_are_left_out(api: httpx.Client) -> None:
    cid = make_customer(api)
    for n, amount in enumerate(("0.10", "0.20", "0.05")):
        make_invoice(api, cid, eid=f"s{n}", amount=amount)
    total = query(api, "SELECT SUM(foreigntotal) AS total FROM transaction").json()["items"][0]
    assert total["total"] == "0.35"
    row = query(api, "SELECT id, email FROM customer").json()["items"][0]
    assert "email" not in row


def test_a_body_with_bound_parameters_is_refused(api: httpx.Client) -> None:
    # REST SuiteQL's body is {"q"} alone; "params" belongs to SuiteScript's runSuiteQL.
    body = {"q": "SELECT id FROM currency WHERE symbol = ?", "params": ["USD"]}
    refused = api.post("/query/v1/suiteql", json=body, headers=TRANSIENT)
    detail = assert_ns_error(refused, 400, "INVALID_CONTENT")
    assert "'params'" in detail["detail"]
    # The same text without params: a '?' is not SuiteQL, so the query itself is invalid.
    assert_ns_error(query(api, body["q"]), 400, "USER_ERROR")
    assert query(api, "SELECT id FROM currency WHERE symbol = 'USD'").json()["count"] == 1


@pytest.mark.parametrize(
    ("preference", "shown", "first"),
    [
        ("M/D/YYYY", "3/5/2024", "3/1/2024"),
        ("D/M/YYYY", "5/3/2024", "1/3/2024"),
        ("DD.MM.YYYY", "05.03.2024", "01.03.2024"),
        ("D-Mon-YYYY", "5-Mar-2024", "1-Mar-2024"),
        ("YYYY-MM-DD", "2024-03-05", "2024-03-01"),
    ],
)
def test_bare_dates_follow_the_users_date_format(
    sandbox_factory: SandboxFactory, preference: str, shown: str, first: str
) -> None:
    api = sandbox_factory(suiteql_date_format=preference).client()
    make_invoice(api, make_customer(api), tranDate="2024-03-05")
    q = (
        "SELECT trandate, TO_CHAR(trandate, 'YYYY-MM-DD') AS iso, lastmodifieddate, "
        "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS modified FROM transaction "
        "WHERE trandate >= TO_DATE('2024-03-05', 'YYYY-MM-DD')"
    )
    (row,) = query(api, q).json()["items"]
    assert (row["trandate"], row["iso"]) == (shown, "2024-03-05")
    # A bare datetime shows the date preference and a time; TO_CHAR gives the full timestamp.
    assert row["lastmodifieddate"].endswith((" am", " pm")) and "T" not in row["lastmodifieddate"]
    assert len(row["modified"]) == 19 and row["modified"][10] == " "
    period = query(
        api,
        "SELECT startdate, TO_CHAR(startdate, 'YYYY-MM-DD') AS iso FROM accountingperiod "
        "WHERE startdate = TO_DATE('2024-03-01', 'YYYY-MM-DD') AND isquarter = 'F' "
        "AND isyear = 'F'",
    ).json()["items"]
    assert [(p["startdate"], p["iso"]) for p in period] == [(first, "2024-03-01")]
    # TO_DATE without a format model reads the user's format, like Oracle's NLS default.
    same = query(api, f"SELECT COUNT(*) AS n FROM transaction WHERE trandate = TO_DATE('{shown}')")
    assert same.json()["items"][0]["n"] == "1"
    # A literal that does not match its format model fails instead of being guessed.
    wrong = "SELECT id FROM transaction WHERE trandate > TO_DATE('5/3/2024', 'YYYY-MM-DD')"
    assert_ns_error(query(api, wrong), 400, "USER_ERROR")


@pytest.mark.parametrize("memo_sign", ["positive", "negative"])
@pytest.mark.parametrize("refund_sign", ["positive", "negative"])
def test_credit_memo_and_refund_signs_are_settings(
    sandbox_factory: SandboxFactory, memo_sign: str, refund_sign: str
) -> None:
    api = sandbox_factory(
        suiteql_credit_memo_sign=memo_sign, suiteql_refund_sign=refund_sign
    ).client()
    cid = make_customer(api)
    inv = make_invoice(api, cid, amount="100.00")
    memo = {
        "entity": {"id": cid},
        "tranDate": "2024-03-18",
        "item": {"items": [{"item": {"id": "1"}, "amount": 30}]},
        "apply": {"items": [{"doc": {"id": inv}, "apply": True, "amount": 25}]},
    }
    cm = new_id(api.put("/record/v1/creditMemo/eid:cm-1", json=memo))
    refund = {
        "customer": {"id": cid},
        "tranDate": "2024-03-19",
        "account": {"id": "1"},
        "apply": {"items": [{"doc": {"id": cm}, "apply": True, "amount": 2}]},
    }
    new_id(api.put("/record/v1/customerRefund/eid:rf-1", json=refund))
    q = "SELECT type, foreigntotal, foreignamountremaining FROM transaction ORDER BY id"
    rows = {r["type"]: r for r in query(api, q).json()["items"]}
    cm_minus = "-" if memo_sign == "negative" else ""
    rf_minus = "-" if refund_sign == "negative" else ""
    invoice = rows["CustInvc"]
    assert (invoice["foreigntotal"], invoice["foreignamountremaining"]) == ("100", "75")
    assert rows["CustCred"]["foreigntotal"] == f"{cm_minus}30"
    assert rows["CustCred"]["foreignamountremaining"] == f"{cm_minus}3"
    assert rows["CustRfnd"]["foreigntotal"] == f"{rf_minus}2"
    # Aliases and aggregates see the same signs; the record API keeps amounts positive.
    q = "SELECT SUM(t.foreigntotal) AS s FROM transaction t WHERE t.type = 'CustCred'"
    total = query(api, q)
    assert total.json()["items"][0]["s"] == f"{cm_minus}30"
    assert api.get(f"/record/v1/creditMemo/{cm}").json()["total"] == 30
