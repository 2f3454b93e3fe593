"""The NetSuite side: SuiteQL reads of the records carrying this connector's external ids.

Every value is written into the query as a checked literal (REST SuiteQL has no bound
parameters); large results are keyset-paged (``WHERE id > n``), so a year of documents reads
the same way as a day's. Dates are selected through ``TO_CHAR``: SuiteQL prints a bare date in
the integration user's date-format preference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chargebee_netsuite.netsuite.client import NetSuiteClient
from chargebee_netsuite.netsuite.suiteql import ColumnType
from chargebee_netsuite.netsuite.suiteql_literals import build, iso_date
from chargebee_netsuite.reference.pull import live_currency_codes
from chargebee_netsuite.transform import identity

from .model import NetSuiteDoc

# NetSuite prints datetimes in the account's time zone; the full timestamp needs TO_CHAR.
_MODIFIED = "TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodified"
_TX_COLUMNS = (
    "id, externalid, type, entity, currency, subsidiary, foreigntotal, "
    f"foreignamountremaining, status, {iso_date('trandate')}, {_MODIFIED}"
)
_CUSTOMER_COLUMNS = f"id, externalid, subsidiary, currency, {_MODIFIED}"
_TYPES: Mapping[str, ColumnType] = {
    "foreigntotal": "decimal",
    "foreignamountremaining": "decimal",
    "trandate": "date",
    "status": "text",
    "type": "text",
    "lastmodified": "text",
}
_IN_BATCH = 100


@dataclass
class NetSuiteSnapshot:
    """What NetSuite holds for one site: transactions and customers by external id."""

    transactions: dict[str, NetSuiteDoc] = field(default_factory=dict)
    customers: dict[str, NetSuiteDoc] = field(default_factory=dict)
    currencies: dict[str, str] = field(default_factory=dict)  # internal id → ISO code
    subsidiaries: dict[str, str] = field(default_factory=dict)  # internal id → name

    def by_internal_id(self) -> dict[str, NetSuiteDoc]:
        """Customers by internal id (to name a transaction's entity)."""
        return {doc.internal_id: doc for doc in self.customers.values()}


def site_prefix(site: str) -> str:
    """The external-id prefix of every record this connector writes for ``site``."""
    return "-".join((identity.PREFIX, identity.escape(site), ""))


def _like(prefix: str) -> str:
    # ``_`` is a LIKE wildcard and escaped ids are full of it; matching a few extra rows is
    # harmless because every external id is parsed and checked afterwards.
    return prefix + "%"


def parse_modified(raw: Any, time_zone: str) -> datetime | None:
    """A SuiteQL ``lastmodifieddate`` as an aware UTC datetime.

    ``YYYY-MM-DD HH:MM:SS`` (TO_CHAR) is in the account's time zone; ISO text with an offset
    or ``Z`` carries its own.
    """
    if raw is None or raw == "":
        return None
    text = str(raw).strip().replace("Z", "+00:00")
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(time_zone))
    return moment.astimezone(UTC)


def magnitude(value: Decimal | None) -> Decimal | None:
    """An amount without its SuiteQL sign.

    SuiteQL signs ``foreigntotal`` and ``foreignamountremaining`` by transaction type (credit
    memos and refunds come back negative in some accounts and positive in others), and no
    Oracle page says which. Every record we compare carries its direction in its type, so
    the reconciliation compares magnitudes.
    """
    return None if value is None else abs(value)


def _doc(row: Mapping[str, Any], currencies: Mapping[str, str], time_zone: str) -> NetSuiteDoc:
    currency = row.get("currency")
    return NetSuiteDoc(
        external_id=str(row["externalid"]),
        internal_id=str(row["id"]),
        record=str(row.get("type") or "customer"),
        entity=None if row.get("entity") is None else str(row["entity"]),
        currency=None if currency is None else currencies.get(str(currency), str(currency)),
        subsidiary=None if row.get("subsidiary") is None else str(row["subsidiary"]),
        total=magnitude(row.get("foreigntotal")),
        remaining=magnitude(row.get("foreignamountremaining")),
        status=row.get("status"),
        tran_date=row.get("trandate") if isinstance(row.get("trandate"), date) else None,
        last_modified=parse_modified(row.get("lastmodified"), time_zone),
    )


def _ours(external_id: Any, site: str) -> bool:
    try:
        return identity.parse_external_id(str(external_id))[0] == site
    except (ValueError, UnicodeDecodeError):
        return False


def read_snapshot(
    client: NetSuiteClient, site: str, since: date, *, time_zone: str = "UTC"
) -> NetSuiteSnapshot:
    """Our transactions dated on or after ``since`` and all our customers, from SuiteQL.

    There is no upper date bound: a closed period re-dates a document forward, so a
    Chargebee document of the window can sit later in NetSuite.
    """
    snap = NetSuiteSnapshot()
    snap.currencies = live_currency_codes(client)
    snap.subsidiaries = {
        str(r["id"]): str(r["name"])
        for r in client.suiteql.query(build("SELECT id, name FROM subsidiary ORDER BY id"))
    }
    like = _like(site_prefix(site))
    for row in client.suiteql.query_keyset(
        _CUSTOMER_COLUMNS, "customer", where=build("externalid LIKE ?", like), types=_TYPES
    ):
        if _ours(row.get("externalid"), site):
            doc = _doc(row, snap.currencies, time_zone)
            snap.customers[doc.external_id] = doc
    for row in client.suiteql.query_keyset(
        _TX_COLUMNS,
        "transaction",
        where=build("externalid LIKE ? AND trandate >= ?", like, since),
        types=_TYPES,
    ):
        if _ours(row.get("externalid"), site):
            doc = _doc(row, snap.currencies, time_zone)
            snap.transactions[doc.external_id] = doc
    return snap


def find_transactions(
    client: NetSuiteClient,
    external_ids: Iterable[str],
    currencies: Mapping[str, str],
    *,
    time_zone: str = "UTC",
) -> dict[str, NetSuiteDoc]:
    """Look our transactions up by external id, whatever their date (``IN`` batches)."""
    wanted = sorted(set(external_ids))
    found: dict[str, NetSuiteDoc] = {}
    for start in range(0, len(wanted), _IN_BATCH):
        chunk = wanted[start : start + _IN_BATCH]
        text = f"SELECT {_TX_COLUMNS} FROM transaction WHERE externalid IN (?) ORDER BY id"
        query = build(text, chunk)
        for row in client.suiteql.query(query, types=_TYPES):
            doc = _doc(row, currencies, time_zone)
            found[doc.external_id] = doc
    return found


def total_of(value: Decimal | None) -> Decimal:
    """A NetSuite amount, zero when absent."""
    return Decimal(0) if value is None else value
