"""Task callables for the DAGs: read the Airflow context, call the plain-Python stage, return
a small dict for XCom.

Each function takes the task's context (``**context`` from a ``@task``) and does only the
Airflow-specific part: connections through the hooks, the run's data interval and params,
skipping. The work itself lives in ``extract/``, ``quality/``, ``load/`` and ``reference/``.
Data moves between tasks through the staging database; XCom carries counts only.

The reconcile step's headline numbers come from ``demo/summary.py`` (counts and open AR);
the full reconciliation has its own DAG.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk.exceptions import AirflowSkipException

from chargebee_netsuite.errors import ConfigurationError, ValidationFailed

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from chargebee_netsuite.extract.windows import Window
    from chargebee_netsuite.netsuite.client import NetSuiteClient

log = logging.getLogger(__name__)

CHARGEBEE_CONN_ID = "chargebee_default"
NETSUITE_CONN_ID = "netsuite_default"
DEFAULT_TIME_ZONE = "America/Los_Angeles"
# The staged Chargebee resources (``extract.documents.RESOURCES``), repeated here so that DAG
# files can name their tasks without importing the HTTP client at parse time.
RESOURCES = ("customers", "items", "item_prices", "invoices", "credit_notes", "transactions")


@dataclass(frozen=True)
class SyncConfig:
    """Where a sync reads and writes, from the environment of the Airflow components.

    ``CBNS_STAGING_URL`` (or the ``cbns_staging`` connection; see ``airflow/settings.py``),
    ``CBNS_MAPPING_PATH`` (required: the mapping file),
    ``CBNS_NETSUITE_TIME_ZONE`` (the NetSuite account's time zone),
    ``CBNS_REPORTS_DIR`` (validation reports and Data Docs),
    ``CBNS_LINE_SERVICE_DATES`` (``1`` to send revRec dates per line).
    """

    staging_url: str
    mapping_path: Path
    time_zone: str
    reports_dir: Path
    line_service_dates: bool = False
    chargebee_conn_id: str = CHARGEBEE_CONN_ID
    netsuite_conn_id: str = NETSUITE_CONN_ID


def _airflow_home() -> Path:
    return Path(os.environ.get("AIRFLOW_HOME") or Path.home() / "airflow")


def sync_config() -> SyncConfig:
    """The configuration for this process (read at run time, never at parse time)."""
    from chargebee_netsuite.airflow.settings import mapping_path, staging_url

    return SyncConfig(
        staging_url=staging_url(),
        mapping_path=mapping_path(),
        time_zone=os.environ.get("CBNS_NETSUITE_TIME_ZONE") or DEFAULT_TIME_ZONE,
        reports_dir=Path(os.environ.get("CBNS_REPORTS_DIR") or _airflow_home() / "reports"),
        line_service_dates=os.environ.get("CBNS_LINE_SERVICE_DATES", "0") == "1",
    )


# -- helpers -------------------------------------------------------------------------------


def staging_engine(config: SyncConfig) -> Engine:
    """An engine on the staging database."""
    from chargebee_netsuite.staging.db import create_staging_engine

    return create_staging_engine(config.staging_url)


def window_from_interval(start: datetime | None, end: datetime | None) -> Window | None:
    """The extraction window of a run's data interval; ``None`` when the run has none."""
    from chargebee_netsuite.extract.windows import Window

    if start is None or end is None or end <= start:
        return None
    return Window(start, end)


def _params(context: Mapping[str, Any]) -> Mapping[str, Any]:
    params = context.get("params") or {}
    return params if isinstance(params, Mapping) else {}


def _run_id(context: Mapping[str, Any]) -> str:
    return str(context.get("run_id") or "manual")


def selected_resources(params: Mapping[str, Any]) -> list[str]:
    """The resources a run extracts: the ``resources`` param, or all of them."""
    chosen = params.get("resources") or list(RESOURCES)
    unknown = sorted(set(chosen) - set(RESOURCES))
    if unknown:
        raise ConfigurationError(f"unknown resources {unknown}; choose from {list(RESOURCES)}")
    return [r for r in RESOURCES if r in chosen]


def chargebee_site(config: SyncConfig) -> str:
    """The Chargebee site of the connection (its ``login``)."""
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook

    return ChargebeeHook(config.chargebee_conn_id).get_settings().site


def netsuite_client(config: SyncConfig) -> NetSuiteClient:
    """A NetSuite client from the connection; close it when done."""
    from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook

    return NetSuiteHook(config.netsuite_conn_id).get_conn()


# -- preflight -----------------------------------------------------------------------------


def check_connections(**context: Any) -> dict[str, Any]:
    """Prove both connections work: list one Chargebee customer, mint a NetSuite token.

    Errors propagate typed, so the retry policy fails a rejected key at once and retries
    an outage.
    """
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook

    config = sync_config()
    with ChargebeeHook(config.chargebee_conn_id).get_client() as client:
        client.get("/customers", {"limit": "1"})
        site = client.settings.site
    ns = netsuite_client(config)
    try:
        ns.tokens.token()
        account = ns.config.account_id
    finally:
        ns.close()
    log.info("Chargebee site %s and NetSuite account %s are reachable", site, account)
    return {"site": site, "account": account}


def migrate_staging(**context: Any) -> dict[str, Any]:
    """Bring the staging schema up to date (idempotent)."""
    from chargebee_netsuite.staging.db import migrate

    engine = staging_engine(sync_config())
    try:
        migrate(engine)
        return {"dialect": engine.dialect.name}
    finally:
        engine.dispose()


def pull_reference(**context: Any) -> dict[str, int]:
    """Refresh NetSuite reference data (accounts, items, dimensions, periods) from SuiteQL."""
    from chargebee_netsuite.reference.pull import refresh_reference_data

    config = sync_config()
    engine = staging_engine(config)
    client = netsuite_client(config)
    try:
        return refresh_reference_data(client, engine)
    finally:
        client.close()
        engine.dispose()


def check_mapping(**context: Any) -> dict[str, Any]:
    """Load the mapping file and check it against reference data and what is staged.

    A file that does not parse fails the task (nothing could post). Problems with single
    rules are logged with their fix and hold only the documents they affect, at load time.
    """
    from chargebee_netsuite.load.run import staged_usage
    from chargebee_netsuite.load.source import read_item_prices
    from chargebee_netsuite.mapping import load_mapping, validate_mapping
    from chargebee_netsuite.reference.store import read_reference_data

    config = sync_config()
    mapping = load_mapping(config.mapping_path)
    engine = staging_engine(config)
    try:
        site = chargebee_site(config)
        reference = read_reference_data(engine)
        with engine.connect() as conn:
            item_prices = read_item_prices(conn, site)
        usage = staged_usage(engine, site, item_prices)  # a chunk at a time: flat memory
    finally:
        engine.dispose()
    report = validate_mapping(mapping, reference, usage)
    if report.blocks_everything:
        raise ConfigurationError(f"{config.mapping_path}: {report.summary()}")
    if not report.ok:
        log.warning("%s", report.summary())
    elif report.notices:  # e.g. reason codes in use without a rule
        log.info("%s", report.summary())
    return {
        "mapping": str(config.mapping_path),
        "problems": len(report.problems),
        "notices": len(report.notices),
    }


# -- extract -------------------------------------------------------------------------------


def extract(resource: str, **context: Any) -> dict[str, Any]:
    """Stage one Chargebee resource for the run's data interval (or all of it).

    ``full_resync`` lists everything; a run without a data interval does too. Resources not
    in the ``resources`` param are skipped. The ``chargebee_api`` pool runs several listings
    side by side, each in its own process; they draw on one request budget for the site,
    kept in staging, so a finished listing's budget goes to those still running.
    """
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
    from chargebee_netsuite.extract.budget import budgeted_client
    from chargebee_netsuite.extract.documents import extract_resource

    params = _params(context)
    if resource not in selected_resources(params):
        raise AirflowSkipException(f"{resource} is not in this run's resources")
    config = sync_config()
    settings = ChargebeeHook(config.chargebee_conn_id).get_settings()
    window = window_from_interval(
        context.get("data_interval_start"), context.get("data_interval_end")
    )
    engine = staging_engine(config)
    try:
        with budgeted_client(engine, settings) as client:
            stats = extract_resource(
                client,
                engine,
                resource,
                window,
                run_id=_run_id(context),
                full=bool(params.get("full_resync")),
            )
    finally:
        engine.dispose()
    result = stats.as_dict()
    if window is not None:
        result["window"] = [window.start.isoformat(), window.end.isoformat()]
    return result


def process_inbox(**context: Any) -> dict[str, Any]:
    """Fetch the webhook inbox's pending events from Chargebee and stage what they name.

    Its requests draw on the site's shared budget too, since it may run beside extractions.
    """
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
    from chargebee_netsuite.extract.budget import budgeted_client
    from chargebee_netsuite.extract.events import process_events
    from chargebee_netsuite.staging import chargebee_queries as q

    config = sync_config()
    engine = staging_engine(config)
    try:
        settings = ChargebeeHook(config.chargebee_conn_id).get_settings()
        with budgeted_client(engine, settings) as client:
            with engine.connect() as conn:
                pending = q.pending_event_ids(conn, client.settings.site)
            if not pending:
                return {"pending": 0, "processed": 0, "documents": 0}
            stats = process_events(client, engine, pending, run_id=_run_id(context))
    finally:
        engine.dispose()
    result = stats.as_dict()
    result["pending"] = len(pending)
    log.info("Webhook inbox: %s", result)
    return result


# -- validate ------------------------------------------------------------------------------


def validate(**context: Any) -> dict[str, Any]:
    """Run the data-quality suites over what is staged; quarantine failing documents.

    Fails (without retries) only when every document failed, which means something
    upstream is broken rather than one record.
    """
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.quality.run import validate_staged

    config = sync_config()
    known = set(load_mapping(config.mapping_path).currencies)
    engine = staging_engine(config)
    try:
        summary = validate_staged(
            engine,
            chargebee_site(config),
            _run_id(context),
            known_currencies=known,
            reports_dir=config.reports_dir,
        )
    finally:
        engine.dispose()
    result = _small(summary)
    if getattr(summary, "all_failed", False):
        raise ValidationFailed(f"every staged document failed validation: {result}")
    return result


def _small(value: Any) -> dict[str, Any]:
    """A JSON-safe dict of a stage's summary object."""
    if hasattr(value, "as_dict"):
        raw = value.as_dict()
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        raw = dataclasses.asdict(value)
    else:
        raw = dict(value)
    return {str(k): _plain(v) for k, v in raw.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, Iterable):
        return [_plain(v) for v in value]
    return str(value)


# -- load ----------------------------------------------------------------------------------


def load(**context: Any) -> dict[str, Any]:
    """Post every staged document to NetSuite (dependencies first), skipping unchanged ones."""
    from chargebee_netsuite.load.run import SyncSettings, sync
    from chargebee_netsuite.mapping import load_mapping
    from chargebee_netsuite.reference.store import read_reference_data
    from chargebee_netsuite.transform.model import TransformSettings

    params = _params(context)
    config = sync_config()
    mapping = load_mapping(config.mapping_path)
    settings = SyncSettings(
        TransformSettings(config.time_zone, line_service_dates=config.line_service_dates)
    )
    engine = staging_engine(config)
    client = netsuite_client(config)
    try:
        summary = sync(
            engine,
            client,
            mapping,
            read_reference_data(engine),
            _run_id(context),
            site=chargebee_site(config),
            settings=settings,
            dry_run=bool(params.get("dry_run")),
            full=bool(params.get("full_resync")),
        )
    finally:
        client.close()
        engine.dispose()
    return summary.as_dict()


# -- webhooks ------------------------------------------------------------------------------


def sync_webhook_events(**context: Any) -> dict[str, Any]:
    """The webhook path in one task process: drain the inbox, validate, post what changed.

    One task rather than extract → validate → load: on this latency-critical path each task
    process of the LocalExecutor costs seconds of start-up and a scheduler round trip, more
    than the work itself. Each stage is idempotent, so a retry simply runs all three again;
    a retry also validates and loads when the inbox is already empty, since the failed try may
    have staged documents before it stopped. Validation and load are skipped when no event
    staged anything. The loader has no per-document filter: it plans every staged document
    and skips, without a request, each one whose payload NetSuite already has.
    """
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    result: dict[str, Any] = {"inbox": process_inbox(**context), "validate": None, "load": None}
    seconds["inbox"] = round(time.perf_counter() - started, 3)
    try_number = int(getattr(context.get("ti"), "try_number", 1) or 1)
    if not int(result["inbox"].get("documents") or 0) and try_number <= 1:
        log.info("No webhook event staged a document: nothing to validate or post")
    else:
        for stage, run in (("validate", validate), ("load", load)):
            started = time.perf_counter()
            result[stage] = run(**context)
            seconds[stage] = round(time.perf_counter() - started, 3)
    log.info("Webhook stages took %s seconds", seconds)
    return {**result, "seconds": seconds}


# -- reconcile summary ---------------------------------------------------------------------


def reconcile_summary(**context: Any) -> dict[str, Any]:
    """Counts per document kind and state, and open AR per currency on both sides.

    The full reconciliation (per-document tie-out, re-queueing) is a later stage; this
    step logs the headline numbers and returns them for XCom.
    """
    from chargebee_netsuite.reconcile.headline import ar_comparison, ledger_overview, quarantined

    config = sync_config()
    engine = staging_engine(config)
    client = netsuite_client(config)
    try:
        site = chargebee_site(config)
        overview = ledger_overview(engine, site)
        ar = ar_comparison(engine, client, site)
        held = quarantined(engine, site)
    finally:
        client.close()
        engine.dispose()
    for code, row in ar.items():
        log.info(
            "Open AR %s: Chargebee %s, NetSuite %s (difference %s)",
            code,
            row["chargebee"],
            row["netsuite"],
            row["difference"],
        )
    log.info("Ledger by kind and state: %s", overview["by_kind"])
    return {
        "by_kind": overview["by_kind"],
        "not_posted": overview["not_posted_total"],
        "quarantined": len(held),
        "open_ar": ar,
    }
