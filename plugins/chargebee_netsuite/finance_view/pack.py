"""The month-end pack: one ``.xlsx`` workbook (openpyxl) for the close.

Sheets: **Totals** per subsidiary and currency (Chargebee, NetSuite, difference); **Posted
documents**, every document posted to NetSuite dated up to the period's last day (for the
tie-out against NetSuite's A/R aging); **Exceptions** (what did not post, the findings, the
catch-alls); **Sign-off** (who generated it and when, UTC). Amounts are numbers with the
currency's number format, never text, so the sheet sums them.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Connection, select

from chargebee_netsuite.reconcile.lookup import customer_names, document_facts
from chargebee_netsuite.staging.ledger_tables import MAIN, POSTED, ns_ledger

from .money import as_decimal, excel_format
from .period import Period

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FINDING_WORDS = {
    "missing": "In Chargebee, not in NetSuite",
    "mismatch": "Different in NetSuite",
    "edited": "Edited in NetSuite by hand",
    "unknown": "In NetSuite, unknown to Chargebee",
}
MEASURE_WORDS = {
    "billed": "Billed (invoices)",
    "credited": "Credited (credit notes)",
    "collected": "Collected (payments)",
    "refunded": "Refunded (refunds and chargebacks)",
    "outstanding": "Outstanding (open A/R)",
}
_BOLD = Font(bold=True)


def _sheet(book: Workbook, title: str, header: Sequence[str], first: bool = False) -> Worksheet:
    sheet = book.active if first else book.create_sheet()
    assert sheet is not None
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = _BOLD
    sheet.freeze_panes = "A2"
    return sheet


def _money_cell(sheet: Worksheet, row: int, column: int, value: Any, currency: str | None) -> None:
    amount = as_decimal(value)
    cell = sheet.cell(row=row, column=column, value=amount)
    if amount is not None:
        cell.number_format = excel_format(currency)


def _widths(sheet: Worksheet, widths: Iterable[int]) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def posted_documents(conn: Connection, site: str, period: Period) -> list[dict[str, Any]]:
    """Every posted invoice, credit note and transaction dated on or before the period's end."""
    t = ns_ledger
    query = select(t.c.source_kind, t.c.source_id, t.c.netsuite_id, t.c.posted_at).where(
        t.c.site == site,
        t.c.state == POSTED,
        t.c.role == MAIN,
        t.c.source_kind.in_(("invoice", "credit_note", "transaction")),
    )
    rows = conn.execute(query).all()
    facts = document_facts(conn, site, [(r.source_kind, r.source_id) for r in rows])
    names = customer_names(conn, site, {f.customer_id for f in facts.values() if f.customer_id})
    last = period.last.isoformat()
    out = []
    for row in rows:
        fact = facts.get((row.source_kind, row.source_id))
        if fact is None or (fact.date or "") > last:
            continue
        customer = names.get(fact.customer_id or "", {})
        out.append(
            {
                "date": fact.date,
                "document": fact.label,
                "customer": customer.get("name") or fact.customer_id,
                "email": customer.get("email"),
                "currency": fact.currency,
                "amount": fact.amount,
                "netsuite_id": row.netsuite_id,
                "posted_at": row.posted_at,
            }
        )
    return sorted(out, key=lambda d: (d["date"] or "", d["document"]))


def build_pack(
    report: Mapping[str, Any],
    posted: Sequence[Mapping[str, Any]],
    *,
    period: Period,
    generated_by: str,
    generated_at: datetime,
    catch_alls: Sequence[Mapping[str, Any]] = (),
) -> bytes:
    """The workbook's bytes."""
    book = Workbook()
    totals = _sheet(
        book,
        "Totals",
        ["Subsidiary", "Currency", "Measure", "Chargebee", "NetSuite", "Difference"],
        first=True,
    )
    for index, row in enumerate(report.get("figures", {}).get("totals", []), start=2):
        currency = row.get("currency")
        totals.append(
            [row.get("subsidiary"), currency, MEASURE_WORDS.get(row["measure"], row["measure"])]
        )
        for column, key in ((4, "chargebee"), (5, "netsuite"), (6, "difference")):
            _money_cell(totals, index, column, row.get(key), currency)
    _widths(totals, (28, 10, 34, 18, 18, 16))

    docs = _sheet(
        book,
        "Posted documents",
        [
            "Date",
            "Document",
            "Customer",
            "E-mail",
            "Currency",
            "Amount",
            "NetSuite internal id",
            "Posted at (UTC)",
        ],
    )
    for index, doc in enumerate(posted, start=2):
        posted_at = doc.get("posted_at")
        docs.append(
            [
                doc.get("date"),
                doc.get("document"),
                doc.get("customer"),
                doc.get("email"),
                doc.get("currency"),
                None,
                doc.get("netsuite_id"),
                posted_at.replace(tzinfo=None) if isinstance(posted_at, datetime) else posted_at,
            ]
        )
        _money_cell(docs, index, 6, doc.get("amount"), doc.get("currency"))
    _widths(docs, (12, 26, 30, 30, 10, 16, 20, 20))

    exceptions = _sheet(
        book,
        "Exceptions",
        ["What", "Document", "Customer", "Currency", "Amount", "State", "Since (UTC)", "Reason",
         "Fix"],
    )  # fmt: skip
    line = 2
    for entry in report.get("exceptions", []):
        exceptions.append(
            [
                "Not posted",
                entry.get("label") or f"{entry.get('kind')} {entry.get('id')}",
                entry.get("customer_name") or entry.get("customer_id"),
                entry.get("currency"),
                None,
                entry.get("state"),
                entry.get("since"),
                entry.get("reason"),
                entry.get("fix"),
            ]
        )
        _money_cell(exceptions, line, 5, entry.get("amount"), entry.get("currency"))
        line += 1
    for finding in report.get("findings", []):
        exceptions.append(
            [
                FINDING_WORDS.get(finding.get("check"), finding.get("check")),
                f"{finding.get('source_kind') or ''} {finding.get('source_id') or ''}".strip(),
                finding.get("customer_id"),
                finding.get("currency"),
                None,
                finding.get("action"),
                None,
                finding.get("detail"),
                None,
            ]
        )
        line += 1
    for catch in catch_alls:
        exceptions.append(
            [
                "Posted through a catch-all rule",
                f"item price {catch['item_price_id']} ({catch['document_count']} documents)",
                None,
                catch.get("currency"),
                None,
                "posted",
                None,
                f"Matched only by the mapping's rule {catch['rule']}.",
                "Add a rule in the mapping file for this item price if it belongs elsewhere.",
            ]
        )
        _money_cell(exceptions, line, 5, catch.get("amount"), catch.get("currency"))
        line += 1
    _widths(exceptions, (30, 26, 28, 10, 16, 12, 22, 70, 70))

    sign = _sheet(book, "Sign-off", ["", ""])
    first, last = period.first.isoformat(), period.last.isoformat()
    for label, value in (
        ("Chargebee site", report.get("site")),
        ("Period (inclusive)", f"{first} to {last}"),
        ("Reconciliation run", report.get("run_id")),
        ("Reconciled at (UTC)", report.get("created_at")),
        ("Generated by", generated_by or "unknown"),
        ("Generated at (UTC)", generated_at.strftime("%Y-%m-%d %H:%M:%S")),
        ("Documents posted (listed)", len(posted)),
        ("Exceptions", len(report.get("exceptions", []))),
        ("Findings", len(report.get("findings", []))),
        ("Prepared by", ""),
        ("Reviewed by", ""),
        ("Date", ""),
    ):
        sign.append([label, value])
    _widths(sign, (28, 50))

    _no_formulas(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _no_formulas(book: Workbook) -> None:
    """Keep text that starts with ``=`` text: openpyxl would store it as a formula, and a
    customer named ``=HYPERLINK(…)`` must not become one in finance's spreadsheet."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
