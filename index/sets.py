"""Match sets and ranking: which entries a query matches, and its top documents, without a full walk.

A results page needs a query's matches three ways: the exact total, the
facet counts over every match, and the ten best. Whoosh finds matches by
walking posting lists one posting at a time in Python, and asking for all
three walks them up to three times; on a broad query over 100,000
documents that walk is most of a search's cost.

Here each term's postings are read once per index version, a block at a
time, into a sorted numpy array of entry numbers (:data:`Entries`) that
later queries reuse (:class:`MatchSets`), and AND, OR and NOT become array
operations through boolean masks. Arrays rather than Python sets: the
garbage collector walks every element of a set at each full collection,
and with a few million cached entries that cost about 170 ms a collection
at 100,000 documents, several times a minute under load. Phrases are
checked from their words' positions, read only for the entries that hold
every word and unpickled in one call per word (:func:`gap_lists`); in a
universe of at most :data:`CHECK_EACH_UP_TO` entries (the pages of one
results page, an AND already narrowed down) terms and phrases are checked
in the posting blocks that may hold those entries only, found by
bisection in each term's :class:`BlockIndex` (Whoosh itself can only skip
forward one block header at a time).

Ranking starts from the match set (:func:`top_documents`): by date it is a
partial sort of the matches by the date column; by relevance
:mod:`index.score` computes Whoosh's own BM25F scores for every match over
arrays, and what it cannot score (wildcards, fuzzy terms) is scored
document by document with Whoosh's matchers when the set is small, or
left to Whoosh's top-N search with its block skipping, filtered to the
matches.
"""

from __future__ import annotations

import bisect
import heapq
import pickle
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from itertools import chain, compress
from typing import Any, Protocol

import numpy as np
from whoosh import formats
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE

#: Up to this many matches, relevance is scored match by match instead of by a Whoosh walk.
SCORE_EACH_BELOW = 4_000
#: In a universe this small (the pages of one results page, an AND already narrowed down) a term or a
#: phrase is checked in the blocks that hold the universe's entries only, found through cached block
#: indexes, rather than by reading all its postings.
CHECK_EACH_UP_TO = 128
#: The sort key of an entry without a date: newest-first puts undated documents last.
NO_DATE = 2**64 - 1

Ranked = list[tuple[int, float]]  # (entry number, score), best first


class TermStore(Protocol):
    """Where sets are kept between searches (see :class:`index.cache.Budgeted`)."""

    def get(self, key: Hashable) -> Any: ...
    def put(self, key: Hashable, value: Any) -> Any: ...


class _Unbounded(dict):
    def put(self, key: Hashable, value: Any) -> Any:
        return self.setdefault(key, value)


#: A set of entries: their numbers, sorted, each once (numpy, so the garbage collector never walks it).
Entries = np.ndarray
NOTHING: Entries = np.zeros(0, dtype=np.int64)
Postings = tuple[np.ndarray, np.ndarray]  # entry numbers (sorted), weights


def entries_of(numbers: Iterable[int]) -> Entries:
    """``numbers`` as an :data:`Entries` array."""
    found = np.fromiter(numbers, dtype=np.int64)
    found.sort()
    return found


def intersection(a: Entries, b: Entries, size: int) -> Entries:
    """The entries in both ``a`` and ``b`` (of an index of ``size`` entries)."""
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    if not len(small):
        return NOTHING
    return small[mask(large, size)[small]]


def difference(a: Entries, b: Entries, size: int) -> Entries:
    """The entries of ``a`` not in ``b``."""
    if not len(a) or not len(b):
        return a
    return a[~mask(b, size)[a]]


def union(parts: Sequence[Entries], size: int) -> Entries:
    parts = [part for part in parts if len(part)]
    if len(parts) <= 1:
        return parts[0] if parts else NOTHING
    found = np.zeros(size, dtype=bool)
    for part in parts:
        found[part] = True
    return np.flatnonzero(found)


def mask(entries: Entries, size: int) -> np.ndarray:
    """A boolean array over the index's entries, true at ``entries``."""
    found = np.zeros(size, dtype=bool)
    found[entries] = True
    return found


class MatchSets:
    """The entries each term and query matches, as :data:`Entries`, read with ``searcher``.

    ``postings`` fetches a term's postings (by default read here and kept in
    a plain dict); ``derived`` keeps phrase matches and posting-block indexes
    between searches.
    """

    def __init__(self, searcher: Searcher, derived: TermStore | None = None,
                 postings: Callable[[str, bytes], Postings] | None = None) -> None:
        self._searcher = searcher
        self._derived: TermStore = derived if derived is not None else _Unbounded()
        self.size = searcher.reader().doc_count_all()
        if postings is None:
            read: dict[tuple[str, bytes], Postings] = {}

            def postings(fieldname: str, btext: bytes) -> Postings:
                if (fieldname, btext) not in read:
                    read[fieldname, btext] = read_postings(searcher, fieldname, btext)
                return read[fieldname, btext]

        self._postings = postings

    def matches(self, query: wq.Query, universe: Entries) -> Entries:
        """The entries of ``universe`` that ``query`` matches (``universe`` is never changed)."""
        if not len(universe):
            return universe
        if query is wq.NullQuery:
            return NOTHING
        if isinstance(query, wq.Every) and query.fieldname in (None, "", "*"):
            return universe
        if isinstance(query, wq.Term) and len(universe) <= CHECK_EACH_UP_TO:
            btext = self._btext(query.fieldname, query.text)
            if btext is None:
                return NOTHING
            return entries_of(term_within(self._searcher, query.fieldname, btext, universe.tolist(), self.blocks))
        if isinstance(query, wq.Phrase) and len(universe) <= CHECK_EACH_UP_TO:
            return entries_of(phrase_matches(self._searcher, query, universe.tolist(), self.blocks))
        if isinstance(query, wq.Term):
            return self.both(self.term(query.fieldname, query.text), universe)
        if isinstance(query, (wq.And, wq.Require)):
            found = universe
            for part in sorted(query.children(), key=self._cost):
                found = self.matches(part, found)
                if not len(found):
                    break
            return found
        if isinstance(query, (wq.Or, wq.DisjunctionMax)) and getattr(query, "minmatch", 0) <= 1:
            return union([self.matches(part, universe) for part in query.children()], self.size)
        if isinstance(query, wq.Not):
            return difference(universe, self.matches(query.query, universe), self.size)
        if isinstance(query, wq.AndNot):
            positive = self.matches(query.a, universe)
            return difference(positive, self.matches(query.b, positive), self.size)
        if isinstance(query, wq.AndMaybe):
            return self.matches(query.a, universe)
        if isinstance(query, wq.Phrase):
            return self._phrase(query, universe)
        return self.both(entries_of(self._searcher.docs_for_query(query)), universe)

    def both(self, a: Entries, b: Entries) -> Entries:
        """The entries in both ``a`` and ``b``."""
        return intersection(a, b, self.size)

    def term(self, fieldname: str, text: Any) -> Entries:
        """Every entry holding the term (deleted entries included: match sets are cut to a filter's)."""
        btext = self._btext(fieldname, text)
        return NOTHING if btext is None else self._postings(fieldname, btext)[0]

    def _btext(self, fieldname: str, text: Any) -> bytes | None:
        return term_bytes(self._searcher.schema, fieldname, text)

    def blocks(self, offset: int, reader: Any, fieldname: str, btext: bytes) -> BlockIndex:
        """A term's :class:`BlockIndex` in one segment, read once per index version."""
        key = ("blocks", offset, fieldname, btext)
        found = self._derived.get(key)
        if found is None:
            found = self._derived.put(key, read_block_index(reader, fieldname, btext))
        return found

    def _phrase(self, phrase: wq.Phrase, universe: Entries) -> Entries:
        """Entries where the words stand in order: checked once per index version among the entries
        holding every word, and kept."""
        key = ("phrase", phrase.fieldname, tuple(phrase.words), phrase.slop)
        found = self._derived.get(key)
        if found is None:
            holders = sorted((self.term(phrase.fieldname, word) for word in phrase.words), key=len)
            candidates = holders[0] if holders else NOTHING
            for other in holders[1:]:
                candidates = self.both(candidates, other)
            found = self._derived.put(key, entries_of(phrase_matches(self._searcher, phrase, candidates.tolist(),
                                                                     self.blocks)))
        return self.both(found, universe)

    def _cost(self, query: wq.Query) -> int:
        """A rough size of what ``query`` matches, to intersect the smallest sets first."""
        if isinstance(query, wq.Not):
            return 10**12  # a difference: cheapest once the universe is small
        try:
            return query.estimate_size(self._searcher.reader())
        except Exception:  # noqa: BLE001 - an estimate only; Whoosh's raise on odd queries
            return 10**9


def term_bytes(schema: Any, fieldname: str, text: Any) -> bytes | None:
    """The term as the index holds it, or None when the field does not exist or cannot hold the value."""
    if fieldname not in schema:
        return None
    try:
        return schema[fieldname].to_bytes(text)
    except ValueError:
        return None


def read_postings(searcher: Searcher, fieldname: str, btext: bytes) -> Postings:
    """Every entry holding the term, with its posting weight, across segments (deleted entries included)."""
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if (fieldname, btext) not in reader:
            continue
        for block_ids, block_weights in posting_blocks(reader.postings(fieldname, btext)):
            ids.append(np.asarray(block_ids, dtype=np.int64) + offset)
            weights.append(np.asarray(block_weights, dtype=np.float64))
    if not ids:
        return NOTHING, np.zeros(0, dtype=np.float64)
    return np.concatenate(ids), np.concatenate(weights)


def posting_blocks(matcher: Any) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """One term's postings in one segment as (ids, weights), a block at a time (deleted entries included).

    Whoosh's own ``all_ids`` makes several Python calls per posting; a
    whoosh3 leaf matcher hands over each block's ids and weights as arrays.
    """
    for ids, weights, _ in posting_block_contents(matcher, values=False):
        yield ids, weights


def posting_block_contents(matcher: Any, *, values: bool = True
                           ) -> Iterator[tuple[Sequence[int], Sequence[float], Sequence[Any] | None]]:
    """(ids, weights, values) of a term's postings, a stored block at a time; values None unless asked for.

    From the matcher's position on, deleted entries included; a matcher that
    is not a whoosh3 block reader (postings inlined in the term info, another
    codec) gives all its postings as one block.
    """
    leaf = _leaf(matcher)
    if leaf is None:
        ids, weights, contents = [], [], []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                contents.append(matcher.value())
            matcher.next()
        yield ids, weights, contents if values else None
        return
    while leaf.is_active():
        if leaf._ids is None:
            leaf._read_ids()
        if leaf._weights is None:
            leaf._read_weights()
        if values and leaf._values is None:
            leaf._read_values()
        start = leaf._i
        yield leaf._ids[start:], leaf._weights[start:], leaf._values[start:] if values else None
        leaf._i = leaf._blocklength
        leaf._next_block()


def phrase_matches(searcher: Searcher, phrase: wq.Phrase, candidates: Iterable[int],
                   blocks: BlockSource | None = None) -> Iterator[int]:
    """The candidates where the phrase's words stand next to each other, in order.

    A plain phrase (``slop`` 1) is checked from each word's positions, read
    only from the blocks that hold a candidate (found through ``blocks``, the
    block indexes); others are left to Whoosh's span matcher, one candidate
    at a time.
    """
    schema = searcher.schema
    field = schema[phrase.fieldname] if phrase.fieldname in schema.names() else None
    if field is None or phrase.slop != 1 or not phrase.words or type(field.format) is not formats.Positions:
        yield from _verified(searcher, phrase, candidates)
        return
    try:
        words = [field.to_bytes(word) for word in phrase.words]
    except ValueError:
        return
    blocks = blocks or _uncached_blocks
    for subsearcher, offset, within in _per_segment(searcher, sorted(candidates)):
        local = np.asarray(within, dtype=np.int64) - offset
        reader = subsearcher.reader()
        starts = NOTHING  # (entry << 32) + where the phrase would start, for every occurrence of each word
        for place, word in enumerate(words):
            if not len(local) or (phrase.fieldname, word) not in reader:
                starts = NOTHING
                break
            docnums, positions = _positions(reader, phrase.fieldname, word, local,
                                            blocks(offset, reader, phrase.fieldname, word))
            begins = positions - place  # the word stands at start + place
            keep = begins >= 0
            found = _distinct(np.sort((docnums[keep] << 32) + begins[keep]))
            starts = found if place == 0 else np.intersect1d(starts, found, assume_unique=True)
            local = _distinct(starts >> 32)
        yield from (offset + local).tolist() if len(starts) else ()


class BlockIndex:
    """Where each posting block of one term in one segment starts, and the last entry it holds.

    Whoosh's posting lists have no skip list: reaching an entry near the end
    of a long list means reading every block header before it (a pickle
    each). The headers are read once and kept; an entry's block is then found
    by bisection. ``None`` offsets mean the postings are not in blocks
    Whoosh's way (another codec): read them all.
    """

    def __init__(self, offsets: list[int] | None, last_ids: list[int]) -> None:
        self.offsets = offsets
        self.last_ids = last_ids

    def __len__(self) -> int:  # its weight in a budgeted cache
        return len(self.last_ids) or 1

    def holding(self, ordered: Sequence[int]) -> list[int]:
        """The blocks that may hold each of ``ordered`` (sorted entry numbers), each block once."""
        found = {bisect.bisect_left(self.last_ids, docnum) for docnum in ordered}
        return sorted(block for block in found if block < len(self.last_ids))


#: Gives a term's block index in one segment: (the segment's offset, its reader, field, term).
BlockSource = Callable[[int, Any, str, bytes], BlockIndex]


def _uncached_blocks(offset: int, reader: Any, fieldname: str, btext: bytes) -> BlockIndex:
    return read_block_index(reader, fieldname, btext)


def read_block_index(reader: Any, fieldname: str, btext: bytes) -> BlockIndex:
    """The :class:`BlockIndex` of a term in the segment ``reader`` reads."""
    leaf = _leaf(reader.postings(fieldname, btext))
    if leaf is None:
        return BlockIndex(None, [])
    offsets, last_ids = [], []
    position = leaf._baseoffset
    while True:
        offsets.append(position)
        last_ids.append(leaf._maxid)
        if leaf._lastblock:
            return BlockIndex(offsets, last_ids)
        position = leaf._nextoffset
        leaf._goto(position)


def _leaf(matcher: Any) -> Any:
    """Whoosh's block reader under ``matcher`` (deletions are cut later), or None for another codec."""
    leaf = matcher.child if type(matcher).__name__ == "FilterMatcher" else matcher
    return leaf if all(hasattr(leaf, name) for name in _BLOCK_READER) else None


_BLOCK_READER = ("_baseoffset", "_goto", "_next_block", "_blocklength", "_read_ids", "_read_weights", "_read_values",
                 "_maxid", "_lastblock", "_nextoffset")


def _block_contents(reader: Any, fieldname: str, btext: bytes, index: BlockIndex, wanted: set[int],
                    *, values: bool) -> Iterator[tuple[Sequence[int], Sequence[Any]]]:
    """(ids, values) of each block that may hold a ``wanted`` entry; values only when asked for."""
    matcher = reader.postings(fieldname, btext)
    leaf = _leaf(matcher)
    if leaf is None or index.offsets is None:
        ids, found = [], []
        while matcher.is_active():
            ids.append(matcher.id())
            found.append(matcher.value() if values else None)
            matcher.next()
        yield ids, found
        return
    for block in index.holding(sorted(wanted)):
        leaf._lastblock = False
        leaf._atend = False
        leaf._goto(index.offsets[block])
        leaf._read_ids()
        if values:
            leaf._read_values()
        yield leaf._ids, (leaf._values if values else ())


def _distinct(ordered: np.ndarray) -> np.ndarray:
    """A sorted array without repeats (``np.unique`` hashes, several times slower on these keys)."""
    if len(ordered) < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _positions(reader: Any, fieldname: str, btext: bytes, wanted: np.ndarray,
               index: BlockIndex) -> tuple[np.ndarray, np.ndarray]:
    """Every position of one term in the ``wanted`` entries of one segment: (entry, position) arrays."""
    members = set(wanted.tolist())
    docnums: list[int] = []
    values: list[bytes] = []
    for ids, block_values in _block_contents(reader, fieldname, btext, index, members, values=True):
        flags = list(map(members.__contains__, ids))
        docnums.extend(compress(ids, flags))
        values.extend(compress(block_values, flags))
    if not docnums:
        return NOTHING, NOTHING
    gaps = gap_lists(values)
    counts = np.fromiter(map(len, gaps), dtype=np.int64, count=len(gaps))
    flat = np.fromiter(chain.from_iterable(gaps), dtype=np.int64, count=int(counts.sum()))
    # Positions are running sums of the gaps, restarting at each entry's first gap.
    running = np.cumsum(flat)
    first = np.cumsum(counts) - counts
    positions = running - np.repeat(running[first] - flat[first], counts)
    return np.repeat(np.asarray(docnums, dtype=np.int64), counts), positions


def term_within(searcher: Searcher, fieldname: str, btext: bytes, candidates: Sequence[int],
                blocks: BlockSource | None = None) -> Iterator[int]:
    """The candidates (sorted) that hold the term, reading only the blocks that may hold them."""
    blocks = blocks or _uncached_blocks
    for subsearcher, offset, within in _per_segment(searcher, candidates):
        wanted = {docnum - offset for docnum in within}
        reader = subsearcher.reader()
        if (fieldname, btext) not in reader:
            continue
        index = blocks(offset, reader, fieldname, btext)
        for ids, _ in _block_contents(reader, fieldname, btext, index, wanted, values=False):
            yield from (offset + docnum for docnum in wanted.intersection(ids))


def gap_lists(values: Sequence[bytes]) -> list[list[int]]:
    """The gap lists of ``formats.Positions`` values, unpickled all at once.

    Each value is a 4-byte count and a protocol-2 pickle of the list of gaps
    between positions. Unpickling them one by one costs a call each (most of
    a phrase check over thousands of documents); their bodies joined inside
    one outer list unpickle in a single call, which runs in C.
    """
    bodies = []
    for value in values:
        if value[_INT_SIZE:_BODY_AT] != _PROTOCOL_2:
            return [_unpickled(value) for value in values]
        bodies.append(value[_BODY_AT:-1] if value[-1] == _STOP else value[_BODY_AT:])
    lists = pickle.loads(_PROTOCOL_2 + b"](" + b"".join(bodies) + b"e.")
    if len(lists) != len(values):  # not lists of gaps after all
        return [_unpickled(value) for value in values]
    return lists


def _unpickled(value: bytes) -> list[int]:
    return pickle.loads(value[_INT_SIZE:] if value.endswith(b".") else value[_INT_SIZE:] + b".")


_PROTOCOL_2 = b"\x80\x02"
_BODY_AT = _INT_SIZE + len(_PROTOCOL_2)
_STOP = ord(".")


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
    context = searcher.context()
    for subsearcher, offset, wanted in _per_segment(searcher, sorted(candidates)):
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


def top_documents(searcher: Searcher, query: wq.Query, matched: Entries, count: int, *,
                  by_date: bool = False, dates: np.ndarray | None = None, scorer: Any = None) -> Ranked:
    """The first ``count`` entries of ``matched``: newest first, or best first as Whoosh ranks them.

    ``scorer`` (an :class:`index.score.ArrayScorer`) scores every match in
    one pass over arrays, whatever the size of the match set, so that a query
    is always ranked with the same statistics; what it cannot score Whoosh
    ranks. Ties keep Whoosh's order (the lower entry number first), so a page
    of results is the same whichever way it was computed.
    """
    if count <= 0 or not len(matched):
        return []
    if by_date:
        dates = date_column(searcher) if dates is None else dates
        return [(docnum, 0.0) for docnum in newest(matched, dates, count, lambda tied: catalog_order(searcher, tied))]
    if isinstance(query, wq.Every) and query.fieldname in (None, "", "*"):
        return [(docnum, 1.0) for docnum in matched[:count].tolist()]
    if scorer is not None:
        ranked = scorer.top(query, matched, count)
        if ranked is not None:
            return ranked
    if len(matched) < SCORE_EACH_BELOW:
        scored = _scores(searcher, query, matched.tolist())
        return [(docnum, score) for score, docnum in
                heapq.nsmallest(count, ((score, docnum) for docnum, score in scored.items()),
                                key=lambda pair: (-pair[0], pair[1]))]
    # Whoosh's default top-N also swaps in "replacement" matchers once it has N hits, and those drop
    # documents that score above the N-th (seen on a two-segment index: a single-word query lost its best
    # document). Block skipping alone keeps the ranking exact, so replacement is switched off.
    # Whoosh's RequireMatcher fails an assertion when block skipping moves it (``a REQUIRE b``): none there.
    quality = not _holds(query, wq.Require)
    collector = FilterCollector(TopCollector(limit=count, usequality=quality, replace=0), allow=set(matched.tolist()))
    searcher.search_with_collector(query, collector)
    return [(docnum, score) for score, docnum in collector.results().top_n]


def newest(matched: Entries, dates: np.ndarray, count: int,
           order_of_ties: Callable[[Entries], np.ndarray] | None = None) -> list[int]:
    """The ``count`` newest of ``matched``, undated last.

    Documents of the same date come in the order ``order_of_ties`` gives them (a key per entry; the search uses
    :func:`catalog_order`, so that a list "newest first" is the same after a re-index), else lower entry first.
    """
    # As signed numbers NO_DATE (all bits set) is -1: older than any date.
    older = -dates[matched].astype(np.int64)
    if count < len(matched):
        keep = older <= np.partition(older, count - 1)[count - 1]
        matched, older = matched[keep], older[keep]
    ties = matched.astype(np.int64)
    if order_of_ties is not None and len(older):
        _, group, sizes = np.unique(older, return_inverse=True, return_counts=True)
        tied = sizes[group] > 1  # only these need a key: reading it costs a stored-fields read each
        if tied.any():
            ties[tied] = order_of_ties(matched[tied])
    return matched[np.lexsort((ties, older))[:count]].tolist()


def catalog_order(searcher: Searcher, entries: Entries) -> np.ndarray:
    """Each entry's place in the catalog: the number of its document's control number (``EVA-000076``: 76).

    Entry numbers change when a document is indexed again (an access change puts it last) or the index is
    rebuilt; control numbers never do.
    """
    return np.fromiter((_control_sequence(searcher.stored_fields(entry).get("control", ""))
                        for entry in entries.tolist()), dtype=np.int64, count=len(entries))


def _control_sequence(control: str) -> int:
    digits = control.rpartition("-")[2]
    return int(digits) if digits.isdigit() else np.iinfo(np.int64).max  # none: after every numbered one


def _holds(query: wq.Query, kind: type) -> bool:
    return isinstance(query, kind) or any(_holds(part, kind) for part in query.children())


def _scores(searcher: Searcher, query: wq.Query, matched: Iterable[int]) -> dict[int, float]:
    """Whoosh's score of each matched entry, from its matcher."""
    return {docnum: matcher.score() for docnum, matcher in _landings(searcher, query, matched, scored=True)}


def date_column(searcher: Searcher) -> np.ndarray:
    """Every entry's date as the index sorts it (:data:`NO_DATE` where it has none), by entry number."""
    # Segment by segment: a segment whose documents are all undated has no date column, and Whoosh's
    # MultiColumnReader then leaves it out, which would shift every later segment's dates onto other entries.
    parts = []
    for reader, _ in searcher.reader().leaf_readers():
        count = reader.doc_count_all()
        if reader.has_column("date"):
            parts.append(np.fromiter(reader.column_reader("date", translate=False), dtype=np.uint64, count=count))
        else:
            parts.append(np.full(count, NO_DATE, dtype=np.uint64))
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.uint64)


def _per_segment(searcher: Searcher, ordered: Sequence[int]) -> Iterator[tuple[Searcher, int, Sequence[int]]]:
    """Each segment holding some of ``ordered`` (sorted entry numbers): its searcher, offset and those entries."""
    for subsearcher, offset in searcher.leaf_searchers():
        end = offset + subsearcher.reader().doc_count_all()
        within = ordered[bisect.bisect_left(ordered, offset):bisect.bisect_left(ordered, end)]
        if len(within):
            yield subsearcher, offset, within
