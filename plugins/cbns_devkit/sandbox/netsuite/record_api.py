"""The record API's behaviour: parse and validate bodies, merge sublists, save, read, delete."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from . import ar
from .account_settings import NetSuiteSandboxSettings
from .clock import Clock
from .conflicts import RecordKey, SaveTimes, Window
from .display_names import display_name, display_name_query
from .error_bodies import NetSuiteError, invalid_field_value, not_found, record_changed, user_error
from .periods import Period, choose_period
from .query_filter import parse_filter
from .record_types import (
    APPLY_TARGETS,
    DIMENSIONS,
    RECORD_TYPES,
    REF_URL_TYPE,
    TAX_FIELDS,
    RecordType,
    Sublist,
    entity_field,
    record_type,
)
from .sqlite_store import Store

NameValidation = Literal["ignore", "warning", "error"]
# Every accountingperiod column load_periods reads, as one string per row.
PERIOD_FINGERPRINT = " || ',' || ".join(
    f"ifnull({column}, '')"
    for column in (
        "id",
        "periodname",
        "startdate",
        "enddate",
        "isquarter",
        "isyear",
        "closed",
        "arlocked",
        "alllocked",
    )
)
EID_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class WriteContext:
    """Per-request options that change how a body is read."""

    name_validation: NameValidation = "warning"
    replace: frozenset[str] = frozenset()
    warnings: list[str] = field(default_factory=list)
    # When the request arrived and is answered (None: not a synchronous record request).
    window: Window | None = None


def _rid(value: Any) -> int | None:
    """The internal id inside a normalised reference ``{"id": "12"}``."""
    if isinstance(value, Mapping) and value.get("id") is not None:
        return int(value["id"])
    return None


def _ref(record_id: int) -> dict[str, str]:
    return {"id": str(record_id)}


class RecordService:
    """Create, read, update, upsert, delete and transform the AR record types."""

    def __init__(self, store: Store, settings: NetSuiteSandboxSettings, clock: Clock) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self._periods: tuple[str | None, list[Period]] = ("", [])
        self.saves = SaveTimes()

    # Identifiers ----------------------------------------------------------------------------

    def find_id(self, rt: RecordType, ident: str) -> int:
        """Resolve ``123`` or ``eid:ABC`` to an existing internal id, else 404."""
        if ident.lower().startswith("eid:"):
            record_id = self.store.id_for_external(rt.recordtype, check_eid(ident[4:]))
        elif ident.isdigit():
            record_id = int(ident) if self.store.get_doc(rt.recordtype, int(ident)) else None
        else:
            record_id = None
        if record_id is None:
            raise not_found()
        return record_id

    def periods(self) -> list[Period]:
        """Every accounting period, parsed again only when the period table has changed."""
        # Periods change only through the admin API or a reset, yet every transaction needs
        # them; a fingerprint of the table (cheap for SQLite to build) says when to re-read.
        row = self.store.one(
            f"SELECT group_concat({PERIOD_FINGERPRINT}, '|') FROM accountingperiod"
        )
        fingerprint = None if row is None else row[0]
        cached_for, periods = self._periods
        if fingerprint != cached_for:
            periods = load_periods(self.store)
            self._periods = (fingerprint, periods)
        return periods

    # Reading a request body ---------------------------------------------------------------

    def normalize(self, rt: RecordType, body: Any, ctx: WriteContext) -> dict[str, Any]:
        """Validate a request body: field names (any case) -> camelCase, references resolved."""
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        return self._normalize_fields(rt.fields, rt.sublists, rt.readonly, body, "", ctx)

    def _normalize_fields(
        self,
        fields: Mapping[str, str],
        sublists: Mapping[str, Sublist],
        readonly: frozenset[str],
        body: Mapping[str, Any],
        prefix: str,
        ctx: WriteContext,
    ) -> dict[str, Any]:
        by_lower = {name.lower(): name for name in (*fields, *sublists)}
        readonly_lower = {name.lower() for name in readonly}
        out: dict[str, Any] = {}
        for key, value in body.items():
            name = by_lower.get(str(key).lower())
            path = f"{prefix}{key}"
            if name is None:
                if str(key).lower() in readonly_lower:
                    ctx.warnings.append(f"Read-only field '{key}' was ignored.")
                    continue
                if ctx.name_validation == "error":
                    raise NetSuiteError(
                        400,
                        "INVALID_CONTENT",
                        f"Error while accessing a resource. Unknown field '{key}'.",
                        path,
                    )
                if ctx.name_validation == "warning":
                    ctx.warnings.append(f"Unknown field '{key}' was ignored.")
                continue
            if name in sublists:
                out[name] = self._normalize_sublist(sublists[name], value, path, ctx)
            elif value is None:
                out[name] = None
            else:
                out[name] = self._normalize_value(fields[name], name, value, path)
        return out

    def _normalize_sublist(
        self, sub: Sublist, value: Any, path: str, ctx: WriteContext
    ) -> list[dict[str, Any]] | None:
        if value is None:
            return None
        if not isinstance(value, dict) or "items" not in value:
            raise NetSuiteError(
                400, "INVALID_CONTENT", 'A sublist must be written as {"items": [...]}.', path
            )
        items = value["items"]
        if items is None:
            return None
        if not isinstance(items, list):
            raise NetSuiteError(400, "INVALID_CONTENT", "Sublist items must be a list.", path)
        lines: list[dict[str, Any]] = []
        for index, item in enumerate(items):
            line_path = f"{path}.items[{index}]"
            if not isinstance(item, dict):
                raise NetSuiteError(400, "INVALID_CONTENT", "A line must be an object.", line_path)
            lines.append(
                self._normalize_fields(sub.fields, {}, sub.readonly, item, f"{line_path}.", ctx)
            )
        return lines

    def _normalize_value(self, kind: str, name: str, value: Any, path: str) -> Any:
        if kind.startswith("ref:"):
            return _ref(self.resolve_ref(kind[4:], value, name, path))
        if kind.startswith("select:"):
            allowed = kind[7:].split(",")
            if not isinstance(value, dict) or str(value.get("id")) not in allowed:
                # Value validation defaults to error (HC section_156570709583).
                raise invalid_field_value(value, name.lower(), path)
            return {"id": str(value["id"])}
        ok = {
            "text": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "date": isinstance(value, str),
        }.get(kind)
        if kind in ("money", "number", "rate"):
            if isinstance(value, bool) or not isinstance(value, int | Decimal):
                raise invalid_field_value(value, name.lower(), path)
            return Decimal(value)
        if not ok:
            raise invalid_field_value(value, name.lower(), path)
        if kind == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                raise invalid_field_value(value, name.lower(), path) from None
        return value

    def resolve_ref(self, table: str, value: Any, name: str, path: str) -> int:
        """``{"id": …}`` (string or number) or ``{"externalId": …}`` -> an existing id."""
        shown: Any = value
        if isinstance(value, dict):
            if value.get("id") is not None:
                raw = value["id"]
                shown = raw
                if isinstance(raw, int | str) and not isinstance(raw, bool) and str(raw).isdigit():
                    row = self.store.one(f'SELECT id FROM "{table}" WHERE id = ?', (int(raw),))
                    if row is not None:
                        return int(row[0])
            elif isinstance(value.get("externalId"), str):
                shown = value["externalId"]
                row = self.store.one(
                    f'SELECT id FROM "{table}" WHERE externalid = ?', (value["externalId"],)
                )
                if row is not None:
                    return int(row[0])
        raise invalid_field_value(shown, name.lower(), path)

    # Writing --------------------------------------------------------------------------------

    def save(
        self,
        rt: RecordType,
        record_id: int | None,
        body: Any,
        ctx: WriteContext,
        external_id: str | None = None,
    ) -> int:
        """Create (``record_id`` None) or update a record; return its id."""
        with self.store.transaction():
            if not self.settings.tax_engine:
                body = _drop_tax_fields(body, ctx)
            incoming = self.normalize(rt, body, ctx)
            if external_id is not None:
                given = incoming.get("externalId")
                if given is not None and given != external_id:
                    raise NetSuiteError(
                        400,
                        "INVALID_CONTENT",
                        "The externalId in the body does not match the one in the URL.",
                        "externalId",
                    )
                incoming["externalId"] = external_id
            existing = self.store.get_doc(rt.recordtype, record_id) if record_id else {}
            doc = merge_doc(rt, existing or {}, incoming, ctx.replace)
            for required in rt.required:
                if doc.get(required) is None:
                    raise user_error(f"Please enter value(s) for: {required}", required)
            eid = doc.get("externalId")
            if eid is not None:
                owner = self.store.id_for_external(rt.recordtype, eid)
                if owner is not None and owner != record_id:
                    raise user_error("This entity already exists.", "externalId")
            if record_id is None:
                record_id = self.store.next_id(rt.family)
            now = self.clock.iso_timestamp()
            if rt.is_transaction:
                ids = self._save_transaction(rt, record_id, doc, existing or {}, now, ctx)
            else:
                ids = self._save_customer(rt, record_id, doc, existing or {}, now)
            touched: set[RecordKey] = {(rt.family, i) for i in ids}
            window = ctx.window if self.settings.record_conflicts else None
            if window is not None and self.saves.conflicts(window, touched):
                raise record_changed(self.settings.record_changed_code)  # rolls the save back
        if window is not None:
            self.saves.saved(window, touched)
        return record_id

    def _save_customer(
        self,
        rt: RecordType,
        record_id: int,
        doc: dict[str, Any],
        existing: Mapping[str, Any],
        now: str,
    ) -> set[int]:
        if doc.get("isPerson"):
            if not (doc.get("firstName") or doc.get("lastName")):
                raise user_error("Please enter value(s) for: Last Name", "lastName")
            display = " ".join(p for p in (doc.get("firstName"), doc.get("lastName")) if p)
        else:
            if not doc.get("companyName"):
                raise user_error("You must enter a value for Company Name.", "companyName")
            display = doc["companyName"]
        has_tx = self.store.one(
            'SELECT 1 FROM "transaction" WHERE entity = ? LIMIT 1', (record_id,)
        )
        changed = {
            name
            for name in ("subsidiary", "currency")
            if _rid(existing.get(name)) not in (None, _rid(doc.get(name)))
        }
        if "subsidiary" in changed and has_tx:
            raise user_error(
                "You cannot change the subsidiary of a customer with transactions.", "subsidiary"
            )
        # Field help of customer.currency: "This customer's currency cannot be changed after
        # transactions for this customer have been saved" (and, contradicting it, "You can
        # change the currency ... at any time"): a setting. New currencies go to currencyList.
        frozen = self.settings.customer_currency_change == "frozen"
        if frozen and "currency" in changed and has_tx:
            raise user_error(
                "You cannot change the primary currency of a customer that has transactions. "
                "Add the currency to the customer's currency list instead.",
                "currency",
            )
        doc["entityId"] = self._entity_id(record_id, doc, existing, display)
        doc["dateCreated"] = existing.get("dateCreated", now)
        doc["lastModifiedDate"] = now
        self.store.conn.execute("DELETE FROM customer WHERE id = ?", (record_id,))
        self.store.insert(
            "customer",
            {
                "id": record_id,
                "entityid": doc["entityId"],
                "altname": display,
                "companyname": doc.get("companyName"),
                "firstname": doc.get("firstName"),
                "lastname": doc.get("lastName"),
                "isperson": "T" if doc.get("isPerson") else "F",
                "email": doc.get("email"),
                "phone": doc.get("phone"),
                "externalid": doc.get("externalId"),
                "subsidiary": _rid(doc.get("subsidiary")),
                "currency": _rid(doc.get("currency")),
                "receivablesaccount": _rid(doc.get("receivablesAccount")),
                "creditlimit": _text(doc.get("creditLimit")),
                "isinactive": "T" if doc.get("isInactive") else "F",
                "datecreated": doc["dateCreated"],
                "lastmodifieddate": now,
            },
        )
        self.store.put_doc(rt.recordtype, record_id, doc)
        return {record_id}

    def _entity_id(
        self, record_id: int, doc: dict[str, Any], existing: Mapping[str, Any], display: str
    ) -> str:
        """The customer's entityId (Customer ID), which must be unique among customers.

        Field help of customer.entityid: "If you use Auto-Generated Numbering, the customer
        number or code fills here"; a client keeps its own ID by sending ``autoName: false``
        with it (getlago/lago-api PR #3286). Without auto-numbering the name fills in.
        """
        given = doc.get("entityId")
        if self.settings.customer_auto_numbering and not (doc.get("autoName") is False and given):
            doc["autoName"] = True
            if existing.get("autoName") is True and existing.get("entityId"):
                return str(existing["entityId"])
            return str(self.store.next_id("customer_number", floor=1))
        entity_id = str(given or display)
        taken = self.store.one(
            "SELECT 1 FROM customer WHERE entityid = ? AND id != ?", (entity_id, record_id)
        )
        if taken:
            # SOAP DUP_ENTITY "This entity already exists." (HC section_N3539978).
            raise user_error(
                f"This entity already exists. Customer ID {entity_id} belongs to another customer.",
                "entityId",
            )
        return entity_id

    def _save_transaction(
        self,
        rt: RecordType,
        tx_id: int,
        doc: dict[str, Any],
        existing: Mapping[str, Any],
        now: str,
        ctx: WriteContext,
    ) -> set[int]:
        store = self.store
        tran_type = str(rt.tran_type)
        cust_field = entity_field(rt)
        customer = None
        if cust_field:
            customer = store.one("SELECT * FROM customer WHERE id = ?", (_rid(doc[cust_field]),))
            assert customer is not None  # resolve_ref checked it exists
            if customer["isinactive"] == "T":
                # "the inactive customer does not show on transactions for selection in lists"
                # (HC section_1515598204), so REST refuses it as a value: UNVERIFIED wording.
                raise invalid_field_value(customer["id"], cust_field.lower(), cust_field)
            if customer["subsidiary"] is None:
                raise user_error(
                    f"The customer {customer['entityid']} has no subsidiary. Assign a "
                    "subsidiary to the customer before entering transactions.",
                    cust_field,
                )
            sub_id = _rid(doc.get("subsidiary")) or int(customer["subsidiary"])
            if sub_id != int(customer["subsidiary"]):
                raise user_error(
                    "The subsidiary of the transaction must be the customer's subsidiary.",
                    "subsidiary",
                )
        else:
            sub_id = int(_rid(doc["subsidiary"]) or 0)
        subsidiary = store.one("SELECT * FROM subsidiary WHERE id = ?", (sub_id,))
        assert subsidiary is not None
        doc["subsidiary"] = _ref(sub_id)

        # Currency: the customer's primary currency by default; it must be one the customer
        # may use (primary or currencyList). That rule is common knowledge, UNVERIFIED.
        cur_id = _rid(doc.get("currency"))
        if cur_id is None:
            cur_id = (customer["currency"] if customer else None) or subsidiary["currency"]
        if cur_id is None:
            raise user_error("Please enter value(s) for: Currency", "currency")
        cur_id = int(cur_id)
        if customer is not None and customer["currency"] is not None:
            allowed = {int(customer["currency"])}
            cust_doc = store.get_doc("customer", int(customer["id"])) or {}
            allowed |= {
                _rid(line.get("currency")) or 0 for line in cust_doc.get("currencyList", [])
            }
            if cur_id not in allowed:
                raise user_error(
                    f"The currency {cur_id} is not a currency of customer {customer['entityid']}.",
                    "currency",
                )
        currency = store.one("SELECT * FROM currency WHERE id = ?", (cur_id,))
        assert currency is not None
        doc["currency"] = _ref(cur_id)
        precision = int(
            currency["currencyprecision"] if currency["currencyprecision"] is not None else 2
        )
        if doc.get("exchangeRate") is None:
            doc["exchangeRate"] = default_exchange_rate(store, cur_id, subsidiary["currency"])
        elif doc["exchangeRate"] <= 0:
            raise invalid_field_value(doc["exchangeRate"], "exchangerate", "exchangeRate")

        tran_date = date.fromisoformat(doc.get("tranDate") or self.clock.today().isoformat())
        doc["tranDate"] = tran_date.isoformat()
        period_id, period_warnings = choose_period(
            self.periods(),
            tran_date,
            _rid(doc.get("postingPeriod")),
            ar=rt.name != "journalEntry",
            today=self.clock.today(),
            date_mismatch=self.settings.date_period_mismatch,
            default_if_closed=self.settings.default_period_if_closed,
        )
        ctx.warnings.extend(period_warnings)
        doc["postingPeriod"] = _ref(period_id)
        doc.setdefault("tranId", f"{rt.tranid_prefix}{tx_id}")

        lines, applies = self._amounts(rt, tx_id, doc, customer, cur_id, precision)
        total = lines.total

        doc["createdDate"] = existing.get("createdDate", now)
        doc["lastModifiedDate"] = now
        store.put_doc(rt.recordtype, tx_id, doc)
        store.conn.execute('DELETE FROM "transaction" WHERE id = ?', (tx_id,))
        store.insert(
            "transaction",
            {
                "id": tx_id,
                "tranid": doc["tranId"],
                "trandate": doc["tranDate"],
                "duedate": doc.get("dueDate"),
                "type": tran_type,
                "recordtype": rt.recordtype,
                "entity": int(customer["id"]) if customer else None,
                "externalid": doc.get("externalId"),
                "currency": cur_id,
                "exchangerate": _text(doc["exchangeRate"]),
                "foreigntotal": _text(total),
                "subsidiary": sub_id,
                "postingperiod": period_id,
                "department": _rid(doc.get("department")),
                "class": _rid(doc.get("class")),
                "location": _rid(doc.get("location")),
                "memo": doc.get("memo"),
                "otherrefnum": doc.get("otherRefNum"),
                "createddate": doc["createdDate"],
                "lastmodifieddate": now,
            },
        )
        store.conn.execute('DELETE FROM transactionline WHERE "transaction" = ?', (tx_id,))
        for row in lines.rows:
            # netamount is in the subsidiary's base currency.
            net = ar.quantize(Decimal(row["foreignamount"]) * doc["exchangeRate"], 2)
            store.insert(
                "transactionline",
                {"transaction": tx_id, "subsidiary": sub_id, "netamount": _text(net), **row},
            )

        old_docs = {
            int(r[0])
            for r in store.all(
                "SELECT previousdoc FROM nexttransactionlinelink WHERE nextdoc = ?", (tx_id,)
            )
        }
        store.conn.execute("DELETE FROM nexttransactionlinelink WHERE nextdoc = ?", (tx_id,))
        paths: dict[int, str] = {}
        for index, (doc_id, doc_type, amount) in enumerate(applies):
            paths[doc_id] = f"apply.items[{index}].amount"
            store.insert(
                "nexttransactionlinelink",
                {
                    "previousdoc": doc_id,
                    "previousline": 0,
                    "previoustype": doc_type,
                    "nextdoc": tx_id,
                    "nextline": 0,
                    "nexttype": tran_type,
                    "linktype": {
                        "CustPymt": "Payment",
                        "CustCred": "Credit",
                        "CustRfnd": "Refund",
                    }.get(tran_type),
                    "foreignamount": _text(amount),
                    "linkdate": doc["tranDate"],
                },
            )
        touched = {tx_id} | old_docs | set(paths)
        left = refresh_amounts(store, touched, now, saved={tx_id: doc})
        for doc_id in sorted(touched):
            if left.get(doc_id, ar.ZERO) < 0:
                label = self._label(doc_id)
                if doc_id == tx_id:
                    path = "payment" if rt.name == "customerPayment" else "apply"
                    if not applies:
                        path = "item"
                else:
                    path = paths.get(doc_id, "item")
                raise ar.over_applied(label, left[doc_id], path)
        return touched

    def _label(self, tx_id: int) -> str:
        row = self.store.one('SELECT type, tranid FROM "transaction" WHERE id = ?', (tx_id,))
        if row is None:
            return str(tx_id)
        return f"{ar.TYPE_NAMES.get(row['type'], row['type'])} #{row['tranid']}"

    def _amounts(
        self,
        rt: RecordType,
        tx_id: int,
        doc: dict[str, Any],
        customer: sqlite3.Row | None,
        cur_id: int,
        precision: int,
    ) -> tuple[LineProjection, list[tuple[int, str, Decimal]]]:
        """Compute the total, the transactionline rows and the applications of a transaction."""
        store = self.store
        proj = LineProjection()
        entity = int(customer["id"]) if customer else None
        if "item" in rt.sublists:
            lines = doc.get("item") or []
            if not lines:
                raise user_error(
                    "You must enter at least one line item for this transaction.", "item"
                )
            for index, line in enumerate(lines):
                if line.get("item") is None:
                    raise user_error("Please enter value(s) for: Item", f"item.items[{index}].item")
                try:
                    amount = ar.line_amount(line, precision)
                except NetSuiteError as err:
                    err.path = f"item.items[{index}].amount"
                    raise
                line["amount"] = amount
                line.setdefault("quantity", Decimal(1))
                if line.get("rate") is None:
                    line["rate"] = amount
                proj.total += amount
            tax = self._engine_tax(doc, lines, precision)
            proj.total += tax
            if proj.total < 0:
                raise user_error("The total of a transaction cannot be negative.", "item")
            sign = Decimal(1) if rt.name == "invoice" else Decimal(-1)
            ar_account = _rid(doc.get("account")) or _first_account(store, "AcctRec")
            proj.add(0, account=ar_account, entity=entity, amount=sign * proj.total, mainline=True)
            for line in lines:
                item = store.one(
                    "SELECT incomeaccount FROM item WHERE id = ?", (_rid(line["item"]),)
                )
                proj.add(
                    int(line["line"]),
                    item=_rid(line["item"]),
                    account=item["incomeaccount"] if item else None,
                    entity=entity,
                    amount=-sign * line["amount"],
                    quantity=line["quantity"],
                    rate=line["rate"],
                    memo=line.get("description"),
                    dims=line,
                    closed=line.get("isClosed"),
                )
            if tax:
                last = max(int(line["line"]) for line in lines)
                proj.add(last + 1, amount=-sign * tax, entity=entity, memo="Tax (SuiteTax)")
        elif rt.name == "journalEntry":
            lines = doc.get("line") or []
            proj.total = ar.journal_total(lines)
            for line in lines:
                debit = line.get("debit")
                credit = line.get("credit")
                proj.add(
                    int(line["line"]),
                    account=_rid(line["account"]),
                    entity=_rid(line.get("entity")),
                    amount=Decimal(debit) if debit else -Decimal(credit or 0),
                    debit=debit,
                    credit=credit,
                    memo=line.get("memo"),
                    dims=line,
                )
        elif rt.name == "customerPayment":
            payment = doc["payment"]
            if payment < 0:
                raise invalid_field_value(payment, "payment", "payment")
            proj.total = ar.quantize(payment, precision)
            doc["payment"] = proj.total
            account = self._deposit_account(doc)
            proj.add(0, account=account, entity=entity, amount=proj.total, mainline=True)

        applies: list[tuple[int, str, Decimal]] = []
        if "apply" in rt.sublists:
            budget = None if rt.name == "customerRefund" else proj.total
            applies = self._applications(rt, tx_id, doc, entity, cur_id, precision, budget)
            applied = sum((a for _, _, a in applies), ar.ZERO)
            if rt.name == "customerRefund":
                if not applies:
                    raise user_error(
                        "You must enter at least one line item for this transaction.", "apply"
                    )
                proj.total = applied
                account = _rid(doc.get("account")) or _first_account(store, "Bank")
                proj.add(0, account=account, entity=entity, amount=-applied, mainline=True)
            elif applied > proj.total:
                raise ar.over_applied(
                    f"{ar.TYPE_NAMES[str(rt.tran_type)]} #{doc['tranId']}",
                    proj.total - applied,
                    "apply",
                )
        return proj, applies

    def _deposit_account(self, doc: dict[str, Any]) -> int | None:
        """Where a customer payment's money goes: Undeposited Funds or ``account``.

        Undep. Funds T overrides the payment's other accounts; F needs an account ("If you
        import customer payment records with a value of False for the Undep. Funds field, you
        must supply an account", HC section_N410731; SOAP precedence, HC bridgehead_N3668159).
        Omitted, it takes the account's default (a setting): T then sends the money to
        Undeposited Funds whatever ``account`` says.
        """
        undeposited = _first_account(self.store, "OthCurrAsset")
        given = doc.get("undepFunds")
        if given is None:
            chosen = "T" if self.settings.default_undep_funds or not doc.get("account") else "F"
            doc["undepFunds"] = {"id": chosen}
        elif given["id"] == "F" and not doc.get("account"):
            raise user_error("Please enter value(s) for: Account", "account")
        if doc["undepFunds"]["id"] == "T":
            if undeposited is not None:
                doc["account"] = _ref(undeposited)
            return undeposited
        return _rid(doc["account"])

    def _engine_tax(
        self, doc: dict[str, Any], lines: list[dict[str, Any]], precision: int
    ) -> Decimal:
        """The tax NetSuite's own engine adds to an invoice or credit memo (SuiteTax on).

        A line is taxed at its ``taxCode``, else at its item's default code; a record with
        ``taxDetailsOverride`` carries only the tax details it was given (none here).
        """
        if not self.settings.tax_engine:
            return ar.ZERO
        tax = ar.ZERO
        for index, line in enumerate(lines):
            code = _rid(line.get("taxCode"))
            if code is not None:
                row = self.store.one(
                    "SELECT rate FROM item WHERE id = ? AND itemtype IN ('TaxItem', 'TaxGroup')",
                    (code,),
                )
                if row is None:
                    raise invalid_field_value(code, "taxcode", f"item.items[{index}].taxCode")
            else:
                row = self.store.one(
                    "SELECT t.rate FROM item i JOIN item t ON t.id = i.salestaxcode WHERE i.id = ?",
                    (_rid(line["item"]),),
                )
            if doc.get("taxDetailsOverride") or row is None or row["rate"] is None:
                continue
            tax += ar.quantize(line["amount"] * Decimal(row["rate"]) / 100, precision)
        doc["taxTotal"] = tax
        return tax

    def _applications(
        self,
        rt: RecordType,
        tx_id: int,
        doc: dict[str, Any],
        entity: int | None,
        cur_id: int,
        precision: int,
        budget: Decimal | None,
    ) -> list[tuple[int, str, Decimal]]:
        """Validate apply lines; an omitted amount applies what is left (within ``budget``).

        With Auto Apply, what the lines leave of ``budget`` goes to the customer's oldest open
        invoices ("Check this box to automatically apply payments to the oldest open
        receivable", SuiteScript records browser, customerpayment/creditmemo ``autoapply``);
        omitted, Auto Apply takes the account's default (a setting).
        """
        store = self.store
        lines = doc.get("apply") or []
        auto = doc.get("autoApply")
        if auto is None and "autoApply" in rt.fields:
            auto = doc["autoApply"] = self.settings.default_auto_apply
        kept: list[dict[str, Any]] = []
        applies: list[tuple[int, str, Decimal]] = []
        for index, line in enumerate(lines):
            path = f"apply.items[{index}]"
            doc_id = int(_rid(line["doc"]) or 0)
            target = store.one('SELECT * FROM "transaction" WHERE id = ?', (doc_id,))
            if target is None or target["type"] not in APPLY_TARGETS[rt.recordtype]:
                raise invalid_field_value(doc_id, "doc", f"{path}.doc")
            # A payment, credit or refund applies only to its own customer's documents: "NetSuite
            # does not allow payments to be applied across multiple unrelated customer records"
            # (Paystand support 37721494810395); a parent reaches sub-customers' invoices only
            # with the Consolidated Payments feature (suiterep.com 2023-11-07), which needs
            # NetSuite sub-customers the connector does not create.
            if target["entity"] != entity:
                raise user_error(
                    f"{self._label(doc_id)} belongs to another customer.", f"{path}.doc"
                )
            if int(target["currency"]) != cur_id:
                raise user_error(f"{self._label(doc_id)} is in another currency.", f"{path}.doc")
            if line.get("apply") is False:
                continue
            amount = line.get("amount")
            if amount is None:
                amount = _left_excluding(store, doc_id, tx_id)
                if budget is not None:
                    amount = max(ar.ZERO, min(amount, budget - sum(a for _, _, a in applies)))
            amount = ar.quantize(Decimal(amount), precision)
            if amount < 0:
                raise invalid_field_value(amount, "amount", f"{path}.amount")
            if amount == 0:
                continue
            line["amount"] = amount
            line["apply"] = True
            kept.append(line)
            applies.append((doc_id, str(target["type"]), amount))
        if auto and budget is not None:
            named = {int(_rid(line["doc"]) or 0) for line in lines}
            rest = budget - sum((a for _, _, a in applies), ar.ZERO)
            for line in self._auto_apply(tx_id, entity, cur_id, rest, named):
                kept.append(line)
                applies.append((int(line["doc"]["id"]), "CustInvc", line["amount"]))
        doc["apply"] = kept
        return applies

    def _auto_apply(
        self, tx_id: int, entity: int | None, cur_id: int, budget: Decimal, skip: set[int]
    ) -> list[dict[str, Any]]:
        """Apply ``budget`` to the customer's oldest open invoices (but those in ``skip``)."""
        lines: list[dict[str, Any]] = []
        rows = self.store.all(
            "SELECT id FROM \"transaction\" WHERE type = 'CustInvc' AND entity = ? "
            "AND currency = ? ORDER BY trandate, id",
            (entity, cur_id),
        )
        for row in rows:
            if budget <= 0:
                break
            if int(row[0]) in skip:
                continue
            left = _left_excluding(self.store, int(row[0]), tx_id)
            if left > 0:
                amount = min(left, budget)
                budget -= amount
                lines.append(
                    {
                        "doc": _ref(int(row[0])),
                        "apply": True,
                        "amount": amount,
                        "line": len(lines) + 1,
                    }
                )
        return lines

    def transform(
        self, rt: RecordType, source_id: int, target_name: str, body: Any, ctx: WriteContext
    ) -> tuple[RecordType, int]:
        """``POST /invoice/{id}/!transform/customerPayment|creditMemo``: a new record that
        starts from the invoice (customer, currency, subsidiary, lines) and applies to it."""
        target = record_type(target_name)
        if (
            rt.name != "invoice"
            or target is None
            or target.name
            not in (
                "customerPayment",
                "creditMemo",
            )
        ):
            raise NetSuiteError(
                400, "INVALID_REQUEST", f"Cannot transform {rt.name} into {target_name}."
            )
        if not isinstance(body, dict):
            raise NetSuiteError(400, "INVALID_CONTENT", "The request body must be a JSON object.")
        invoice = self.store.get_doc("invoice", source_id) or {}
        row = self.store.one(
            'SELECT foreignamountremaining FROM "transaction" WHERE id = ?', (source_id,)
        )
        left = Decimal(row[0]) if row and row[0] is not None else ar.ZERO
        base: dict[str, Any] = {
            "currency": invoice["currency"],
            "subsidiary": invoice["subsidiary"],
            "apply": {"items": [{"doc": _ref(source_id), "apply": True}]},
        }
        if target.name == "customerPayment":
            base["customer"] = invoice["entity"]
            base["payment"] = left
        else:
            base["entity"] = invoice["entity"]
            copied = ("item", "quantity", "rate", "amount", "description", *DIMENSIONS)
            base["item"] = {
                "items": [
                    {k: v for k, v in line.items() if k in copied}
                    for line in invoice.get("item", [])
                ]
            }
        given = {str(k).lower() for k in body}
        merged = {k: v for k, v in base.items() if k.lower() not in given} | body
        return target, self.save(target, None, merged, ctx)

    def delete(self, rt: RecordType, record_id: int) -> None:
        """Delete a record unless other records depend on it."""
        store = self.store
        with store.transaction():
            if rt.is_transaction:
                if store.one(
                    "SELECT 1 FROM nexttransactionlinelink WHERE previousdoc = ?", (record_id,)
                ):
                    raise user_error(
                        "This record cannot be deleted because it has dependent records."
                    )
                # Deleting a transaction changes its period's books, which a closed or
                # locked period forbids (the REST wording is UNVERIFIED, as for posting).
                row = store.one(
                    'SELECT postingperiod FROM "transaction" WHERE id = ?', (record_id,)
                )
                period = next(
                    (p for p in load_periods(store) if row and p.id == row["postingperiod"]),
                    None,
                )
                blocked = period.blocks(ar=rt.name != "journalEntry") if period else None
                if blocked:
                    raise user_error(f"You cannot delete this transaction. {blocked}")
                touched = {
                    int(r[0])
                    for r in store.all(
                        "SELECT previousdoc FROM nexttransactionlinelink WHERE nextdoc = ?",
                        (record_id,),
                    )
                }
                store.conn.execute(
                    "DELETE FROM nexttransactionlinelink WHERE nextdoc = ?", (record_id,)
                )
                store.conn.execute(
                    'DELETE FROM transactionline WHERE "transaction" = ?', (record_id,)
                )
                store.conn.execute('DELETE FROM "transaction" WHERE id = ?', (record_id,))
                refresh_amounts(store, touched, self.clock.iso_timestamp())
            else:
                if store.one('SELECT 1 FROM "transaction" WHERE entity = ?', (record_id,)):
                    raise user_error(
                        "This record cannot be deleted because it has dependent records."
                    )
                store.conn.execute("DELETE FROM customer WHERE id = ?", (record_id,))
            store.delete_doc(rt.recordtype, record_id)

    # Reading --------------------------------------------------------------------------------

    def render(self, rt: RecordType, record_id: int, base_url: str, expand: bool) -> dict[str, Any]:
        """The GET body: camelCase fields, references as ``{id, refName, links}``."""
        doc = self.store.get_doc(rt.recordtype, record_id)
        if doc is None:
            raise not_found()
        self_url = f"{base_url}/services/rest/record/v1/{rt.name}/{record_id}"
        out: dict[str, Any] = {"links": [{"rel": "self", "href": self_url}]}
        for name, kind in rt.fields.items():
            if doc.get(name) is not None:
                out[name] = self._render_value(kind, doc[name], base_url)
        out["id"] = str(record_id)
        for stamp in ("createdDate", "dateCreated", "lastModifiedDate"):
            if stamp in doc:
                out[stamp] = doc[stamp]
        if rt.is_transaction:
            out.update(self._computed(rt, record_id))
        for name, sub in rt.sublists.items():
            sub_url = f"{self_url}/{name}"
            if not expand:
                out[name] = {"links": [{"rel": "self", "href": sub_url}]}
                continue
            lines = self.sublist_lines(rt, record_id, name, doc)
            out[name] = self.render_sublist(sub, lines, sub_url, base_url)
        return out

    def sublist_lines(
        self, rt: RecordType, record_id: int, name: str, doc: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """A sublist's lines as GET shows them.

        An ``apply`` sublist also lists the customer's other open documents in its currency,
        not applied, as the Apply subtab does: "Some sublists on particular records can even
        contain pre-generated lines" (HC chapter_1545142407); applyList is keyed by ``doc``
        (HC section_N3441570). Sent back as read, those lines stay unapplied.
        """
        lines = list(doc.get(name) or [])
        if name != "apply" or rt.recordtype not in APPLY_TARGETS:
            return lines
        row = self.store.one(
            'SELECT entity, currency FROM "transaction" WHERE id = ?', (record_id,)
        )
        if row is None:
            return lines
        listed = {_rid(line.get("doc")) for line in lines}
        types = sorted(APPLY_TARGETS[rt.recordtype])
        marks = ", ".join("?" for _ in types)
        for other in self.store.all(
            f'SELECT id, foreignamountremaining FROM "transaction" WHERE entity = ? '
            f"AND currency = ? AND type IN ({marks}) ORDER BY trandate, id",
            (row["entity"], row["currency"], *types),
        ):
            left = Decimal(other["foreignamountremaining"] or 0)
            if int(other["id"]) not in listed and left > 0:
                lines.append({"doc": _ref(int(other["id"])), "apply": False, "amount": ar.ZERO})
        return lines

    def render_sublist(
        self, sub: Sublist, lines: list[dict[str, Any]], sub_url: str, base_url: str
    ) -> dict[str, Any]:
        """An expanded sublist: ``{links, items, count, totalResults, hasMore, offset}``."""
        items = []
        for line in lines:
            item: dict[str, Any] = {"links": []}
            for name, kind in sub.fields.items():
                if line.get(name) is not None:
                    item[name] = self._render_value(kind, line[name], base_url)
            if "doc" in line:
                row = self.store.one(
                    'SELECT tranid, foreigntotal, foreignamountremaining FROM "transaction" '
                    "WHERE id = ?",
                    (_rid(line["doc"]),),
                )
                if row is not None:
                    item["refNum"] = row["tranid"]
                    item["total"] = Decimal(row["foreigntotal"])
                    item["due"] = Decimal(row["foreignamountremaining"] or 0)
            items.append(item)
        return {
            "links": [{"rel": "self", "href": sub_url}],
            "items": items,
            "totalResults": len(items),
            "count": len(items),
            "hasMore": False,
            "offset": 0,
        }

    def _render_value(self, kind: str, value: Any, base_url: str) -> Any:
        if not kind.startswith("ref:"):
            return value
        table = kind[4:]
        ref_id = int(value["id"])
        row = self.store.one(f"{display_name_query(table)} WHERE id = ?", (ref_id,))
        ref_name = None if row is None else display_name(table, row)
        url_type = REF_URL_TYPE[table]
        if table == "transaction" and row is not None:
            rec = self.store.one('SELECT recordtype FROM "transaction" WHERE id = ?', (ref_id,))
            url_type = _url_type_of(str(rec[0])) if rec else url_type
        out: dict[str, Any] = {
            "id": str(ref_id),
            "links": [
                {"rel": "self", "href": f"{base_url}/services/rest/record/v1/{url_type}/{ref_id}"}
            ],
        }
        if ref_name is not None:
            out["refName"] = ref_name
        return out

    def _computed(self, rt: RecordType, tx_id: int) -> dict[str, Any]:
        row = self.store.one('SELECT * FROM "transaction" WHERE id = ?', (tx_id,))
        assert row is not None
        total = Decimal(row["foreigntotal"])
        out: dict[str, Any] = {"total": total}
        left = Decimal(row["foreignamountremaining"] or 0)
        if rt.name == "invoice":
            out["amountRemaining"] = left
            out["amountPaid"] = Decimal(row["foreignamountpaid"] or 0)
        elif rt.name in ("creditMemo", "customerPayment"):
            out["applied"] = total - left
            out["unapplied"] = left
            if rt.name == "creditMemo":
                out["amountRemaining"] = left
        if row["status"]:
            names = ar.STATUS_NAMES.get(row["type"], {})
            out["status"] = {"id": row["status"], "refName": names.get(row["status"], "")}
        return out

    def list_ids(self, rt: RecordType, q: str | None) -> list[int]:
        """Ids of the records matching a collection ``q`` filter (all of them without one)."""
        ids = self.store.ids_of(rt.recordtype)
        if not q:
            return ids
        predicate = parse_filter(q)  # ValueError -> INVALID_PARAMETER in the API layer
        matched = []
        for record_id in ids:
            doc = self.store.get_doc(rt.recordtype, record_id) or {}
            values: dict[str, Any] = {"id": str(record_id)}
            for key, value in doc.items():
                if isinstance(value, dict) and "id" in value:
                    values[key.lower()] = str(value["id"])
                elif not isinstance(value, list):
                    values[key.lower()] = value
            if rt.is_transaction:
                for key, value in self._computed(rt, record_id).items():
                    if not isinstance(value, dict):
                        values[key.lower()] = value
            if predicate(values):
                matched.append(record_id)
        return matched


@dataclass
class LineProjection:
    """The ``transactionline`` rows of one transaction, and its total."""

    total: Decimal = ar.ZERO
    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        line_id: int,
        *,
        amount: Decimal,
        account: int | None = None,
        item: int | None = None,
        entity: int | None = None,
        quantity: Decimal | None = None,
        rate: Decimal | None = None,
        debit: Decimal | None = None,
        credit: Decimal | None = None,
        memo: str | None = None,
        dims: Mapping[str, Any] | None = None,
        mainline: bool = False,
        closed: bool | None = None,
    ) -> None:
        """One line. Amounts carry the GL sign (credits negative), as NetSuite's lines do
        (the sign convention is not in our reference: UNVERIFIED)."""
        dims = dims or {}
        self.rows.append(
            {
                "id": line_id,
                "linesequencenumber": line_id,
                "mainline": "T" if mainline else "F",
                "item": item,
                "account": account,
                "entity": entity,
                "department": _rid(dims.get("department")),
                "class": _rid(dims.get("class")),
                "location": _rid(dims.get("location")),
                "quantity": _text(quantity),
                "rate": _text(rate),
                "foreignamount": _text(amount),
                "debitforeignamount": _text(debit),
                "creditforeignamount": _text(credit),
                "memo": memo,
                "isclosed": "T" if closed else "F",
            }
        )


def _drop_tax_fields(body: Any, ctx: WriteContext) -> Any:
    """Without SuiteTax the tax fields are not on the record: unknown names, handled as the
    X-NetSuite-PropertyNameValidation header says (HC section_156570709583)."""
    if not isinstance(body, dict):
        return body
    names = {name.lower() for name in TAX_FIELDS}
    found = [(str(key), str(key)) for key in body if str(key).lower() in names]
    items = body.get("item", {}).get("items") if isinstance(body.get("item"), dict) else None
    lines = items if isinstance(items, list) else []
    for index, line in enumerate(lines):
        if isinstance(line, dict):
            found += [(str(k), f"item.items[{index}].{k}") for k in line if str(k).lower() in names]
    if not found:
        return body
    name, path = found[0]
    if ctx.name_validation == "error":
        raise NetSuiteError(
            400,
            "INVALID_CONTENT",
            f"Error while accessing a resource. Unknown field '{name}'.",
            path,
        )
    if ctx.name_validation == "warning":
        ctx.warnings.extend(
            f"Unknown field '{n}' was ignored." for n in sorted({n for n, _ in found})
        )
    kept = {k: v for k, v in body.items() if str(k).lower() not in names}
    if lines:
        kept["item"] = {
            **body["item"],
            "items": [
                {k: v for k, v in line.items() if str(k).lower() not in names}
                if isinstance(line, dict)
                else line
                for line in lines
            ],
        }
    return kept


def _text(value: Any) -> str | None:
    """A number as SuiteQL prints it: plain digits, no trailing zeros (assumption: the
    reference shows only whole numbers). Other values as ``str``."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return None if value is None else str(value)


def _url_type_of(recordtype: str) -> str:
    rt = RECORD_TYPES.get(recordtype)
    return rt.name if rt else recordtype


def _first_account(store: Store, acct_type: str) -> int | None:
    row = store.one("SELECT id FROM account WHERE accttype = ? ORDER BY id LIMIT 1", (acct_type,))
    return None if row is None else int(row[0])


def check_eid(value: str) -> str:
    """Validate an ``eid:`` value from a URL: letters, digits, ``_`` and ``-`` only."""
    if not EID_PATTERN.match(value):
        raise NetSuiteError(
            400,
            "INVALID_REQUEST",
            f"Invalid external ID '{value}' in the URL: use letters, digits, '_' and '-' only "
            '(use ?q=externalId IS "…" for other characters).',
        )
    return value


# Where a record keeps the highest line number each sublist ever had (never shown on GET).
LINE_SEQ = "_lineSeq"


def merge_doc(
    rt: RecordType,
    existing: Mapping[str, Any],
    incoming: Mapping[str, Any],
    replace: frozenset[str],
) -> dict[str, Any]:
    """Apply an update: given fields replace, ``null`` clears, sublists merge by their key."""
    doc = dict(existing)
    seqs = dict(existing.get(LINE_SEQ) or {})
    for name, value in incoming.items():
        if name in rt.sublists:
            old = doc.get(name) or []
            high = max([int(seqs.get(name, 0))] + [int(x.get("line") or 0) for x in old])
            doc[name], seqs[name] = merge_lines(
                rt.sublists[name], old, value, name.lower() in replace, high
            )
        elif value is None:
            doc.pop(name, None)
        else:
            doc[name] = value
    if seqs:
        doc[LINE_SEQ] = seqs
    return doc


def merge_lines(
    sub: Sublist,
    old: list[dict[str, Any]],
    new: list[dict[str, Any]] | None,
    replace: bool,
    high: int = 0,
) -> tuple[list[dict[str, Any]], int]:
    """Merge sublist lines; return them and the highest line number used so far.

    A line whose key matches an existing line updates it, any other is added; with
    ``replace`` the existing lines no incoming line matches are removed (HC
    section_1545295601 "Updating a Sublist", section_1545297048 "Replacing a Sublist").
    NetSuite numbers new lines itself and never renumbers or reuses a number, so after
    edits the numbers are not 1..N (HC section_N3443715 "Sublist Line Numbers": 1, 8, 9).
    """
    if new is None:
        return [], high
    existing = [dict(line) for line in old]
    lines = [] if replace else list(existing)
    kept: set[int] = {id(line) for line in lines}
    for incoming in new:
        key = incoming.get(sub.key)
        match = None
        if key is not None:
            match = next((line for line in existing if line.get(sub.key) == key), None)
        if match is not None:
            for name, value in incoming.items():
                if value is None:
                    match.pop(name, None)
                else:
                    match[name] = value
            if id(match) not in kept:
                kept.add(id(match))
                lines.append(match)
            continue
        line = {k: v for k, v in incoming.items() if v is not None}
        if sub.key == "line" or "line" not in line:
            high += 1
            line["line"] = high
        else:
            high = max(high, int(line["line"]))
        for required in sub.required:
            if line.get(required) is None:
                raise user_error(f"Please enter value(s) for: {required}")
        lines.append(line)
    return lines, high


def load_periods(store: Store) -> list[Period]:
    """Every accounting period."""
    return [
        Period(
            id=int(r["id"]),
            name=r["periodname"],
            start=date.fromisoformat(r["startdate"]),
            end=date.fromisoformat(r["enddate"]),
            is_posting=r["isquarter"] != "T" and r["isyear"] != "T",
            closed=r["closed"] == "T",
            ar_locked=r["arlocked"] == "T",
            all_locked=r["alllocked"] == "T",
        )
        for r in store.all("SELECT * FROM accountingperiod")
    ]


def default_exchange_rate(store: Store, currency_id: int, base_currency_id: Any) -> Decimal:
    """Base-currency amount per foreign unit, from the currency rate table."""
    if base_currency_id is None or int(base_currency_id) == currency_id:
        return Decimal(1)
    cur = store.one("SELECT exchangerate FROM currency WHERE id = ?", (currency_id,))
    base = store.one("SELECT exchangerate FROM currency WHERE id = ?", (int(base_currency_id),))
    assert cur is not None and base is not None
    return (Decimal(cur[0]) / Decimal(base[0])).quantize(Decimal("0.00000001")).normalize()


def _left_excluding(store: Store, doc_id: int, tx_id: int) -> Decimal:
    """What a document has left, not counting applications made by ``tx_id``."""
    row = store.one('SELECT foreigntotal FROM "transaction" WHERE id = ?', (doc_id,))
    total = Decimal(row[0]) if row else ar.ZERO
    links = store.all(
        "SELECT foreignamount FROM nexttransactionlinelink "
        "WHERE (previousdoc = ? OR nextdoc = ?) AND nextdoc != ?",
        (doc_id, doc_id, tx_id),
    )
    return ar.remaining(total, (Decimal(r[0]) for r in links))


def refresh_amounts(
    store: Store,
    tx_ids: set[int],
    now: str,
    saved: Mapping[int, Mapping[str, Any]] | None = None,
) -> dict[int, Decimal]:
    """Recompute remaining amounts and statuses from the links; return what each has left.

    ``saved`` holds documents just stored with ``lastModifiedDate`` = ``now``, which need not
    be read and stored again.
    """
    saved = saved or {}
    out: dict[int, Decimal] = {}
    for tx_id in tx_ids:
        row = store.one(
            'SELECT type, recordtype, foreigntotal FROM "transaction" WHERE id = ?', (tx_id,)
        )
        if row is None:
            continue
        total = Decimal(row["foreigntotal"])
        used = [
            Decimal(r[0])
            for r in store.all(
                "SELECT foreignamount FROM nexttransactionlinelink "
                "WHERE previousdoc = ? OR nextdoc = ?",
                (tx_id, tx_id),
            )
        ]
        left = ar.remaining(total, used)
        out[tx_id] = left
        paid = total - left
        doc = saved.get(tx_id)
        if doc is None:
            doc = store.get_transaction_doc(tx_id) or {}
            if doc:
                doc["lastModifiedDate"] = now
                store.put_doc(row["recordtype"], tx_id, doc)
        deposited = (doc.get("undepFunds") or {}).get("id") == "F"
        store.conn.execute(
            'UPDATE "transaction" SET foreignamountremaining = ?, foreignamountpaid = ?, '
            "foreignamountunapplied = ?, status = ?, lastmodifieddate = ? WHERE id = ?",
            (
                _text(left),
                _text(paid) if row["type"] == "CustInvc" else None,
                _text(left) if row["type"] in ("CustCred", "CustPymt") else None,
                ar.status_of(row["type"], left, deposited=deposited),
                now,
                tx_id,
            ),
        )
    return out
