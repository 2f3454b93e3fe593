"""``cbns check``: ping Chargebee and NetSuite with the Airflow connections, step by step.

Each step reports OK, WARN, FAIL (with the fix: which connection and field to change) or SKIP
(an earlier step it needs failed). Nothing is written anywhere except a throwaway SQLite file
for the reference data, and no message ever contains a credential.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from chargebee_netsuite.airflow.connection_ids import CHARGEBEE_CONN_ID, NETSUITE_CONN_ID

T = TypeVar("T")

OK, WARN, FAIL, SKIP = "OK", "WARN", "FAIL", "SKIP"

# Enough to see the catalogue of any real site, few enough to stay well inside a rate limit.
MAX_ITEM_PRICE_PAGES = 10
# The newest invoices and credit notes whose lines give catch-all item prices their amounts.
MAX_DOCUMENT_PAGES = 5


@dataclass(frozen=True)
class StepResult:
    """The verdict of one step: a status, what was seen, and for a failure the fix."""

    step: str
    status: str
    detail: str
    fix: str | None = None


@dataclass
class _Context:
    """What earlier steps produced for later ones (clients, reference data, item prices)."""

    chargebee_conn_id: str
    netsuite_conn_id: str
    mapping_path: Path
    secrets: list[str] = field(default_factory=list)
    chargebee: Any = None
    netsuite: Any = None
    netsuite_concurrency: Any = None
    item_prices: list[Any] | None = None
    currencies: list[str] = field(default_factory=list)
    reference: Any = None
    mapping: Any = None  # the parsed MappingConfig
    results: list[StepResult] = field(default_factory=list)

    def scrub(self, text: str) -> str:
        """``text`` with every known credential replaced (belt and braces: clients never
        put one in a message, but a check printed to a terminal must not be the first)."""
        for secret in sorted(self.secrets, key=len, reverse=True):
            if len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def add(self, step: str, status: str, detail: str, fix: str | None = None) -> StepResult:
        result = StepResult(step, status, self.scrub(detail), self.scrub(fix) if fix else None)
        self.results.append(result)
        return result

    def remember_secret(self, value: str | None) -> None:
        if not value:
            return
        self.secrets.append(value)
        # A PEM key may be quoted one line at a time.
        self.secrets.extend(
            line.strip()
            for line in value.splitlines()
            if len(line.strip()) >= 16 and not line.startswith("-----")
        )


def _missing_connection(conn_id: str, kind: str) -> str:
    return (
        f"define the Airflow connection '{conn_id}' (type {kind}): `airflow connections add "
        f"{conn_id} --conn-json '{{...}}'` or the environment variable "
        f"AIRFLOW_CONN_{conn_id.upper()}"
    )


def _from_connection(
    ctx: _Context, step: str, conn_id: str, kind: str, read: Callable[[], T]
) -> T | None:
    """``read()`` a connection, or report why it cannot be used (missing, or a field is off)."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return read()
    except AirflowNotFoundException:
        ctx.add(step, FAIL, f"no connection '{conn_id}'", _missing_connection(conn_id, kind))
    except ValueError as exc:
        ctx.add(step, FAIL, str(exc), f"edit connection '{conn_id}' as the message says")
    return None


def _skipped(ctx: _Context, step: str, client: Any, needs: str) -> bool:
    """Report ``step`` skipped when the ``client`` it needs is missing (an earlier step failed)."""
    if client is None:
        ctx.add(step, SKIP, needs)
        return True
    return False


# -- Chargebee --------------------------------------------------------------------------------


def _chargebee_connection(ctx: _Context) -> None:
    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
    from chargebee_netsuite.chargebee.client import ChargebeeClient

    step = "Chargebee connection"
    conn_id = ctx.chargebee_conn_id
    settings = _from_connection(
        ctx, step, conn_id, "chargebee", lambda: ChargebeeHook(conn_id).get_settings()
    )
    if settings is None:
        return
    ctx.remember_secret(settings.api_key)
    ctx.chargebee = ChargebeeClient(settings)
    ctx.add(
        step,
        OK,
        f"'{conn_id}': site {settings.site} ({settings.environment}), {settings.api_base}",
    )


def _chargebee_fix(conn_id: str, exc: Exception) -> str:
    from chargebee_netsuite.chargebee.errors import (
        AuthenticationError,
        AuthorizationError,
        NotFoundError,
    )

    if isinstance(exc, AuthenticationError):
        return (
            f"put a valid API key for this site in 'password' of connection '{conn_id}' "
            "(Chargebee: Settings > Configure Chargebee > API Keys); a test-site key only "
            "works with extra environment=test"
        )
    if isinstance(exc, AuthorizationError):
        return f"the key in '{conn_id}' lacks read access: create a read-only key with full read"
    if isinstance(exc, NotFoundError):
        return f"check the site in 'login' and the extras 'environment'/'region' of '{conn_id}'"
    return (
        f"check that Chargebee is reachable from here, and the 'login', 'environment', "
        f"'region' and 'base_url' of connection '{conn_id}'"
    )


def _chargebee_document(ctx: _Context) -> None:
    from chargebee_netsuite.chargebee.errors import ChargebeeError

    step = "Chargebee: list one invoice"
    if _skipped(ctx, step, ctx.chargebee, "needs a usable Chargebee connection"):
        return
    try:
        body = ctx.chargebee.get("/invoices", {"limit": "1"})
    except ChargebeeError as exc:
        ctx.chargebee.close()
        ctx.chargebee = None
        ctx.add(step, FAIL, str(exc), _chargebee_fix(ctx.chargebee_conn_id, exc))
        return
    entries = body.get("list") or []
    if entries:
        invoice = entries[0].get("invoice", {})
        seen = (
            f"invoice {invoice.get('id')} ({invoice.get('status')}, {invoice.get('currency_code')})"
        )
    else:
        seen = "the site has no invoices yet"
    ctx.add(step, OK, seen)


def _chargebee_item_prices(ctx: _Context) -> None:
    from chargebee_netsuite.chargebee.errors import ChargebeeError
    from chargebee_netsuite.mapping import ItemPriceRef

    step = "Chargebee: item prices"
    if _skipped(ctx, step, ctx.chargebee, "needs a working Chargebee connection"):
        return
    refs: list[ItemPriceRef] = []
    currencies: set[str] = set()
    truncated = False
    try:
        for number, page in enumerate(ctx.chargebee.list_pages("/item_prices"), 1):
            for entry in page:
                price = entry.get("item_price", {})
                if price.get("status", "active") != "active":
                    continue  # archived or deleted prices cannot be billed any more
                refs.append(
                    ItemPriceRef(
                        id=price.get("id"),
                        item_id=price.get("item_id"),
                        item_family_id=price.get("item_family_id"),
                        entity_type=price.get("item_type"),
                    )
                )
                if price.get("currency_code"):
                    currencies.add(price["currency_code"])
            if number >= MAX_ITEM_PRICE_PAGES:
                truncated = True
                break
    except ChargebeeError as exc:
        ctx.add(step, FAIL, str(exc), _chargebee_fix(ctx.chargebee_conn_id, exc))
        return
    ctx.item_prices = refs
    ctx.currencies = sorted(currencies)
    more = f" (first {MAX_ITEM_PRICE_PAGES} pages only)" if truncated else ""
    ctx.add(
        step,
        OK,
        f"{len(refs)} active item prices in {', '.join(sorted(currencies)) or 'no currency'}{more}",
    )


# -- NetSuite ---------------------------------------------------------------------------------


def _netsuite_fix(conn_id: str, exc: Exception) -> str:
    from chargebee_netsuite.netsuite import TokenRequestError, TransportError
    from chargebee_netsuite.netsuite.errors import NetSuiteAPIError

    if isinstance(exc, TokenRequestError):
        return (
            f"check 'login' (account id) and the extras 'client_id', 'certificate_id', "
            f"'private_key' and 'algorithm' of connection '{conn_id}'"
        )
    if isinstance(exc, TransportError):
        return f"check that NetSuite is reachable, and 'login' / extra 'base_url' of '{conn_id}'"
    if isinstance(exc, NetSuiteAPIError) and exc.status in (401, 403):
        return (
            f"give the role of the integration in '{conn_id}' the REST Web Services and "
            "SuiteAnalytics Workbook permissions (and Lists access to the reference records)"
        )
    return f"see the message; connection '{conn_id}' is the one used"


def _netsuite_connection(ctx: _Context) -> None:
    from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook
    from chargebee_netsuite.netsuite import NetSuiteClient, NetSuiteConfig

    step = "NetSuite connection"
    conn_id = ctx.netsuite_conn_id

    def connect() -> NetSuiteConfig:
        config = NetSuiteHook(conn_id).get_config()
        ctx.remember_secret(config.private_key.reveal())
        ctx.netsuite = NetSuiteClient(config)
        return config

    config = _from_connection(ctx, step, conn_id, "netsuite", connect)
    if config is None:
        return
    ctx.netsuite_concurrency = config.concurrency
    ctx.add(step, OK, f"'{conn_id}': {config.describe()}, {config.rest_url}")


def _netsuite_token(ctx: _Context) -> None:
    from chargebee_netsuite.netsuite import NetSuiteError

    step = "NetSuite: mint an access token"
    if _skipped(ctx, step, ctx.netsuite, "needs a usable NetSuite connection"):
        return
    try:
        token = ctx.netsuite.tokens.token()
    except (NetSuiteError, ValueError) as exc:
        ctx.netsuite.close()
        ctx.netsuite = None
        ctx.add(step, FAIL, str(exc), _netsuite_fix(ctx.netsuite_conn_id, exc))
        return
    ctx.remember_secret(token.reveal())
    ctx.add(step, OK, "token issued (JWT client credentials)")


def _netsuite_governance(ctx: _Context) -> None:
    from chargebee_netsuite.netsuite import NetSuiteError
    from chargebee_netsuite.netsuite.client import concurrency_from_governance

    step = "NetSuite: governance limits"
    if _skipped(ctx, step, ctx.netsuite, "needs a NetSuite access token"):
        return
    try:
        limits = ctx.netsuite.governance_limits()
    except NetSuiteError as exc:
        # Only a connection set to concurrency=governance depends on this endpoint.
        needed = ctx.netsuite_concurrency == "governance"
        status = FAIL if needed else WARN
        fix = _netsuite_fix(ctx.netsuite_conn_id, exc)
        if not needed:
            fix += f"; the sync uses concurrency {ctx.netsuite_concurrency} from the connection"
        ctx.add(step, status, str(exc), fix)
        return
    limit = concurrency_from_governance(limits)
    ctx.add(step, OK, f"account concurrency limit {limit if limit is not None else 'not given'}")


def _netsuite_reference(ctx: _Context) -> None:
    from chargebee_netsuite.netsuite import NetSuiteError
    from chargebee_netsuite.reference.pull import refresh_reference_data
    from chargebee_netsuite.reference.store import read_reference_data
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    step = "NetSuite: reference data (SuiteQL)"
    if _skipped(ctx, step, ctx.netsuite, "needs a NetSuite access token"):
        return
    with tempfile.TemporaryDirectory(prefix="cbns-check-") as tmp:
        engine = create_staging_engine(f"sqlite:///{Path(tmp) / 'reference.db'}")
        try:
            migrate(engine)
            counts = refresh_reference_data(ctx.netsuite, engine)
            ctx.reference = read_reference_data(engine)
        except (NetSuiteError, ValueError) as exc:
            ctx.add(step, FAIL, str(exc), _netsuite_fix(ctx.netsuite_conn_id, exc))
            return
        finally:
            engine.dispose()
    ctx.add(step, OK, ", ".join(f"{count} {kind}" for kind, count in counts.items()))


# -- mapping ----------------------------------------------------------------------------------


def _mapping(ctx: _Context) -> None:
    from chargebee_netsuite.mapping import (
        ChargebeeUsage,
        MappingConfigError,
        load_mapping,
        validate_mapping,
    )

    step = f"Mapping {ctx.mapping_path}"
    try:
        config = load_mapping(ctx.mapping_path)
    except FileNotFoundError:
        ctx.add(step, FAIL, "file not found", "pass the mapping file with --mapping PATH")
        return
    except MappingConfigError as exc:
        from chargebee_netsuite.mapping.draft import describe_todos

        text = ctx.mapping_path.read_text("utf-8") if ctx.mapping_path.is_file() else ""
        todos = describe_todos(text, exc.problems)
        fix = "put a NetSuite internal id at each TODO (candidates are in the comment)"
        ctx.add(
            step, FAIL, todos or str(exc), fix if todos else f"fix {ctx.mapping_path} as listed"
        )
        return
    ctx.mapping = config
    if ctx.reference is None:
        ctx.add(step, SKIP, "the file parses, but checking it needs NetSuite's reference data")
        return
    usage = ChargebeeUsage(
        item_prices=ctx.item_prices or [],
        currencies=ctx.currencies,
    )
    report = validate_mapping(config, ctx.reference, usage)
    seen = (
        f"against {len(ctx.item_prices)} Chargebee item prices"
        if ctx.item_prices is not None
        else "without Chargebee item prices (that step failed)"
    )
    if report.ok:
        ctx.add(step, OK, f"valid {seen}")
    else:
        ctx.add(step, FAIL, f"{seen}: {report.summary()}", f"edit {ctx.mapping_path}")


def _recent_activity(ctx: _Context) -> tuple[dict[Any, Any], int]:
    """What the newest invoices and credit notes billed per item price, and how many."""
    from chargebee_netsuite.load.run import UsageCollector

    collector = UsageCollector({})
    seen = 0
    for path, kind in (("/invoices", "invoice"), ("/credit_notes", "credit_note")):
        pages = ctx.chargebee.list_pages(path, {"sort_by[desc]": "date"})
        for number, page in enumerate(pages, 1):
            for entry in page:
                collector.add_activity(kind, entry.get(kind, {}))
                seen += 1
            if number >= MAX_DOCUMENT_PAGES:
                break
    return collector.activity, seen


def _catch_alls(ctx: _Context) -> None:
    from chargebee_netsuite.chargebee.errors import ChargebeeError
    from chargebee_netsuite.mapping.catch_all import catch_all_totals, catch_all_uses, item_names

    step = "Mapping: catch-all rules"
    if ctx.mapping is None or ctx.item_prices is None or ctx.chargebee is None:
        ctx.add(step, SKIP, "needs the mapping file and Chargebee's item prices")
        return
    names = item_names(ctx.reference)
    if not catch_all_uses(ctx.mapping, ctx.item_prices, {}, names):
        ctx.add(step, OK, "every active item price has a rule of its own")
        return
    try:
        activity, documents = _recent_activity(ctx)
    except ChargebeeError as exc:
        ctx.add(step, FAIL, str(exc), _chargebee_fix(ctx.chargebee_conn_id, exc))
        return
    uses = catch_all_uses(ctx.mapping, ctx.item_prices, activity, names)
    totals = ", ".join(f"{v} {code}" for code, v in catch_all_totals(uses).items()) or "nothing"
    detail = (
        f"{len(uses)} item price(s) post through items.by_entity_type or items.default, which "
        f"nobody chose for them; on the newest {documents} invoices and credit notes they "
        f"billed {totals}:\n" + "\n".join(f"- {use.describe()}" for use in uses)
    )
    refuse = ctx.mapping.items.catch_all == "refuse"
    fix = (
        f"add a specific rule (items.by_item_price or items.by_item) to {ctx.mapping_path} for "
        "each"
        + ("" if refuse else ", or set items.catch_all: refuse to hold such documents instead")
    )
    ctx.add(step, FAIL if refuse else WARN, detail, fix)


STEPS: tuple[Callable[[_Context], None], ...] = (
    _netsuite_connection,
    _netsuite_token,
    _netsuite_governance,
    _netsuite_reference,
    _chargebee_connection,
    _chargebee_document,
    _chargebee_item_prices,
    _mapping,
    _catch_alls,
)


def run_check(
    chargebee_conn_id: str = CHARGEBEE_CONN_ID,
    netsuite_conn_id: str = NETSUITE_CONN_ID,
    mapping_path: str | Path = "include/mapping.example.yaml",
) -> list[StepResult]:
    """Run every step in order and return their verdicts (no exception escapes a step)."""
    ctx = _Context(chargebee_conn_id, netsuite_conn_id, Path(mapping_path))
    try:
        for step in STEPS:
            try:
                step(ctx)
            except Exception as exc:  # a check must report, not crash
                name = step.__name__.strip("_").replace("_", " ")
                ctx.add(name, FAIL, f"unexpected {type(exc).__name__}: {exc}", "report this bug")
    finally:
        for client in (ctx.chargebee, ctx.netsuite):
            if client is not None:
                client.close()
    return ctx.results


def passed(results: Iterable[StepResult]) -> bool:
    """True when no step failed (warnings and skips after a pass do not count)."""
    results = list(results)
    return all(r.status != FAIL for r in results) and all(r.status != SKIP for r in results)


def format_results(results: Iterable[StepResult]) -> str:
    """The human report: one line per step, the fix indented under each failure."""
    lines = []
    results = list(results)
    for result in results:
        detail = result.detail.replace("\n", "\n      ")
        lines.append(f"{result.status:<5} {result.step}: {detail}")
        if result.fix:
            lines.append(f"      fix: {result.fix}")
    failed = sum(r.status == FAIL for r in results)
    lines.append("")
    lines.append(
        "All checks passed." if passed(results) else f"{failed} check(s) failed: see 'fix' above."
    )
    return "\n".join(lines)
