"""Match sets and ranking: which entries a query matches, and its top documents, without a full walk.

A results page needs a query's matches three ways: the exact total, the
facet counts over every match, and the ten best. Whoosh finds matches by
walking posting lists one posting at a time in Python, and asking for all
three walks them up to three times; on a broad query over 100,000
documents that walk is most of a search's cost.

Here each term's postings are read once per searcher, a block at a time,
into a set that later queries reuse (:class:`MatchSets`), and AND, OR and
NOT become set operations, which run in C. Only what needs positions
(phrases) goes back to Whoosh, and then only for the candidates that hold
every word of the phrase. Ranking then starts from the match set
(:func:`top_documents`): by date it is a sort of the matches by the date
column; by relevance a small match set is scored document by document with
Whoosh's own matchers (the same BM25F scores Whoosh gives), and a large
one is left to Whoosh's top-N search with its block-skipping, filtered to
the matches.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Hashable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from whoosh import query as wq
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.searching import Searcher

#: Up to this many matches, relevance is scored match by match instead of by a Whoosh walk.
SCORE_EACH_BELOW = 4_000
#: The sort key of an entry without a date: newest-first puts undated documents last.
NO_DATE = 2**64 - 1

Ranked = list[tuple[int, float]]  # (entry number, score), best first


class TermStore(Protocol):
    """Where term sets are kept between searches (see :class:`index.cache.Budgeted`)."""

    def get(self, key: Hashable) -> Any: ...
    def put(self, key: Hashable, value: Any) -> Any: ...


class _Unbounded(dict):
    def put(self, key: Hashable, value: Any) -> Any:
        return self.setdefault(key, value)


class MatchSets:
    """The entries each term and query matches, as sets, read with ``searcher``; term sets kept in ``terms``."""

    def __init__(self, searcher: Searcher, terms: TermStore | None = None) -> None:
        self._searcher = searcher
        self._terms: TermStore = terms if terms is not None else _Unbounded()

    def matches(self, query: wq.Query, universe: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
        """The entries of ``universe`` that ``query`` matches (``universe`` is never changed)."""
        if not universe:
            return universe
        if query is wq.NullQuery:
            return frozenset()
        if isinstance(query, wq.Every) and query.fieldname in (None, "", "*"):
            return universe
        if isinstance(query, wq.Term):
            return self._within(self.term(query.fieldname, query.text), universe)
        if isinstance(query, (wq.And, wq.Require)):
            found = universe
            for part in sorted(query.children(), key=self._cost):
                found = self.matches(part, found)
                if not found:
                    break
            return found
        if isinstance(query, (wq.Or, wq.DisjunctionMax)) and getattr(query, "minmatch", 0) <= 1:
            found: set[int] = set()
            for part in query.children():
                found.update(self.matches(part, universe))
            return found
        if isinstance(query, wq.Not):
            return universe - self.matches(query.query, universe)
        if isinstance(query, wq.AndNot):
            positive = self.matches(query.a, universe)
            return positive - self.matches(query.b, positive)
        if isinstance(query, wq.AndMaybe):
            return self.matches(query.a, universe)
        if isinstance(query, wq.Phrase):
            return self._phrase(query, universe)
        return self._within(frozenset(self._searcher.docs_for_query(query)), universe)

    def term(self, fieldname: str, text: Any) -> frozenset[int]:
        """Every entry holding the term (deleted entries included: match sets are cut to a filter's)."""
        schema = self._searcher.schema
        if fieldname not in schema:
            return frozenset()
        try:
            btext = schema[fieldname].to_bytes(text)
        except ValueError:
            return frozenset()
        key = (fieldname, btext)
        found = self._terms.get(key)
        if found is None:
            found = self._terms.put(key, frozenset(self._read(fieldname, btext)))
        return found

    def _read(self, fieldname: str, btext: bytes) -> Iterator[int]:
        for subsearcher, offset in self._searcher.leaf_searchers():
            reader = subsearcher.reader()
            if (fieldname, btext) in reader:
                yield from (offset + docnum for docnum in posting_ids(reader.postings(fieldname, btext)))

    def _phrase(self, phrase: wq.Phrase, universe: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
        """Documents holding every word, then checked for the words' positions by Whoosh, one by one."""
        candidates = universe
        for word in phrase.words:
            candidates = self._within(self.term(phrase.fieldname, word), candidates)
            if not candidates:
                return frozenset()
        return set(_verified(self._searcher, phrase, candidates))

    def _cost(self, query: wq.Query) -> int:
        """A rough size of what ``query`` matches, to intersect the smallest sets first."""
        if isinstance(query, wq.Term):
            known = self._terms.get((query.fieldname, self._key_text(query)))
            if known is not None:
                return len(known)
        if isinstance(query, wq.Not):
            return 10**12  # a difference: cheapest once the universe is small
        try:
            return query.estimate_size(self._searcher.reader())
        except Exception:  # noqa: BLE001 - an estimate only; Whoosh's raise on odd queries
            return 10**9

    def _key_text(self, query: wq.Term) -> bytes | None:
        try:
            return self._searcher.schema[query.fieldname].to_bytes(query.text)
        except (KeyError, ValueError):
            return None

    @staticmethod
    def _within(found: frozenset[int] | set[int], universe: set[int] | frozenset[int]) -> set[int] | frozenset[int]:
        return found & universe if len(found) <= len(universe) else universe & found


def posting_ids(matcher: Any) -> Iterable[int]:
    """The document numbers of one term's postings in one segment, a block at a time where it can.

    Whoosh's own ``all_ids`` makes several Python calls per posting; a
    whoosh3 leaf matcher hands over each block's ids as one tuple.
    """
    leaf = matcher
    if type(leaf).__name__ == "FilterMatcher":  # a segment with deletions: cut to the filter's set later
        leaf = leaf.child
    if not all(hasattr(leaf, name) for name in ("_read_ids", "_next_block", "_blocklength")):
        return list(matcher.all_ids())
    ids: list[int] = []
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        ids.extend(leaf._ids[leaf._i:])
        leaf._i = leaf._blocklength
        leaf._next_block()
    return ids


def _verified(searcher: Searcher, query: wq.Query, candidates: Iterable[int]) -> Iterator[int]:
    """The candidates ``query`` really matches."""
    for docnum, _ in _landings(searcher, query, candidates, scored=False):
        yield docnum


def _landings(searcher: Searcher, query: wq.Query, candidates: Iterable[int], *,
              scored: bool) -> Iterator[tuple[int, Any]]:
    """Each candidate the query matches, with Whoosh's matcher standing on it (segment by segment).

    The matcher skips straight to each candidate in turn instead of walking
    every posting; ``scored`` gives it the searcher's weighting.
    """
    ordered = sorted(candidates)
    context = searcher.context()
    for subsearcher, offset, end in _segments(searcher):
        wanted = ordered[_first_at_least(ordered, offset):_first_at_least(ordered, end)]
        if not wanted:
            continue
        matcher = query.matcher(subsearcher, context if scored else subsearcher.boolean_context())
        for docnum in wanted:
            local = docnum - offset
            if not matcher.is_active():
                break
            if matcher.id() < local:
                matcher.skip_to(local)
                if not matcher.is_active():
                    break
            if matcher.id() == local:
                yield docnum, matcher


def top_documents(searcher: Searcher, query: wq.Query, matched: set[int] | frozenset[int], count: int, *,
                  by_date: bool = False, dates: Sequence[int] | None = None) -> Ranked:
    """The first ``count`` entries of ``matched``: newest first, or best first as Whoosh ranks them.

    Ties keep Whoosh's order (the lower entry number first), so a page of
    results is the same whichever way it was computed.
    """
    if count <= 0 or not matched:
        return []
    if by_date:
        if dates is None:
            dates = date_column(searcher)
        newest = heapq.nsmallest(count, matched, key=lambda n: (-_date_key(dates, n), n))
        return [(docnum, 0.0) for docnum in newest]
    if isinstance(query, wq.Every) and query.fieldname in (None, "", "*"):
        return [(docnum, 1.0) for docnum in heapq.nsmallest(count, matched)]
    if len(matched) < SCORE_EACH_BELOW:
        scored = _scores(searcher, query, matched)
        return [(docnum, score) for score, docnum in
                heapq.nsmallest(count, ((score, docnum) for docnum, score in scored.items()),
                                key=lambda pair: (-pair[0], pair[1]))]
    # Whoosh's default top-N also swaps in "replacement" matchers once it has N hits, and those drop
    # documents that score above the N-th (seen on a two-segment index: a single-word query lost its best
    # document). Block skipping alone keeps the ranking exact, so replacement is switched off.
    allow = matched if isinstance(matched, set) else set(matched)  # Whoosh takes a set, not a frozenset
    collector = FilterCollector(TopCollector(limit=count, usequality=True, replace=0), allow=allow)
    searcher.search_with_collector(query, collector)
    return [(docnum, score) for score, docnum in collector.results().top_n]


def _scores(searcher: Searcher, query: wq.Query, matched: Iterable[int]) -> dict[int, float]:
    """Whoosh's score of each matched entry, from its matcher."""
    return {docnum: matcher.score() for docnum, matcher in _landings(searcher, query, matched, scored=True)}


def date_column(searcher: Searcher) -> list[int]:
    """Every entry's date as the index sorts it (:data:`NO_DATE` where it has none), by entry number."""
    column = searcher.reader().column_reader("date", translate=False)
    return list(column)


def _date_key(dates: Sequence[int], docnum: int) -> int:
    value = dates[docnum]
    return -1 if value == NO_DATE else value


def _segments(searcher: Searcher) -> Iterator[tuple[Searcher, int, int]]:
    for subsearcher, offset in searcher.leaf_searchers():
        yield subsearcher, offset, offset + subsearcher.reader().doc_count_all()


def _first_at_least(ordered: Sequence[int], value: int) -> int:
    return bisect.bisect_left(ordered, value)
