"""``sync``: the one entry point the Airflow layer calls to post a site's staged documents."""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from chargebee_netsuite.load.plan import PHASES, Work, plan
from chargebee_netsuite.load.post import Write, WriteResult, send_all
from chargebee_netsuite.load.source import KIND_RESOURCES, read_documents, read_item_prices
from chargebee_netsuite.load.wire import payload_hash, to_record
from chargebee_netsuite.mapping.model import MappingConfig
from chargebee_netsuite.mapping.resolve import ItemPriceRef
from chargebee_netsuite.mapping.validation import ChargebeeUsage, validate_mapping
from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.errors import AuthenticationError
from chargebee_netsuite.quality.quarantine import quarantine_reasons
from chargebee_netsuite.reference.model import ReferenceData
from chargebee_netsuite.staging.ledger_queries import (
    LedgerEntry,
    LedgerKey,
    add_attempts,
    read_ledger,
    upsert_entries,
)
from chargebee_netsuite.staging.ledger_tables import FAILED, HELD, MAIN, POSTED, READY
from chargebee_netsuite.transform import identity
from chargebee_netsuite.transform.model import (
    Held,
    NotPosted,
    Ref,
    TransformContext,
    TransformSettings,
)

log = logging.getLogger(__name__)

WOULD_POST = "would_post"
UNCHANGED = "unchanged"

_EID_KINDS = {
    ("customer", MAIN): identity.CUSTOMER,
    ("invoice", MAIN): identity.INVOICE,
    ("credit_note", MAIN): identity.CREDIT_NOTE,
    ("transaction", MAIN): identity.TRANSACTION,
    ("invoice", "reversal"): identity.INVOICE_REVERSAL,
    ("credit_note", "reversal"): identity.CREDIT_NOTE_REVERSAL,
}


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
    flush_every: int = 50


@dataclass
class LoadSummary:
    """What a sync did, small enough for XCom: counts by outcome and the writes it sent."""

    run_id: str
    dry_run: bool
    counts: dict[str, int] = field(default_factory=dict)
    writes: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-serialisable form."""
        return {
            "run_id": self.run_id,
            "dry_run": self.dry_run,
            "counts": dict(sorted(self.counts.items())),
            "writes": self.writes,
            "seconds": round(self.seconds, 3),
        }


def chargebee_usage(
    documents: Mapping[str, list[Any]], item_prices: Mapping[str, Any]
) -> ChargebeeUsage:
    """What the staged documents use, for the mapping preflight."""
    prices: dict[str | None, Any] = {}
    currencies: set[str] = set()
    payments: set[tuple[str, str]] = set()
    refunds: set[tuple[str, str]] = set()
    entities: set[str | None] = set()
    reasons: set[str | None] = set()
    for kind in ("invoice", "credit_note"):
        for doc in documents.get(kind, []):
            for line in doc.raw.get("line_items", []):
                price_id = line.get("entity_id")
                if price_id is None:
                    prices[None] = "adhoc"
                else:
                    prices[price_id] = item_prices.get(price_id, price_id)
            if kind == "credit_note":
                reasons.add(doc.raw.get("reason_code"))
    for kind in ("customer", "invoice", "credit_note", "transaction"):
        for doc in documents.get(kind, []):
            entities.add(doc.raw.get("business_entity_id"))
            if doc.raw.get("currency_code"):
                currencies.add(str(doc.raw["currency_code"]).upper())
    for doc in documents.get("transaction", []):
        pair = (str(doc.raw.get("gateway", "")), str(doc.raw.get("currency_code", "")).upper())
        if doc.raw.get("status") == "success":
            (payments if doc.raw.get("type") == "payment" else refunds).add(pair)
    refs = [
        value if isinstance(value, ItemPriceRef) else ItemPriceRef(id=key, entity_type=None)
        for key, value in prices.items()
        if key is not None
    ]
    if None in prices:
        refs.append(ItemPriceRef(id=None, entity_type="adhoc"))
    return ChargebeeUsage(refs, currencies, payments, refunds, entities, reasons)


class _Run:
    def __init__(
        self,
        engine: Engine,
        client: NetSuiteClient,
        ctx: TransformContext,
        run_id: str,
        settings: SyncSettings,
        dry_run: bool,
    ) -> None:
        self.engine = engine
        self.client = client
        self.ctx = ctx
        self.run_id = run_id
        self.settings = settings
        self.dry_run = dry_run
        self.ledger: dict[LedgerKey, LedgerEntry] = {}
        self.outcomes: Counter[str] = Counter()
        self.writes = 0
        self.by_eid: dict[str, Work] = {}
        self.planned_ok: set[str] = set()  # dry run: external ids that would post
        self.credentials_refused: str | None = None  # NetSuite's words, if it refused us

    def eid(self, key: LedgerKey) -> str:
        kind = _EID_KINDS[(key[0], key[2])]
        return identity.external_id(self.ctx.site, kind, key[1])

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

    def go(self, work: list[Work]) -> None:
        for item in work:
            if (item.key[0], item.key[2]) in _EID_KINDS:
                self.by_eid[self.eid(item.key)] = item
        for phase in range(len(PHASES)):
            items = [w for w in work if w.phase == phase]
            if items:
                self.phase(phase, items)

    def phase(self, phase: int, items: list[Work]) -> None:
        rows: list[dict[str, Any]] = []
        writes: list[Write] = []
        for item in items:
            entry = self.ledger.get(item.key)
            if item.outcome is not None:
                state = item.outcome.state
                self.outcomes[state] += 1
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
                continue
            if item.posting is None:  # posted, and stays as it is
                self.outcomes[UNCHANGED] += 1
                rows.append(self.row(item.key, state=POSTED, reason=item.note))
                continue
            posting = item.posting
            try:
                body = self.resolve(posting.body, posting.label)
            except Held as held:
                item.outcome = held
                self.outcomes[HELD] += 1
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
                continue
            digest = payload_hash(posting.record_type, posting.external_id, body)
            common = {
                "netsuite_type": posting.record_type,
                "external_id": posting.external_id,
                "payload_hash": digest,
                "resource_version": item.resource_version,
            }
            if entry is not None and entry.netsuite_id and entry.posted_hash == digest:
                self.outcomes[UNCHANGED] += 1
                rows.append(self.row(item.key, state=POSTED, reason=item.note, **common))
                continue
            if self.dry_run:
                self.outcomes[WOULD_POST] += 1
                self.planned_ok.add(posting.external_id)
                continue
            rows.append(self.row(item.key, state=READY, reason=None, **common))
            writes.append(
                Write(item, posting.record_type, posting.external_id, body, posting.label)
            )
        if self.dry_run:
            return
        with self.engine.begin() as conn:
            upsert_entries(conn, rows)
        log.info(
            "Phase %s: %d to write, %d decided without a write",
            PHASES[phase],
            len(writes),
            len(rows) - len(writes),
        )
        self.send(writes)

    def resolve(self, value: Any, label: str) -> Any:
        if isinstance(value, Ref):
            return {"id": self.internal_id(value, label)}
        if isinstance(value, dict):
            return {key: self.resolve(item, label) for key, item in value.items()}
        if isinstance(value, list):
            return [self.resolve(item, label) for item in value]
        return value

    def internal_id(self, ref: Ref, label: str) -> str:
        work = self.by_eid.get(ref.external_id)
        entry = self.ledger.get(work.key) if work is not None else None
        if entry is not None and entry.netsuite_id:
            return entry.netsuite_id
        if self.dry_run and ref.external_id in self.planned_ok:
            return "0"
        if work is None:
            _, kind, source_id = identity.parse_external_id(ref.external_id)
            why = "it is not in staging (extract it from Chargebee first)"
            what = f"{kind} {source_id}"
        else:
            what = work.posting.label if work.posting else f"{work.key[0]} {work.key[1]}"
            reason = work.outcome.reason if work.outcome else "it has not posted yet"
            why = f"it is not in NetSuite: {reason}"
        raise Held(f"{label} waits for {what}, because {why}", "DEPENDENCY")

    def send(self, writes: list[Write]) -> None:
        if not writes:
            return
        concurrency = self.settings.concurrency or self.client.limiter.limit
        rows: list[dict[str, Any]] = []
        attempts: list[dict[str, Any]] = []
        results = send_all(
            self.client, writes, concurrency=concurrency, strict_fields=self.settings.strict_fields
        )
        for result in results:
            self.writes += 1
            row, attempt = self.record(result)
            rows.append(row)
            attempts.append(attempt)
            if len(rows) >= self.settings.flush_every:
                self.flush(rows, attempts)
                rows, attempts = [], []
        self.flush(rows, attempts)

    def flush(self, rows: list[dict[str, Any]], attempts: list[dict[str, Any]]) -> None:
        if rows:
            with self.engine.begin() as conn:
                upsert_entries(conn, rows)
                add_attempts(conn, attempts)

    def record(self, result: WriteResult) -> tuple[dict[str, Any], dict[str, Any]]:
        item: Work = result.write.token
        now = datetime.now(UTC)
        entry = self.ledger.get(item.key)
        count = (entry.attempts if entry else 0) + 1
        if entry is None:
            entry = self.ledger[item.key] = LedgerEntry(*item.key, state=READY)
        entry.attempts = count
        attempt = {
            "site": self.ctx.site,
            "source_kind": item.key[0],
            "source_id": item.key[1],
            "role": item.key[2],
            "external_id": result.write.external_id,
            "netsuite_type": result.write.record_type,
            "run_id": self.run_id,
            "attempted_at": now,
            "outcome": POSTED if result.ok else FAILED,
            "status_code": result.status_code,
            "http_attempts": result.http_attempts,
            "netsuite_id": result.netsuite_id,
            "error_code": result.error_code,
            "error": result.detail,
            "duration_ms": result.duration_ms,
        }
        if result.ok:
            self.outcomes[POSTED] += 1
            digest = payload_hash(
                result.write.record_type, result.write.external_id, result.write.body
            )
            entry.state, entry.netsuite_id, entry.posted_hash = POSTED, result.netsuite_id, digest
            entry.posted_payload = to_record(result.write.body)
            row = self.row(
                item.key,
                state=POSTED,
                reason=item.note,
                netsuite_id=result.netsuite_id,
                posted_hash=digest,
                posted_payload=entry.posted_payload,
                posted_resource_version=item.resource_version,
                posted_at=now,
                attempts=count,
                last_attempt_at=now,
                last_error_code=None,
                last_error_detail=None,
            )
        else:
            self.outcomes[FAILED] += 1
            entry.state = FAILED
            if result.credentials_refused:
                self.credentials_refused = result.detail or result.reason
            # Documents that wait for this one then say why it is not in NetSuite.
            item.outcome = NotPosted(
                result.reason or "NetSuite refused it", result.error_code or ""
            )
            row = self.row(
                item.key,
                state=FAILED,
                reason=result.reason,
                attempts=count,
                last_attempt_at=now,
                last_error_code=result.error_code,
                last_error_detail=result.detail,
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
) -> LoadSummary:
    """Post every staged document of ``site`` to NetSuite, dependencies first, and ledger it.

    Documents whose payload is unchanged since NetSuite accepted it are skipped without a
    request; a document that cannot post gets a ledger state and a sentence saying why, and
    the run goes on. With ``dry_run`` everything is built and checked, nothing is written to
    NetSuite or the ledger, and ``counts["would_post"]`` says how many records would be.
    """
    started = time.monotonic()
    with staging_engine.connect() as conn:
        documents = {
            kind: list(read_documents(conn, site, kind, quarantine_reasons(conn, site, kind)))
            for kind in KIND_RESOURCES
        }
        item_prices = read_item_prices(conn, site)
        ledger = read_ledger(conn, site)
    report = validate_mapping(mapping, reference, chargebee_usage(documents, item_prices))
    if not report.ok:
        log.warning("%s", report.summary())
    ctx = TransformContext(site, mapping, reference, settings.transform, report, item_prices)
    run = _Run(staging_engine, netsuite_client, ctx, run_id, settings, dry_run)
    run.ledger = ledger
    run.go(plan(ctx, documents, ledger))
    summary = LoadSummary(
        run_id=run_id,
        dry_run=dry_run,
        counts=dict(run.outcomes),
        writes=run.writes,
        seconds=time.monotonic() - started,
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
