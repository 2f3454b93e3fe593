"""Sorted list indexes: one page of a list endpoint without sorting every record per request.

An index holds the ``(sort_value, seq)`` key of every record of one kind for one sort
attribute, in ascending order. A page is a ``bisect`` to the offset position followed by a
walk (forwards, or backwards for ``sort_by[desc]``) that applies the filters until
``limit + 1`` rows match, so a page costs O(log n + rows walked) instead of a full filter
and sort. Filters with low selectivity can walk far; that is accepted.

Keys change when a record's sort attribute changes (in practice ``updated_at``, bumped by
``Store.touch``). The store marks such records dirty and :meth:`SortedIndex.refresh` moves
their keys before the next page, so a record touched mid-pagination moves between pages
exactly as it did when every page re-sorted everything.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .offsets import SortKey, sort_key

Record = dict[str, Any]


@dataclass(frozen=True)
class PageQuery:
    """One page to walk: its direction, the key it starts after, its size and its filter."""

    descending: bool
    after: SortKey | None
    limit: int
    accept: Callable[[Record], bool]


class StaleIndexError(Exception):
    """A walked record's key no longer matches the index (changed without ``touch``)."""


class SortedIndex:
    """Ascending ``(sort_value, seq)`` keys of one kind's records for one sort attribute."""

    def __init__(self, attr: str | None, rows: Sequence[Record]) -> None:
        self.attr = attr
        self.keys: list[SortKey] = []
        self.current: dict[int, SortKey] = {}
        self.dirty: set[int] = set()
        self.rebuild(rows)

    def rebuild(self, rows: Sequence[Record]) -> None:
        """Recompute every key from ``rows`` (row ``i`` has seq ``i + 1``)."""
        self.keys = sorted(
            sort_key(record, self.attr, seq) for seq, record in enumerate(rows, start=1)
        )
        self.current = {key[1]: key for key in self.keys}
        self.dirty.clear()

    def add(self, seq: int, record: Record) -> None:
        """Index a newly inserted record."""
        key = sort_key(record, self.attr, seq)
        insort(self.keys, key)
        self.current[seq] = key

    def refresh(self, rows: Sequence[Record]) -> None:
        """Move the keys of records marked dirty whose sort value has changed."""
        while self.dirty:
            seq = self.dirty.pop()
            new = sort_key(rows[seq - 1], self.attr, seq)
            old = self.current[seq]
            if new != old:
                del self.keys[bisect_left(self.keys, old)]
                insort(self.keys, new)
                self.current[seq] = new

    def walk(
        self, rows: Sequence[Record], page: PageQuery
    ) -> tuple[list[tuple[SortKey, Record]], bool]:
        """Up to ``page.limit`` accepted rows strictly after ``page.after`` in list order.

        Returns them with their keys, and whether at least one more accepted row follows
        (which is when the real API sets ``next_offset``). Raises :class:`StaleIndexError`
        if a visited record's key is out of date.
        """
        keys = self.keys
        after, limit, accept = page.after, page.limit, page.accept
        if page.descending:
            pos = (bisect_left(keys, after) if after is not None else len(keys)) - 1
            step = -1
        else:
            pos = bisect_right(keys, after) if after is not None else 0
            step = 1
        found: list[tuple[SortKey, Record]] = []
        while 0 <= pos < len(keys):
            key = keys[pos]
            record = rows[key[1] - 1]
            if sort_key(record, self.attr, key[1]) != key:
                raise StaleIndexError(key)
            if accept(record):
                if len(found) == limit:
                    return found, True
                found.append((key, record))
            pos += step
        return found, False


def page_rows(
    index: SortedIndex, rows: Sequence[Record], page: PageQuery
) -> tuple[list[tuple[SortKey, Record]], bool]:
    """:meth:`SortedIndex.walk` after a refresh, rebuilding the index once if it was stale.

    The rebuild is a safety net for records changed in place without ``Store.touch``; the
    sandbox's own operations always touch, so it should never be needed.
    """
    index.refresh(rows)
    try:
        return index.walk(rows, page)
    except StaleIndexError:
        index.rebuild(rows)
        return index.walk(rows, page)
