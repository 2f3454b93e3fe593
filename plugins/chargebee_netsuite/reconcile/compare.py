"""The comparison itself: staged Chargebee and the ledger against NetSuite (pure, no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from chargebee_netsuite.staging.ledger_tables import (
    FAILED,
    HELD,
    POSTED,
    QUARANTINED,
    SKIPPED,
)
from chargebee_netsuite.transform import identity

from .chargebee_side import EID_KINDS
from .model import (
    EDITED,
    EXCEPTION,
    FLAGGED,
    MISMATCH,
    MISSING,
    PENDING,
    REQUEUED,
    UNKNOWN,
    ChargebeeDoc,
    Finding,
    NetSuiteDoc,
)
from .netsuite_side import NetSuiteSnapshot

# NetSuite stamps modifications to the second, and its clock is not ours; a change this close
# to our own last write is taken to be that write.
EDIT_TOLERANCE = timedelta(minutes=2)
NETSUITE_STATUS = {"A": "Open", "B": "Paid In Full"}


@dataclass(frozen=True)
class LedgerRow:
    """What the ledger says about one document (and role)."""

    state: str
    reason: str | None = None
    netsuite_type: str | None = None
    netsuite_id: str | None = None
    posted_at: datetime | None = None
    last_attempt_at: datetime | None = None

    @property
    def last_write(self) -> datetime | None:
        """When the connector last wrote (or tried to write) this record."""
        moments = [m for m in (self.posted_at, self.last_attempt_at) if m is not None]
        return max(moments) if moments else None


LedgerMap = Mapping[tuple[str, str, str], LedgerRow]


def _label(doc: ChargebeeDoc) -> str:
    return f"Chargebee {doc.kind.replace('_', ' ')} {doc.id}"


def _customer_of(ns: NetSuiteDoc, customers: Mapping[str, NetSuiteDoc]) -> str | None:
    """The Chargebee customer id a NetSuite transaction's entity stands for, if ours."""
    entity = customers.get(ns.entity or "")
    if entity is None:
        return None
    try:
        return identity.parse_external_id(entity.external_id)[2]
    except ValueError:
        return None


def _missing(doc: ChargebeeDoc, entry: LedgerRow | None, quarantined: bool) -> Finding | None:
    label = _label(doc)
    common = {
        "source_kind": doc.kind,
        "source_id": doc.id,
        "external_id": doc.external_id,
        "customer_id": doc.customer_id,
        "currency": doc.currency,
    }
    if quarantined or (entry is not None and entry.state in (QUARANTINED, HELD, FAILED)):
        state = entry.state if entry is not None and not quarantined else QUARANTINED
        why = (entry.reason if entry is not None else None) or "see the exception queue"
        return Finding(
            MISSING, EXCEPTION, f"{label} is not in NetSuite: it is {state}. {why}", **common
        )
    if entry is not None and entry.state == SKIPPED:
        return None  # it never posts (e.g. its customer was deleted first), and says why
    if entry is not None and entry.state == POSTED:
        where = f"{entry.netsuite_type} {entry.netsuite_id}" if entry.netsuite_id else "NetSuite"
        return Finding(
            MISSING,
            REQUEUED,
            f"{label} was posted as {where}, but NetSuite no longer has it (deleted there by "
            "hand?). It is re-queued; the next load posts it again.",
            netsuite_type=entry.netsuite_type,
            netsuite_id=entry.netsuite_id,
            **common,
        )
    if entry is None:
        return Finding(
            MISSING,
            REQUEUED,
            f"{label} is staged but was never loaded (a lost webhook, or a run that stopped "
            "early). It is queued; the next load posts it.",
            **common,
        )
    return Finding(
        MISSING,
        PENDING,
        f"{label} is not in NetSuite yet; it is {entry.state} and the next load posts it.",
        **common,
    )


def _mismatches(
    doc: ChargebeeDoc,
    ns: NetSuiteDoc,
    customers: Mapping[str, NetSuiteDoc],
    elsewhere: Decimal | None = None,
) -> list[Finding]:
    label = _label(doc)
    status = ns.status
    if elsewhere is not None and doc.kind == "invoice":
        # Part of what Chargebee re-opened is open on a debit invoice (see reconcile.links).
        left = (ns.remaining if ns.remaining is not None else Decimal(0)) + elsewhere
        status = "A" if left > 0 else "B"
    pairs: list[tuple[str, str | None, str | None]] = []
    if doc.kind != "customer":
        if ns.total is not None and ns.total != doc.total:
            pairs.append(("total", str(doc.total), str(ns.total)))
        if doc.currency and ns.currency and ns.currency != doc.currency:
            pairs.append(("currency", doc.currency, ns.currency))
        customer = _customer_of(ns, customers)
        if doc.customer_id and customer != doc.customer_id:
            shown = customer if customer is not None else f"entity {ns.entity}"
            pairs.append(("customer", doc.customer_id, shown))
        if doc.expected_status and status and status != doc.expected_status:
            pairs.append(
                (
                    "status",
                    NETSUITE_STATUS.get(doc.expected_status, doc.expected_status),
                    NETSUITE_STATUS.get(status, status),
                )
            )
    return [
        Finding(
            MISMATCH,
            FLAGGED,
            f"{label}: {name} is {cb} in Chargebee but {netsuite} in NetSuite "
            f"({ns.record} {ns.internal_id}).",
            source_kind=doc.kind,
            source_id=doc.id,
            external_id=doc.external_id,
            netsuite_type=ns.record,
            netsuite_id=ns.internal_id,
            field=name,
            chargebee_value=cb,
            netsuite_value=netsuite,
            customer_id=doc.customer_id,
            currency=doc.currency,
        )
        for name, cb, netsuite in pairs
    ]


def compare(
    site: str,
    documents: list[ChargebeeDoc],
    ledger: LedgerMap,
    snapshot: NetSuiteSnapshot,
    *,
    known: Set[tuple[str, str]],
    quarantined: Set[tuple[str, str]] = frozenset(),
    reopened: Mapping[str, Decimal] | None = None,
) -> list[Finding]:
    """Every finding: missing, different, edited by hand, unknown to Chargebee.

    ``known`` holds the ``(kind, id)`` of every staged document any NetSuite record of ours
    points at (in scope or not); ``quarantined`` the documents validation holds back;
    ``reopened`` what is still open of an invoice on debit invoices (invoice id → amount).
    """
    reopened = reopened or {}
    findings: list[Finding] = []
    customers_by_id = snapshot.by_internal_id()
    # The connector's last write per Chargebee customer: applying a payment or a credit memo
    # touches the invoice's last-modified date too, so a record counts as edited by hand only
    # when NetSuite changed it after every write we made for that customer.
    last_write: dict[str, datetime] = {}
    for doc in documents:
        for role in ("main", "reversal"):
            entry = ledger.get((doc.kind, doc.id, role))
            moment = entry.last_write if entry is not None else None
            if (
                moment is not None
                and doc.customer_id
                and moment > last_write.get(doc.customer_id, moment - timedelta(1))
            ):
                last_write[doc.customer_id] = moment
    for doc in documents:
        pool = snapshot.customers if doc.kind == "customer" else snapshot.transactions
        ns = pool.get(doc.external_id)
        entry = ledger.get((doc.kind, doc.id, "main"))
        if ns is None:
            if doc.postable:
                found = _missing(doc, entry, (doc.kind, doc.id) in quarantined)
                if found is not None:
                    findings.append(found)
            continue
        if doc.postable:
            elsewhere = reopened.get(doc.id) if doc.kind == "invoice" else None
            findings.extend(_mismatches(doc, ns, customers_by_id, elsewhere))
    for pool in (snapshot.customers, snapshot.transactions):
        for ns in pool.values():
            try:
                _, code, source_id = identity.parse_external_id(ns.external_id)
            except ValueError:
                code, source_id = "", ""
            pair: tuple[str | None, str | None] = EID_KINDS.get(code, (None, None))
            found_kind, found_role = pair
            if found_kind is None or (found_kind, source_id) not in known:
                findings.append(
                    Finding(
                        UNKNOWN,
                        FLAGGED,
                        f"NetSuite {ns.record} {ns.internal_id} carries this connector's "
                        f"external id {ns.external_id}, but Chargebee has no such document. "
                        "Check whether it was made by hand or the Chargebee document was "
                        "deleted before extraction.",
                        source_kind=found_kind,
                        source_id=source_id or None,
                        role=found_role,
                        external_id=ns.external_id,
                        netsuite_type=ns.record,
                        netsuite_id=ns.internal_id,
                        currency=ns.currency,
                    )
                )
                continue
            entry = ledger.get((found_kind, source_id, found_role or "main"))
            if entry is None or entry.last_write is None or ns.last_modified is None:
                continue
            customer = source_id if found_kind == "customer" else _customer_of(ns, customers_by_id)
            ours = entry.last_write
            if found_kind != "customer" and customer in last_write:
                ours = max(ours, last_write[customer])
            if ns.last_modified > ours + EDIT_TOLERANCE:
                findings.append(
                    Finding(
                        EDITED,
                        FLAGGED,
                        f"NetSuite {ns.record} {ns.internal_id} ({ns.external_id}) was changed "
                        f"in NetSuite at {ns.last_modified.isoformat()}, after the connector "
                        f"last wrote it at {ours.isoformat()}: edited outside the connector.",
                        source_kind=found_kind,
                        source_id=source_id,
                        role=found_role,
                        external_id=ns.external_id,
                        netsuite_type=ns.record,
                        netsuite_id=ns.internal_id,
                        field="lastmodifieddate",
                        chargebee_value=ours.isoformat(),
                        netsuite_value=ns.last_modified.isoformat(),
                        customer_id=customer,
                        currency=ns.currency,
                    )
                )
    return findings
