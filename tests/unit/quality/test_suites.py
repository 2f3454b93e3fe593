"""The checks per kind, read as data (without importing Great Expectations)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargebee_netsuite.quality.kinds import KINDS
from chargebee_netsuite.quality.suites import EARLIEST, checks_for

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def test_every_kind_has_uniquely_named_checks_starting_with_unique_ids() -> None:
    names = [c.name for kind in KINDS for c in checks_for(kind, ["USD"], NOW)]
    assert len(names) == len(set(names))
    for kind in KINDS:
        checks = checks_for(kind, ["USD"], NOW)
        assert checks[0].name == f"{kind}.unique_id"
        assert all(c.name.startswith(f"{kind}.") for c in checks)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            "invoice",
            {
                "invoice.currency_known",
                "invoice.lines_sum_to_total",
                "invoice.balances_sum_to_total",
                "invoice.customer_staged",
                "invoice.date_sane",
                "invoice.due_date_not_before_date",
            },
        ),
        ("credit_note", {"credit_note.invoice_resolvable", "credit_note.lines_sum_to_total"}),
        (
            "transaction",
            {"transaction.invoice_resolvable", "transaction.applied_within_amount"},
        ),
    ],
)
def test_the_brief_s_rules_are_present(kind: str, expected: set[str]) -> None:
    assert expected <= {c.name for c in checks_for(kind, ["USD"], NOW)}


def test_expectation_names_read_like_gx_with_their_columns() -> None:
    checks = {c.name: c for c in checks_for("invoice", ["usd", "EUR"], NOW)}
    lines = checks["invoice.lines_sum_to_total"]
    assert lines.expectation_name == "expect_column_pair_values_to_be_equal(lines_total, total)"
    currency = checks["invoice.currency_known"]
    assert currency.kwargs["value_set"] == ["EUR", "USD"]  # normalised to upper case


def test_dates_are_bounded_by_2005_and_a_year_ahead() -> None:
    dated = next(c for c in checks_for("invoice", [], NOW) if c.name == "invoice.date_sane")
    assert dated.kwargs["min_value"] == EARLIEST == 1_104_537_600
    assert dated.kwargs["max_value"] == int(datetime(2027, 11, 29, tzinfo=UTC).timestamp())


def test_unknown_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="plan"):
        checks_for("plan", [], NOW)
