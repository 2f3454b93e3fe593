"""External ids: NetSuite-safe, injective and reversible for any unicode site, kind and id."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chargebee_netsuite.transform import identity

ids = st.text(min_size=1, max_size=60)
# Surrogates cannot be UTF-8 encoded and cannot come out of a JSON API; everything else can.
kinds = st.sampled_from(
    [
        identity.CUSTOMER,
        identity.INVOICE,
        identity.CREDIT_NOTE,
        identity.TRANSACTION,
        identity.INVOICE_REVERSAL,
        identity.CREDIT_NOTE_REVERSAL,
        identity.TRANSACTION_REVERSAL,
    ]
)
NASTY = ["a|b", "a/b", "../../etc", "a b", "eid:1", "O'Brien", 'x"; DROP TABLE t;--', "-", "_2D"]
SAFE = re.compile(r"[A-Za-z0-9_-]+")


@given(site=ids, kind=kinds, source_id=ids)
def test_an_external_id_is_safe_and_parses_back(site: str, kind: str, source_id: str) -> None:
    eid = identity.external_id(site, kind, source_id)
    assert SAFE.fullmatch(eid)
    assert identity.parse_external_id(eid) == (site, kind, source_id)


@given(text=st.text(max_size=80))
def test_escape_is_reversible(text: str) -> None:
    assert identity.unescape(identity.escape(text)) == text


@given(a=st.tuples(ids, kinds, ids), b=st.tuples(ids, kinds, ids))
def test_distinct_documents_never_share_an_external_id(
    a: tuple[str, str, str], b: tuple[str, str, str]
) -> None:
    if a != b:
        assert identity.external_id(*a) != identity.external_id(*b)


@given(site=st.sampled_from(NASTY), source_id=st.sampled_from(NASTY))
def test_separator_breaking_characters_cannot_forge_another_id(site: str, source_id: str) -> None:
    eid = identity.external_id(site, identity.INVOICE, source_id)
    assert eid.count("-") == 3
    assert identity.parse_external_id(eid) == (site, identity.INVOICE, source_id)


@pytest.mark.parametrize(
    ("site", "source_id"),
    [("acme", "1-2"), ("acme-1", "2"), ("acme_2D1", "2"), ("acme", "_2D")],
)
def test_ids_that_differ_only_in_where_a_dash_is_stay_distinct(site: str, source_id: str) -> None:
    others = {
        identity.external_id(s, identity.INVOICE, i)
        for s, i in [("acme", "1-2"), ("acme-1", "2"), ("acme_2D1", "2"), ("acme", "_2D")]
        if (s, i) != (site, source_id)
    }
    assert identity.external_id(site, identity.INVOICE, source_id) not in others
