"""``sync``: the one entry point the Airflow layer calls to post a site's staged documents."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from queue import Full, Queue
from typing import Any, TypeVar

from sqlalchemy import Engine

from chargebee_netsuite.load import changes
from chargebee_netsuite.load.customers import (
    Reactivations,
    keep_primary_currency,
    posted_inactive,
)
from chargebee_netsuite.load.dry_run_report import DryRunReport, report_dir
from chargebee_netsuite.load.plan import (
    PHASES,
    Work,
    needs_posted_payload,
    phase_sources,
    plan,
    related_ledger_keys,
)
from chargebee_netsuite.load.post import DELETE, Write, WriteResult, send_all
from chargebee_netsuite.load.source import (
    KIND_RESOURCES,
    billed_currencies,
    document_chunks,
    read_item_prices,
    related_documents,
    transaction_links,
    transactions_against,
)
from chargebee_netsuite.load.wire import payload_hash, to_record
from chargebee_netsuite.mapping.catch_all import PriceActivity
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef, credit_note_codes
from chargebee_netsuite.mapping.validation import ChargebeeUsage, validate_mapping
from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.errors import AuthenticationError
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.staging.ledger_queries import (
    LedgerEntry,
    LedgerKey,
    add_attempts,
    read_entries,
    upsert_entries,
)
from chargebee_netsuite.staging.ledger_tables import (
    FAILED,
    HELD,
    MAIN,
    POSTED,
    READY,
    REVERSAL,
    ROLES,
    SKIPPED,
    WITHHELD,
)
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.model import (
    Held,
    Posting,
    Ref,
    TransformContext,
    TransformSettings,
)
from chargebee_netsuite.transform.money import to_money

log = logging.getLogger(__name__)

WOULD_POST = "would_post"
WOULD_DELETE = "would_delete"
UNCHANGED = "unchanged"
DELETED = "deleted"

_EID_KINDS = {
    ("customer", MAIN): identity.CUSTOMER,
    ("invoice", MAIN): identity.INVOICE,
    ("credit_note", MAIN): identity.CREDIT_NOTE,
    ("transaction", MAIN): identity.TRANSACTION,
    ("invoice", "reversal"): identity.INVOICE_REVERSAL,
    ("credit_note", "reversal"): identity.CREDIT_NOTE_REVERSAL,
    ("transaction", "reversal"): identity.TRANSACTION_REVERSAL,
    ("invoice", WITHHELD): identity.TAX_WITHHELD,
}
_KEYS_BY_EID_KIND = {eid_kind: key for key, eid_kind in _EID_KINDS.items()}


@dataclass(frozen=True)
class SyncSettings:
    """How a sync runs: transform choices, field strictness, concurrency, ledger batching."""

    transform: TransformSettings
    # NetSuite rejects unknown field names instead of silently dropping them.
    strict_fields: bool = True
    # Upserts in flight; None uses the client's governance limit.
    concurrency: int | None = None
    # Ledger results are committed in batches; a crash loses at most this many, and their
    # documents are simply upserted again (to the same records) on the next run.
    flush_every: int = 200
    # Documents read, planned and resolved at a time: the loader holds about one chunk (plus
    # the writes in flight), whatever the number of staged documents.
    chunk_size: int = 500
    # Writes planned ahead of the sender, in a thread of their own (two chunks' worth): while
    # a chunk is read, planned and ledgered, the writes of the last one keep NetSuite busy.
    plan_ahead: int = 1000


@dataclass
class LoadSummary:
    """What a sync did, small enough for XCom: counts by outcome and the writes it sent."""

    run_id: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    writes: int = 0
    seconds: float = 0.0
    # "changed": what changed since the last load and what depends on it; or "every document"
    scope: str = "every document"
    planned: int = 0  # ledger rows decided
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step
    # A dry run's report files (html, csv, totals_csv), when it wrote one.
    report: dict[str, str] = field(default_factory=dict)
    # Item prices posting through a catch-all rule (CatchAllUse.as_dict), largest first.
    catch_alls: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self, max_catch_alls: int = 20) -> dict[str, Any]:
        """A JSON-serialisable form."""
        small = {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "counts": dict(sorted(self.counts.items())),
            "writes": self.writes,
            "seconds": round(self.seconds, 3),
            "scope": self.scope,
            "planned": self.planned,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
            "catch_alls": self.catch_alls[:max_catch_alls],
        }
        return {**small, "report": dict(self.report)} if self.report else small


class UsageCollector:
    """Accumulates, document by document, what staged data uses (for the mapping preflight).

    Only small sets grow: item prices, currencies, gateways, entities and reason codes. They
    are kept with the load state (:meth:`as_json`), so a load adds what changed instead of
    reading every staged document again.
    """

    def __init__(self, item_prices: Mapping[str, Any], stored: Mapping[str, Any] | None = None):
        self.item_prices = item_prices
        stored = stored or {}
        # Item prices by id, resolved against the catalog as they come (stored: ids only).
        self.prices: dict[str | None, Any] = {
            price_id: "adhoc" if price_id is None else item_prices.get(price_id, price_id)
            for price_id in stored.get("prices", ())
        }
        self.currencies: set[str] = set(stored.get("currencies", ()))
        self.payments: set[tuple[str, str]] = _pairs(stored.get("payments"))
        self.refunds: set[tuple[str, str]] = _pairs(stored.get("refunds"))
        self.chargebacks: set[tuple[str, str]] = _pairs(stored.get("chargebacks"))
        self.entities: set[str | None] = set(stored.get("entities", ()))
        self.reasons: set[tuple[str | None, str | None]] = _pairs(stored.get("reasons"))
        self.withheld: set[str] = set(stored.get("withheld", ()))
        # Amounts per item price (catch-all reports) are not stored: they cover the
        # documents read by this collector (every document, or the ones a load plans).
        self.activity: dict[str | None, PriceActivity] = {}

    def add(self, kind: str, doc: Any) -> None:
        """Note what one document of ``kind`` uses."""
        raw = doc.raw
        if kind in ("invoice", "credit_note"):
            for line in raw.get("line_items", []):
                price_id = line.get("entity_id")
                if price_id is None:
                    self.prices[None] = "adhoc"
                else:
                    self.prices[price_id] = self.item_prices.get(price_id, price_id)
            self.add_activity(kind, raw)
            if kind == "credit_note":
                self.reasons.add(credit_note_codes(raw))
            elif raw.get("linked_taxes_withheld") and raw.get("currency_code"):
                self.withheld.add(str(raw["currency_code"]).upper())
        if kind in ("customer", "invoice", "credit_note", "transaction"):
            self.entities.add(raw.get("business_entity_id"))
            if raw.get("currency_code"):
                self.currencies.add(str(raw["currency_code"]).upper())
        if kind == "transaction" and raw.get("status") == "success":
            pair = (str(raw.get("gateway", "")), str(raw.get("currency_code", "")).upper())
            by_type = {
                "payment": self.payments,
                "refund": self.refunds,
                "payment_reversal": self.chargebacks,
            }
            by_type.get(str(raw.get("type")), set()).add(pair)

    def add_activity(self, kind: str, raw: Mapping[str, Any]) -> None:
        """What a live invoice or credit note billed per item price (for catch-all reports)."""
        currency = str(raw.get("currency_code") or "").upper()
        if raw.get("deleted") or raw.get("status") == "voided" or not currency:
            return
        counted: set[str | None] = set()
        for line in raw.get("line_items", []):
            price_id = line.get("entity_id")
            activity = self.activity.setdefault(price_id, PriceActivity())
            amount = to_money(int(line.get("amount") or 0), currency)
            activity.add(currency, amount, credit=kind == "credit_note")
            if price_id not in counted:
                counted.add(price_id)
                activity.documents += 1

    def usage(self) -> ChargebeeUsage:
        """Everything noted so far."""
        refs = [
            self.item_prices.get(key) or ItemPriceRef(id=key, entity_type=None)
            for key in sorted(p for p in self.prices if p is not None)
        ]
        if None in self.prices:
            refs.append(ItemPriceRef(id=None, entity_type="adhoc"))
        return ChargebeeUsage(
            refs,
            self.currencies,
            self.payments,
            self.refunds,
            self.entities,
            self.reasons,
            chargeback_gateways=self.chargebacks,
            tax_withheld_currencies=self.withheld,
            item_price_activity=self.activity,
        )

    def as_json(self) -> dict[str, Any]:
        """The sets, JSON-serialisable (sorted, so equal usage gives equal JSON)."""

        def ordered(values: Iterable[Any]) -> list[Any]:
            return sorted(values, key=lambda v: json.dumps(v))

        return {
            "prices": ordered(self.prices),
            "currencies": sorted(self.currencies),
            "payments": ordered(list(p) for p in self.payments),
            "refunds": ordered(list(p) for p in self.refunds),
            "chargebacks": ordered(list(p) for p in self.chargebacks),
            "entities": ordered(self.entities),
            "reasons": ordered(list(p) for p in self.reasons),
            "withheld": sorted(self.withheld),
        }


def _pairs(values: Iterable[Any] | None) -> set[Any]:
    return {tuple(value) for value in values or ()}


def chargebee_usage(
    documents: Mapping[str, Iterable[Any]], item_prices: Mapping[str, Any]
) -> ChargebeeUsage:
    """What the given documents (by kind; any iterables, read once) use, for the preflight."""
    collector = UsageCollector(item_prices)
    for kind, docs in documents.items():
        for doc in docs:
            collector.add(kind, doc)
    return collector.usage()


def staged_usage(
    engine: Engine, site: str, item_prices: Mapping[str, Any], chunk_size: int = 500
) -> ChargebeeUsage:
    """What every staged document of ``site`` uses: what the last load noted plus the
    documents staged since, or, before a site's first load, every document, a chunk at a time."""
    with engine.connect() as conn:
        state = changes.read_state(conn, site)
        ids = changes.queued(conn, site) if state.usage is not None else None
    return collect_usage(engine, site, item_prices, chunk_size, state.usage, ids).usage()


def collect_usage(
    engine: Engine,
    site: str,
    item_prices: Mapping[str, Any],
    chunk_size: int,
    stored: Mapping[str, Any] | None,
    ids: changes.Ids | None,
) -> UsageCollector:
    """``stored`` usage plus what the documents ``ids`` use (every document when None)."""
    collector = UsageCollector(item_prices, stored)
    for kind in KIND_RESOURCES:
        chosen = None if ids is None else ids.get(kind, set())
        if chosen is not None and not chosen:
            continue
        for docs in document_chunks(engine, site, kind, chunk_size, quarantine=False, ids=chosen):
            for doc in docs:
                collector.add(kind, doc)
    return collector


@dataclass(frozen=True)
class _Sent:
    """A write's handle: the work it came from and the attempts its document had before."""

    item: Work
    attempts: int
    digest: str = ""  # the payload hash, recorded as posted once NetSuite takes it
    previous_id: str | None = None  # the internal id NetSuite had given it before


def describe(key: LedgerKey | None, netsuite_type: str | None = None) -> str:
    """How a message names the document of a ledger key: ``Chargebee invoice 1001``."""
    if key is None:
        return "a record this connector does not know"
    kind, source_id, role = key
    noun = _NOUNS.get(kind, kind.replace("_", " "))
    if kind == "transaction" and role == MAIN:  # a reversal's record type is not its own
        noun = _TRANSACTION_NOUNS.get(netsuite_type or "", noun)
    label = f"Chargebee {noun} {source_id}"
    if role == WITHHELD:
        return f"Tax withheld from {label}"
    return f"Reversal of {label}" if role == REVERSAL else label


_NOUNS = {"customer": "customer", "invoice": "invoice", "credit_note": "credit note"}
_TRANSACTION_NOUNS = {"customerPayment": "payment", "customerRefund": "refund"}


_T = TypeVar("_T")


def ahead(items: Iterable[_T], size: int) -> Iterator[_T]:
    """``items``, iterated in a thread of its own up to ``size`` items ahead of the caller.

    What the thread raises is raised here, in order. If the caller stops early, the thread
    stops at its next item.
    """
    box: Queue[tuple[bool, Any]] = Queue(maxsize=max(size, 1))
    stop = threading.Event()

    def put(entry: tuple[bool, Any]) -> bool:
        while not stop.is_set():
            try:
                box.put(entry, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put((False, item)):
                    return
            put((True, None))
        except BaseException as exc:  # handed to the caller's thread, which raises it
            put((True, exc))

    thread = threading.Thread(target=produce, name="load-planner", daemon=True)
    thread.start()
    try:
        while True:
            done, value = box.get()
            if done:
                if value is not None:
                    raise value
                return
            yield value
    finally:
        stop.set()
        thread.join()


# Bounded: customers are referred to again and again, chunk after chunk.
@lru_cache(maxsize=4096)
def _key_of(site: str, external_id: str) -> LedgerKey | None:
    try:
        eid_site, kind, source_id = identity.parse_external_id(external_id)
    except ValueError:
        return None
    found = _KEYS_BY_EID_KIND.get(kind)
    if eid_site != site or found is None:
        return None
    return (found[0], source_id, found[1])


class _Run:
    """One sync, phase by phase, each phase streamed from staging a chunk at a time.

    Nothing here grows with the number of documents, except in a dry run the external ids
    that would post (``planned_ok``): a dry run writes no ledger, so that set is how a later
    phase learns that what it refers to would have been posted.
    """

    def __init__(
        self,
        engine: Engine,
        client: NetSuiteClient,
        ctx: TransformContext,
        run_id: str,
        settings: SyncSettings,
        dry_run: bool,
        scope: changes.Ids | None = None,
    ) -> None:
        self.engine = engine
        self.scope = scope  # the documents to plan, by kind (None: every staged document)
        # A record NetSuite holds got a new internal id: what refers to it must be re-sent.
        self.ids_changed = False
        self.client = client
        self.ctx = ctx
        self.run_id = run_id
        self.settings = settings
        self.dry_run = dry_run
        self.outcomes: Counter[str] = Counter()
        self.counting = threading.Lock()
        self.writes = 0
        self.planned_ok: set[str] = set()  # dry run: external ids that would post
        self.credentials_refused: str | None = None  # NetSuite's words, if it refused us
        self.reactivations = Reactivations(client, engine, self.row, settings.strict_fields)
        self.report: DryRunReport | None = None  # a dry run's per-line report, if asked for

    def count(self, outcome: str) -> None:
        """Add one to ``outcome`` (the planner's thread and the sender's both count)."""
        with self.counting:
            self.outcomes[outcome] += 1

    def key_of(self, external_id: str) -> LedgerKey | None:
        """The ledger key of one of this site's external ids (None if it is not one)."""
        return _key_of(self.ctx.site, external_id)

    def row(self, key: LedgerKey, **values: Any) -> dict[str, Any]:
        now = datetime.now(UTC)
        return {
            "site": self.ctx.site,
            "source_kind": key[0],
            "source_id": key[1],
            "role": key[2],
            "first_seen_at": now,
            "updated_at": now,
            "last_run_id": self.run_id,
            **values,
        }

    def go(self) -> None:
        try:
            for phase in range(len(PHASES)):
                self.phase(phase)
        finally:
            self.reactivations.restore()
            self.writes += self.reactivations.writes

    def phase(self, phase: int) -> None:
        tally: Counter[str] = Counter()
        # The next chunks are planned in a thread of their own while earlier writes are in
        # flight and their results are ledgered here; the sender returns only when every
        # write of the phase has its result recorded, so the next phase resolves its
        # references against a complete ledger.
        self.send(ahead(self.decide(phase, tally), self.settings.plan_ahead))
        if tally["planned"] and not self.dry_run:
            log.info(
                "Phase %s: %d written, %d decided without a write",
                PHASES[phase],
                tally["writes"],
                tally["planned"] - tally["writes"],
            )

    def chunks(self, phase: int) -> Iterator[tuple[list[Work], dict[LedgerKey, LedgerEntry]]]:
        """This phase's work, a chunk of documents at a time, with their ledger entries."""
        site, size = self.ctx.site, self.settings.chunk_size
        for kind, where in phase_sources(phase).items():
            ids = None if self.scope is None else self.scope.get(kind, set())
            if ids is not None and not ids:
                continue
            for docs in document_chunks(self.engine, site, kind, size, where, ids=ids):
                keys = [(kind, doc.id, role) for doc in docs for role in ROLES]
                payloads = [doc.id for doc in docs if needs_posted_payload(doc)]
                with self.engine.connect() as conn:
                    customers = [doc.id for doc in docs] if kind == "customer" else []
                    currencies = billed_currencies(conn, site, customers)
                    # Online chargebacks' payments and hierarchy payments' customers.
                    raws = [doc.raw for doc in docs] if kind == "transaction" else []
                    links = transaction_links(conn, site, raws)
                    # Chargebacks and refunds of this chunk's payments (and of its chargebacks'
                    # payments), wherever they are staged, and the ledger entries they need.
                    related = related_documents(conn, site, raws)
                    payments = [doc.id for doc in docs if doc.raw.get("type") == "payment"]
                    payments += sorted({lk.payment_id for lk in links.values() if lk.payment_id})
                    payments += sorted(related.payments)
                    against = transactions_against(conn, site, payments)
                    extra, extra_payloads = related_ledger_keys(docs, against, links, related)
                    ledger = read_entries(
                        conn,
                        site,
                        sorted(set(keys) | extra),
                        payload_ids=sorted(set(payloads) | extra_payloads),
                    )
                work = plan(self.ctx, {kind: docs}, ledger, currencies, against, links, related)
                del docs
                yield [item for item in work if item.phase == phase], ledger

    def referenced(self, work: list[Work]) -> dict[LedgerKey, LedgerEntry]:
        """The ledger entries of every record the chunk's postings refer to."""
        keys = {
            key
            for item in work
            if item.posting is not None and item.outcome is None
            for ref in item.posting.refs()
            if (key := self.key_of(ref.external_id)) is not None
        }
        if not keys:
            return {}
        # A customer's posted payload says whether NetSuite holds it inactive.
        customers = [key[1] for key in keys if key[0] == "customer"]
        with self.engine.connect() as conn:
            return read_entries(conn, self.ctx.site, keys, payload_ids=customers)

    def decide(self, phase: int, tally: Counter[str]) -> Iterator[Write]:
        """Decide each document of the phase; yield the writes, ledgering the rest."""
        for work, ledger in self.chunks(phase):
            refs = self.referenced(work)
            rows: list[dict[str, Any]] = []
            writes: list[Write] = []
            for item in work:
                write = self.decide_one(item, ledger.get(item.key), refs, rows)
                if write is not None:
                    writes.append(write)
            if not self.dry_run:
                with self.engine.begin() as conn:
                    upsert_entries(conn, rows)
            tally["planned"] += len(work)
            tally["writes"] += len(writes)
            del work, ledger, refs, rows
            yield from writes

    def decide_one(
        self,
        item: Work,
        entry: LedgerEntry | None,
        refs: Mapping[LedgerKey, LedgerEntry],
        rows: list[dict[str, Any]],
    ) -> Write | None:
        """One document's decision: a ledger row in ``rows``, and the write if it needs one."""
        if item.outcome is not None:
            state = item.outcome.state
            self.count(state)
            rows.append(
                self.row(
                    item.key,
                    state=state,
                    reason=item.outcome.reason,
                    resource_version=item.resource_version,
                    last_error_code=item.outcome.code,
                    last_error_detail=None,
                )
            )
            return None
        if item.posting is None:  # posted, and stays as it is
            self.count(UNCHANGED)
            rv = item.resource_version
            rows.append(self.row(item.key, state=POSTED, reason=item.note, resource_version=rv))
            return None
        posting = item.posting
        if item.delete_id is not None:
            if self.dry_run:
                self.count(WOULD_DELETE)
                return None
            token = _Sent(item, entry.attempts if entry else 0)
            return Write(token, posting.record_type, posting.external_id, {}, posting.label, DELETE)
        try:
            body = self.resolve(posting.body, posting.label, refs)
        except Held as held:
            self.count(HELD)
            rows.append(
                self.row(
                    item.key,
                    state=HELD,
                    reason=held.reason,
                    last_error_code=held.code,
                    resource_version=item.resource_version,
                    netsuite_type=posting.record_type,
                    external_id=posting.external_id,
                )
            )
            return None
        digest = payload_hash(posting.record_type, posting.external_id, body)
        if entry is not None and entry.netsuite_id and entry.posted_hash != digest:
            body = self.keep_posted(entry, body)
            digest = payload_hash(posting.record_type, posting.external_id, body)
        common = {
            "netsuite_type": posting.record_type,
            "external_id": posting.external_id,
            "payload_hash": digest,
            "resource_version": item.resource_version,
        }
        if entry is not None and entry.netsuite_id and entry.posted_hash == digest:
            self.count(UNCHANGED)
            rows.append(self.row(item.key, state=POSTED, reason=item.note, **common))
            return None
        if self.dry_run:
            self.count(WOULD_POST)
            self.planned_ok.add(posting.external_id)
            if self.report is not None:
                self.report.add(item.key[1], posting)
            return None
        inactive = self.activate_customers(posting, refs)
        if inactive is not None:
            self.count(HELD)
            waiting = {**common, "state": HELD, "reason": inactive}
            rows.append(self.row(item.key, last_error_code="CUSTOMER_INACTIVE", **waiting))
            return None
        rows.append(self.row(item.key, state=READY, reason=None, **common))
        token = _Sent(
            item, entry.attempts if entry else 0, digest, entry.netsuite_id if entry else None
        )
        return Write(token, posting.record_type, posting.external_id, body, posting.label)

    def keep_posted(self, entry: LedgerEntry, body: dict[str, Any]) -> dict[str, Any]:
        """``body`` keeping what NetSuite will not change on an update: a customer's primary
        currency, and the date, period and memo of a record whose first posting was re-dated
        out of a closed period (an update must not move a record between periods)."""
        with self.engine.connect() as conn:
            found = read_entries(conn, self.ctx.site, [entry.key], payload_ids=[entry.key[1]])
        posted = found[entry.key].posted_payload if entry.key in found else None
        if entry.key[0] == "customer":
            return keep_primary_currency(posted, body)
        if not isinstance(posted, dict) or "postingPeriod" not in posted:
            return body
        kept = ("tranDate", "postingPeriod", "memo")
        return {**body, **{name: posted[name] for name in kept if name in posted}}

    def activate_customers(
        self, posting: Posting, refs: Mapping[LedgerKey, LedgerEntry]
    ) -> str | None:
        """Make the inactive customers ``posting`` refers to active for this run; why it must
        wait if NetSuite refused that."""
        for ref in posting.refs():
            key = self.key_of(ref.external_id)
            entry = refs.get(key) if key is not None else None
            if ref.record_type != "customer" or entry is None or not posted_inactive(entry):
                continue
            refused = self.reactivations.ensure_active(ref.external_id, entry)
            if refused is not None:
                return (
                    f"{posting.label} waits for {describe(key)}, which was deleted in Chargebee "
                    "and is inactive in NetSuite; NetSuite takes no transactions for an inactive "
                    f"customer and refused to make it active for this posting: {refused}"
                )
        return None

    def resolve(self, value: Any, label: str, refs: Mapping[LedgerKey, LedgerEntry]) -> Any:
        if isinstance(value, Ref):
            return {"id": self.internal_id(value, label, refs)}
        if isinstance(value, dict):
            return {key: self.resolve(item, label, refs) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, label, refs) for item in value]
        return value

    def internal_id(self, ref: Ref, label: str, refs: Mapping[LedgerKey, LedgerEntry]) -> str:
        """The NetSuite id of what ``ref`` names, or ``Held`` saying why it has none.

        Earlier phases have finished, so the ledger row of a referenced document says
        this run's outcome for it: its reason is the one the held document repeats.
        """
        key = self.key_of(ref.external_id)
        entry = refs.get(key) if key is not None else None
        if entry is not None and entry.netsuite_id:
            return entry.netsuite_id
        if self.dry_run and ref.external_id in self.planned_ok:
            return "0"
        what = describe(key, entry.netsuite_type if entry else None)
        if self.dry_run:
            why = "it is not in NetSuite and would not be posted by this run"
        elif entry is None:
            why = "it is not in staging (extract it from Chargebee first)"
        else:
            why = f"it is not in NetSuite: {entry.reason or 'it has not posted yet'}"
        raise Held(f"{label} waits for {what}, because {why}", "DEPENDENCY")

    def send(self, writes: Iterable[Write]) -> None:
        concurrency = self.settings.concurrency or self.client.limiter.limit
        rows: list[dict[str, Any]] = []
        attempts: list[dict[str, Any]] = []
        strict = self.settings.strict_fields
        later: list[Write] = []
        results = send_all(self.client, writes, concurrency=concurrency, strict_fields=strict)
        for result in results:
            self.writes += 1
            if result.conflict:
                # "Record has been changed" past the client's retries: other writes of this
                # phase kept saving a record it touches. Sent again once they are all done.
                attempts.append(self.attempt(result))
                sent: _Sent = result.write.token
                later.append(replace(result.write, token=replace(sent, attempts=sent.attempts + 1)))
                continue
            row, attempt = self.record(result)
            rows.append(row)
            attempts.append(attempt)
            if len(rows) >= self.settings.flush_every:
                self.flush(rows, attempts)
                rows, attempts = [], []
        if later:
            log.info("Sending %d writes again, one at a time, after conflicts", len(later))
        for result in send_all(self.client, later, concurrency=1, strict_fields=strict):
            self.writes += 1
            row, attempt = self.record(result)
            rows.append(row)
            attempts.append(attempt)
        self.flush(rows, attempts)

    def flush(self, rows: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> None:
        if rows:
            with self.engine.begin() as conn:
                upsert_entries(conn, rows)
                add_attempts(conn, attempts)

    def attempt(self, result: WriteResult) -> dict[str, Any]:
        """The attempt-log row of one write."""
        item = result.write.token.item
        return {
            "site": self.ctx.site,
            "source_kind": item.key[0],
            "source_id": item.key[1],
            "role": item.key[2],
            "external_id": result.write.external_id,
            "netsuite_type": result.write.record_type,
            "run_id": self.run_id,
            "attempted_at": datetime.now(UTC),
            "outcome": POSTED if result.ok else FAILED,
            "status_code": result.status_code,
            "http_attempts": result.http_attempts,
            "netsuite_id": result.netsuite_id,
            "error_code": result.error_code,
            "error": result.detail,
            "duration_ms": result.duration_ms,
        }

    def record(self, result: WriteResult) -> tuple[dict[str, Any], dict[str, Any]]:
        sent: _Sent = result.write.token
        item = sent.item
        now = datetime.now(UTC)
        count = sent.attempts + 1
        attempt = self.attempt(result)
        # The version planned: the load queue lets go of documents planned at their version.
        planned = {"resource_version": item.resource_version}
        if result.ok and result.deleted:
            # NetSuite no longer holds it: the row keeps the payload it had as the audit
            # trail, the attempt log keeps the id, and the reason says what happened when.
            self.count(DELETED)
            attempt.update(outcome=DELETED, netsuite_id=item.delete_id)
            row = self.row(
                item.key,
                state=SKIPPED,
                reason=f"{item.note}; deleted from NetSuite on {now.date().isoformat()}, so it "
                "no longer counts.",
                netsuite_id=None,
                attempts=count,
                last_attempt_at=now,
                last_error_code="DELETED",
                last_error_detail=None,
                **planned,
            )
        elif result.ok:
            self.count(POSTED)
            if sent.previous_id and sent.previous_id != result.netsuite_id:
                self.ids_changed = True
            row = self.row(
                item.key,
                state=POSTED,
                reason=item.note,
                netsuite_id=result.netsuite_id,
                posted_hash=sent.digest,
                posted_payload=to_record(result.write.body),
                posted_resource_version=item.resource_version,
                posted_at=now,
                attempts=count,
                last_attempt_at=now,
                last_error_code=None,
                last_error_detail=None,
                **planned,
            )
        elif result.conflict:
            # Not the document's fault and nothing to fix: it waits for the next run.
            self.count(HELD)
            row = self.row(
                item.key,
                state=HELD,
                reason=result.reason,
                attempts=count,
                last_attempt_at=now,
                last_error_code="RECORD_CHANGED",
                last_error_detail=result.detail,
                **planned,
            )
            log.warning("%s", result.reason)
        else:
            self.count(FAILED)
            if result.credentials_refused:
                self.credentials_refused = result.detail or result.reason
            # Documents that wait for this one read this reason from the ledger.
            row = self.row(
                item.key,
                state=FAILED,
                reason=result.reason,
                attempts=count,
                last_attempt_at=now,
                last_error_code=result.error_code,
                last_error_detail=result.detail,
                **planned,
            )
            log.warning("%s", result.reason)
        return row, attempt


def sync(
    staging_engine: Engine,
    netsuite_client: NetSuiteClient,
    mapping: MappingConfig,
    reference: ReferenceData,
    run_id: str,
    *,
    site: str,
    settings: SyncSettings,
    dry_run: bool = False,
    reports_dir: Path | str | None = None,
    full: bool = False,
) -> LoadSummary:
    """Post every staged document of ``site`` to NetSuite, dependencies first, and ledger it.

    Documents whose payload is unchanged since NetSuite accepted it are skipped without a
    request; a document that cannot post gets a ledger state and a sentence saying why, and
    the run goes on. With ``dry_run`` everything is built and checked, nothing is written to
    NetSuite or the ledger, and ``counts["would_post"]`` says how many records would be;
    with ``reports_dir`` it also writes, per document line, where each would post
    (``load/dry_run_report.py``; the paths are in ``summary.report``).

    A run costs what changed: it plans the documents staged since the last load, what depends
    on them and what is not settled yet (``load/changes.py``), unless ``full`` is set or what
    payloads are built from (mapping, reference data, catalog, settings) changed, when it
    plans every staged document. Memory stays flat however many documents are staged: each
    phase is read from staging, planned and sent a chunk (``settings.chunk_size`` documents)
    at a time, and references and unchanged-payload checks are answered by the ledger, one
    chunk's keys at a time.
    """
    started = time.monotonic()
    timings: dict[str, float] = {}
    with staging_engine.connect() as conn:
        item_prices = read_item_prices(conn, site)
        # What payloads are built from: not how many requests are in flight or batched.
        built_by = {"transform": settings.transform, "strict_fields": settings.strict_fields}
        parts = changes.fingerprint_parts(mapping, reference, built_by, item_prices)
        digest = changes.fingerprint(parts)
        state = changes.read_state(conn, site)
        if not full and state.fingerprint != digest:
            log.info(
                "Planning every document: what payloads are built from is not what the last "
                "load recorded (none yet, a new record id, or a change; parts now: %s)",
                {name: value[:12] for name, value in parts.items()},
            )
        full = full or state.fingerprint != digest or state.usage is None
        scope = None
        if not full:
            scope = changes.with_dependents(
                conn, site, changes.merge(changes.queued(conn, site), changes.unsettled(conn, site))
            )
    timings["scope"] = time.monotonic() - started
    mark = time.monotonic()
    collector = collect_usage(
        staging_engine,
        site,
        item_prices,
        settings.chunk_size,
        None if full else state.usage,
        scope,
    )
    report = validate_mapping(mapping, reference, collector.usage())
    if not report.ok or report.catch_alls:
        log.warning("%s", report.summary())
    timings["usage"] = time.monotonic() - mark
    mark = time.monotonic()
    ctx = TransformContext(site, mapping, reference, settings.transform, report, item_prices)
    run = _Run(staging_engine, netsuite_client, ctx, run_id, settings, dry_run, scope)
    if dry_run and reports_dir is not None:
        folder = report_dir(reports_dir, run_id)
        run.report = DryRunReport(folder, reference, staging_engine, site)
    try:
        run.go()
    finally:
        paths = run.report.close(run_id, run.outcomes) if run.report is not None else {}
    timings["plan_and_send"] = time.monotonic() - mark
    mark = time.monotonic()
    if not dry_run and not run.credentials_refused:
        with staging_engine.begin() as conn:
            changes.clear_planned(conn, site)
            kept = None if run.ids_changed else digest
            changes.write_state(conn, site, kept, collector.as_json(), full=full)
    timings["bookkeeping"] = time.monotonic() - mark
    summary = LoadSummary(
        run_id=run_id,
        dry_run=dry_run,
        counts=dict(run.outcomes),
        writes=run.writes,
        seconds=time.monotonic() - started,
        scope="every document" if scope is None else "changed",
        planned=sum(run.outcomes.values()),
        timings=timings,
        report=paths,
        catch_alls=[use.as_dict() for use in report.catch_alls],
    )
    log.info("NetSuite load %s: %s", run_id, summary.as_dict())
    if run.credentials_refused:
        # Every document failed for the same reason, and each says so in the ledger; the run
        # itself must fail too, so nobody mistakes a green task for a posted load.
        raise AuthenticationError(
            f"NetSuite refused the connector's credentials during load {run_id} "
            f"({summary.counts.get(FAILED, 0)} documents failed; the ledger names each). Fix "
            f"the netsuite connection (certificate id, private key, client id) and run the sync "
            f"again: {run.credentials_refused}"
        )
    return summary
