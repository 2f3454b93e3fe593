"""The report's figures equal sums computed independently from both APIs; files are written."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from tests.builders.netsuite_env import SITE, Env, StartEnv
from tests.builders.reconcile import report_of, run_reconcile
from tests.builders.tieout import WHOLE_UNIT_CURRENCIES, chargebee_list

from chargebee_netsuite.netsuite import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql_literals import build
from chargebee_netsuite.transform.identity import parse_external_id


def _major(amount: int, currency: str) -> Decimal:
    return Decimal(amount) / (1 if currency in WHOLE_UNIT_CURRENCIES else 100)


def chargebee_totals(env: Env) -> dict[tuple[str, str], Decimal]:
    """Σ per (currency, measure) straight from the Chargebee API."""
    key = env.chargebee_settings.test_key
    base = env.chargebee.base_url
    sums: dict[tuple[str, str], Decimal] = {}

    def add(currency: str, measure: str, amount: int) -> None:
        sums[(currency, measure)] = sums.get((currency, measure), Decimal(0)) + _major(
            amount, currency
        )

    for inv in chargebee_list(base, key, "invoices"):
        if inv["status"] != "voided" and not inv.get("deleted"):
            add(inv["currency_code"], "billed", inv["total"])
            add(inv["currency_code"], "outstanding", inv["amount_due"])
    for cn in chargebee_list(base, key, "credit_notes"):
        if cn["status"] != "voided" and not cn.get("deleted"):
            add(cn["currency_code"], "credited", cn["total"])
    for txn in chargebee_list(base, key, "transactions"):
        if txn["status"] == "success" and txn["type"] in ("payment", "refund", "payment_reversal"):
            measure = "collected" if txn["type"] == "payment" else "refunded"
            add(txn["currency_code"], measure, txn["amount"])
    return sums


def netsuite_totals(client: NetSuiteClient) -> dict[tuple[str, str], Decimal]:
    """Σ per (currency, measure) of our main records, straight from SuiteQL."""
    currencies = {
        str(r["id"]): r["symbol"]
        for r in client.suiteql.query(build("SELECT id, symbol FROM currency ORDER BY id"))
    }
    measures = {"inv": "billed", "cn": "credited"}
    sums: dict[tuple[str, str], Decimal] = {}
    query = (
        "SELECT id, type, externalid, currency, foreigntotal, foreignamountremaining "
        "FROM transaction ORDER BY id"
    )
    for row in client.suiteql.query(build(query)):
        _, kind, _ = parse_external_id(str(row["externalid"]))
        if kind == "invtwh":
            continue  # withheld tax: a payment for no Chargebee transaction (it is in outstanding)
        measure = measures.get(kind) or {"CustPymt": "collected", "CustRfnd": "refunded"}.get(
            str(row["type"])
        )
        if measure is None:
            continue  # reversals
        currency = currencies[str(row["currency"])]
        # SuiteQL signs credit memos and refunds one way or the other (a sandbox setting).
        total = abs(Decimal(str(row["foreigntotal"])))
        sums[(currency, measure)] = sums.get((currency, measure), Decimal(0)) + total
        if measure == "billed":
            left = Decimal(str(row["foreignamountremaining"] or 0))
            sums[(currency, "outstanding")] = sums.get((currency, "outstanding"), Decimal(0)) + left
    return sums


def test_totals_per_currency_equal_independently_computed_sums(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=25)
    env.extract()
    summary = env.sync("run-1")
    assert summary.counts.get("failed", 0) == 0, summary.counts
    result = run_reconcile(env, "rec-1", tmp_path)
    report = report_of(result)
    per_currency: dict[tuple[str, str], dict[str, Decimal]] = {}
    for row in report["figures"]["totals"]:
        slot = per_currency.setdefault(
            (row["currency"], row["measure"]), {"chargebee": Decimal(0), "netsuite": Decimal(0)}
        )
        slot["chargebee"] += Decimal(row["chargebee"])
        slot["netsuite"] += Decimal(row["netsuite"])
        assert Decimal(row["difference"]) == Decimal(row["chargebee"]) - Decimal(row["netsuite"])
    expected_cb = {k: v for k, v in chargebee_totals(env).items()}
    expected_ns = netsuite_totals(env.netsuite_client())
    assert {k: v["chargebee"] for k, v in per_currency.items()} == expected_cb
    assert {k: v["netsuite"] for k, v in per_currency.items()} == expected_ns
    assert len({c for c, _ in expected_cb}) >= 3  # several currencies, JPY among them
    assert ("JPY", "billed") in expected_cb

    target = Path(str(result.report_dir))
    assert target == tmp_path / "reconcile" / "rec-1"
    html = (target / "index.html").read_text()
    assert "<svg" in html and "Per subsidiary and currency" in html
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "")  # nothing to fetch
    with (target / "totals.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert rows == report["figures"]["totals"]
    assert SITE in html
