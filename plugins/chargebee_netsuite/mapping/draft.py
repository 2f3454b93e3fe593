"""Draft a mapping file from what is staged: the Chargebee catalog and activity, and NetSuite's
reference data.

The draft covers everything the staged documents use (item prices, currencies, gateways,
business entities, reason codes, discounts, tax, round-off, withheld tax). It fills in only
what it can be sure of: a currency by its ISO code, an item or account whose name matches
once spaces, case and punctuation are ignored, and a record that is the only one NetSuite
could accept there (the one Accounts Receivable account, the one Discount item, the one
subsidiary). Everything else is ``TODO``, with the likely candidates by name in a comment, so
the file does not load until a person has decided; :func:`find_todos` says where each is.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import yaml
from sqlalchemy import Engine, select, union

from chargebee_netsuite.mapping.loading import parse_mapping
from chargebee_netsuite.mapping.resolve import ItemPriceRef, normalize_entity_type
from chargebee_netsuite.mapping.validation import (
    AR_TYPES,
    DEPOSIT_TYPES,
    NON_SALE_ITEM_TYPES,
    ChargebeeUsage,
    validate_mapping,
)
from chargebee_netsuite.reference.model import TAX_CODE_TYPES, ReferenceData, ReferenceRecord

TODO = "TODO"
# Write-offs carry this create_reason_code, or the deprecated reason_code write_off.
WRITE_OFF_CODES = frozenset({"Write Off", "write_off"})
# Where a draft's TODOs stand in when the rest of it is checked: an id NetSuite never issues.
_PLACEHOLDER_ID = "999999999"
_CANDIDATES = 3


@dataclass(frozen=True)
class Todo:
    """One value left for a person: its path in the mapping, its line, the comment beside it."""

    path: str
    line: int
    note: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.path}" + (f" ({self.note})" if self.note else "")


@dataclass
class StagedFacts:
    """What the staged Chargebee data of one site uses, with the catalog's names."""

    site: str
    usage: ChargebeeUsage
    # Item id -> (name, item type, family) for every item an item price in use belongs to.
    items: dict[str, tuple[str, str | None, str | None]] = field(default_factory=dict)
    # Documents per feature that needs a special item: discount, tax, rounding.
    needs: Counter[str] = field(default_factory=Counter)
    # Credit notes per reason code (create_reason_code, else reason_code).
    reasons: Counter[str] = field(default_factory=Counter)
    # Documents per (year, month) of their date (UTC), to spot those in closed periods.
    months: Counter[tuple[int, int]] = field(default_factory=Counter)
    documents: int = 0


@dataclass(frozen=True)
class Draft:
    """The drafted YAML, where its TODOs are, and any problem found outside them."""

    text: str
    todos: list[Todo]
    problems: list[str]


# -- reading staging --------------------------------------------------------------------------


def staged_sites(engine: Engine) -> list[str]:
    """The Chargebee sites with staged documents or catalog."""
    from chargebee_netsuite.staging.chargebee_tables import DOCUMENT_TABLES

    query = union(*(select(table.c.site) for table in DOCUMENT_TABLES.values()))
    with engine.connect() as conn:
        return sorted(str(row[0]) for row in conn.execute(query))


def staged_facts(engine: Engine, site: str, chunk_size: int = 500) -> StagedFacts:
    """Read what ``site``'s staged documents use (one pass per document kind, chunked)."""
    # The loader's own usage collector: the draft then covers exactly what the load's mapping
    # preflight checks. Imported here, as the CLI needs it, so that mapping/ keeps no
    # import-time dependency on load/ (which depends on mapping/).
    from chargebee_netsuite.load.run import UsageCollector
    from chargebee_netsuite.load.source import KIND_RESOURCES, document_chunks, read_item_prices
    from chargebee_netsuite.mapping.resolve import credit_note_codes
    from chargebee_netsuite.staging.chargebee_tables import cb_items

    with engine.connect() as conn:
        prices = read_item_prices(conn, site)
        catalog = {
            str(row.id): (str(row.name or row.id), row.item_type, row.item_family_id)
            for row in conn.execute(
                select(
                    cb_items.c.id, cb_items.c.name, cb_items.c.item_type, cb_items.c.item_family_id
                ).where(cb_items.c.site == site)
            )
        }
    collector = UsageCollector(prices)
    facts = StagedFacts(site, ChargebeeUsage())
    for kind in KIND_RESOURCES:
        for docs in document_chunks(engine, site, kind, chunk_size, quarantine=False):
            for doc in docs:
                collector.add(kind, doc)
                facts.documents += 1
                if kind in ("invoice", "credit_note"):
                    _note_needs(facts.needs, doc.raw)
                if kind != "customer" and doc.raw.get("date"):
                    day = datetime.fromtimestamp(int(doc.raw["date"]), UTC)
                    facts.months[(day.year, day.month)] += 1
                if kind == "credit_note":
                    code = next((c for c in credit_note_codes(doc.raw) if c), None)
                    if code is not None:
                        facts.reasons[code] += 1
    facts.usage = collector.usage()
    for price in facts.usage.item_prices:
        item_id = price.item_id if isinstance(price, ItemPriceRef) else None
        if item_id is not None:
            facts.items[item_id] = catalog.get(item_id, (item_id, None, None))
    return facts


def _note_needs(needs: Counter[str], raw: Mapping[str, Any]) -> None:
    lines = raw.get("line_items") or []
    if any(int(line.get("discount_amount") or 0) for line in lines):
        needs["discount"] += 1
    if any(int(line.get("tax_amount") or 0) for line in lines):
        needs["tax"] += 1
    if int(raw.get("round_off_amount") or 0) or int(raw.get("fractional_correction") or 0):
        needs["rounding"] += 1


# -- matching names ---------------------------------------------------------------------------


def normalise(text: str | None) -> str:
    """``"Extra Seats"``, ``extra-seats`` and ``EXTRA_SEATS`` all read ``extraseats``."""
    return re.sub(r"[^0-9a-z]", "", (text or "").lower())


def _names(record: ReferenceRecord) -> list[str]:
    return [n for n in (record.name, record.code) if n]


def _score(wanted: Iterable[str], record: ReferenceRecord) -> float:
    """How alike the names are: shared words count most, then character similarity."""
    best = 0.0
    for want in wanted:
        words = set(re.findall(r"[a-z0-9]+", want.lower()))
        for name in _names(record):
            theirs = set(re.findall(r"[a-z0-9]+", name.lower()))
            shared = len(words & theirs) / max(len(words | theirs), 1)
            ratio = difflib.SequenceMatcher(None, normalise(want), normalise(name)).ratio()
            best = max(best, shared + 0.5 * ratio)
    return best


@dataclass(frozen=True)
class _Choice:
    """A value for the draft: an id (sure) or TODO, and the comment to write beside it."""

    value: str
    comment: str


def _choose(
    wanted: Iterable[str], pool: Iterable[ReferenceRecord], what: str, *, only_one: bool = False
) -> _Choice:
    """The record whose name matches one of ``wanted`` exactly (normalised), else TODO with the
    closest names. ``only_one``: a pool of exactly one record is sure too."""
    wanted = [w for w in wanted if w]
    records = sorted((r for r in pool if not r.is_inactive), key=lambda r: int(r.id))
    keys = {normalise(w) for w in wanted}
    exact = [r for r in records if keys & {normalise(n) for n in _names(r)}]
    if len(exact) == 1:
        return _Choice(exact[0].id, f"{_label(exact[0])}: the name matches")
    if only_one and len(records) == 1 and not exact:
        return _Choice(records[0].id, f"{_label(records[0])}: the only {what} in NetSuite")
    ranked = exact or sorted(records, key=lambda r: -_score(wanted, r))
    shown = [_label(r) for r in ranked[:_CANDIDATES]]
    if not shown:
        return _Choice(TODO, f"NetSuite has no active {what}: create one, then put its id here")
    more = f" (of {len(records)})" if len(records) > len(shown) else ""
    return _Choice(TODO, f"candidates{more}: " + "; ".join(shown))


def _label(record: ReferenceRecord) -> str:
    shown = (
        f"{record.code} {record.name}"
        if record.code and record.code != record.name
        else record.name
    )
    return f"{shown} = {record.id}"


# -- writing YAML -----------------------------------------------------------------------------


def _key(text: str) -> str:
    """A mapping key, quoted when YAML would read it as anything but that string."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*( [A-Za-z0-9_.-]+)*", text) and text not in (
        "true",
        "false",
        "null",
        "yes",
        "no",
        "on",
        "off",
    ):
        return text
    return json.dumps(text)


def _comment(text: str) -> str:
    return "  # " + " ".join(text.split()) if text else ""


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def raw(self, line: str = "") -> None:
        self.lines.append(line)

    def note(self, text: str, indent: int = 0) -> None:
        for part in text.splitlines():
            self.lines.append(" " * indent + ("# " + part if part else "#"))

    def value(self, indent: int, key: str, choice: _Choice | str, comment: str = "") -> None:
        if isinstance(choice, _Choice):
            value, comment = choice.value, comment or choice.comment
        else:
            value = choice
        self.lines.append(f"{' ' * indent}{_key(key)}: {value}{_comment(comment)}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def render_draft(facts: StagedFacts, reference: ReferenceData, generated_at: datetime) -> str:
    """The mapping YAML for ``facts`` against ``reference`` (see the module docstring)."""
    ref = reference
    accounts = list(ref.of_kind("account").values())
    items = list(ref.of_kind("item").values())
    sale_items = [
        i for i in items if i.type not in NON_SALE_ITEM_TYPES and i.type not in TAX_CODE_TYPES
    ]
    deposit = [a for a in accounts if a.type in DEPOSIT_TYPES]
    usage = facts.usage
    w = _Writer()
    w.note(
        f"Chargebee -> NetSuite mapping, drafted by `cbns mapping draft` on "
        f"{generated_at:%Y-%m-%d %H:%M} UTC\n"
        f"for Chargebee site {facts.site} ({facts.documents} staged documents) and the NetSuite "
        "reference data in staging.\n\n"
        "Every number is a NetSuite internal id. Values the draft was sure of are filled in; "
        "each TODO\nneeds your choice (the comment beside it names the likely candidates as "
        "'name = id').\nThe sync refuses this file until no TODO is left; `cbns check --mapping "
        "<this file>`\nlists them with their lines. include/mapping.example.yaml explains every "
        "section."
    )
    w.raw()
    w.raw("version: 1")
    w.raw()
    w.note("The accounts-receivable account of every document (an Accounts Receivable account).")
    ar = [a for a in accounts if a.type in AR_TYPES]
    w.value(0, "ar_account", _choose(["Accounts Receivable"], ar, "A/R account", only_one=True))
    w.raw()
    _subsidiaries(w, facts, ref)
    w.raw()
    _currencies(w, usage, ref)
    w.raw()
    _items(w, facts, ref, sale_items)
    w.raw()
    for section, pairs, noun in (
        ("payments", usage.payment_gateways, "deposited to"),
        ("refunds", usage.refund_gateways, "paid from"),
        ("chargebacks", usage.chargeback_gateways, "taken back from"),
    ):
        _gateway_rules(w, section, sorted(set(pairs)), noun, deposit)
        w.raw()
    _credit_notes(w, facts, items)
    w.raw()
    _special_lines(w, facts, items, accounts)
    w.raw()
    _netsuite_tax(w, ref)
    w.raw()
    withheld = sorted(set(usage.tax_withheld_currencies))
    if withheld:
        w.note(f"Tax customers withheld from invoices in {', '.join(withheld)} (a receivable).")
        w.raw("tax_withheld:")
        w.value(
            2, "account", _choose(["Tax Withheld Receivable", "Tax Withheld"], deposit, "account")
        )
        w.raw()
    closed = _in_closed_periods(facts, ref)
    w.note("Documents dated in a closed period wait until it is reopened (see the example file).")
    if closed:
        count, first = closed
        w.note(
            f"{count} staged documents are dated in periods closed in NetSuite (from {first}): "
            "with hold they\nwait; policy: first_open_period posts them re-dated, with a memo."
        )
    w.raw("accounting_period:")
    w.raw("  policy: hold")
    return w.text()


def _in_closed_periods(facts: StagedFacts, ref: ReferenceData) -> tuple[int, str] | None:
    """How many documents fall in months NetSuite has closed for A/R, and the first one."""
    closed = []
    for (year, month), count in sorted(facts.months.items()):
        period = ref.period_for(date(year, month, 1))
        if period is not None and not period.open_for_ar:
            closed.append((count, period.name))
    if not closed:
        return None
    return sum(count for count, _ in closed), closed[0][1]


def _subsidiaries(w: _Writer, facts: StagedFacts, ref: ReferenceData) -> None:
    subsidiaries = list(ref.of_kind("subsidiary").values())
    entities = sorted({e for e in facts.usage.business_entities if e is not None})
    w.note("Which NetSuite subsidiary a Chargebee document belongs to.")
    w.raw("subsidiaries:")
    if entities:
        w.raw("  by_business_entity:")
        for entity in entities:
            w.value(4, entity, _choose([entity], subsidiaries, "subsidiary"))
    else:
        w.raw("  by_business_entity: {}")
    w.value(2, "default", _choose([facts.site], subsidiaries, "subsidiary", only_one=True))


def _currencies(w: _Writer, usage: ChargebeeUsage, ref: ReferenceData) -> None:
    codes = sorted({c.upper() for c in usage.currencies})
    w.note("Chargebee currency (ISO code) -> NetSuite currency, matched by ISO code.")
    if not codes:
        w.raw("currencies: {}")
        return
    w.raw("currencies:")
    for code in codes:
        found = ref.currency_by_code(code)
        if found is not None and not found.is_inactive:
            w.value(2, code, found.id, found.name)
        else:
            w.value(
                2,
                code,
                TODO,
                f"NetSuite has no active {code}: add it (Lists > Accounting > Currencies), "
                "then put its id here",
            )


def _items(
    w: _Writer, facts: StagedFacts, ref: ReferenceData, sale_items: list[ReferenceRecord]
) -> None:
    usage = facts.usage
    refs = [p for p in usage.item_prices if isinstance(p, ItemPriceRef)]
    bare = sorted({p for p in usage.item_prices if isinstance(p, str)})
    prices_by_item: dict[str, list[str]] = {}
    lone: list[ItemPriceRef] = []
    adhoc = False
    for price in refs:
        if price.id is None:
            adhoc = True
        elif price.item_id:
            prices_by_item.setdefault(price.item_id, []).append(price.id)
        else:
            lone.append(price)
    w.note(
        "Where invoice and credit note lines post: one rule per Chargebee item in use. The "
        "item's income\naccount takes the revenue. Optional per rule: revenue_account (checked "
        "against it),\ndepartment, class, location. In NetSuite:"
    )
    for kind, label in (("department", "departments"), ("classification", "classes"),
                        ("location", "locations")):  # fmt: skip
        active = [r for r in ref.of_kind(kind).values() if not r.is_inactive]
        shown = "; ".join(_label(r) for r in sorted(active, key=lambda r: int(r.id))[:8])
        w.note(f"  {label}: {shown or 'none'}")
    w.raw("items:")
    if lone or bare:
        w.raw("  by_item_price:")
        for price in sorted(lone, key=lambda p: str(p.id)):
            w.raw(f"    {_key(str(price.id))}:")
            w.value(6, "item", _choose([str(price.id)], sale_items, "sale item"))
        for price_id in bare:
            w.raw(f"    {_key(price_id)}:")
            w.value(6, "item", _choose([price_id], sale_items, "sale item"))
    else:
        w.raw("  by_item_price: {}")
    if prices_by_item:
        w.raw("  by_item:")
        for item_id in sorted(prices_by_item):
            name, item_type, family = facts.items.get(item_id, (item_id, None, None))
            kind = normalize_entity_type(item_type) or "item"
            prices = sorted(prices_by_item[item_id])
            shown = ", ".join(prices[:4]) + (
                f" and {len(prices) - 4} more" if len(prices) > 4 else ""
            )
            w.note(
                f"Chargebee {kind} '{name}'"
                + (f", family {family}" if family else "")
                + f": {shown}",
                4,
            )
            w.raw(f"    {_key(item_id)}:")
            w.value(6, "item", _choose([name, item_id], sale_items, "sale item"))
    else:
        w.raw("  by_item: {}")
    w.raw("  by_item_family: {}")
    if adhoc:
        w.raw("  by_entity_type:")
        w.note("One-off lines without an item price.", 4)
        w.raw("    adhoc:")
        w.value(6, "item", _choose(["Ad hoc", "One-time charge"], sale_items, "sale item"))
    else:
        w.raw("  by_entity_type: {}")
    w.note("No default: an item price with no rule is reported and its documents held.", 2)


def _gateway_rules(
    w: _Writer,
    section: str,
    pairs: list[tuple[str, str]],
    noun: str,
    deposit: list[ReferenceRecord],
) -> None:
    w.note(f"{section.capitalize()}: the Bank or Other Current Asset account the money is {noun}.")
    if not pairs:
        w.raw(f"{section}: {{}}")
        return
    w.raw(f"{section}:")
    w.raw("  rules:")
    for gateway, currency in pairs:
        w.raw(f"    - gateway: {_key(gateway)}")
        w.raw(f"      currency: {currency}")
        wanted = [gateway, f"{gateway} {currency}"]
        if section == "chargebacks":
            wanted.append("Chargebacks")
        choice = _choose(wanted, deposit, "account")
        w.value(6, "account", choice)


def _credit_notes(w: _Writer, facts: StagedFacts, items: list[ReferenceRecord]) -> None:
    active = [i for i in items if i.type not in NON_SALE_ITEM_TYPES | TAX_CODE_TYPES]
    rules: list[tuple[str, _Choice]] = []
    unruled: list[str] = []
    for code in sorted(facts.reasons):
        if code in WRITE_OFF_CODES:  # must not post as revenue: always a rule, sure or TODO
            rules.append((code, _choose(["Write Off", "Bad Debt"], active, "item")))
            continue
        choice = _choose([code], active, "item")
        # Another code gets a rule only when an item carries its very name.
        if choice.value != TODO and choice.comment.endswith("the name matches"):
            rules.append((code, choice))
        else:
            unruled.append(code)
    w.note(
        "Credit notes by reason code. Without a rule a credit note posts its lines through the "
        "item rules,\nas an invoice does; write-offs need an item on a bad-debt account."
    )
    w.raw("credit_notes:")
    w.raw("  by_reason_code:" + ("" if rules else " {}"))
    for code, choice in rules:
        w.raw(f"    {_key(code)}:  # {_credit_notes_count(facts, code)}")
        w.value(6, "item", choice)
    for code in unruled:
        w.note(f"  {_key(code)}: {{item: <id>}}   # {_credit_notes_count(facts, code)}", 2)


def _credit_notes_count(facts: StagedFacts, code: str) -> str:
    count = facts.reasons[code]
    return f"{count} credit note{'' if count == 1 else 's'}"


def _special_lines(
    w: _Writer, facts: StagedFacts, items: list[ReferenceRecord], accounts: list[ReferenceRecord]
) -> None:
    needs = facts.needs
    other = [i for i in items if i.type not in NON_SALE_ITEM_TYPES | TAX_CODE_TYPES]
    discounts = [i for i in items if i.type == "Discount"]
    if needs["discount"]:
        w.note(
            f"Discounts ({needs['discount']} documents) post as negative lines on a Discount item."
        )
        w.value(
            0, "discount_item", _choose(["Discount"], discounts, "Discount item", only_one=True)
        )
    else:
        w.note("discount_item: <a Discount item>   (no staged document has a discount)")
    if needs["tax"]:
        w.note(f"Tax ({needs['tax']} documents) posts as its own line, on a tax item.")
        w.raw("tax:")
        w.value(2, "item", _choose(["Sales Tax", "Tax"], other, "item"))
    else:
        w.note("tax: {item: <id>}   (no staged document charges tax)")
    if needs["rounding"]:
        w.note(f"Chargebee's round-off ({needs['rounding']} documents) posts on this item.")
        w.value(0, "rounding_item", _choose(["Rounding", "Round Off"], other, "item"))
    else:
        w.note("rounding_item: <id>   (no staged document has a round-off)")


def _netsuite_tax(w: _Writer, ref: ReferenceData) -> None:
    codes = ref.tax_codes()
    if not codes:
        w.note("netsuite_tax: not needed, NetSuite shows no tax codes (no SuiteTax).")
        return
    w.note(
        "NetSuite has tax codes: every line carries a non-taxable one, so NetSuite adds no tax "
        "of its own."
    )
    w.raw("netsuite_tax:")
    w.raw("  method: exempt_code")
    w.value(2, "exempt_code", _choose(["Exempt", "Not Taxable", "Non-Taxable"], codes, "tax code"))


# -- TODOs and the check ----------------------------------------------------------------------


def find_todos(text: str) -> list[Todo]:
    """Every ``TODO`` value in a mapping's YAML, with its path, line and comment, in order."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    lines = text.splitlines()
    found: list[Todo] = []

    def walk(node: yaml.Node | None, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                walk(value, f"{path}.{name}" if path else name)
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                walk(value, f"{path}[{index}]")
        elif isinstance(node, yaml.ScalarNode) and node.value == TODO and node.style is None:
            line = node.start_mark.line
            note = lines[line].split("#", 1)[1].strip() if "#" in lines[line] else ""
            found.append(Todo(path, line + 1, note))

    walk(root, "")
    return found


def describe_todos(text: str, problems: Iterable[str] = ()) -> str | None:
    """For ``cbns check``: the TODOs left in a mapping, one a line with where each is, then the
    schema ``problems`` that are not about a TODO; None when no TODO is left."""
    todos = find_todos(text)
    if not todos:
        return None
    lines = [f"{len(todos)} TODO(s) left (from `cbns mapping draft`):"]
    lines += [f"  {todo}" for todo in todos]
    others = [p for p in problems if "still TODO" not in p]
    lines += [f"  and: {p}" for p in others]
    return "\n".join(lines)


def problems_outside_todos(text: str, reference: ReferenceData, usage: ChargebeeUsage) -> list[str]:
    """Check ``text`` as if every TODO were filled: what is wrong elsewhere (nothing, for a
    fresh draft). A TODO stands in as an id NetSuite never issues, and the problems that id
    causes are dropped."""
    todos = find_todos(text)
    filled = "\n".join(
        re.sub(r":\s*TODO(\s|$)", f": {_PLACEHOLDER_ID}\\1", line) for line in text.splitlines()
    )
    config = parse_mapping(filled, "<draft>")
    report = validate_mapping(config, reference, usage)
    at_todo = [t.path for t in todos]
    return [
        p.message
        for p in report.problems
        if not any(path == p.rule or path.startswith(p.rule + ".") for path in at_todo)
    ]


def draft_mapping(
    facts: StagedFacts, reference: ReferenceData, generated_at: datetime | None = None
) -> Draft:
    """The drafted mapping for ``facts``: its text, its TODOs, and any other problem."""
    text = render_draft(facts, reference, generated_at or datetime.now(UTC))
    return Draft(text, find_todos(text), problems_outside_todos(text, reference, facts.usage))


def draft_from_staging(engine: Engine, site: str | None = None) -> Draft:
    """Draft from a staging database holding a site's Chargebee data and NetSuite's reference
    data (``site``: the only one staged, when not given)."""
    from chargebee_netsuite.reference.store import read_reference_data

    if site is None:
        sites = staged_sites(engine)
        if len(sites) != 1:
            raise ValueError(
                f"staging holds {len(sites)} Chargebee sites ({', '.join(sites) or 'none'}); "
                "name one with --site"
                if sites
                else "staging holds no Chargebee data: extract first (or omit --staging-url to "
                "extract through the Airflow connections)"
            )
        site = sites[0]
    reference = read_reference_data(engine)
    if not reference.of_kind("account"):
        raise ValueError(
            "staging holds no NetSuite reference data: pull it first (the sync's "
            "preflight.pull_reference task, or omit --staging-url)"
        )
    return draft_mapping(staged_facts(engine, site), reference)


def draft_with_staging(staging_url: str, site: str | None = None) -> Draft:
    """Draft from the staging database at ``staging_url`` (read only)."""
    from chargebee_netsuite.staging.db import create_staging_engine

    engine = create_staging_engine(staging_url)
    try:
        return draft_from_staging(engine, site)
    finally:
        engine.dispose()


def draft_through_connections(
    chargebee_conn_id: str = "chargebee_default", netsuite_conn_id: str = "netsuite_default"
) -> Draft:
    """Extract the whole Chargebee site and pull NetSuite's reference data through the Airflow
    connections (the sync's own functions) into a throwaway SQLite file, then draft."""
    import tempfile
    from pathlib import Path

    from chargebee_netsuite.airflow.hooks.chargebee import ChargebeeHook
    from chargebee_netsuite.airflow.hooks.netsuite import NetSuiteHook
    from chargebee_netsuite.extract.documents import extract_all
    from chargebee_netsuite.reference.pull import refresh_reference_data
    from chargebee_netsuite.staging.db import create_staging_engine, migrate

    with tempfile.TemporaryDirectory(prefix="cbns-draft-") as tmp:
        engine = create_staging_engine(f"sqlite:///{Path(tmp) / 'staging.db'}")
        try:
            migrate(engine)
            with NetSuiteHook(netsuite_conn_id).get_conn() as netsuite:
                refresh_reference_data(netsuite, engine)
            with ChargebeeHook(chargebee_conn_id).get_conn() as chargebee:
                extract_all(chargebee, engine, run_id="mapping-draft", full=True)
                site = chargebee.settings.site
            return draft_from_staging(engine, site)
        finally:
            engine.dispose()
