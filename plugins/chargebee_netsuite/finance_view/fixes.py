"""What to do about a document that did not post: one plain sentence per reason code.

Each sentence says who does what (finance, the NetSuite admin, whoever keeps the mapping
file, the Chargebee admin) and what happens next. Codes are the loader's and NetSuite's
(``UNMAPPED_ITEM``, ``PERIOD_CLOSED``, ``USER_ERROR`` …) and validation's check names
(``invoice.lines_sum_to_total``: the part after the dot is the key). Placeholders are filled
from the document: ``{document}``, ``{customer}``, ``{currency}``, ``{subject}`` (what the
reason names, e.g. an item price), ``{netsuite_id}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDRIVE = "then press Re-drive here"

FIXES: dict[str, str] = {
    # The mapping file: a person who maintains it (often the data engineer) edits it.
    "UNMAPPED_ITEM": "Add a rule in the mapping file for {subject} (under items, pointing at "
    "the NetSuite item it should post to); if NetSuite has no such item yet, ask the NetSuite "
    "admin to add one first. Then press Re-drive here.",
    "CURRENCY": "Add {currency} to the mapping file under currencies; if NetSuite does not "
    "have {currency} yet, ask the NetSuite admin to enable it first. "
    "Then press Re-drive here.",
    "SUBSIDIARY": "Add a rule in the mapping file saying which NetSuite subsidiary the "
    f"Chargebee business entity of {{document}} posts to, {REDRIVE}.",
    "UNMAPPED_TAX": "Add a rule in the mapping file for the tax on {document} (the NetSuite "
    f"tax item it posts to), {REDRIVE}.",
    "NETSUITE_TAX": "Ask the NetSuite admin to check the tax code the mapping file uses for "
    f"{{document}}, correct the mapping file if needed, {REDRIVE}.",
    "UNMAPPED_REASON": "Add a rule in the mapping file for the credit-note reason of "
    f"{{document}} (the NetSuite account or item it posts to), {REDRIVE}.",
    "MAPPING_RULE": "The mapping file points {document} at a NetSuite record that does not "
    "exist or is inactive (the reason names the rule and the id). Ask the NetSuite admin to "
    "create or reactivate it, or correct the rule in the mapping file, then press Re-drive "
    "here.",
    "CATCH_ALL_REFUSED": "Add a rule in the mapping file for {subject} (the mapping refuses "
    "catch-all rules: items.catch_all is refuse), then press Re-drive here.",
    # NetSuite's own state: its admin changes it.
    "PERIOD_CLOSED": "Ask the NetSuite admin to reopen the accounting period of {document} "
    "(or to allow A/R postings in it), then press Re-drive here. Alternatively the mapping "
    "file can move such documents to the first open period.",
    "NO_PERIOD": "Ask the NetSuite admin to create the accounting period for the date of "
    f"{{document}}, {REDRIVE}.",
    "CUSTOMER_INACTIVE": "Ask the NetSuite admin to reactivate the customer {customer} in "
    f"NetSuite, {REDRIVE}.",
    "INVALID_FIELD_VALUE": "Ask the NetSuite admin to check that the item, account or "
    "dimension the mapping file names for {document} exists and is active in NetSuite; "
    f"correct the mapping file if not, {REDRIVE}.",
    "INVALID_KEY_OR_REF": "Ask the NetSuite admin to check that the item, account or "
    "dimension the mapping file names for {document} exists in NetSuite; correct the "
    f"mapping file if not, {REDRIVE}.",
    "NONEXISTENT_ID": "A NetSuite record {document} refers to was deleted. Nothing to do "
    "here: the next reconciliation posts it again.",
    "USER_ERROR": "NetSuite refused {document} (its words are in the audit details). Ask the "
    f"NetSuite admin what it needs, correct it there or in the mapping file, {REDRIVE}.",
    "RECORD_CHANGED": "Someone changed {document} in NetSuite by hand. Check the change with "
    "whoever made it; press Re-drive here to put Chargebee's version back.",
    "MANUAL_REVERSAL": "Ask the NetSuite admin to void {document} in NetSuite by hand: the "
    "connector does not reverse it on its own.",
    # Waiting on something that resolves itself.
    "DEPENDENCY": "Nothing to do for this one: it posts on its own once the document it "
    "depends on has posted (fix that one first).",
    "LINES_INCOMPLETE": "Nothing to do: it posts once the next sync has fetched all of its "
    "lines from Chargebee.",
    # Chargebee data that fails a check: finance or the Chargebee admin corrects it there.
    "DATA_QUALITY": "Ask the Chargebee admin to correct {document} in Chargebee (see the "
    "reason); every sync checks it again, or press Re-drive here to check it now.",
    "lines_sum_to_total": "Ask the Chargebee admin to correct {document} in Chargebee: its "
    "lines do not add up to its total. Every sync checks it again, or press Re-drive here.",
    "settled_equals_total": "Ask the Chargebee admin to correct the amounts paid, due and "
    "credited on {document} in Chargebee. Every sync checks it again, or press Re-drive here.",
    "customer_staged": "Nothing to do for now: the next full sync fetches the customer of "
    "{document}. If it stays here, ask the Chargebee admin whether the customer was deleted.",
    "currency_known": "Add {currency} to the mapping file under currencies, then press "
    "Re-drive here.",
    "changed_during_validation": "Nothing to do: {document} changed in Chargebee while it "
    "was being checked, and the next sync checks the new version.",
}
GENERIC = (
    "Read the reason, correct {document} where it names (Chargebee, NetSuite or the mapping "
    f"file), {REDRIVE}."
)
BY_STATE = {
    "held": "Nothing to do unless the reason names a fix: {document} posts on its own once "
    "the cause is gone; press Re-drive here after fixing it.",
    "failed": "NetSuite refused {document}. Correct what the reason names (ask the NetSuite "
    f"admin if it is a NetSuite setting), {REDRIVE}.",
}

# What a reason names, e.g. "item price 'api-calls-USD-monthly'" or "item price 'x' (...)".
_SUBJECT = re.compile(r"Chargebee (item price '[^']+'|ad-hoc line)")


def _key(code: str | None) -> str:
    code = code or ""
    return code.rsplit(".", 1)[-1] if "." in code else code


def fix_sentence(
    state: str, code: str | None, reason: str = "", facts: Mapping[str, Any] | None = None
) -> str:
    """The fix for a document in ``state`` with reason ``code``, filled with its ``facts``."""
    template = FIXES.get(_key(code)) or BY_STATE.get(state) or GENERIC
    values = {
        "document": "the document",
        "customer": "of this document",
        "currency": "its currency",
        "netsuite_id": "",
        "subject": "the item price on the document",
    }
    values.update({k: str(v) for k, v in (facts or {}).items() if v})
    found = _SUBJECT.search(reason or "")
    if found and not (facts or {}).get("subject"):
        values["subject"] = "the Chargebee " + found.group(1)
    return template.format(**values)


# Why it did not post, in words, for codes whose recorded reason names mapping keys.
WHY: dict[str, str] = {
    "UNMAPPED_ITEM": "The mapping file has no rule for {subject}.",
    "CURRENCY": "The mapping file does not know the currency {currency}.",
    "currency_known": "The mapping file does not know the currency {currency}.",
    "SUBSIDIARY": "The mapping file does not say which NetSuite subsidiary this Chargebee "
    "business entity posts to.",
    "UNMAPPED_TAX": "The mapping file has no rule for its tax.",
    "UNMAPPED_REASON": "The mapping file has no rule for its credit-note reason.",
    "PERIOD_CLOSED": "Its accounting period is closed in NetSuite.",
    "NO_PERIOD": "NetSuite has no accounting period for its date.",
    "CUSTOMER_INACTIVE": "Its customer is inactive in NetSuite.",
}
# What finance reads instead of the technical words a recorded reason may contain.
_EXTERNAL_ID = re.compile(r"\s*\(?\bcb-[A-Za-z0-9_]+-[A-Za-z0-9_-]+\)?")
_MAPPING_KEY = re.compile(
    r"`[^`]*`|\b(?:items|currencies|subsidiaries|payments|refunds|chargebacks|credit_notes|"
    r"tax|netsuite_tax|tax_withheld|accounting_period|customers|exchange_rates|"
    r"discount_item|rounding_item|chargeback_debit_item|ar_account)(?:\.[\w\-]+)+"
)
_NETSUITE_TYPES = {
    "CustInvc": "invoice",
    "CustCred": "credit memo",
    "CustPymt": "customer payment",
    "CustRfnd": "customer refund",
    "customerpayment": "customer payment",
    "customerrefund": "customer refund",
    "creditmemo": "credit memo",
}
_WAITS = re.compile(r"waits for (.+?), because")
_TYPE_WORDS = re.compile(r"\b(" + "|".join(_NETSUITE_TYPES) + r")\b")


def plain_text(text: str) -> str:
    """``text`` without encoded external ids, mapping keys or NetSuite record codes."""
    text = _EXTERNAL_ID.sub("", text or "")
    text = _MAPPING_KEY.sub("a rule in the mapping file", text)
    text = _TYPE_WORDS.sub(lambda m: _NETSUITE_TYPES[m.group(1)], text)
    return re.sub(r"\s{2,}", " ", text).strip()


def why_sentence(code: str | None, reason: str, facts: Mapping[str, Any] | None = None) -> str:
    """Why a document did not post, in words finance reads (the recorded reason, verbatim,
    belongs in the audit details)."""
    template = WHY.get(_key(code))
    waits = _WAITS.search(reason or "")
    if _key(code) == "DEPENDENCY" and waits:
        return f"It waits for {plain_text(waits.group(1))} to post first."
    if template is None:
        return plain_text(reason)
    values = {"subject": "an item price on it", "currency": "of the document"}
    values.update({k: str(v) for k, v in (facts or {}).items() if v})
    found = _SUBJECT.search(reason or "")
    if found:
        values["subject"] = "the Chargebee " + found.group(1)
    return template.format(**values)
