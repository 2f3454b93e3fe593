"""Configuration of one simulated NetSuite account (credentials, limits, faults, preferences)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cbns_devkit.sandbox.profile import choose

DatePeriodMismatch = Literal["disallow", "warn", "allow"]
# "reject" is the sandbox default and not a NetSuite value: it stands for "the connector must
# not rely on NetSuite silently moving a transaction into another period".
DefaultPeriodIfClosed = Literal["reject", "first_open", "current"]
CurrencyChange = Literal["frozen", "changeable"]
RecordChangedCode = Literal["USER_ERROR", "RCRD_HAS_BEEN_CHANGED"]
AmountSign = Literal["positive", "negative"]


@dataclass
class NetSuiteSandboxSettings:
    """Everything :func:`create_app` needs; tests build one directly, the CLI via ``build``."""

    account_id: str = "1234567_SB1"
    client_id: str = "sandbox-client-id"
    # certificate id -> PEM public key (or X.509 certificate) registered for the client.
    certificates: dict[str, bytes] = field(default_factory=dict)
    reference_data_path: Path | None = None
    database_path: Path | None = None  # None: in-memory
    # Response time of each request, processing included (a target, not an addition): the
    # answer leaves latency_ms after the request arrived, or when ready if that is later.
    latency_ms: int = 0
    # Account limit: service-tier base (Standard 5, Premium 15, …) + 10 per SuiteCloud Plus
    # license.
    concurrency_limit: int = 5
    integration_concurrency_limit: int | None = None
    fail_nth: int = 0
    drop_nth: int = 0
    strict_host: bool = False
    token_ttl_seconds: int = 3600
    suiteql_max_results: int = 100_000
    date_period_mismatch: DatePeriodMismatch = "disallow"
    default_period_if_closed: DefaultPeriodIfClosed = "reject"
    # SuiteTax on: NetSuite taxes every invoice and credit memo line itself, at its item's
    # default tax code, unless the line names a tax code or the record sets
    # taxDetailsOverride (REST supports SuiteTax only: HC section_161488248489). The tax codes
    # (``salesTaxItem`` in the reference data) exist only then. Whether a given account has it
    # on is the account's, so both: primary off, variant on.
    tax_engine: bool = field(default_factory=choose(False, True))
    # Account defaults for a customerPayment that omits ``undepFunds`` / ``autoApply`` (and a
    # creditMemo that omits ``autoApply``). NetSuite defaults Auto Apply to the last payment the
    # user entered (HC section_N1288824), and the deposit account through payment method,
    # Default Payment Account preference, then Undeposited Funds (SuiteAnswer 37760 as quoted by
    # jcurvesolutions.com "Default Payment Account Hierarchy"): unknowable, so both.
    default_undep_funds: bool = field(default_factory=choose(False, True))
    default_auto_apply: bool = field(default_factory=choose(False, True))
    # Customers (records.py). Setup > Company > Auto-Generated Numbers for entities: on, a
    # customer gets a number unless the request sets autoName false with an entityId; off,
    # entityId is what was sent, else the name, and must be unique.
    customer_auto_numbering: bool = field(default_factory=choose(True, False))
    # NetSuite's field help for customer.currency says both "cannot be changed after
    # transactions for this customer have been saved" and "can change ... at any time".
    customer_currency_change: CurrencyChange = field(default_factory=choose("frozen", "changeable"))
    # "Record has been changed" (SOAP RCRD_HAS_BEEN_CHANGED): which o:errorCode REST puts on
    # it is not documented; USER_ERROR is what REST uses for most business errors.
    record_changed_code: RecordChangedCode = field(
        default_factory=choose("USER_ERROR", "RCRD_HAS_BEEN_CHANGED")
    )
    # Overlapping writes to one record fail with "Record has been changed" (conflicts.py).
    record_conflicts: bool = True
    # The integration user's Date Format preference: SuiteQL prints bare date columns in it
    # (HC section_N249143: default M/D/YYYY; D/M/YYYY, D.M.YYYY, DD/MM/YYYY, D-Mon-YYYY …).
    suiteql_date_format: str = field(default_factory=choose("M/D/YYYY", "D/M/YYYY"))
    # Sign of credit memo and customer refund amounts (foreigntotal, foreignamountremaining …)
    # in SuiteQL [open: Oracle documents none; public SuiteQL samples both negate CustCred
    # totals and wrap AR amounts in ABS()]. Crossed between profiles so each sign of each runs.
    suiteql_credit_memo_sign: AmountSign = field(default_factory=choose("positive", "negative"))
    suiteql_refund_sign: AmountSign = field(default_factory=choose("negative", "positive"))


def account_host_label(account_id: str) -> str:
    """``1234567_SB1`` -> ``1234567-sb1`` (the form used in NetSuite domains)."""
    return account_id.lower().replace("_", "-")


def account_domain(account_id: str) -> str:
    """The REST host of an account, e.g. ``1234567-sb1.suitetalk.api.netsuite.com``."""
    return f"{account_host_label(account_id)}.suitetalk.api.netsuite.com"
