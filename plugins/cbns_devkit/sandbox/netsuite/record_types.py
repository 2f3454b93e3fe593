"""The record types the simulator serves, with their fields, references and sublists."""

from __future__ import annotations

from dataclasses import dataclass, field

# Field kinds: "text", "bool", "money", "number", "rate", "date", "int", "ref:<table>"
# where <table> is the SuiteQL table the reference must exist in, or "select:<A,B>": an
# enumerated field written as {"id": <one of A, B>} (the API browser's object with an id).
Fields = dict[str, str]

DIMENSIONS: Fields = {
    "department": "ref:department",
    "class": "ref:classification",
    "location": "ref:location",
}

ITEM_LINE: Fields = {
    "line": "int",
    "item": "ref:item",
    "quantity": "number",
    "rate": "money",
    "amount": "money",
    "description": "text",
    "isClosed": "bool",
    # Service period for revenue recognition (ARM), on invoice and credit memo item lines.
    "revRecStartDate": "date",
    "revRecEndDate": "date",
    # A tax code: a salesTaxItem, which is an item of type TaxItem (HC article_0814121722);
    # the field exists only with SuiteTax (API browser invoice-itemElement.taxCode).
    "taxCode": "ref:item",
    **DIMENSIONS,
}
# Body fields that exist only with SuiteTax (API browser invoice: taxDetailsOverride).
TAX_BODY: Fields = {"taxDetailsOverride": "bool"}
TAX_FIELDS = frozenset({"taxCode", *TAX_BODY})
APPLY_LINE: Fields = {
    "doc": "ref:transaction",
    "line": "int",
    "apply": "bool",
    "amount": "money",
    "applyDate": "date",
}
JOURNAL_LINE: Fields = {
    "line": "int",
    "account": "ref:account",
    "debit": "money",
    "credit": "money",
    "entity": "ref:customer",
    "memo": "text",
    "eliminate": "bool",
    **DIMENSIONS,
}
CURRENCY_LINE: Fields = {"currency": "ref:currency"}
APPLY_READONLY = frozenset({"links", "refNum", "total", "due", "type"})

TRANSACTION_BODY: Fields = {
    "externalId": "text",
    "tranId": "text",
    "tranDate": "date",
    "postingPeriod": "ref:accountingperiod",
    "currency": "ref:currency",
    "exchangeRate": "rate",
    "subsidiary": "ref:subsidiary",
    "memo": "text",
    "otherRefNum": "text",
    **DIMENSIONS,
}


@dataclass(frozen=True)
class Sublist:
    """A sublist: its line fields and the key that PATCH/PUT merge lines by."""

    fields: Fields
    key: str  # "line" (positional line id) or a reference field such as "doc"
    required: tuple[str, ...] = ()
    # Shown on GET, ignored (with a warning) when a client sends them back.
    readonly: frozenset[str] = frozenset({"links"})


@dataclass(frozen=True)
class RecordType:
    """One REST record type."""

    name: str  # camelCase, as in URLs and the API browser
    family: str  # "entity" or "transaction": the id space
    fields: Fields
    sublists: dict[str, Sublist] = field(default_factory=dict)
    readonly: frozenset[str] = frozenset()
    required: tuple[str, ...] = ()
    tran_type: str | None = None  # SuiteQL transaction.type
    tranid_prefix: str = ""

    @property
    def recordtype(self) -> str:
        """The lowercase record id (SuiteQL ``recordtype``)."""
        return self.name.lower()

    @property
    def is_transaction(self) -> bool:
        """Whether the record lives in the ``transaction`` table."""
        return self.family == "transaction"


_TX_READONLY = frozenset(
    {"id", "total", "status", "createdDate", "lastModifiedDate", "links", "refName"}
)

RECORD_TYPES: dict[str, RecordType] = {
    rt.recordtype: rt
    for rt in (
        RecordType(
            "customer",
            "entity",
            {
                "externalId": "text",
                "entityId": "text",
                # The "Auto" box beside Customer ID (API-browser dump schemas/customer.md).
                "autoName": "bool",
                "companyName": "text",
                "isPerson": "bool",
                "firstName": "text",
                "lastName": "text",
                "email": "text",
                "phone": "text",
                "subsidiary": "ref:subsidiary",
                "currency": "ref:currency",
                "receivablesAccount": "ref:account",
                "creditLimit": "money",
                "isInactive": "bool",
                "comments": "text",
            },
            {"currencyList": Sublist(CURRENCY_LINE, "currency", ("currency",))},
            frozenset({"id", "balance", "dateCreated", "lastModifiedDate", "links", "refName"}),
        ),
        RecordType(
            "invoice",
            "transaction",
            {
                **TRANSACTION_BODY,
                "entity": "ref:customer",
                "dueDate": "date",
                "startDate": "date",
                "endDate": "date",
                "account": "ref:account",
                **TAX_BODY,
            },
            {"item": Sublist(ITEM_LINE, "line", ("item",))},
            _TX_READONLY | {"amountRemaining", "amountPaid"},
            ("entity",),
            "CustInvc",
            "INV",
        ),
        RecordType(
            "creditMemo",
            "transaction",
            {
                **TRANSACTION_BODY,
                "entity": "ref:customer",
                "account": "ref:account",
                "autoApply": "bool",
                **TAX_BODY,
            },
            {
                "item": Sublist(ITEM_LINE, "line", ("item",)),
                "apply": Sublist(APPLY_LINE, "doc", ("doc",), APPLY_READONLY),
            },
            _TX_READONLY | {"applied", "unapplied", "amountRemaining"},
            ("entity",),
            "CustCred",
            "CM",
        ),
        RecordType(
            "customerPayment",
            "transaction",
            {
                **TRANSACTION_BODY,
                "customer": "ref:customer",
                "payment": "money",
                "account": "ref:account",
                "arAcct": "ref:account",
                # API browser customerPayment.undepFunds: an object {id}, T or F as in
                # SuiteScript's undepfunds radio (not the boolean SOAP has).
                "undepFunds": "select:T,F",
                "checkNumber": "text",
                "autoApply": "bool",
            },
            {"apply": Sublist(APPLY_LINE, "doc", ("doc",), APPLY_READONLY)},
            _TX_READONLY | {"applied", "unapplied"},
            ("customer", "payment"),
            "CustPymt",
            "PYMT",
        ),
        RecordType(
            "customerRefund",
            "transaction",
            {
                **TRANSACTION_BODY,
                "customer": "ref:customer",
                "account": "ref:account",
                "arAcct": "ref:account",
                "checkNumber": "text",
            },
            {"apply": Sublist(APPLY_LINE, "doc", ("doc",), APPLY_READONLY)},
            _TX_READONLY,
            ("customer",),
            "CustRfnd",
            "RFND",
        ),
        RecordType(
            "journalEntry",
            "transaction",
            {**TRANSACTION_BODY, "approved": "bool", "reversalDate": "date"},
            {"line": Sublist(JOURNAL_LINE, "line", ("account",))},
            _TX_READONLY,
            ("subsidiary",),
            "Journal",
            "JE",
        ),
    )
}

# Which documents each applying transaction may apply to.
APPLY_TARGETS: dict[str, frozenset[str]] = {
    "customerpayment": frozenset({"CustInvc"}),
    "creditmemo": frozenset({"CustInvc"}),
    "customerrefund": frozenset({"CustCred", "CustPymt"}),
}

# URL segment used for links to referenced records.
REF_URL_TYPE = {
    "customer": "customer",
    "subsidiary": "subsidiary",
    "currency": "currency",
    "account": "account",
    "item": "nonInventorySaleItem",
    "department": "department",
    "classification": "classification",
    "location": "location",
    "accountingperiod": "accountingPeriod",
    "transaction": "transaction",
}


def record_type(name: str) -> RecordType | None:
    """Look a record type up case-insensitively (``creditmemo`` == ``creditMemo``)."""
    return RECORD_TYPES.get(name.lower())


def entity_field(rt: RecordType) -> str | None:
    """The body field naming the customer of a transaction."""
    if "entity" in rt.fields:
        return "entity"
    if "customer" in rt.fields:
        return "customer"
    return None
