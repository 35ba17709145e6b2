"""Page texts turned into index terms ahead of writing, where the work can run in parallel.

An ingest has one index writer and several worker processes. Analysing text
(tokenizing, folding, stemming, and encoding each term's positions) is a third
of the writer's work, and it needs nothing the writer has: a worker calls
:func:`analyse_pages` on a document's page texts and sends the result along
with the rest of its extraction. The writer then hands Whoosh the ready terms
(:class:`Analysed` values, which the schema's :class:`AnalysableText` fields
take) instead of the text.

A page is analysed once: the document's ``body`` (its pages joined by a line
break) gets the same terms at positions shifted by the words of the pages
before, which is what analysing the joined text gives, since no word spans a
line break. The terms are exactly what the field's own analysis would give
(tested against Whoosh's ``field.index`` on the same texts), so an index
written from them is the index :func:`index.rebuild` writes from the catalog.

:attr:`AnalysedText.fingerprint` names the analyzer (its places) and the schema
version, so a writer never takes terms made for another index; it analyses the
text itself then, as it does for every document it indexes from the catalog.
"""

from __future__ import annotations

import functools
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from whoosh.fields import TEXT
from whoosh.system import pack_uint

from index.analysis import WORD_PATTERN, MultilingualAnalyzer, gazetteer_snapshot, places_fingerprint

#: One term of one field value, as Whoosh's ``FieldType.index`` yields it: (term, frequency, weight, positions).
TermItem = tuple[bytes, int, float, bytes]


@dataclass(frozen=True, slots=True)
class Analysed:
    """A field value whose terms are already computed; :class:`AnalysableText` indexes them as they are."""

    items: tuple[TermItem, ...]


@dataclass(frozen=True)
class AnalysedText:
    """A document's terms for ``body`` and for each page's ``page_body``, and what they were made with."""

    fingerprint: str
    page_lengths: tuple[int, ...]
    pages: tuple[tuple[TermItem, ...], ...]
    body: tuple[TermItem, ...]

    def fits(self, fingerprint: str, page_texts: Sequence[str]) -> bool:
        """True if these terms were made by the analyzer ``fingerprint`` names, from texts of these lengths."""
        return self.fingerprint == fingerprint and self.page_lengths == tuple(len(t) for t in page_texts)


class AnalysableText(TEXT):
    """Whoosh's ``TEXT`` field that also takes :class:`Analysed` values.

    Reading, querying and the terms of a plain string are ``TEXT``'s own; an
    index made before this class existed simply gets strings, and the writer
    falls back to them (:meth:`index.write.IndexWriter.add`).
    """

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, Analysed):
            return value.items
        return super().index(value, **kwargs)


def analyser_fingerprint(analyzer: Any) -> str:
    """What terms made by ``analyzer`` are valid for: its places and the index schema version."""
    from index.schema import SCHEMA_VERSION

    places = getattr(analyzer, "places", None)
    return f"{SCHEMA_VERSION}:{places_fingerprint(places) if places is not None else repr(analyzer)}"


#: Words whose terms a worker's analyzer remembers: the most frequent words are most of the text, and each
#: remembered word costs a worker about 350 bytes (a searching process keeps ``CACHE_SIZE``).
WORKER_CACHE_SIZE = 50_000


@functools.lru_cache(maxsize=4)
def _analyser(gazetteer: str) -> MultilingualAnalyzer:
    """The text analyzer a new index with this ``gazetteer`` setting gets; one per process (its word cache warms)."""
    return MultilingualAnalyzer(gazetteer_snapshot(gazetteer), cache_size=WORKER_CACHE_SIZE)


def analyse_pages(texts: Sequence[str], gazetteer: str = "", analyzer: Any = None) -> AnalysedText:
    """The index terms of a document whose pages hold ``texts``, for ``body`` and each page's ``page_body``.

    ``analyzer`` defaults to the one an index opened with the ``gazetteer``
    setting uses.
    """
    fingerprint = analyser_fingerprint(analyzer) if analyzer else _fingerprint(gazetteer)
    analyzer = analyzer or _analyser(gazetteer)
    pages: list[tuple[TermItem, ...]] = []
    body: dict[str, list[int]] = {}
    offset = 0
    for text in texts:
        positions, words = _positions(analyzer, text)
        pages.append(_items(positions.items()))
        for term, where in positions.items():
            shifted = [position + offset for position in where] if offset else where
            known = body.get(term)
            if known is None:
                body[term] = list(shifted)
            else:
                known.extend(shifted)
        offset += words
    return AnalysedText(
        fingerprint=fingerprint,
        page_lengths=tuple(len(t) for t in texts),
        pages=tuple(pages),
        body=_items(body.items()),
    )


@functools.lru_cache(maxsize=4)
def _fingerprint(gazetteer: str) -> str:
    """:func:`analyser_fingerprint` of :func:`_analyser`'s analyzer (it hashes all the places: once per process)."""
    return analyser_fingerprint(_analyser(gazetteer))


def _positions(analyzer: Any, text: str) -> tuple[dict[str, list[int]], int]:
    """Each term's word positions in ``text``, and the number of words (every word yields a term)."""
    if type(analyzer).__call__ is MultilingualAnalyzer.__call__:
        return _word_positions(analyzer, text)
    positions: dict[str, list[int]] = defaultdict(list)
    last = -1
    for token in analyzer(text, positions=True, boosts=True, mode="index"):
        positions[token.text].append(token.pos)
        last = token.pos
    return positions, last + 1


def _word_positions(analyzer: MultilingualAnalyzer, text: str) -> tuple[dict[str, list[int]], int]:
    """What :func:`_positions` gives, without a Whoosh token for each term: the analyzer's tokens in index mode
    are each word's index terms (:meth:`MultilingualAnalyzer.terms`), at the word's position."""
    positions: dict[str, list[int]] = defaultdict(list)
    terms = analyzer.terms
    words = WORD_PATTERN.findall(text)
    for position, word in enumerate(words):
        for term in terms(word).index:
            positions[term].append(position)
    return positions, len(words)


def _encoded(where: list[int]) -> bytes:
    """``where`` encoded as the posting format of ``body`` and ``page_body`` (``TEXT(phrase=True)``, Whoosh's
    ``Positions``) encodes it: the count, then the pickled gaps between positions.

    Each call gives a new bytes object, as Whoosh's does: equal values shared as one object would be pickled
    as references to each other in a posting block, and the index files would differ. A single position's
    pickle is remembered (below :data:`_SINGLE_POSITIONS`) and joined to the count anew each time.
    """
    if len(where) == 1:
        pickled = _single.get(where[0])
        if pickled is None:
            pickled = pickle.dumps(where, 2)
            if where[0] < _SINGLE_POSITIONS:
                _single[where[0]] = pickled
        return _ONE + pickled
    gaps = [after - before for before, after in pairwise(where)]
    gaps.insert(0, where[0])
    return pack_uint(len(gaps)) + pickle.dumps(gaps, 2)


_ONE = pack_uint(1)
_SINGLE_POSITIONS = 4096
_single: dict[int, bytes] = {}


def _items(positions: Iterable[tuple[str, list[int]]]) -> tuple[TermItem, ...]:
    # The weight is the term's count: every token's boost is 1.0 and the field has no boost (Whoosh's
    # Positions.word_values sums the boosts as floats).
    return tuple((term.encode("utf-8"), len(where), float(len(where)), _encoded(where)) for term, where in positions)
