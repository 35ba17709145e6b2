"""Text analysis for the index: how words in English, Russian and Azerbaijani become searchable terms.

The same analyzer runs on documents and on queries. Each word is given to the
stemmer of its own language, chosen from its letters (see
:func:`index.transliterate.script_of`):

* English (and any other Latin word): lower case, accents folded, then the
  Snowball English (porter2) stemmer exactly as Whoosh's ``StemFilter("en")``
  applies it, so English retrieval is plain BM25 over porter2 stems.
* Azerbaijani: case and plural endings are stripped (``Şuşada`` → ``şuşa``,
  ``minaların`` → ``mina``), the stem is spelt the English way (``şuşa`` →
  ``shusha``) and stemmed as English. Azerbaijani words therefore meet the
  English spelling of the same name (``Xocalı`` and ``Khojaly`` both give
  ``khojali``; ``Füzuli`` and ``Fuzuli`` give ``fuzuli``).
* Russian: the Snowball Russian stemmer (``мины``, ``мин``, ``минами`` →
  ``мин``). A capitalised Russian word of four letters or more (a name, most
  likely) is also indexed under its English spelling (``Ходжалы`` →
  ``khojali``), so a search for ``Khojaly`` finds it.
* Places of the gazetteer (:mod:`archive.analyse.places`), in any spelling or
  case form (``в Шуше``, ``Агдама``, ``Füzulidə``, ``Shushi``), are also indexed
  under their canonical name's term (``shusha``), and a query naming one searches
  that term. This is how places meet across scripts whatever the inflection.

Tokens and positions: at index time a word yields one token, or two or three at
the same position (its stem plus its English spelling or place term); a query
word always yields exactly one token, so phrase queries keep their positions
(``"Shusha city"`` finds ``Şuşa city``). Every index-time token set of a word
contains that word's query token.

The gazetteer's places (the built-in ones, merged with a user's file from
``ARCHIVE_GAZETTEER``) are copied into the analyzer when it is built, and
pickled with the schema, so an index keeps answering queries the way it was
built until it is rebuilt; :mod:`index.search` refuses to open an index
built with other places and asks for ``evidence reindex``. Treaty article
ids are not analysed here: they live in keyword fields (see
:mod:`index.schema`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

from whoosh.analysis import Analyzer, Token
from whoosh.lang.snowball.english import EnglishStemmer
from whoosh.support.charset import accent_map

from index.transliterate import (
    azerbaijani_lower,
    azerbaijani_to_latin,
    russian_to_latin,
    script_of,
)

WORD = r"\w+(?:[-'’.]\w+)*"
WORD_PATTERN = re.compile(WORD)

#: Upper bound on words remembered per analyzer; the cache is emptied when it is reached.
CACHE_SIZE = 100_000
#: Capitalised Russian words at least this long are also indexed under their English spelling.
MIN_RUSSIAN_NAME_LENGTH = 4

# Azerbaijani suffixes, stripped in three slots from the end of a word: case, then possessive,
# then plural. Each suffix comes with the shortest stem it may leave. Single-vowel suffixes
# (dative -a, accusative -ı) are not stripped: they cannot be told from a stem's own last vowel.
AZERBAIJANI_CASE_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("lardakı", 3), ("lərdəki", 3), ("larla", 3), ("lərlə", 3),
    ("ndakı", 3), ("ndəki", 3), ("dakı", 3), ("dəki", 3),
    ("ndan", 3), ("ndən", 3), ("dan", 4), ("dən", 4),
    ("nda", 3), ("ndə", 3), ("da", 3), ("də", 3),
    ("nın", 3), ("nin", 3), ("nun", 3), ("nün", 3),
    ("ın", 4), ("in", 4), ("un", 4), ("ün", 4),
    ("nı", 4), ("ni", 4), ("nu", 4), ("nü", 4),
)
AZERBAIJANI_POSSESSIVE_SUFFIXES: tuple[tuple[str, int], ...] = (
    ("ları", 3), ("ləri", 3), ("sı", 4), ("si", 4), ("su", 4), ("sü", 4),
)
AZERBAIJANI_PLURAL_SUFFIXES: tuple[tuple[str, int], ...] = (("lar", 3), ("lər", 3))
AZERBAIJANI_SUFFIX_SLOTS = (AZERBAIJANI_CASE_SUFFIXES, AZERBAIJANI_POSSESSIVE_SUFFIXES, AZERBAIJANI_PLURAL_SUFFIXES)


class WordTerms(NamedTuple):
    """The terms of one word: the one a query searches, and all those a document is indexed under."""

    query: str
    index: tuple[str, ...]


# -- stemmers --------------------------------------------------------------------------

english_stem = EnglishStemmer().stem


def _load_russian_stemmer() -> Any:
    try:
        import Stemmer  # PyStemmer: the Snowball stemmers in C
    except ImportError:  # pragma: no cover - PyStemmer is a dependency; Whoosh's pure-Python port is the same algorithm
        from whoosh.lang.snowball.russian import RussianStemmer

        return RussianStemmer().stem
    return Stemmer.Stemmer("russian").stemWord


russian_stem = _load_russian_stemmer()


def azerbaijani_stem(word: str) -> str:
    """``word`` (Azerbaijani, lower case) without its case, possessive and plural suffixes."""
    for suffixes in AZERBAIJANI_SUFFIX_SLOTS:
        for suffix, shortest_stem in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= shortest_stem:
                word = word[: -len(suffix)]
                break
    return word


def english_term(word: str) -> str:
    """The term of a Latin word, exactly as ``LowercaseFilter | CharsetFilter(accent_map) | StemFilter("en")``."""
    return english_stem(word.lower().translate(accent_map))


def azerbaijani_term(word: str) -> str:
    """The term of an Azerbaijani word: its stem, spelt the English way, stemmed as English."""
    return english_stem(azerbaijani_to_latin(azerbaijani_stem(azerbaijani_lower(word))).translate(accent_map))


def russian_terms(word: str) -> tuple[str, ...]:
    """The terms of a Russian word: its Russian stem, and for a likely name its English spelling's term."""
    lowered = word.lower().replace("ё", "е")
    stem = russian_stem(lowered)
    if word[0].isupper() and len(word) >= MIN_RUSSIAN_NAME_LENGTH:
        latin = english_stem(russian_to_latin(lowered).translate(accent_map))
        if latin != stem:
            return stem, latin
    return (stem,)


# -- places ----------------------------------------------------------------------------

PlaceData = tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...], tuple[str, ...]], ...]


def gazetteer_snapshot(extra: str = "") -> PlaceData:
    """The gazetteer's names, spellings and case-sensitive spellings, as plain data.

    ``extra`` is a user's places file merged into the built-in gazetteer (the
    ``gazetteer`` setting); empty means the built-in one alone.
    """
    from pathlib import Path

    from archive.analyse.places import load_gazetteer

    return tuple(
        (place.name, tuple((language, tuple(spellings)) for language, spellings in place.variants.items()),
         tuple(sorted(place.case_sensitive)))
        for place in load_gazetteer(Path(extra) if extra else None).places
    )


def places_fingerprint(places: PlaceData) -> str:
    """A short digest of the place data, to tell whether an index was built with these places."""
    import hashlib
    import json

    return hashlib.sha256(json.dumps(places, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def place_term(name: str) -> str:
    """The term a place is indexed under: its canonical name's English term (``Shusha`` → ``shusha``)."""
    return english_term("-".join(name.split()))


class PlaceTerms:
    """Finds the place a single word names, with the gazetteer's own matching rules."""

    def __init__(self, places: PlaceData) -> None:
        from archive.analyse.places import Gazetteer, Place

        self.gazetteer = Gazetteer.from_places(tuple(
            Place(name=name, kind="", district=None, variants=dict(variants), case_sensitive=frozenset(exact))
            for name, variants, exact in places
        ))
        self.terms = {name: place_term(name) for name, _, _ in places}

    def term_for(self, word: str) -> str | None:
        """The place term of ``word`` when the whole word is a spelling or case form of a place."""
        mentions = self.gazetteer.find(word)
        if len(mentions) == 1 and mentions[0].start == 0 and mentions[0].end == len(word):
            return self.terms[mentions[0].name]
        return None


def hyphenated_parts(word: str) -> tuple[str, ...]:
    """The parts of a hyphenated word (``anti-personnel`` → ``anti``, ``personnel``), or none for a plain word.

    A document's hyphenated word is indexed under its parts' terms too, at its own position, so that
    ``personnel`` finds ``anti-personnel`` and ``tank`` finds ``anti-tank``, and the phrase
    ``"personnel mines"`` finds ``anti-personnel mines``; a query word stays one term (``anti-personnel``
    searches the whole word).
    """
    if "-" not in word:
        return ()
    return tuple(part for part in word.split("-") if part)


# -- the analyzer ----------------------------------------------------------------------


class MultilingualAnalyzer(Analyzer):
    """Tokenizes, folds and stems English, Russian and Azerbaijani text; see the module docstring.

    Picklable: only the place data is pickled; the word cache and the gazetteer
    matcher are rebuilt on first use.
    """

    def __init__(self, places: PlaceData = (), cache_size: int = CACHE_SIZE) -> None:
        self.places = places
        self.cache_size = cache_size
        self._hash = hash(places)  # web highlighting caches query terms per analyzer: hashed on every query
        self._cache: dict[str, WordTerms] = {}
        self._place_terms: PlaceTerms | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"places": self.places}

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__init__(tuple(state.get("places", ())))

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.places == self.places

    def __hash__(self) -> int:
        return self._hash

    def __repr__(self) -> str:
        return f"{type(self).__name__}(places={len(self.places)})"

    def terms(self, word: str) -> WordTerms:
        """The query term and index terms of one word (cached)."""
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) >= self.cache_size:
                self._cache.clear()
            found = self._cache[word] = self._compute_terms(word)
        return found

    def _compute_terms(self, word: str) -> WordTerms:
        whole = self._word_terms(word)
        parts = hyphenated_parts(word)
        if not parts:
            return whole
        return WordTerms(whole.query, tuple(dict.fromkeys(
            (*whole.index, *(term for part in parts for term in self.terms(part).index)))))

    def _word_terms(self, word: str) -> WordTerms:
        script = script_of(word)
        if script == "ru":
            forms: tuple[str, ...] = russian_terms(word)
        elif script == "az":
            forms = (azerbaijani_term(word),)
        else:
            forms = (english_term(word),)
        place = self._place_term(word) if self.places else None
        if place is None:
            return WordTerms(forms[0], forms)
        return WordTerms(place, tuple(dict.fromkeys((*forms, place))))

    def _place_term(self, word: str) -> str | None:
        if self._place_terms is None:
            self._place_terms = PlaceTerms(self.places)
        return self._place_terms.term_for(word)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Whoosh's analyzer protocol: the tokens of ``value``, one Token object reused for all."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        query = mode == "query"
        matches = WORD_PATTERN.finditer(value) if tokenize else _whole(value)
        pos = start_pos
        for match in matches:
            word = match.group()
            if no_morph:
                texts: tuple[str, ...] = (word.lower(),)
            else:
                terms = self.terms(word)
                texts = (terms.query,) if query else terms.index
            for text in texts:
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if keeporiginal:
                    token.original = word
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + match.start()
                    token.endchar = start_char + match.end()
                yield token
            pos += 1


class _WholeValue(NamedTuple):
    """A stand-in for a regex match covering the whole value (``tokenize=False``)."""

    text: str

    def group(self) -> str:
        return self.text

    def start(self) -> int:
        return 0

    def end(self) -> int:
        return len(self.text)


def _whole(value: str) -> Iterator[_WholeValue]:
    if value:
        yield _WholeValue(value)


def text_analyzer(*, places: PlaceData | None = None) -> Analyzer:
    """The analyzer of full-text fields (title, issuer, body), knowing ``places`` (default: the built-in gazetteer)."""
    return MultilingualAnalyzer(gazetteer_snapshot() if places is None else places)
