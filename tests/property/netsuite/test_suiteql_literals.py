"""SuiteQL literals: any text or integer written into a query reads back as itself, never as SQL."""

from __future__ import annotations

import sqlite3

from hypothesis import given
from hypothesis import strategies as st

from chargebee_netsuite.netsuite.suiteql_literals import build

# Oracle (and so SuiteQL) and SQLite quote strings the same way: '...' with '' inside, no
# backslash escapes; SQLite stands in for NetSuite's parser here. NUL and '' (NULL in Oracle)
# are refused by design.
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1
)


@given(value=texts, other=st.integers(min_value=-(2**63), max_value=2**63 - 1))
def test_values_read_back_unchanged_and_stay_data(value: str, other: int) -> None:
    query = build("SELECT ? AS a, ? AS b WHERE ? = ?", value, other, value, value)
    rows = sqlite3.connect(":memory:").execute(query.text).fetchall()
    assert rows == [(value, other)]


@given(values=st.lists(texts, min_size=1, max_size=5), probe=texts)
def test_an_in_list_matches_exactly_its_members(values: list[str], probe: str) -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (v TEXT)")
    conn.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    query = build("SELECT COUNT(*) FROM t WHERE v IN (?)", [probe])
    assert conn.execute(query.text).fetchone() == (values.count(probe),)
