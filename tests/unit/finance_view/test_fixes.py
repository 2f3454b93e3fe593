"""Each reason code gets one plain sentence saying who does what; unknown codes a fallback."""

from __future__ import annotations

from chargebee_netsuite.finance_view.fixes import fix_sentence, plain_text, why_sentence

REASON = (
    "Chargebee invoice 42 has a line for Chargebee item price 'training-USD' (item 'training', "
    "charge), which matches no item rule. Add items.by_item_price.training-USD (or a rule for "
    "its item, family or entity type) to the mapping, or set items.default."
)


def test_an_unmapped_item_names_the_item_price_and_who_adds_the_rule() -> None:
    fix = fix_sentence("quarantined", "UNMAPPED_ITEM", REASON, {"document": "invoice 42"})
    assert "Add a rule in the mapping file for the Chargebee item price 'training-USD'" in fix
    assert "ask the NetSuite admin" in fix and "Re-drive" in fix
    why = why_sentence("UNMAPPED_ITEM", REASON)
    assert why == "The mapping file has no rule for the Chargebee item price 'training-USD'."


def test_netsuite_settings_go_to_the_netsuite_admin() -> None:
    fix = fix_sentence("held", "PERIOD_CLOSED", "", {"document": "invoice 7"})
    assert fix.startswith("Ask the NetSuite admin to reopen the accounting period of invoice 7")


def test_validation_checks_are_keyed_by_the_part_after_the_dot() -> None:
    fix = fix_sentence("quarantined", "invoice.lines_sum_to_total", "", {"document": "invoice 9"})
    assert fix.startswith("Ask the Chargebee admin to correct invoice 9")


def test_an_unknown_code_falls_back_by_state_then_generically() -> None:
    assert fix_sentence("failed", "SOMETHING_NEW", "").startswith("NetSuite refused the document")
    assert "Re-drive" in fix_sentence("weird", None, "")


def test_what_finance_reads_has_no_external_ids_mapping_keys_or_record_codes() -> None:
    text = plain_text(
        "Payment txn_1 (cb-acme_2Dtest-txn-txn_5F1) waits for CustInvc 12; set "
        "`USD: <NetSuite currency id>` or items.by_item.pro."
    )
    assert "cb-acme" not in text and "CustInvc" not in text and "items.by" not in text
    assert "`" not in text and "invoice 12" in text
    dependency = why_sentence(
        "DEPENDENCY",
        "Chargebee payment txn_1 waits for Chargebee invoice 9, because it is not in NetSuite: "
        "Chargebee invoice 9 has a line for … Add items.by_item_price.x to the mapping.",
    )
    assert dependency == "It waits for Chargebee invoice 9 to post first."
