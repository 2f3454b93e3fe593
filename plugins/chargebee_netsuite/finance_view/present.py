"""A stored reconciliation report as finance reads it: names, numbers, amounts with symbols.

What the page shows comes from here; what only an engineer needs (external ids, NetSuite
record types, hashes, reason codes) stays in each row's ``audit`` part, which the page
keeps in an "Audit details" disclosure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from chargebee_netsuite.reconcile.charts import chart_groups
from chargebee_netsuite.reconcile.lookup import customer_names, document_noun
from chargebee_netsuite.reconcile.model import FINDING_DETAIL_FIELDS

from .fixes import plain_text, why_sentence
from .money import as_decimal, format_money
from .pack import FINDING_WORDS, MEASURE_WORDS
from .period import from_window

MONEY = ("chargebee", "netsuite", "difference")
FINDING_ACTIONS = {
    "requeued": "Sent again to NetSuite by the next load",
    "flagged": "For you to look at",
    "pending": "Waiting for the next load",
    "exception": "In the exception queue below",
}


def _money_columns(row: Mapping[str, Any]) -> dict[str, Any]:
    currency = row.get("currency")
    columns: dict[str, Any] = {
        f"{key}_text": format_money(row.get(key), currency) for key in MONEY if key in row
    }
    difference = as_decimal(row.get("difference"))
    columns["differs"] = difference is not None and difference != 0
    return columns


def _customer(names: Mapping[str, Mapping[str, str]], customer_id: Any) -> dict[str, Any]:
    found = names.get(str(customer_id or ""), {})
    return {
        "customer_name": found.get("name") or (customer_id or ""),
        "customer_email": found.get("email") or "",
    }


def present_report(conn: Connection, report: Mapping[str, Any]) -> dict[str, Any]:
    """The page's form of a stored report."""
    site = str(report["site"])
    figures = report.get("figures", {})
    customers_wanted: set[str] = set()
    for rows in (figures.get("customers", []), figures.get("documents", [])):
        customers_wanted |= {str(r["customer_id"]) for r in rows if r.get("customer_id")}
    customers_wanted |= {
        str(f["customer_id"]) for f in report.get("findings", []) if f.get("customer_id")
    }
    names = customer_names(conn, site, customers_wanted)
    start, end = report["window"]
    period = from_window(datetime.fromisoformat(start), datetime.fromisoformat(end))
    totals = [
        {
            **row,
            **_money_columns(row),
            "measure_text": MEASURE_WORDS.get(row["measure"], row["measure"]),
        }
        for row in figures.get("totals", [])
    ]
    groups = chart_groups(totals)
    return {
        "site": site,
        "run_id": report["run_id"],
        "period": period.as_dict(),
        "created_at": report.get("created_at"),
        "summary": report.get("summary", {}),
        "totals": totals,
        "groups": groups,
        "customers": [
            {
                **row,
                **_money_columns(row),
                **_customer(names, row.get("customer_id")),
                "measure_text": MEASURE_WORDS.get(row["measure"], row["measure"]),
            }
            for row in figures.get("customers", [])
        ],
        "documents": [
            {
                "label": f"{document_noun(row['kind'])} {row['id']}",
                "kind": row["kind"],
                "id": row["id"],
                "subsidiary": row.get("subsidiary"),
                "currency": row.get("currency"),
                "measure_text": MEASURE_WORDS.get(row["measure"], row["measure"]),
                **_money_columns(row),
                **_customer(names, row.get("customer_id")),
                "audit": {
                    "external_id": row.get("external_id"),
                    "netsuite_id": row.get("netsuite_id"),
                },
            }
            for row in figures.get("documents", [])
        ],
        "findings": [present_finding(f, names) for f in report.get("findings", [])],
        "links": report.get("links", []),
    }


def finding_sentence(finding: Mapping[str, Any], names: Mapping[str, Mapping[str, str]]) -> str:
    """What a finding means, without NetSuite's record codes or encoded external ids (the
    stored ``detail`` has them, for the audit details)."""
    check, field = finding.get("check"), finding.get("field")
    currency = finding.get("currency")
    cb, ns = finding.get("chargebee_value"), finding.get("netsuite_value")
    if check == "mismatch" and field in ("total", "amount"):
        return (
            f"The {field} is {format_money(cb, currency)} in Chargebee but "
            f"{format_money(ns, currency)} in NetSuite."
        )
    if check == "mismatch" and field == "customer":
        who = names.get(str(cb or ""), {}).get("name") or cb
        return f"NetSuite has it under another customer than {who}."
    if check == "mismatch" and field:
        return f"The {field} is {cb} in Chargebee but {ns} in NetSuite."
    if check == "missing":
        return "Chargebee has it; NetSuite does not."
    if check == "edited":
        return "Someone changed it in NetSuite after the connector posted it."
    if check == "unknown":
        return "NetSuite has a record from this connector that Chargebee does not know."
    return str(finding.get("detail") or "")


def present_finding(
    finding: Mapping[str, Any], names: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """A finding in words, its technical fields kept for the audit details."""
    kind, source_id = finding.get("source_kind"), finding.get("source_id")
    return {
        "what": FINDING_WORDS.get(finding.get("check", ""), finding.get("check")),
        "check": finding.get("check"),
        "label": f"{document_noun(kind)} {source_id}" if kind and source_id else "",
        "kind": kind,
        "id": source_id,
        "action": FINDING_ACTIONS.get(finding.get("action", ""), finding.get("action")),
        "detail": finding_sentence(finding, names),
        **_customer(names, finding.get("customer_id")),
        "audit": {key: finding.get(key) for key in FINDING_DETAIL_FIELDS},
    }


def present_exceptions(items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Exception queue entries with the amount as text and the reason in words; codes, ids
    and the recorded reason verbatim in ``audit``."""
    technical = ("code", "external_id", "netsuite_type", "role", "attempts", "updated", "reason")
    return [
        {
            **{k: v for k, v in item.items() if k not in technical},
            "reason": why_sentence(
                item.get("code"), str(item.get("reason") or ""), {"currency": item.get("currency")}
            ),
            "fix": plain_text(str(item.get("fix") or "")),
            "amount_text": format_money(item.get("amount"), item.get("currency")),
            "audit": {k: item.get(k) for k in technical},
        }
        for item in items
    ]


def present_catch_alls(entries: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Catch-all entries with the amount as text and the rule in words."""
    out = []
    for entry in entries:
        rule = str(entry.get("rule") or "")
        documents = entry.get("documents")
        listed = [str(d) for d in documents] if isinstance(documents, list) else []
        count = entry.get("document_count")
        if count is None:
            count = documents if isinstance(documents, int) else len(listed)
        words = (
            "the mapping's default item"
            if rule == "items.default"
            else f"the general rule for every {rule.rsplit('.', 1)[-1]}"
        )
        out.append(
            {
                **entry,
                "documents": listed,
                "document_count": count,
                "amount_text": format_money(entry.get("amount"), entry.get("currency")),
                "rule_text": words,
            }
        )
    return out
