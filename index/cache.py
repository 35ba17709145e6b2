"""What searches compute once per version of the index, shared by every thread, within a memory budget.

Filter entry sets, term postings, match sets, phrase matches, facet
tables, field lengths and the date column depend only on the index's
content, not on which thread's searcher read them, so one
:class:`IndexCache` per version of the index (its generation and segments)
serves every thread. Each thread reads through its own searcher (Whoosh's
readers are not safe to share) via a :class:`SearcherCache` view. All of
them are numpy arrays (see :mod:`index.sets` for why not Python sets), and
they are bounded by how many entries they hold (:class:`Budgeted`), not by
how many there are: at 100,000 documents one filter set holds 100,000
entries.

A new generation gets a new cache; the last two are kept, for threads whose
searcher has not yet moved on. Nothing is ever reused across versions, so a
changed access level can never be answered from an old set.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from index.facets import FacetTables
from index.score import ArrayScorer, VisibleStatistics, read_lengths
from index.sets import NO_DATE, Entries, MatchSets, Postings, date_column, entries_of, read_postings

#: Entries (document numbers) each kind of set may hold in all, per version of the index.
FILTER_BUDGET = 1_500_000
MATCH_BUDGET = 1_000_000
DERIVED_BUDGET = 1_000_000  # phrase matches (entries) and posting-block indexes (blocks)
POSTINGS_BUDGET = 3_000_000
#: Facet count tables kept (small: one count per facet value).
COUNTS_KEPT = 256
#: Statistics of the documents visible at some access levels kept (a number each).
STATISTICS_KEPT = 100_000
VERSIONS_KEPT = 2


class Budgeted:
    """A thread-safe least-recently-used map holding at most ``budget`` units (by default, set sizes).

    A value larger than the whole budget is still kept, alone, until the next one arrives.
    """

    def __init__(self, budget: int, weigh: Callable[[Any], int] = len) -> None:
        self._budget = budget
        self._weigh = weigh
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._held = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Hashable, value: Any) -> Any:
        """Keep ``value`` under ``key`` (or return what another thread kept there first)."""
        with self._lock:
            if key in self._items:
                return self._items[key]
            self._items[key] = value
            self._held += self._weigh(value)
            while self._held > self._budget and len(self._items) > 1:
                _, dropped = self._items.popitem(last=False)
                self._held -= self._weigh(dropped)
            return value

    @property
    def held(self) -> int:
        return self._held

    def __len__(self) -> int:
        return len(self._items)


class IndexCache:
    """Everything computed once for one version of the index."""

    def __init__(self) -> None:
        self.filters = Budgeted(FILTER_BUDGET)
        self.matched = Budgeted(MATCH_BUDGET)
        self.derived = Budgeted(DERIVED_BUDGET)
        self.postings = Budgeted(POSTINGS_BUDGET, weigh=lambda pair: len(pair[0]))
        self.lengths: dict[str, np.ndarray] = {}
        self.counts = Budgeted(COUNTS_KEPT, weigh=lambda _: 1)
        self.statistics = Budgeted(STATISTICS_KEPT, weigh=lambda _: 1)  # visible documents' term counts
        self.tables = FacetTables()
        self._lock = threading.Lock()
        self._dates: np.ndarray | None = None
        self._live: Entries | None = None
        self._date_order: tuple[np.ndarray, Entries] | None = None

    def dates(self, searcher: Searcher) -> np.ndarray:
        if self._dates is None:
            values = date_column(searcher)
            with self._lock:
                self._dates = values if self._dates is None else self._dates
        return self._dates

    def live(self, searcher: Searcher) -> Entries:
        """Every entry not deleted."""
        if self._live is None:
            reader = searcher.reader()
            live = entries_of(reader.all_doc_ids()) if reader.has_deletions() \
                else np.arange(reader.doc_count_all(), dtype=np.int64)
            with self._lock:
                self._live = live if self._live is None else self._live
        return self._live

    def date_order(self, searcher: Searcher) -> tuple[np.ndarray, Entries]:
        """Dated entries sorted by date: (dates, entry numbers)."""
        if self._date_order is None:
            dates = self.dates(searcher)
            dated = np.flatnonzero(dates != NO_DATE)
            order = dated[np.argsort(dates[dated], kind="stable")]
            with self._lock:
                self._date_order = (dates[order], order) if self._date_order is None else self._date_order
        return self._date_order


class IndexCaches:
    """The caches of the last few versions of one index, by version."""

    def __init__(self) -> None:
        self._by_version: OrderedDict[Hashable, IndexCache] = OrderedDict()
        self._lock = threading.Lock()

    def for_searcher(self, searcher: Searcher) -> SearcherCache:
        key = index_version(searcher)
        with self._lock:
            cache = self._by_version.get(key)
            if cache is None:
                cache = self._by_version[key] = IndexCache()
                while len(self._by_version) > VERSIONS_KEPT:
                    self._by_version.popitem(last=False)
        return SearcherCache(cache, searcher)

    def clear(self) -> None:
        with self._lock:
            self._by_version.clear()


def index_version(searcher: Searcher) -> Hashable:
    """What identifies the content a searcher sees: its generation, segments and their deletions.

    Segment ids are random, so a rebuilt index never takes an old version's key.
    """
    reader = searcher.reader()
    segments = tuple(  # an index with no segment yet (nothing ingested) reads through an EmptyReader: none
        (segment.segment_id(), segment.deleted_count())
        for segment in (leaf.segment() for leaf, _ in reader.leaf_readers() if hasattr(leaf, "segment"))
        if segment is not None
    )
    return reader.generation(), segments


class SearcherCache:
    """One thread's view of an :class:`IndexCache`: computes what is missing with that thread's searcher."""

    def __init__(self, cache: IndexCache, searcher: Searcher) -> None:
        self.cache = cache
        self.searcher = searcher
        self.sets = MatchSets(searcher, cache.derived, self.postings)

    def entries(self, filter_query: wq.Query) -> Entries:
        """The index entries a filter admits."""
        key = repr(filter_query)
        found = self.cache.filters.get(key)
        if found is None:
            found = self.cache.filters.put(key, self.sets.matches(filter_query, self.cache.live(self.searcher)))
        return found

    def dated(self, date_range: wq.NumericRange) -> Entries:
        """Entries whose date falls in ``date_range``, by bisection over the date column read once."""
        key = repr(date_range)
        found = self.cache.filters.get(key)
        if found is None:
            values, docnums = self.cache.date_order(self.searcher)
            # The bounds as uint64 like the column: numpy would compare a Python int and a uint64 as floats,
            # and a day's last tick would round to the next day's first.
            low = 0 if date_range.start is None else int(np.searchsorted(values, np.uint64(date_range.start), "left"))
            high = len(values) if date_range.end is None \
                else int(np.searchsorted(values, np.uint64(date_range.end), "right"))
            found = self.cache.filters.put(key, np.sort(docnums[low:high]))
        return found

    def scorer(self, visible: wq.Query) -> ArrayScorer:
        """Scores whole match sets with this version's postings and field lengths (see :mod:`index.score`).

        ``visible`` is the filter of the document entries the search may show
        (those its access levels admit): the statistics are theirs alone.
        """
        statistics = VisibleStatistics(self.entries(visible), repr(visible), self.postings, self.lengths,
                                       self.cache.statistics)
        return ArrayScorer(self.searcher, self.postings, self.lengths, self.sets.matches, statistics)

    def postings(self, fieldname: str, btext: bytes) -> Postings:
        """A term's entries and weights, read once per version (see :func:`index.sets.read_postings`)."""
        key = (fieldname, btext)
        found = self.cache.postings.get(key)
        if found is None:
            found = self.cache.postings.put(key, read_postings(self.searcher, fieldname, btext))
        return found

    def lengths(self, fieldname: str) -> np.ndarray:
        found = self.cache.lengths.get(fieldname)
        if found is None:
            found = self.cache.lengths.setdefault(fieldname, read_lengths(self.searcher, fieldname))
        return found

    def dates(self) -> np.ndarray:
        """Each entry's date as the index sorts it, by entry number."""
        return self.cache.dates(self.searcher)

    def matched(self, user_query: wq.Query, doc_filter: wq.Query, allowed: Entries) -> Entries:
        """Every document entry the query matches within the filter (the exact total)."""
        key = (repr(user_query), repr(doc_filter))
        found = self.cache.matched.get(key)
        if found is None:
            found = self.cache.matched.put(key, self.sets.matches(user_query, allowed))
        return found

    def facet_counts(self, user_query: wq.Query, doc_filter: wq.Query, matched: Entries,
                     fields: Sequence[str]) -> dict[str, Any]:
        key = (repr(user_query), repr(doc_filter), tuple(fields))
        found = self.cache.counts.get(key)
        if found is None:
            documents = self.sets.term("kind", "doc")
            found = self.cache.counts.put(key, self.cache.tables.count(self.searcher, documents, matched, fields))
        return found
