"""The plain data of a reconciliation: documents on each side, findings, the run's summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

# What a finding is about.
MISSING = "missing"  # in Chargebee (postable) but not in NetSuite
MISMATCH = "mismatch"  # in NetSuite with another total, currency, customer or status
EDITED = "edited"  # changed in NetSuite after the connector last wrote to it
UNKNOWN = "unknown"  # in NetSuite with our external id, unknown to Chargebee
CHECKS = (MISSING, MISMATCH, EDITED, UNKNOWN)

# What the run did about it.
REQUEUED = "requeued"  # the ledger row is back to ready; the next load posts it
FLAGGED = "flagged"  # for a person to look at
PENDING = "pending"  # already queued (ready, or never loaded yet): the next load posts it
EXCEPTION = "exception"  # in the exception queue (quarantined, held, failed): fix, re-drive

# Report measures, in the order finance reads them.
BILLED = "billed"
CREDITED = "credited"
COLLECTED = "collected"
REFUNDED = "refunded"
OUTSTANDING = "outstanding"
MEASURES = (BILLED, CREDITED, COLLECTED, REFUNDED, OUTSTANDING)


@dataclass(frozen=True)
class ChargebeeDoc:
    """A staged Chargebee document in the reconciliation scope, amounts in Decimal."""

    kind: str  # ledger source kind: invoice, credit_note, transaction, customer
    id: str
    external_id: str
    customer_id: str | None
    currency: str | None
    doc_date: date | None
    measure: str | None  # billed, credited, collected, refunded; None for customers
    total: Decimal = Decimal(0)
    outstanding: Decimal = Decimal(0)  # invoices: amount due
    expected_status: str | None = None  # NetSuite status code the document implies
    postable: bool = True  # False: voided or deleted in Chargebee, or a failed payment


@dataclass(frozen=True)
class NetSuiteDoc:
    """A NetSuite record carrying this connector's external id, as SuiteQL returned it."""

    external_id: str
    internal_id: str
    record: str  # transaction type code (CustInvc, …) or "customer"
    entity: str | None = None
    currency: str | None = None  # ISO code
    subsidiary: str | None = None  # internal id
    total: Decimal | None = None
    remaining: Decimal | None = None
    status: str | None = None
    tran_date: date | None = None
    last_modified: datetime | None = None


@dataclass(frozen=True)
class Finding:
    """One thing reconciliation found, with both values where there are two."""

    check: str
    action: str
    detail: str
    source_kind: str | None = None
    source_id: str | None = None
    role: str | None = "main"
    external_id: str | None = None
    netsuite_type: str | None = None
    netsuite_id: str | None = None
    field: str | None = None
    chargebee_value: str | None = None
    netsuite_value: str | None = None
    customer_id: str | None = None
    currency: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return {
            "check": self.check,
            "action": self.action,
            "detail": self.detail,
            "source_kind": self.source_kind,
            "source_id": self.source_id,
            "role": self.role,
            "external_id": self.external_id,
            "netsuite_type": self.netsuite_type,
            "netsuite_id": self.netsuite_id,
            "field": self.field,
            "chargebee_value": self.chargebee_value,
            "netsuite_value": self.netsuite_value,
            "customer_id": self.customer_id,
            "currency": self.currency,
        }


# What a finding compared and where, beyond its check, action and source: the finance view's
# audit details, and the columns of findings.csv after those four.
FINDING_DETAIL_FIELDS = (
    "role",
    "external_id",
    "netsuite_type",
    "netsuite_id",
    "field",
    "chargebee_value",
    "netsuite_value",
    "detail",
)


@dataclass
class ReconcileSummary:
    """What one reconciliation did, small enough for XCom (the report holds the detail)."""

    run_id: str
    site: str
    window_start: datetime
    window_end: datetime
    counts: dict[str, int] = field(default_factory=dict)  # findings by check
    requeued: int = 0
    exceptions: int = 0
    differences: dict[str, str] = field(default_factory=dict)  # "subsidiary/currency" → Σ|Δ|
    report_dir: str | None = None
    seconds: float = 0.0

    @property
    def clean(self) -> bool:
        """True when nothing was found and every figure ties out."""
        return not any(self.counts.values()) and not self.differences

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return {
            "run_id": self.run_id,
            "site": self.site,
            "window": [self.window_start.isoformat(), self.window_end.isoformat()],
            "counts": dict(sorted(self.counts.items())),
            "requeued": self.requeued,
            "exceptions": self.exceptions,
            "differences": dict(sorted(self.differences.items())),
            "clean": self.clean,
            "report_dir": self.report_dir,
            "seconds": round(self.seconds, 3),
        }
