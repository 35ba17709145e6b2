"""The treaty catalogue: instruments, their names, dates and articles.

Loads the project's own data file ``archive/treaties/data/catalogue.json``
(built by ``scripts/build_catalogue.py`` from the shared treaty facts) into
frozen dataclasses, and knows the canonical id grammar
``INSTRUMENT-ARTICLE[-PARAGRAPH[-SUBPARAGRAPH]]`` (``GCIV-49-6``,
``APMBC-1-1-a``, ``GC-COMMON-3``). It does not find references in text; that
is the job of :mod:`archive.treaties.find` and :mod:`archive.treaties.resolve`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from archive.errors import ArchiveError

DATA_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

INSTRUMENT_IDS = (
    "GCI", "GCII", "GCIII", "GCIV", "GC-COMMON", "API", "APII",
    "APMBC", "CCM", "CCW-APII-1996", "CCW-PIII",
)

# Longest ids first so that "GC-COMMON-3" is not read as instrument "GC".
_ID_RE = re.compile(
    r"(?P<instrument>"
    + "|".join(re.escape(i) for i in sorted(INSTRUMENT_IDS, key=len, reverse=True))
    + r")(?:-(?P<article>\d{1,4})(?:-(?P<paragraph>\d{1,2})(?:-(?P<sub>[a-z]))?)?)?",
    re.IGNORECASE,
)


class UnknownReferenceError(ArchiveError):
    """A canonical id that does not follow the grammar or names nothing in the catalogue."""

    status = 404

    def __init__(self, reference_id: str, reason: str) -> None:
        super().__init__(
            f"{reference_id!r}: {reason}; expected an id like GCIV-147, GCIV-49-6 or APMBC-1-1-a"
        )
        self.reference_id, self.reason = reference_id, reason


@dataclass(frozen=True)
class Article:
    """One article: its number, heading ('' when unknown) and paragraph structure.

    ``paragraphs`` maps paragraph numbers ("1", "2", ...) to their lettered
    sub-paragraphs. ``structure_known`` is False when the source does not
    record the structure (most Geneva Convention articles); then
    ``paragraphs`` is empty and any paragraph number is accepted.
    """

    number: int
    heading: str
    paragraphs: Mapping[str, tuple[str, ...]] = field(hash=False, compare=False)
    structure_known: bool = True
    heading_verified: bool = False

    @property
    def label(self) -> str:
        if self.heading:
            return f"Article {self.number} \u2014 {self.heading}"
        return f"Article {self.number}"

    def has_paragraph(self, paragraph: str) -> bool:
        if not paragraph.strip("0"):  # paragraphs are numbered from 1, recorded or not
            return False
        return not self.structure_known or paragraph in self.paragraphs

    def has_subparagraph(self, paragraph: str, sub: str) -> bool:
        if not self.structure_known:
            return True
        return sub in self.paragraphs.get(paragraph, ())


@dataclass(frozen=True)
class Instrument:
    """A treaty or protocol with its names in several languages and its articles."""

    id: str
    full_name: str
    short_name: str
    names: Mapping[str, tuple[str, ...]] = field(hash=False, compare=False)
    abbreviations: tuple[str, ...]
    adopted: date
    in_force: date
    articles: Mapping[int, Article] = field(hash=False, compare=False)
    unverified_names: frozenset[str] = frozenset()

    def article(self, number: int) -> Article | None:
        return self.articles.get(number)

    def name_is_verified(self, name: str) -> bool:
        return name not in self.unverified_names


@dataclass(frozen=True)
class Catalogue:
    """All instruments, in catalogue order, with lookups and id helpers."""

    instruments: tuple[Instrument, ...]

    def instrument(self, instrument_id: str) -> Instrument:
        for instrument in self.instruments:
            if instrument.id == instrument_id.upper():
                return instrument
        raise UnknownReferenceError(instrument_id, "no such instrument in the catalogue")

    def exists(
        self,
        instrument_id: str,
        article: int | None = None,
        paragraph: str | int | None = None,
        sub: str | None = None,
    ) -> bool:
        """True when the instrument (and article, paragraph, sub-paragraph) exist."""
        found = next((i for i in self.instruments if i.id == instrument_id), None)
        if found is None:
            return False
        if article is None:
            return paragraph is None and sub is None
        entry = found.article(int(article))
        if entry is None:
            return False
        if paragraph is None:
            return sub is None
        if not entry.has_paragraph(str(paragraph)):
            return False
        return sub is None or entry.has_subparagraph(str(paragraph), sub)

    def missing(self, instrument_id: str, article: int, paragraph: str | None = None,
                sub: str | None = None) -> tuple[str, str] | None:
        """Why a provision of a known instrument does not exist, as (diagnostic kind, message); ``None`` if it does.

        ``GCIV Article 160 does not exist``, ``GCIV Article 49 has no paragraph 7``, ``GCIV Article 49(6) has no
        sub-paragraph (b)``: the detector's diagnostics and the search's errors say it in the same words.
        """
        entry = self.instrument(instrument_id).article(article)
        label = f"{instrument_id} Article {article}"
        if entry is None:
            return "nonexistent_article", f"{label} does not exist"
        if paragraph is not None and not entry.has_paragraph(paragraph):
            return "nonexistent_paragraph", f"{label} has no paragraph {paragraph}"
        if paragraph is not None and sub is not None and not entry.has_subparagraph(paragraph, sub):
            return "nonexistent_subparagraph", f"{label}({paragraph}) has no sub-paragraph ({sub})"
        return None

    def describe(self, canonical_id: str) -> str:
        """Human label: 'GCIV Article 49(6)', 'APMBC Article 1(1)(a)', 'GCIV — Fourth ...'."""
        instrument_id, article, paragraph, sub = split_id(canonical_id)
        if not self.exists(instrument_id, article, paragraph, sub):
            raise UnknownReferenceError(canonical_id, "not in the catalogue")
        if article is None:
            return f"{instrument_id} \u2014 {self.instrument(instrument_id).short_name}"
        pinpoint = "".join(f"({part})" for part in (paragraph, sub) if part is not None)
        return f"{instrument_id} Article {article}{pinpoint}"


def split_id(canonical_id: str) -> tuple[str, int | None, str | None, str | None]:
    """Split 'GC-COMMON-3-1-a' into ('GC-COMMON', 3, '1', 'a'); raise on a malformed id."""
    match = _ID_RE.fullmatch(canonical_id.strip())
    if match is None:
        raise UnknownReferenceError(canonical_id, "not a canonical reference id")
    article = match["article"]
    sub = match["sub"].lower() if match["sub"] else None
    return match["instrument"].upper(), int(article) if article else None, match["paragraph"], sub


def make_id(
    instrument_id: str, article: int | None = None,
    paragraph: str | None = None, sub: str | None = None,
) -> str:
    """Join parts into a canonical id, stopping at the first missing part."""
    parts = [instrument_id]
    for part in (article, paragraph, sub):
        if part is None:
            break
        parts.append(str(part))
    return "-".join(parts)


def expand_id(canonical_id: str) -> tuple[str, ...]:
    """All ids a reference counts for: 'GCIV-49-6' -> ('GCIV', 'GCIV-49', 'GCIV-49-6')."""
    instrument_id, article, paragraph, sub = split_id(canonical_id)
    parts = (article, paragraph, sub)
    return tuple(
        make_id(instrument_id, *parts[:depth], *([None] * (3 - depth)))
        for depth in range(4)
        if depth == 0 or parts[depth - 1] is not None
    )


def levels_of(ref_id: str) -> tuple[str, ...]:
    """The ids a stored reference counts for (:func:`expand_id`); a malformed one counts only for itself."""
    try:
        return expand_id(ref_id)
    except UnknownReferenceError:
        return (ref_id,)


def _article_from_json(raw: dict) -> Article:
    structure = raw.get("paragraphs")
    paragraphs = {} if structure is None else {k: tuple(v) for k, v in structure.items()}
    return Article(
        number=int(raw["number"]),
        heading=raw.get("heading") or "",
        paragraphs=MappingProxyType(paragraphs),
        structure_known=structure is not None,
        heading_verified=bool(raw.get("heading_verified")),
    )


def _instrument_from_json(raw: dict) -> Instrument:
    names = {lang: tuple(e["name"] for e in entries) for lang, entries in raw["names"].items()}
    unverified = frozenset(
        e["name"] for entries in raw["names"].values() for e in entries if not e["source_verified"]
    )
    articles = {a.number: a for a in map(_article_from_json, raw["articles"])}
    return Instrument(
        id=raw["id"],
        full_name=raw["full_name"],
        short_name=raw["short_name"],
        names=MappingProxyType(names),
        abbreviations=tuple(raw["abbreviations"]),
        adopted=date.fromisoformat(raw["adopted"]),
        in_force=date.fromisoformat(raw["in_force"]),
        articles=MappingProxyType(articles),
        unverified_names=unverified,
    )


@lru_cache(maxsize=4)
def load_catalogue(path: Path = DATA_FILE) -> Catalogue:
    """Load (once) the catalogue data file shipped with the package."""
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return Catalogue(instruments=tuple(map(_instrument_from_json, raw["instruments"])))
