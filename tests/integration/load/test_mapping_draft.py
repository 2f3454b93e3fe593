"""A drafted mapping, its TODOs filled by the test, posts everything and ties out.

Once for the demo catalog and once for a seed whose catalog nothing in the repository knows
(``unfamiliar_seed.py``): draft from staging, check what the draft filled in by itself, fill
every TODO, dry-run (the per-line report), then post for real and tie out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from pathlib import Path

import pytest

from chargebee_netsuite.mapping import MappingConfigError, parse_mapping
from chargebee_netsuite.mapping.draft import Todo, draft_from_staging, find_todos
from chargebee_netsuite.staging.ledger_tables import POSTED

from .conftest import Env, StartEnv
from .test_tieout import assert_tied_out
from .unfamiliar_seed import RENAMES, unfamiliar_seed

# What a person would choose at each TODO, by the start of its path (demo NetSuite ids).
DEMO_ANSWERS = {
    "subsidiaries.default": "1",  # SaaSCo Inc.
    "items.by_item.platform-starter.": "1",
    "items.by_item.platform-growth.": "2",
    "items.by_item.platform-enterprise.": "3",
    "items.by_item.extra-seats.": "4",
    "items.by_item.priority-support.": "5",
    "items.by_item.sso.": "5",
    "items.by_item.api-calls.": "5",
    "items.by_item.onboarding.": "7",
    "items.by_item.implementation-day.": "7",
    "items.by_entity_type.adhoc.": "6",
    "payments.": "2",  # Undeposited Funds
    "refunds.": "2",
    "chargebacks.": "17",  # Chargebacks Clearing
    "netsuite_tax.exempt_code": "102",  # S-EXEMPT (variant profile: SuiteTax on)
}
UNFAMILIAR_ANSWERS = {
    **{k: v for k, v in DEMO_ANSWERS.items() if not k.startswith("items.by_item.")},
    "items.by_item.insight-lite.": "1",
    "items.by_item.insight-team.": "2",
    "items.by_item.insight-scale.": "3",
    "items.by_item.analyst-seat.": "4",
    "items.by_item.audit-log.": "5",
    "items.by_item.data-export.": "5",
    "items.by_item.training-workshop.": "7",
    "items.by_item.consulting-day.": "6",
}


def fill(text: str, answers: Mapping[str, str]) -> str:
    """``text`` with every TODO replaced by the answer for its path (each must have one)."""
    lines = text.splitlines()
    for todo in find_todos(text):
        answer = next(v for k, v in answers.items() if todo.path.startswith(k))
        lines[todo.line - 1] = re.sub(r"\bTODO\b", answer, lines[todo.line - 1], count=1)
    return "\n".join(lines) + "\n"


def draft_fill_post(env: Env, answers: Mapping[str, str], reports: Path) -> list[Todo]:
    """Draft, fill, dry-run, post, tie out; returns the draft's TODOs."""
    env.extract()
    env.reference()
    draft = draft_from_staging(env.engine)
    assert draft.problems == []
    assert draft.todos, "an unknown catalog leaves choices to a person"
    with pytest.raises(MappingConfigError, match="still TODO"):
        parse_mapping(draft.text)
    # The generated history starts in 2015, in periods closed in NetSuite; the draft says so
    # beside the policy, and this person chooses to post such documents re-dated.
    assert re.search(r"\d+ staged documents are dated in periods closed", draft.text)
    text = fill(draft.text, answers).replace("policy: hold", "policy: first_open_period")
    config = parse_mapping(text)

    dry = env.sync("dry", config=config, dry_run=True, reports_dir=reports)
    assert env.netsuite_writes() == 0
    with open(dry.report["csv"], newline="", encoding="utf-8") as handle:
        lines = list(csv.DictReader(handle))
    assert {line["netsuite_type"] for line in lines} >= {"invoice", "customerPayment"}
    assert all(line["account"] and line["subsidiary"] and line["currency"] for line in lines)
    assert "Totals per account and currency" in Path(dry.report["html"]).read_text()

    real = env.sync("real", config=config)
    assert set(real.counts) <= {POSTED, "skipped"}, real.counts
    assert real.counts[POSTED] == dry.counts["would_post"]
    assert_tied_out(env)
    return draft.todos


def test_a_drafted_mapping_for_the_demo_data_posts_everything(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(scale=3)
    todos = draft_fill_post(env, DEMO_ANSWERS, tmp_path)
    paths = {t.path for t in todos}
    # Sure matches are not left to a person: currencies by ISO code, names that match.
    assert not any(
        p.startswith(("currencies.", "ar_account", "tax.", "discount_item")) for p in paths
    )
    assert "items.by_item.platform-starter.item" in paths


def test_a_drafted_mapping_for_an_unfamiliar_catalog_posts_everything(
    start_env: StartEnv, tmp_path: Path
) -> None:
    env = start_env(chargebee={"seed_data": unfamiliar_seed()})
    todos = draft_fill_post(env, UNFAMILIAR_ANSWERS, tmp_path)
    paths = {t.path for t in todos}
    # "Extra storage" is a NetSuite item's name: filled in by the draft, not a TODO.
    assert f"items.by_item.{RENAMES['priority-support'][0]}.item" not in paths
    assert "payments.rules[0].account" in paths
    assert all("adyen" not in p for p in paths)  # gateways are rule values, not paths
