"""Places named in a text, by their canonical gazetteer name.

The gazetteer (``data/gazetteer.json``) lists each place once, under its
official Azerbaijani English name ("Shusha", "Khankendi"), with its spellings
in Azerbaijani, English and Russian, including the Armenian-derived names some
documents use ("Shushi", "Stepanakert"), so that every document naming a place
is found under one name. Users add places or spellings with a JSON file of the
same shape (:func:`load_gazetteer`).

Only base forms are listed; the case forms are generated here:

* Russian nouns decline ("Шуша" → "в Шуше", "Агдам" → "Агдама"; "Физули" and
  other words ending in a vowel other than а/я stay as they are); Russian
  adjectives listed in the gazetteer ("Физулинский") take every adjective
  ending ("Физулинском районе", "Физулинского района").
* Azerbaijani names take case and derivation suffixes on their last word
  ("Şuşada", "Şuşanın", "Ağdamda", "Füzulinin", "Ağdamlı").
* English spellings match as written ("Lachinsky" is not "Lachin").

Matching is word-bounded and case-insensitive, with Turkic dotted and dotless
i folded together and ё read as е, except for the spellings an entry lists under
``case_sensitive`` (English words like "tartar" or "ganja"), which match only
when capitalised. Each page is tokenised once and each word looked up in a
dictionary, so the cost is linear in the text. Deciding which mentions matter
for a document is left to callers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate, compress, count
from pathlib import Path
from typing import Any

from archive.errors import ArchiveError

__all__ = [
    "Gazetteer",
    "GazetteerError",
    "Place",
    "PlaceMention",
    "find_places",
    "load_gazetteer",
    "places_in",
]

GAZETTEER_PATH = Path(__file__).with_name("data") / "gazetteer.json"
KINDS = frozenset({"district", "city", "town", "village", "region"})
LANGUAGES = ("az", "en", "ru")


class GazetteerError(ArchiveError):
    """A gazetteer file cannot be used."""

    status = 422

    def __init__(self, source: Path | str, problem: str) -> None:
        super().__init__(f"gazetteer {source}: {problem}")
        self.source, self.problem = source, problem


@dataclass(frozen=True)
class Place:
    """One gazetteer entry."""

    name: str
    kind: str
    district: str | None
    variants: Mapping[str, tuple[str, ...]]
    coords: tuple[float, float] | None = None
    case_sensitive: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PlaceMention:
    """A place named in a text: ``text == source[start:end]``, ``name`` its canonical name."""

    start: int
    end: int
    text: str
    name: str


# -- folding and tokens ---------------------------------------------------------------


def _fold_table() -> dict[int, str]:
    """Lower-casing that keeps every character one character long, so spans stay valid."""
    table: dict[int, str] = {}
    for code in (*range(0x41, 0x250), *range(0x400, 0x530)):
        lowered = chr(code).lower()
        if len(lowered) == 1 and lowered != chr(code):
            table[code] = lowered
    table.update({ord("İ"): "i", ord("I"): "i", ord("ı"): "i", ord("Ё"): "е", ord("ё"): "е",
                  ord("ǝ"): "ə", ord("Ǝ"): "ə"})  # ǝ: a common mistyping of the schwa
    return table


_FOLD = _fold_table()
_WORD = re.compile(r"\w+")
_WORD_SPLIT = re.compile(r"(\w+)")
_GAP = re.compile(r"[\s\u00a0\u2010\u2011\u2013\u2014-]{1,3}")


@cache
def _lowered_elsewhere() -> re.Pattern[str]:
    """Characters outside the table's ranges that ``str.lower`` changes (Greek, Armenian, the Kelvin sign…), and
    every character beyond the Basic Multilingual Plane: text without them folds by ``str.lower``."""
    changed = "".join(
        re.escape(chr(code)) for code in range(0x10000)
        if not (0x41 <= code < 0x250 or 0x400 <= code < 0x530 or 0xD800 <= code < 0xE000)
        and chr(code).lower() != chr(code)
    )
    return re.compile(f"[{changed}\U00010000-\U0010ffff]")


def fold(text: str) -> str:
    """``text`` lower-cased for matching, with i/ı/İ/I → i and ё → е; same length as ``text``."""
    if _lowered_elsewhere().search(text):
        return text.translate(_FOLD)
    # The same, about ten times faster: within the table's ranges str.lower lowers as the table does, except for
    # İ (two characters) and the letters the table folds further (tested character by character).
    return text.replace("İ", "i").lower().replace("ı", "i").replace("ё", "е").replace("ǝ", "ə")


# -- case forms -----------------------------------------------------------------------

_RUSSIAN_ADJECTIVE_ENDINGS = (
    "ий", "ый", "ой", "ого", "его", "ому", "ему", "ом", "ем", "им", "ым", "ая", "яя", "ую", "юю",
    "ое", "ее", "ие", "ые", "их", "ых", "ими", "ыми", "ей",
)
_RUSSIAN_ADJECTIVE_SUFFIXES = ("ский", "цкий", "ный", "ний", "ий", "ый")
_RUSSIAN_NOUN_ENDINGS = {
    "а": ("а", "ы", "и", "е", "у", "ой", "ою"),
    "я": ("я", "и", "е", "ю", "ей", "ею"),
    "й": ("й", "я", "ю", "е", "ем"),
    "ь": ("ь", "я", "ю", "е", "ем", "и", "ью"),
}
_RUSSIAN_INDECLINABLE_ENDINGS = frozenset("иыуеоэю")
_RUSSIAN_CONSONANT_ENDINGS = ("", "а", "у", "е", "ом")
_AZERBAIJANI_SUFFIXES = (
    "", "in", "un", "ün", "nin", "nun", "nün",  # genitive ("ı" is folded to "i")
    "a", "ə", "ya", "yə",  # dative
    "da", "də", "dan", "dən", "daki", "dəki",  # locative, ablative
    "i", "u", "ü", "ni", "nu", "nü",  # accusative
    "li", "lu", "lü", "lilar", "lilər", "lular", "lülər",  # "of Shusha", people of Shusha
)


def _russian_forms(word: str) -> tuple[str, ...]:
    if len(word) > 4 and word.endswith(_RUSSIAN_ADJECTIVE_SUFFIXES):
        return tuple(word[:-2] + ending for ending in _RUSSIAN_ADJECTIVE_ENDINGS)
    last = word[-1]
    if last in _RUSSIAN_NOUN_ENDINGS:
        return tuple(word[:-1] + ending for ending in _RUSSIAN_NOUN_ENDINGS[last])
    if last in _RUSSIAN_INDECLINABLE_ENDINGS or not word.isalpha():
        return (word,)
    return tuple(word + ending for ending in _RUSSIAN_CONSONANT_ENDINGS)


def _word_forms(language: str, words: list[str]) -> list[frozenset[str]]:
    """For each word of a folded spelling, the forms it may take in running text."""
    if language == "ru":
        return [frozenset(_russian_forms(word)) for word in words]
    forms = [frozenset({word}) for word in words]
    if language == "az":
        forms[-1] = frozenset(words[-1] + fold(suffix) for suffix in _AZERBAIJANI_SUFFIXES)
    return forms


# -- the gazetteer ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Spelling:
    """A spelling of a place, indexed under each form its first word may take."""

    rest: tuple[frozenset[str], ...]  # the forms of each following word
    name: str
    capitalised_only: bool


@dataclass(frozen=True)
class Gazetteer:
    """Places and the word index that finds them in text."""

    places: tuple[Place, ...]
    _index: Mapping[str, tuple[_Spelling, ...]] = field(repr=False, compare=False, default_factory=dict)

    @classmethod
    def from_places(cls, places: tuple[Place, ...]) -> Gazetteer:
        return cls(places, _build_index(places))

    def place(self, name: str) -> Place | None:
        """The entry with this canonical name (any case), or ``None``."""
        wanted = fold(name)
        return next((place for place in self.places if fold(place.name) == wanted), None)

    def find(self, text: str) -> list[PlaceMention]:
        """Every place mention in ``text``, in order."""
        return list(self._mentions(text))

    def _mentions(self, text: str) -> Iterator[PlaceMention]:
        folded = fold(text)
        # The text split into [gap, word, gap, word, …, gap]: word i is parts[2i + 1], and bounds[2i + 1] and
        # bounds[2i + 2] are its start and end.
        parts = _WORD_SPLIT.split(folded)
        words = parts[1::2]
        # Only words that may begin a spelling are looked at, picked out without a Python loop over every word.
        candidates = list(compress(count(), map(self._index.__contains__, words)))
        if not candidates:
            return
        bounds = list(accumulate(map(len, parts), initial=0))
        position = 0  # the first word not yet part of a mention
        for candidate in candidates:
            if candidate < position:
                continue
            matched = self._match_at(text, folded, words, bounds, candidate)
            if matched is not None:
                length, name = matched
                start, end = bounds[2 * candidate + 1], bounds[2 * (candidate + length)]
                yield PlaceMention(start, end, text[start:end], name)
                position = candidate + length

    def _match_at(self, text: str, folded: str, words: list[str], bounds: list[int],
                  position: int) -> tuple[int, str] | None:
        for spelling in self._index[words[position]]:
            length = 1 + len(spelling.rest)
            if position + length > len(words):
                continue
            if spelling.capitalised_only and not text[bounds[2 * position + 1]].isupper():
                continue
            if all(
                words[position + offset] in forms
                and _GAP.fullmatch(folded, bounds[2 * (position + offset)], bounds[2 * (position + offset) + 1])
                for offset, forms in enumerate(spelling.rest, 1)
            ):
                return length, spelling.name
        return None


def _build_index(places: tuple[Place, ...]) -> dict[str, tuple[_Spelling, ...]]:
    index: dict[str, list[_Spelling]] = {}
    for place in places:
        # The canonical name is always an English spelling of the place.
        variants = {**place.variants, "en": (place.name, *place.variants.get("en", ()))}
        for language, spellings in variants.items():
            for spelling in dict.fromkeys(spellings):
                words = _WORD.findall(fold(spelling))
                if not words:
                    continue
                first, *rest = _word_forms(language, words)
                entry = _Spelling(tuple(rest), place.name, spelling in place.case_sensitive)
                for form in first:
                    index.setdefault(form, []).append(entry)
    # Longest spellings first; among equals, the case-insensitive one first.
    return {
        form: tuple(sorted(dict.fromkeys(entries), key=lambda s: (-len(s.rest), s.capitalised_only)))
        for form, entries in index.items()
    }


def load_gazetteer(extra: Path | None = None) -> Gazetteer:
    """The built-in gazetteer, merged with a user's JSON file of the same shape if given.

    An entry in ``extra`` whose name is already known adds its spellings to that
    place (and replaces its kind, district or coordinates if it gives them); any
    other entry is a new place. The file may be ``{"places": [...]}`` or a bare list.
    """
    if extra is None:
        return _builtin_gazetteer()
    return Gazetteer.from_places(_merge(_builtin_gazetteer().places, read_places(Path(extra))))


@cache
def _builtin_gazetteer() -> Gazetteer:
    return Gazetteer.from_places(read_places(GAZETTEER_PATH))


def find_places(text: str, gazetteer: Gazetteer | None = None) -> list[PlaceMention]:
    """Every place named in ``text``, in order, with its span and canonical name."""
    return (gazetteer or _builtin_gazetteer()).find(text)


def places_in(text: str, gazetteer: Gazetteer | None = None) -> tuple[str, ...]:
    """The canonical names of the places in ``text``, in order of first mention, once each."""
    return tuple(dict.fromkeys(mention.name for mention in find_places(text, gazetteer)))


# -- reading files --------------------------------------------------------------------


def read_places(path: Path) -> tuple[Place, ...]:
    """The places of a gazetteer file (the built-in one's shape), or :class:`GazetteerError` saying what is wrong."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise GazetteerError(path, f"cannot be read: {error.strerror or error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise GazetteerError(path, f"is not UTF-8 JSON: {error}") from error
    entries = document.get("places") if isinstance(document, dict) else document
    if not isinstance(entries, list):
        raise GazetteerError(path, 'expected a list of places or {"places": [...]}')
    return tuple(_place(path, number, entry) for number, entry in enumerate(entries, 1))


def _place(path: Path, number: int, entry: Any) -> Place:
    def problem(text: str) -> GazetteerError:
        return GazetteerError(path, f"place {number}: {text}")

    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise problem('each place needs a "name" string')
    kind = entry.get("kind", "")
    if kind and kind not in KINDS:
        raise problem(f"kind {kind!r} is not one of {', '.join(sorted(KINDS))}")
    variants = entry.get("variants", {})
    if not isinstance(variants, dict) or not all(
        isinstance(spellings, list) and all(isinstance(s, str) and s.strip() for s in spellings)
        for spellings in variants.values()
    ):
        raise problem('"variants" must map a language code to a list of spellings')
    coords = entry.get("coords")
    if coords is not None and not _valid_coords(coords):
        raise problem('"coords" must be [latitude, longitude]')
    case_sensitive = entry.get("case_sensitive", [])
    if not isinstance(case_sensitive, list) or not all(isinstance(s, str) for s in case_sensitive):
        raise problem('"case_sensitive" must be a list of spellings')
    return Place(
        name=entry["name"].strip(),
        kind=kind,
        district=entry.get("district") or None,
        variants={language: tuple(s.strip() for s in spellings) for language, spellings in variants.items()},
        coords=(float(coords[0]), float(coords[1])) if coords is not None else None,
        case_sensitive=frozenset(case_sensitive),
    )


def _valid_coords(coords: Any) -> bool:
    return (
        isinstance(coords, list) and len(coords) == 2
        and all(isinstance(c, int | float) and not isinstance(c, bool) for c in coords)
        and -90 <= coords[0] <= 90 and -180 <= coords[1] <= 180
    )


def _merge(base: tuple[Place, ...], extra: tuple[Place, ...]) -> tuple[Place, ...]:
    merged = {fold(place.name): place for place in base}
    for place in extra:
        key = fold(place.name)
        known = merged.get(key)
        if known is None:
            merged[key] = place
            continue
        variants = {language: tuple(spellings) for language, spellings in known.variants.items()}
        for language, spellings in place.variants.items():
            variants[language] = tuple(dict.fromkeys((*variants.get(language, ()), *spellings)))
        merged[key] = Place(
            name=known.name,
            kind=place.kind or known.kind,
            district=place.district or known.district,
            variants=variants,
            coords=place.coords or known.coords,
            case_sensitive=known.case_sensitive | place.case_sensitive,
        )
    return tuple(merged.values())
