"""The dry run's report: every line each document would post, written before anything posts.

A dry run builds and checks every payload and writes nothing to NetSuite; this report says,
per document line, where it would post: the NetSuite item, the GL account, the subsidiary,
department, class and location, and the amount in its currency, with totals per account and
currency. ``<reports_dir>/dry_run/<run>/lines.csv`` holds every line (streamed, so memory
stays flat at any size); ``index.html`` (autoescaped Jinja2) shows the totals and the first
lines. Credit memos and refunds count negative in the totals: they take back what invoices
and payments put in.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine, select

from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.rendering import render
from chargebee_netsuite.transform.identity import parse_external_id
from chargebee_netsuite.transform.model import Posting, Ref

COLUMNS = (
    "document",
    "number",
    "netsuite_type",
    "customer_id",
    "customer",
    "line",
    "item",
    "account",
    "subsidiary",
    "department",
    "class",
    "location",
    "amount",
    "currency",
)
# Records that take back what invoices and payments put in.
NEGATIVE_TYPES = frozenset({"creditMemo", "customerRefund"})
# Lines shown on the HTML page; every line is in the CSV.
PAGE_LINES = 2000


def report_dir(reports_dir: Path | str, run_id: str) -> Path:
    """``<reports_dir>/dry_run/<run>`` (the run id made safe for a path, as Data Docs do)."""
    from chargebee_netsuite.quality.docs import run_folder

    return Path(reports_dir) / "dry_run" / run_folder(run_id)


@dataclass(frozen=True)
class Total:
    """Σ of the lines on one account in one currency."""

    account: str
    currency: str
    amount: Decimal
    lines: int


class DryRunReport:
    """Collects the lines of each document a dry run would post; :meth:`close` writes it."""

    def __init__(
        self,
        folder: Path,
        reference: ReferenceData,
        engine: Engine | None = None,
        site: str = "",
    ) -> None:
        self.folder = folder
        self.reference = reference
        self.site = site
        self.engine = engine
        folder.mkdir(parents=True, exist_ok=True)
        self._handle: IO[str] = (folder / "lines.csv").open("w", newline="", encoding="utf-8")
        self._csv = csv.DictWriter(self._handle, fieldnames=list(COLUMNS))
        self._csv.writeheader()
        self.page: list[dict[str, str]] = []
        self.totals: dict[tuple[str, str], list[Any]] = {}
        self.documents = 0
        self.lines = 0
        self._customer = lru_cache(maxsize=4096)(self._customer_name)

    # -- naming NetSuite records ---------------------------------------------------------

    def _name(self, kind: str, value: Any) -> str:
        record_id = value.get("id") if isinstance(value, Mapping) else value
        if record_id in (None, ""):
            return ""
        record = self.reference.get(kind, str(record_id))
        if record is None:
            return f"id {record_id}"
        if kind == "currency":
            return record.code or record.name
        shown = (
            f"{record.code} {record.name}"
            if record.code and record.code != record.name
            else record.name
        )
        return f"{shown} ({record.id})"

    def _customer_name(self, customer_id: str) -> str:
        if self.engine is None or not customer_id:
            return ""
        from chargebee_netsuite.staging.chargebee_tables import cb_customers

        query = select(
            cb_customers.c.company, cb_customers.c.first_name, cb_customers.c.last_name
        ).where(cb_customers.c.site == self.site, cb_customers.c.id == customer_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return ""
        person = " ".join(p for p in (row.first_name, row.last_name) if p)
        return str(row.company or person)

    # -- collecting ------------------------------------------------------------------------

    def add(self, source_id: str, posting: Posting) -> None:
        """Note the lines of one document that would post (customers have none)."""
        body = posting.body
        if posting.record_type == "customer":
            return
        who = body.get("entity") or body.get("customer")
        customer_id = parse_external_id(who.external_id)[2] if isinstance(who, Ref) else ""
        common = {
            "document": posting.label,
            "number": source_id,
            "netsuite_type": posting.record_type,
            "customer_id": customer_id,
            "customer": self._customer(customer_id),
            "subsidiary": self._name("subsidiary", body.get("subsidiary")),
            "currency": self._name("currency", body.get("currency")),
        }
        sign = -1 if posting.record_type in NEGATIVE_TYPES else 1
        self.documents += 1
        for number, line in enumerate(self._lines(body), 1):
            self._write({**common, "line": str(number), **line}, sign)

    def _lines(self, body: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The document's lines: item lines, or the one amount of a payment or refund."""
        items = (body.get("item") or {}).get("items")
        if items:
            found = []
            for line in items:
                item_id = (line.get("item") or {}).get("id")
                item = self.reference.get("item", str(item_id)) if item_id else None
                found.append(
                    {
                        "item": self._name("item", item_id),
                        "account": self._name("account", item.income_account if item else None),
                        "department": self._name("department", line.get("department")),
                        "class": self._name("classification", line.get("class")),
                        "location": self._name("location", line.get("location")),
                        "amount": Decimal(str(line.get("amount", 0))),
                    }
                )
            return found
        if "payment" in body:
            amount = Decimal(str(body["payment"]))
        else:
            applied = (body.get("apply") or {}).get("items") or []
            amount = sum(
                (Decimal(str(a.get("amount", 0))) for a in applied if a.get("apply")),
                Decimal(0),
            )
        return [
            {
                "item": "",
                "account": self._name("account", body.get("account")),
                "department": "",
                "class": "",
                "location": "",
                "amount": amount,
            }
        ]

    def _write(self, row: dict[str, Any], sign: int) -> None:
        amount: Decimal = row["amount"]
        text = {key: str(value) for key, value in row.items()}
        self._csv.writerow(text)
        self.lines += 1
        if len(self.page) < PAGE_LINES:
            self.page.append(text)
        total = self.totals.setdefault((row["account"], row["currency"]), [Decimal(0), 0])
        total[0] += sign * amount
        total[1] += 1

    # -- writing ---------------------------------------------------------------------------

    def sorted_totals(self) -> list[Total]:
        """Totals per account and currency, by account then currency."""
        return [
            Total(account, currency, amount, lines)
            for (account, currency), (amount, lines) in sorted(self.totals.items())
        ]

    def close(self, run_id: str, counts: Mapping[str, int] | None = None) -> dict[str, str]:
        """Finish the CSV, write ``totals.csv`` and ``index.html``; return their paths."""
        self._handle.close()
        totals = self.sorted_totals()
        with (self.folder / "totals.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["account", "currency", "amount", "lines"])
            writer.writerows([t.account, t.currency, str(t.amount), t.lines] for t in totals)
        html = render(
            "chargebee_netsuite.load",
            "dry_run.html.j2",
            run_id=run_id,
            site=self.site,
            counts=dict(sorted((counts or {}).items())),
            totals=totals,
            lines=self.page,
            line_count=self.lines,
            documents=self.documents,
            columns=COLUMNS,
        )
        (self.folder / "index.html").write_text(str(html), encoding="utf-8")
        return {
            "html": str(self.folder / "index.html"),
            "csv": str(self.folder / "lines.csv"),
            "totals_csv": str(self.folder / "totals.csv"),
        }
