"""Relevance for a whole match set at once: BM25F over documents, computed over arrays.

Whoosh ranks by walking each term's postings with a matcher and scoring
one document per Python call; on a broad query over 100,000 documents that
walk is most of a search's cost, however few results are shown. Here each
term's postings (entry numbers and weights) are read once per version of
the index into arrays, and a query is scored for every match in one pass of
array arithmetic (numpy), then the best are picked.

The scores are Whoosh's BM25F: the same formula, the same inputs (each
posting's weight, each entry's field length as the index stores it), the
same way boosts multiply and sub-scores add up (an AND or OR adds its
matching parts, ``NOT`` adds its constant, AND NOT and Require keep their
first part, AND MAYBE adds its second part where it matches, a phrase scores
as its words). Only the collection statistics are not Whoosh's. Whoosh counts
every entry of the index: page entries (about three per document, so that
its idf was shifted and every document looked four times longer than
average), deleted entries until a merge drops them, and documents the reader
may not see. Here (:class:`VisibleStatistics`) the number of documents, a
term's document frequency and the average field length are those of the
documents the search may show: the live document entries at its access
levels. A score therefore never changes when a confidential document holding
the word is added, and the score is shown to the reader. The average length
is taken over each document's length as the index stores it (a byte per
entry; Whoosh's own average comes from an exact running total over every
entry). ``tests/test_match_sets.py`` checks every score against Whoosh on an
index of the visible documents alone, with that average.

Terms that expand (wildcards, prefixes, fuzzy terms, ranges) score their
boost wherever they match, as Whoosh scores an expansion of more than one
word: how many words an expansion has depends on words that hidden
documents may hold. Other queries (``Every``, other weightings) return
``None`` and are ranked by Whoosh itself.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from math import log
from typing import Any, Protocol

import numpy as np
from whoosh import query as wq
from whoosh import scoring
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length, length_to_byte

from index.sets import Entries, Postings, term_bytes

#: What a Whoosh ``Not`` adds to the score of every document it admits (``InverseMatcher``'s weight).
NOT_WEIGHT = 1.0
LENGTH_OF_BYTE = np.array([byte_to_length(code) for code in range(256)], dtype=np.float64)

Ranked = list[tuple[int, float]]


class Unsupported(Exception):
    """A query part this module does not score; Whoosh ranks the query instead."""


class Statistics(Protocol):
    """The collection statistics BM25 needs."""

    documents: int

    def doc_frequency(self, fieldname: str, btext: bytes) -> int: ...

    def average_length(self, fieldname: str) -> float: ...


class VisibleStatistics:
    """The statistics of the document entries in ``visible`` alone (live documents a search may show).

    ``frequencies`` keeps a term's count among them (a dict-like cache, with
    ``key`` naming the visible set) so that it is counted once per index version.
    """

    def __init__(self, visible: Entries, key: Hashable, postings: Callable[[str, bytes], Postings],
                 lengths: Callable[[str], np.ndarray], frequencies: Any) -> None:
        self._visible = visible
        self._key = key
        self._postings = postings
        self._lengths = lengths
        self._frequencies = frequencies
        self.documents = len(visible)

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        key = (self._key, fieldname, btext)
        found = self._frequencies.get(key)
        if found is None:
            found = self._frequencies.put(key, len(self._visible_postings(fieldname, btext)))
        return found

    def frequency(self, fieldname: str, btext: bytes) -> float:
        """How often the term occurs in the visible documents: the sum of their postings' weights."""
        key = (self._key, "frequency", fieldname, btext)
        found = self._frequencies.get(key)
        if found is None:
            _, weights = self._postings(fieldname, btext)
            found = self._frequencies.put(key, float(sum(weights[self._visible_postings(fieldname, btext)].tolist())))
        return found

    def _visible_postings(self, fieldname: str, btext: bytes) -> np.ndarray:
        """The positions, in the term's posting list, of the postings of visible documents."""
        ids, _ = self._postings(fieldname, btext)
        at = np.searchsorted(self._visible, ids)
        inside = np.flatnonzero(at < len(self._visible))
        return inside[self._visible[at[inside]] == ids[inside]]

    def average_length(self, fieldname: str) -> float:
        key = (self._key, fieldname)
        found = self._frequencies.get(key)
        if found is None:
            total = float(LENGTH_OF_BYTE[self._lengths(fieldname)[self._visible]].sum())
            found = self._frequencies.put(key, total / (self.documents or 1))
        return found


class ArrayScorer:
    """Scores match sets for one searcher's view of the index.

    ``postings`` and ``lengths`` fetch (and may cache) a term's postings and
    a field's length codes; ``matches`` answers a sub-query's match set (for
    phrases, whose positions this module does not read).
    """

    def __init__(self, searcher: Searcher, postings: Callable[[str, bytes], Postings],
                 lengths: Callable[[str], np.ndarray], matches: Callable[[wq.Query, Entries], Entries],
                 statistics: Statistics) -> None:
        self._searcher = searcher
        self._postings = postings
        self._lengths = lengths
        self._matches = matches
        weighting = searcher.weighting
        self._bm25f = weighting if type(weighting) is scoring.BM25F else None
        self.statistics = statistics

    def top(self, query: wq.Query, matched: Entries, count: int) -> Ranked | None:
        """The ``count`` best of ``matched`` as Whoosh scores them, best first (ties: lower entry first)."""
        if self._bm25f is None:
            return None
        try:
            scores, _ = self._evaluate(query, matched)
        except Unsupported:
            return None
        return best(matched, scores, count)

    def _evaluate(self, query: wq.Query, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(score, matches) of ``query`` at each candidate; a score is 0 where the query does not match.

        Each part applies its own boost to its own score, as Whoosh's wrapping matchers do.
        """
        boost = getattr(query, "boost", 1.0)
        if isinstance(query, wq.Term):
            return self._term(query.fieldname, query.text, candidates, boost)
        if type(query) is wq.Phrase and query.slop == 1:
            return self._phrase(query, candidates, boost)
        if type(query) in (wq.And, wq.Or) and not getattr(query, "scale", None) \
                and getattr(query, "minmatch", 0) <= 1 and query.subqueries:
            if len(query.subqueries) == 1:  # Whoosh answers with the part itself, its boost ignored
                return self._evaluate(query.subqueries[0], candidates)
            parts = [self._evaluate(part, candidates) for part in query.subqueries]
            combine = np.logical_and if isinstance(query, wq.And) else np.logical_or
            found = parts[0][1].copy()
            for _, part_found in parts[1:]:
                combine(found, part_found, out=found)
            return _boosted(np.where(found, _added(parts), 0.0), boost), found
        if isinstance(query, wq.MultiTerm | wq.NumericRange):  # an expansion: its boost wherever it matches
            found = np.isin(candidates, self._matches(query, candidates), assume_unique=True)
            return np.where(found, float(boost), 0.0), found
        if type(query) is wq.Not:  # an InverseMatcher: a constant weight wherever the inner query is absent
            _, inside = self._evaluate(query.query, candidates)
            found = ~inside
            return np.where(found, NOT_WEIGHT, 0.0), found
        if type(query) in (wq.AndNot, wq.Require):  # the first part's score, cut to the second's condition
            scores, found = self._evaluate(query.a, candidates)
            _, other = self._evaluate(query.b, candidates)
            found = found & ~other if type(query) is wq.AndNot else found & other
            return np.where(found, scores, 0.0), found
        if type(query) is wq.AndMaybe:  # the first part's score, plus the second's where it matches too
            scores, found = self._evaluate(query.a, candidates)
            extra, _ = self._evaluate(query.b, candidates)
            return np.where(found, scores + extra, 0.0), found
        raise Unsupported(query)

    def _term(self, fieldname: str, text: Any, candidates: np.ndarray, boost: float) -> tuple[np.ndarray, np.ndarray]:
        btext = term_bytes(self._searcher.schema, fieldname, text)
        if btext is None or (fieldname, btext) not in self._searcher.reader():
            return _nothing(candidates)
        ids, weights = self._postings(fieldname, btext)
        at = np.searchsorted(ids, candidates)
        inside = at < len(ids)
        found = np.zeros(len(candidates), dtype=bool)
        found[inside] = ids[at[inside]] == candidates[inside]
        weight = np.zeros(len(candidates), dtype=np.float64)
        weight[found] = weights[at[found]]
        if self._searcher.schema[fieldname].scorable:
            length = LENGTH_OF_BYTE[self._lengths(fieldname)[candidates]]
            scores = self._bm25(fieldname, btext, weight, length)
        else:
            scores = weight  # WeightScorer: the posting's weight
        return np.where(found, _boosted(scores, boost), 0.0), found

    def _bm25(self, fieldname: str, btext: bytes, tf: np.ndarray, fl: np.ndarray) -> np.ndarray:
        """``whoosh.scoring.bm25`` with the same operations in the same order, over arrays, with the
        documents' statistics (see the module docstring)."""
        weighting = self._bm25f
        b = weighting._field_B.get(fieldname, weighting.B)
        k1 = weighting.K1
        statistics = self.statistics
        documents = statistics.documents or 1
        idf = log(documents / (statistics.doc_frequency(fieldname, btext) + 1)) + 1  # Weighting.idf
        avgfl = statistics.average_length(fieldname) or 1  # Searcher.avg_field_length
        return idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / avgfl)))

    def _phrase(self, phrase: wq.Phrase, candidates: np.ndarray, boost: float) -> tuple[np.ndarray, np.ndarray]:
        """A phrase matches where its words stand in order; it scores as the sum of its words' scores."""
        found = np.isin(candidates, self._matches(phrase, candidates), assume_unique=True)
        words = [self._term(phrase.fieldname, word, candidates, 1.0) for word in phrase.words]
        if not words:
            raise Unsupported(phrase)
        return np.where(found, _boosted(_added(words), boost), 0.0), found


def _added(parts: Sequence[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    total = parts[0][0].copy()
    for scores, _ in parts[1:]:
        total += scores
    return total


def _boosted(scores: np.ndarray, boost: float) -> np.ndarray:
    return scores * boost if boost != 1.0 else scores


def _nothing(candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(len(candidates), dtype=np.float64), np.zeros(len(candidates), dtype=bool)


def best(candidates: np.ndarray, scores: np.ndarray, count: int) -> Ranked:
    """The ``count`` highest scores, ties broken by the lower entry number (as Whoosh breaks them)."""
    if count <= 0 or not len(candidates):
        return []
    if count < len(candidates):
        threshold = np.partition(scores, len(scores) - count)[len(scores) - count]
        keep = scores >= threshold
        candidates, scores = candidates[keep], scores[keep]
    order = np.lexsort((candidates, -scores))[:count]
    return [(int(candidates[i]), float(scores[i])) for i in order]


def read_lengths(searcher: Searcher, fieldname: str) -> np.ndarray:
    """Each entry's length code for ``fieldname`` (a byte, as the index stores it), by entry number."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    parts = []
    for subsearcher, _ in searcher.leaf_searchers():
        reader = subsearcher.reader()
        count = reader.doc_count_all()
        per_document = getattr(reader, "_perdoc", None)
        column = None
        if per_document is not None and hasattr(per_document, "_cached_reader"):
            column = per_document._readers.get(_lenfield(fieldname)) \
                or per_document._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:  # no lengths stored: Whoosh's doc_field_length answers its default, 1
            parts.append(np.full(count, length_to_byte(1), dtype=np.uint8))
        elif hasattr(column, "tobytes"):  # loaded when the searcher opened (index.search._open_searcher)
            parts.append(np.frombuffer(column.tobytes(), dtype=np.uint8))
        else:
            parts.append(np.fromiter((column[n] for n in range(count)), dtype=np.uint8, count=count))
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint8)



def key_terms(items: Any, statistics: VisibleStatistics, fieldname: str, number: int) -> list[tuple[str, float]]:
    """The ``number`` terms that best characterise a text, with weights: Whoosh's Bo1 expansion model
    (``whoosh.classify.Expander``, normalised), over the visible documents' statistics.

    ``items`` are the text's terms as the field indexes them (``field.index(text)``). A term no
    visible document holds is left out, as Whoosh leaves out a term the index does not hold.
    """
    in_text: dict[bytes, float] = {}
    for btext, _, weight, _ in items:
        in_text[btext] = in_text.get(btext, 0.0) + weight
    documents = statistics.documents
    scored = []
    best_score = 0.0
    for btext, weight in in_text.items():
        collection = statistics.frequency(fieldname, btext)
        if not collection:
            continue
        f = collection / documents
        score = weight * log((1.0 + f) / f, 2) + log(1.0 + f, 2)  # Bo1Model.score
        best_score = max(best_score, score)
        scored.append((score, btext.decode("utf-8")))
    if not scored:
        return []
    f = best_score / documents  # Bo1Model.normalizer
    norm = (best_score * log((1.0 + f) / f) + log(1.0 + f)) / log(2.0)
    ranked = sorted(((score / norm, term) for score, term in scored), key=lambda x: (-x[0], x[1]))
    return [(term, weight) for weight, term in ranked[:number]]
