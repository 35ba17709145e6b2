"""Synthetic, labelled evidence documents for tests and benchmarks.

Generates realistic-looking but openly fake documents about mined and shelled
land (reports, witness testimony, appeals, mine-map submissions,
correspondence) in English, Russian and Azerbaijani, as PDF, plain text,
Markdown and HTML, each with a ``NAME.meta.json`` sidecar. Every document says
it is synthetic: ``"synthetic": true`` in its sidecar, ``SYNTHETIC`` in the PDF
Subject and Keywords, and a marker line in its own language at the top of every
page.

The output doubles as labelled data: each sidecar records the treaty
references written into the text as canonical ids (``synthetic_refs``, with the
exact wording in ``synthetic_mentions``), the ISO dates mentioned
(``synthetic_dates``), the decoy references that must *not* be read as treaty
articles (``synthetic_negatives``) and the canonical place names
(``places``).

Everything is deterministic. Document ``i`` of seed ``s`` is built from
``random.Random(f"{s}:{i}")`` alone, so it is the same whatever the corpus
size, and PDFs carry fixed dates, producer and file ids, so two runs are
byte-identical. :func:`iter_documents` builds documents in memory without
touching disk; :func:`write_corpus` streams them to a directory one at a time.

fpdf2 and fontTools (a dev/test extra, not a runtime dependency) are imported
only by :class:`PdfRenderer`. Reading the corpus back - extraction, reference
parsing, indexing - is left to the rest of the archive; the command line lives
in ``scripts/make_corpus.py``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import itertools
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from random import Random
from typing import Any

DOCUMENT_TYPES = ("report", "testimony", "correspondence", "appeal", "mine_map_submission", "other")
TYPE_WEIGHTS = (30, 25, 14, 12, 11, 8)
LANGUAGES = ("en", "ru", "az")
LANGUAGE_WEIGHTS = (60, 25, 15)
TEXT_FORMATS = ("txt", "md", "html")
TEXT_FORMAT_WEIGHTS = (55, 33, 12)
DEFAULT_PDF_SHARE = 0.6
SHARD_SIZE = 1000
FIRST_YEAR, LAST_YEAR = 1992, 2026
DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_PACKAGE = "fonts-dejavu-core"
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}

MARKERS = {
    "en": "SYNTHETIC DOCUMENT — generated for testing; not real evidence.",
    "ru": "СИНТЕТИЧЕСКИЙ ДОКУМЕНТ — создан для тестирования; не является реальным доказательством.",
    "az": "SİNTETİK SƏNƏD — test üçün yaradılıb; real sübut deyil.",
}

#: Highest article number of each instrument that has numbered articles.
ARTICLE_COUNTS = {"GCIV": 159, "API": 102, "APII": 28, "APMBC": 22, "CCM": 23}

#: Every character the generator may write; the PDF font is cut down to these.
PDF_CHARSET = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + [chr(c) for c in range(0xA0, 0x180)]
    + [chr(c) for c in range(0x400, 0x460)]
    + list("əƏ–—‘’“”„…•№")
)


# --------------------------------------------------------------------------
# Public values
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class RefMention:
    """A treaty reference as written (``text``) and the canonical ids it stands for."""

    text: str
    refs: tuple[str, ...]


@dataclass(frozen=True)
class DateMention:
    """A date as written in the text and its ISO form."""

    text: str
    iso: str


@dataclass(frozen=True)
class SyntheticDocument:
    """One generated document; ``pages[i]`` is exactly the text of page ``i``."""

    index: int
    seed: int | str
    name: str
    type: str
    format: str
    language: str
    title: str
    date: str
    issuer: str
    places: tuple[str, ...]
    refs: tuple[str, ...]
    pages: tuple[str, ...]
    access: str
    mentions: tuple[RefMention, ...] = ()
    dates: tuple[DateMention, ...] = ()
    negatives: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return self.name.rsplit(".", 1)[0]

    @property
    def shard(self) -> str:
        return shard_of(self.index)

    @property
    def relative_path(self) -> str:
        return f"{self.shard}/{self.name}"

    @property
    def sidecar_name(self) -> str:
        return f"{self.stem}.meta.json"

    @property
    def text(self) -> str:
        return "\n\n".join(self.pages)

    @property
    def source(self) -> str:
        return f"Synthetic generator seed {self.seed}, document {self.index}"

    def sidecar(self) -> dict[str, Any]:
        """The sidecar metadata: archive fields plus ``synthetic_*`` evaluation labels."""
        return {
            "title": self.title,
            "type": self.type,
            "date": self.date,
            "issuer": self.issuer,
            "source": self.source,
            "language": self.language,
            "places": list(self.places),
            "access": self.access,
            "synthetic": True,
            "synthetic_refs": list(self.refs),
            "synthetic_mentions": [{"text": m.text, "refs": list(m.refs)} for m in self.mentions],
            "synthetic_dates": sorted({d.iso for d in self.dates}),
            "synthetic_negatives": list(self.negatives),
            "synthetic_pages": len(self.pages),
        }


@dataclass(frozen=True)
class BadFile:
    """A deliberately broken file for ingest tests; ``reason`` is why ingest should fail."""

    name: str
    reason: str
    data: bytes
    metadata: dict[str, Any] = field(hash=False, compare=False)

    @property
    def sidecar_name(self) -> str:
        return f"{self.name.rsplit('.', 1)[0]}.meta.json"


@dataclass(frozen=True)
class CorpusSummary:
    """What :func:`write_corpus` wrote."""

    documents: int
    files: int
    pages: int
    bytes: int
    seconds: float


class FontNotFoundError(RuntimeError):
    """The DejaVu fonts needed for Unicode PDFs are not installed."""


def shard_of(index: int) -> str:
    """The shard directory of document ``index`` (1,000 documents each)."""
    return f"{index // SHARD_SIZE:03d}"


# --------------------------------------------------------------------------
# Weighted and Zipf-distributed choice
# --------------------------------------------------------------------------


class _Picker:
    """Chooses from ``items`` with fixed weights, one ``random()`` call per pick."""

    __slots__ = ("items", "cumulative", "total")

    def __init__(self, items: Sequence[Any], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]

    def __call__(self, rng: Random) -> Any:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def bind(self, rng: Random) -> Callable[[], Any]:
        """A zero-argument picker drawing from ``rng`` (the hot path of text generation)."""
        items, cumulative, total, random, bisect_right = (
            self.items, self.cumulative, self.total, rng.random, bisect.bisect_right)
        return lambda: items[bisect_right(cumulative, random() * total)]


def _zipf(items: Sequence[Any], exponent: float = 1.0) -> _Picker:
    """A picker where the item of rank ``r`` has weight ``1 / (r + 1) ** exponent``."""
    return _Picker(items, [1.0 / (rank + 1) ** exponent for rank in range(len(items))])


def _words(text: str) -> tuple[str, ...]:
    """Split a vocabulary string on ``|`` (entries may contain spaces)."""
    return tuple(word.strip() for word in text.split("|") if word.strip())


# --------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------

#: canonical (English) name -> (English, Azerbaijani, Russian) spellings.
PLACES = {
    "Shusha": ("Shusha", "Şuşa", "Шуша"),
    "Aghdam": ("Aghdam", "Ağdam", "Агдам"),
    "Fuzuli": ("Fuzuli", "Füzuli", "Физули"),
    "Khojaly": ("Khojaly", "Xocalı", "Ходжалы"),
    "Tartar": ("Tartar", "Tərtər", "Тертер"),
    "Jabrayil": ("Jabrayil", "Cəbrayıl", "Джебраил"),
    "Zangilan": ("Zangilan", "Zəngilan", "Зангилан"),
    "Lachin": ("Lachin", "Laçın", "Лачин"),
    "Kalbajar": ("Kalbajar", "Kəlbəcər", "Кельбаджар"),
    "Gubadli": ("Gubadli", "Qubadlı", "Губадлы"),
    "Barda": ("Barda", "Bərdə", "Барда"),
    "Ganja": ("Ganja", "Gəncə", "Гянджа"),
    "Khojavend": ("Khojavend", "Xocavənd", "Ходжавенд"),
    "Aghdara": ("Aghdara", "Ağdərə", "Агдере"),
    "Khankendi": ("Khankendi", "Xankəndi", "Ханкенди"),
}
#: Used only in datelines and addresses; recorded in ``places`` when written.
CAPITAL = ("Baku", "Bakı", "Баку")
_PLACE_NAMES = tuple(PLACES)
_PLACE_PICKER = _Picker(_PLACE_NAMES, (9, 10, 8, 6, 7, 6, 5, 6, 5, 4, 4, 3, 4, 3, 4))


def _place_spelling(canonical: str, language: str, rng: Random) -> str:
    english, azerbaijani, russian = CAPITAL if canonical == "Baku" else PLACES[canonical]
    if language == "ru":
        return russian
    if language == "az":
        return azerbaijani
    return azerbaijani if rng.random() < 0.12 else english


# --------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------

MONTHS_EN = _words("January|February|March|April|May|June|July|August|September|October|November|December")
MONTHS_RU_GENITIVE = _words(
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
MONTHS_RU = _words("январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь")
MONTHS_AZ = _words("yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr")

_AZ_UNIT_SUFFIX = {1: "ci", 2: "ci", 3: "cü", 4: "cü", 5: "ci", 6: "cı", 7: "ci", 8: "ci", 9: "cu"}
_AZ_TEN_SUFFIX = {1: "cu", 2: "ci", 3: "cu", 4: "cı", 5: "ci", 6: "cı", 7: "ci", 8: "ci", 9: "cı"}


def az_ordinal(number: int) -> str:
    """``147`` -> ``"147-ci"``: the Azerbaijani ordinal suffix follows vowel harmony."""
    if number % 10:
        suffix = _AZ_UNIT_SUFFIX[number % 10]
    elif number % 100:
        suffix = _AZ_TEN_SUFFIX[number // 10 % 10]
    elif number % 1000:
        suffix = "cü"
    else:
        suffix = "ci"
    return f"{number}-{suffix}"


def _format_date(day: dt.date, language: str, style: int) -> str:
    """One of several written forms of ``day`` in ``language``; ``style`` selects the form."""
    d, m, y = day.day, day.month, day.year
    numeric = (f"{d:02d}.{m:02d}.{y}", day.isoformat())
    if language == "ru":
        forms = (f"{d} {MONTHS_RU_GENITIVE[m - 1]} {y} г.", f"{d} {MONTHS_RU_GENITIVE[m - 1]} {y} года",
                 f"«{d:02d}» {MONTHS_RU_GENITIVE[m - 1]} {y} г.")
    elif language == "az":
        forms = (f"{d} {MONTHS_AZ[m - 1]} {az_ordinal(y)} il", f"{d} {MONTHS_AZ[m - 1]} {y}",
                 f"{d:02d} {MONTHS_AZ[m - 1]} {az_ordinal(y)} il")
    else:
        forms = (f"{d} {MONTHS_EN[m - 1]} {y}", f"{MONTHS_EN[m - 1]} {d}, {y}", f"{d} {MONTHS_EN[m - 1]} {y}")
    table = forms + numeric
    return table[style % len(table)]


def _month_year(day: dt.date, language: str) -> str:
    if language == "ru":
        return f"{MONTHS_RU[day.month - 1]} {day.year} г."
    if language == "az":
        return f"{MONTHS_AZ[day.month - 1]} {az_ordinal(day.year)} il"
    return f"{MONTHS_EN[day.month - 1]} {day.year}"


def _random_day(rng: Random, first: dt.date, last: dt.date) -> dt.date:
    span = max(0, (last - first).days)
    return first + dt.timedelta(days=rng.randint(0, span))


def _document_day(rng: Random) -> dt.date:
    """Spread over 1992-2026, denser after the 2020 hostilities."""
    if rng.random() < 0.5:
        return _random_day(rng, dt.date(2020, 9, 27), dt.date(LAST_YEAR, 12, 31))
    return _random_day(rng, dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))


# --------------------------------------------------------------------------
# Treaty references (positives) and look-alikes (hard negatives)
# --------------------------------------------------------------------------

#: Frequently cited articles per instrument (ranked; Zipf-picked).
FAMOUS_ARTICLES = {
    "GCIV": (147, 49, 53, 146, 27, 33, 148, 32, 55, 56, 16, 18, 19, 59, 78, 64, 34, 35, 142, 143),
    "API": (51, 52, 57, 85, 48, 35, 54, 58, 36, 50, 56, 75, 86, 87, 90),
    "APII": (13, 4, 17, 14, 5, 7),
    "APMBC": (5, 1, 7, 4, 6, 3, 2, 9, 8),
    "CCM": (1, 4, 5, 2, 3, 7, 6, 21),
}
#: Paragraph paths that exist in the real texts, e.g. ("85", "3", "a") = Art. 85(3)(a).
REAL_PARAGRAPHS = {
    "GCIV": (("49", "6"), ("49", "1"), ("146", "1"), ("146", "2"), ("27", "1"), ("33", "1"), ("55", "1")),
    "API": (("51", "4"), ("51", "2"), ("85", "3", "a"), ("51", "5", "b"), ("57", "2", "a"), ("52", "2"),
            ("85", "4", "a"), ("35", "2"), ("54", "2"), ("57", "1"), ("51", "5", "a"), ("85", "3", "b")),
    "APII": (("13", "2"), ("13", "1"), ("4", "2"), ("17", "1"), ("13", "3")),
    "APMBC": (("1", "1", "a"), ("5", "1"), ("5", "2"), ("1", "1", "b"), ("7", "1"), ("1", "1", "c"),
              ("6", "3"), ("1", "2"), ("3", "1")),
    "CCM": (("1", "1", "a"), ("4", "1"), ("5", "1"), ("4", "2"), ("1", "1", "b"), ("2", "1")),
}
#: Article ranges cited as a block (both ends inclusive).
ARTICLE_RANGES = {"GCIV": ((146, 148), (47, 78), (27, 34), (53, 56)), "API": ((48, 58), (51, 54), (85, 86))}
#: Articles never drawn at random: GCIV 1-3 are the common articles.
_EXCLUDED_ARTICLES = {"GCIV": {1, 2, 3}}

_INSTRUMENT_PICKER = _Picker(
    ("GCIV", "API", "APMBC", "CCM", "APII", "GC-COMMON", "CCW-APII-1996", "CCW-PIII"),
    (34, 20, 21, 7, 5, 5, 5, 3),
)
_INSTRUMENT_ONLY = {"GC-COMMON", "CCW-APII-1996", "CCW-PIII"}
_LETTERS_RU = {"a": "а", "b": "б", "c": "в"}

# Instrument names per language. Russian needs the genitive after "статья N".
_EN_NAMES = {
    "GCIV": ("the Fourth Geneva Convention", "Geneva Convention IV",
             "the Geneva Convention relative to the Protection of Civilian Persons in Time of War"),
    "API": ("Additional Protocol I", "Protocol I Additional to the Geneva Conventions",
            "the First Additional Protocol"),
    "APII": ("Additional Protocol II", "the Second Additional Protocol"),
    "APMBC": ("the Ottawa Convention", "the Anti-Personnel Mine Ban Convention", "the Mine Ban Treaty"),
    "CCM": ("the Convention on Cluster Munitions",),
    "CCW-APII-1996": ("Amended Protocol II to the CCW", "CCW Amended Protocol II",
                      "Amended Protocol II to the Convention on Certain Conventional Weapons"),
    "CCW-PIII": ("Protocol III", "Protocol III to the CCW", "Protocol III on Incendiary Weapons"),
}
_EN_SHORT = {"GCIV": ("GCIV", "GC IV"), "API": ("API", "AP I"), "APII": ("APII", "AP II"),
             "APMBC": ("APMBC",), "CCM": ("CCM",)}
_RU_GENITIVE = {
    "GCIV": ("Четвертой Женевской конвенции", "IV Женевской конвенции",
             "Женевской конвенции о защите гражданского населения во время войны"),
    "API": ("Дополнительного протокола I", "Первого дополнительного протокола"),
    "APII": ("Дополнительного протокола II",),
    "APMBC": ("Оттавской конвенции", "Конвенции о запрещении противопехотных мин"),
    "CCM": ("Конвенции по кассетным боеприпасам",),
    "CCW-APII-1996": ("Протокола II с поправками к КОО",),
    "CCW-PIII": ("Протокола III к КОО",),
}
_RU_NOMINATIVE = {
    "GCIV": ("Четвертая Женевская конвенция",),
    "API": ("Дополнительный протокол I",),
    "APII": ("Дополнительный протокол II",),
    "APMBC": ("Оттавская конвенция", "Конвенция о запрещении противопехотных мин"),
    "CCM": ("Конвенция по кассетным боеприпасам",),
    "CCW-APII-1996": ("Протокол II с поправками к КОО",),
    "CCW-PIII": ("Протокол III к КОО",),
}
_AZ_GENITIVE = {
    "GCIV": ("Dördüncü Cenevrə Konvensiyasının", "IV Cenevrə Konvensiyasının", "Cenevrə Konvensiyasının"),
    "API": ("Birinci Əlavə Protokolun",),
    "APII": ("İkinci Əlavə Protokolun",),
    "APMBC": ("Ottava Konvensiyasının", "Piyada əleyhinə minaların qadağan edilməsi haqqında Konvensiyanın"),
    "CCM": ("Kaset sursatları haqqında Konvensiyanın",),
}
_AZ_NOMINATIVE = {
    "GCIV": ("Dördüncü Cenevrə Konvensiyası",),
    "API": ("Birinci Əlavə Protokol",),
    "APII": ("İkinci Əlavə Protokol",),
    "APMBC": ("Ottava Konvensiyası",),
    "CCM": ("Kaset sursatları haqqında Konvensiya",),
    "CCW-APII-1996": ("Adi silahlar haqqında Konvensiyanın düzəlişli II Protokolu",),
    "CCW-PIII": ("Adi silahlar haqqında Konvensiyanın III Protokolu",),
}


def _canonical(instrument: str, path: Sequence[str | int]) -> str:
    return "-".join([instrument, *map(str, path)])


def _draw_article(instrument: str, rng: Random) -> int:
    if rng.random() < 0.75:
        return _FAMOUS_PICKERS[instrument](rng)
    excluded = _EXCLUDED_ARTICLES.get(instrument, set())
    while True:
        article = rng.randint(1, ARTICLE_COUNTS[instrument])
        if article not in excluded:
            return article


def _en_paragraphs(path: Sequence[str]) -> str:
    return "".join(f"({part})" for part in path)


def _render_article(instrument: str, path: Sequence[str], language: str, case: str, rng: Random) -> str:
    """One article or paragraph reference, e.g. ``Art. 49(6) GCIV`` or ``п. 6 ст. 49 ДП I``."""
    article, paragraphs = path[0], tuple(path[1:])
    if language == "ru":
        return _render_article_ru(instrument, article, paragraphs, case, rng)
    if language == "az":
        return _render_article_az(instrument, article, paragraphs, rng)
    number = article + _en_paragraphs(paragraphs)
    name = rng.choice(_EN_NAMES[instrument])
    short = rng.choice(_EN_SHORT[instrument])
    forms = [f"Article {number} of {name}", f"Art. {number} {short}", f"{short} Art. {number}"]
    if instrument == "GCIV":
        forms.append(f"GC IV, art. {number}")
    if instrument == "APMBC":
        forms.append(f"APMBC Article {number}")
    if len(paragraphs) == 1:
        forms.append(f"Article {article}, paragraph {paragraphs[0]}, of {name}")
    return rng.choice(forms)


def _render_article_ru(instrument: str, article: str, paragraphs: tuple[str, ...], case: str, rng: Random) -> str:
    name = rng.choice(_RU_GENITIVE[instrument])
    genitive = case == "gen"
    if not paragraphs:
        full = f"{'статьи' if genitive else 'статья'} {article} {name}"
        return rng.choice((full, full, f"ст. {article} {name}"))
    point = paragraphs[0]
    if len(paragraphs) == 1:
        full = f"{'пункта' if genitive else 'пункт'} {point} статьи {article} {name}"
        return rng.choice((full, f"п. {point} ст. {article} {name}"))
    letter = _LETTERS_RU[paragraphs[1]]
    full = f"{'подпункта' if genitive else 'подпункт'} «{letter}» пункта {point} статьи {article} {name}"
    return rng.choice((full, f"пп. «{letter}» п. {point} ст. {article} {name}"))


def _render_article_az(instrument: str, article: str, paragraphs: tuple[str, ...], rng: Random) -> str:
    name = rng.choice(_AZ_GENITIVE[instrument])
    ordinal = az_ordinal(int(article))
    if not paragraphs:
        return f"{name} {ordinal} maddəsi"
    point = az_ordinal(int(paragraphs[0]))
    if len(paragraphs) == 1:
        return f"{name} {ordinal} maddəsinin {point} bəndi"
    return f"{name} {ordinal} maddəsinin {point} bəndinin {paragraphs[1]}) yarımbəndi"


def _render_pair(instrument: str, first: int, second: int, language: str, case: str, rng: Random) -> str:
    if language == "ru":
        word = "статей" if case == "gen" else "статьи"
        return rng.choice((f"{word} {first} и {second} {rng.choice(_RU_GENITIVE[instrument])}",
                           f"ст. {first} и {second} {rng.choice(_RU_GENITIVE[instrument])}"))
    if language == "az":
        return f"{rng.choice(_AZ_GENITIVE[instrument])} {first} və {az_ordinal(second)} maddələri"
    return rng.choice((f"Articles {first} and {second} of {rng.choice(_EN_NAMES[instrument])}",
                       f"Arts. {first} and {second} {rng.choice(_EN_SHORT[instrument])}"))


def _render_range(instrument: str, first: int, last: int, language: str, case: str, rng: Random) -> str:
    if language == "ru":
        word = "статей" if case == "gen" else "статьи"
        return rng.choice((f"{word} {first}–{last} {rng.choice(_RU_GENITIVE[instrument])}",
                           f"ст. {first}–{last} {rng.choice(_RU_GENITIVE[instrument])}"))
    if language == "az":
        return f"{rng.choice(_AZ_GENITIVE[instrument])} {first}–{az_ordinal(last)} maddələri"
    return rng.choice((f"Arts. {first}–{last} {rng.choice(_EN_SHORT[instrument])}",
                       f"Articles {first} to {last} of {rng.choice(_EN_NAMES[instrument])}",
                       f"Articles {first}–{last} of {rng.choice(_EN_NAMES[instrument])}"))


def _render_instrument(instrument: str, language: str, case: str, rng: Random) -> str:
    if instrument == "GC-COMMON":
        if language == "ru":
            return "общей статьи 3 Женевских конвенций" if case == "gen" else "общая статья 3 Женевских конвенций"
        if language == "az":
            return "Cenevrə konvensiyalarının ümumi 3-cü maddəsi"
        return rng.choice(("common Article 3", "common Article 3 of the Geneva Conventions",
                           "Article 3 common to the four Geneva Conventions"))
    if language == "ru":
        table = _RU_GENITIVE if case == "gen" else _RU_NOMINATIVE
        return rng.choice(table[instrument])
    if language == "az":
        return rng.choice(_AZ_NOMINATIVE[instrument])
    return rng.choice(_EN_NAMES[instrument])


def draw_reference(rng: Random, language: str, case: str = "nom") -> RefMention:
    """A random, real treaty reference rendered in ``language`` (``case`` matters for Russian)."""
    instrument = _INSTRUMENT_PICKER(rng)
    if instrument in _INSTRUMENT_ONLY:
        canonical = "GC-COMMON-3" if instrument == "GC-COMMON" else instrument
        return RefMention(_render_instrument(instrument, language, case, rng), (canonical,))
    roll = rng.random()
    if roll < 0.12:
        return RefMention(_render_instrument(instrument, language, case, rng), (instrument,))
    if roll < 0.30:
        path = rng.choice(REAL_PARAGRAPHS[instrument])
        return RefMention(_render_article(instrument, path, language, case, rng), (_canonical(instrument, path),))
    if roll < 0.38:
        first, second = sorted(rng.sample(FAMOUS_ARTICLES[instrument][:6], 2))
        text = _render_pair(instrument, first, second, language, case, rng)
        return RefMention(text, (_canonical(instrument, [first]), _canonical(instrument, [second])))
    if roll < 0.43 and instrument in ARTICLE_RANGES:
        first, last = rng.choice(ARTICLE_RANGES[instrument])
        text = _render_range(instrument, first, last, language, case, rng)
        return RefMention(text, tuple(_canonical(instrument, [a]) for a in range(first, last + 1)))
    article = str(_draw_article(instrument, rng))
    text = _render_article(instrument, (article,), language, case, rng)
    return RefMention(text, (_canonical(instrument, [article]),))


_NEGATIVES = {
    "en": ("Article {n} of the Law on Mine Action", "Section {n} of the Criminal Code", "paragraph {n} of the report",
           "A/{un}/{m}", "S/{y}/{m}", "page {n}", "Exhibit {n}", "Article {n} of the Constitution",
           "Rule {n} of the Rules of Procedure", "Annex {n}", "Article {n} of the lease agreement",
           "Protocol No. {n} of the district commission", "item {n} of the agenda"),
    "ru": ("статья {n} Уголовного кодекса", "ст. {n} УК", "пункт {n} доклада", "стр. {n}", "Приложение {n}",
           "статья {n} Закона о разминировании", "протокол осмотра № {n}", "A/{un}/{m}", "S/{y}/{m}",
           "статья {n} Конституции"),
    "az": ("Cinayət Məcəlləsinin {o} maddəsi", "Mina fəaliyyəti haqqında Qanunun {o} maddəsi",
           "hesabatın {o} bəndi", "səhifə {n}", "Əlavə {n}", "A/{un}/{m}", "Konstitusiyanın {o} maddəsi",
           "baxış protokolu № {n}"),
}


def draw_negative(rng: Random, language: str) -> str:
    """A reference-looking phrase that is not a treaty article (a hard negative)."""
    number = rng.randint(1, 160)
    return rng.choice(_NEGATIVES[language]).format(
        n=number, o=az_ordinal(number), un=rng.randint(46, 80), y=rng.randint(1993, 2025), m=rng.randint(10, 999)
    )


# --------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------

_EN_NOUNS = _words(
    "mine|area|field|road|village|team|house|survey|device|shell|family|clearance|minefield|district|child|"
    "resident|farmer|land|munition|fragment|crater|operation|school|record|map|witness|casualty|victim|"
    "deminer|detector|marker|sign|fence|orchard|vineyard|pasture|settlement|hospital|bridge|cemetery|well|canal|"
    "farm|border|trench|checkpoint|sector|polygon|hectare|injury|survivor|shepherd|refugee|official|unit|"
    "battalion|soldier|commander|position|height|slope|riverbank|forest|garden|yard|street|building|roof|wall|"
    "window|basement|shelter|car|tractor|truck|bus|ambulance|doctor|nurse|teacher|mother|father|brother|sister|"
    "neighbour|son|daughter|grandfather|grandmother|cousin|uncle|aunt|community|municipality|authority|ministry|"
    "agency|office|organisation|mission|delegation|expert|investigator|lawyer|court|prosecutor|judge|claim|"
    "complaint|request|letter|statement|interview|photograph|video|sketch|diagram|coordinate|grid|sheet|legend|"
    "register|logbook|inventory|database|archive|copy|original|annex|attachment|evidence|sample|remnant|"
    "tripwire|fuse|detonator|charge|warhead|projectile|rocket|grenade|submunition|bomblet|cluster|stockpile|"
    "ordnance|explosive|blast|explosion|impact|strike|barrage|bombardment|attack|ceasefire|hostilities|"
    "displacement|return|reconstruction|resettlement|livelihood|harvest|crop|livestock|cattle|sheep|goat|horse|"
    "dog|machine|flail|excavator|bulldozer|helmet|visor|vest|prodder|probe|lane|perimeter|boundary|benchmark|"
    "reference point|landmark|turning point|bend|junction|spring|stream|ravine|hill|plateau|valley|plain|"
    "quarry|pipeline|power line|railway|airfield|depot|warehouse|barracks|outpost|bunker|dugout|trench line|"
    "frontline|buffer zone|contact line|route|path|track|corridor|convoy|patrol|inspection|visit|assessment|"
    "task|task order|completion report|handover|certificate|quality control|accreditation|standard|procedure|"
    "training|course|risk education|awareness|campaign|leaflet|poster|signage|warning|hazard|threat|risk|"
    "danger|accident|incident|fatality|amputation|wound|burn|trauma|rehabilitation|prosthesis|wheelchair|"
    "compensation|assistance|support|aid|donor|grant|budget|contract|tender|equipment|vehicle|radio|telephone|"
    "generator|fuel|water|electricity|gas|school bus|clinic|pharmacy|market|shop|mosque|church|library|museum|"
    "monument|stadium|park|square|courtyard|kindergarten|dormitory|factory|mill|bakery|winery|greenhouse|barn|"
    "stable|shed|fence post|gate|ditch|embankment|dam|reservoir|irrigation channel|pump station|wellhead"
)
_EN_IRREGULAR_PLURALS = {"child": "children", "hostilities": "hostilities", "sheep": "sheep",
                         "evidence": "evidence", "livestock": "livestock", "cattle": "cattle",
                         "clearance": "clearance operations", "displacement": "displacements",
                         "electricity": "power supplies", "water": "water supplies", "gas": "gas pipes",
                         "fuel": "fuel stocks", "aid": "aid deliveries", "support": "support measures"}
_EN_ADJECTIVES = _words(
    "unexploded|anti-personnel|anti-tank|abandoned|suspected|confirmed|contaminated|hazardous|former|local|"
    "civilian|military|agricultural|residential|rural|remote|damaged|destroyed|burnt|mined|cleared|marked|"
    "unmarked|fenced|unfenced|recorded|unrecorded|approximate|exact|detailed|partial|incomplete|complete|"
    "official|unofficial|handwritten|printed|original|certified|sworn|confidential|urgent|preliminary|final|"
    "quarterly|annual|monthly|weekly|daily|technical|non-technical|humanitarian|manual|mechanical|northern|"
    "southern|eastern|western|central|upper|lower|old|new|narrow|wide|steep|rocky|muddy|dry|frozen|overgrown|"
    "heavy|light|large|small|long|short|deep|shallow|visible|buried|scattered|dense|isolated|adjacent|nearby|"
    "distant|frontline|rear|temporary|permanent|critical|serious|minor|fatal|non-fatal|elderly|young|displaced|"
    "returning|injured|wounded|missing|deceased|surviving|independent|international|national|regional|"
    "municipal|private|public|joint|mobile|specialised|trained|qualified|experienced|reliable|credible|"
    "consistent|inconsistent|significant|substantial|limited|extensive|systematic|repeated|deliberate|"
    "indiscriminate|unlawful|protected|essential|vital|basic|available|accessible|inaccessible|safe|unsafe"
)
_EN_VERBS = _words(
    "found|cleared|marked|surveyed|recorded|reported|destroyed|removed|detected|located|identified|confirmed|"
    "documented|photographed|inspected|visited|mapped|fenced|released|handed over|transferred|submitted|"
    "received|reviewed|verified|described|explained|stated|noted|observed|heard|saw|lost|injured|killed|"
    "evacuated|displaced|returned|rebuilt|repaired|abandoned|shelled|struck|hit|damaged|burned|looted|occupied|"
    "planted|laid|buried|booby-trapped|triggered|detonated|exploded|collected|stored|compiled|drafted|signed|"
    "sealed|certified|registered|forwarded|requested|refused|delayed|postponed|resumed|completed|suspended|"
    "extended|expanded|reduced|estimated|measured|calculated|compared|matched|cross-checked|updated|corrected|"
    "published|circulated|archived|translated|transcribed|interviewed|questioned|examined|treated|operated|"
    "amputated|buried|mourned|compensated|assisted|supported|trained|equipped|deployed|dispatched|escorted"
)
_EN_ADVERBS = _words(
    "later|again|immediately|subsequently|eventually|repeatedly|reportedly|allegedly|apparently|clearly|"
    "partly|fully|carefully|quickly|slowly|safely|manually|mechanically|officially|informally|jointly|"
    "separately|regularly|occasionally|finally|initially|previously|recently|still|already|nearly|almost"
)
_EN_TOPICS = _words(
    "mine contamination|civilian casualties|the shelling of residential areas|the return of displaced persons|"
    "clearance of agricultural land|unexploded ordnance|minefield records|mine maps|access to farmland|"
    "damage to civilian property|the destruction of cultural sites|victim assistance|risk education|"
    "the safety of returning families|survey results|cluster munition remnants|the marking of hazardous areas|"
    "the transfer of minefield records|compensation for injuries|the reconstruction of villages"
)

_RU_NOUNS = (  # nominative sg, genitive sg, nominative pl, accusative sg
    ("мина", "мины", "мины", "мину"), ("участок", "участка", "участки", "участок"),
    ("поле", "поля", "поля", "поле"), ("дорога", "дороги", "дороги", "дорогу"),
    ("село", "села", "сёла", "село"), ("группа", "группы", "группы", "группу"),
    ("дом", "дома", "дома", "дом"), ("обследование", "обследования", "обследования", "обследование"),
    ("снаряд", "снаряда", "снаряды", "снаряд"), ("семья", "семьи", "семьи", "семью"),
    ("разминирование", "разминирования", "разминирования", "разминирование"),
    ("минное поле", "минного поля", "минные поля", "минное поле"), ("район", "района", "районы", "район"),
    ("ребёнок", "ребёнка", "дети", "ребёнка"), ("житель", "жителя", "жители", "жителя"),
    ("фермер", "фермера", "фермеры", "фермера"), ("земля", "земли", "земли", "землю"),
    ("боеприпас", "боеприпаса", "боеприпасы", "боеприпас"), ("осколок", "осколка", "осколки", "осколок"),
    ("воронка", "воронки", "воронки", "воронку"), ("операция", "операции", "операции", "операцию"),
    ("школа", "школы", "школы", "школу"), ("карта", "карты", "карты", "карту"),
    ("формуляр", "формуляра", "формуляры", "формуляр"), ("свидетель", "свидетеля", "свидетели", "свидетеля"),
    ("пострадавший", "пострадавшего", "пострадавшие", "пострадавшего"), ("сапёр", "сапёра", "сапёры", "сапёра"),
    ("миноискатель", "миноискателя", "миноискатели", "миноискатель"), ("знак", "знака", "знаки", "знак"),
    ("ограждение", "ограждения", "ограждения", "ограждение"), ("сад", "сада", "сады", "сад"),
    ("виноградник", "виноградника", "виноградники", "виноградник"),
    ("пастбище", "пастбища", "пастбища", "пастбище"), ("больница", "больницы", "больницы", "больницу"),
    ("мост", "моста", "мосты", "мост"), ("кладбище", "кладбища", "кладбища", "кладбище"),
    ("колодец", "колодца", "колодцы", "колодец"), ("канал", "канала", "каналы", "канал"),
    ("окоп", "окопа", "окопы", "окоп"), ("блокпост", "блокпоста", "блокпосты", "блокпост"),
    ("сектор", "сектора", "секторы", "сектор"), ("гектар", "гектара", "гектары", "гектар"),
    ("ранение", "ранения", "ранения", "ранение"), ("пастух", "пастуха", "пастухи", "пастуха"),
    ("беженец", "беженца", "беженцы", "беженца"), ("склон", "склона", "склоны", "склон"),
    ("лес", "леса", "леса", "лес"), ("огород", "огорода", "огороды", "огород"),
    ("улица", "улицы", "улицы", "улицу"), ("здание", "здания", "здания", "здание"),
    ("крыша", "крыши", "крыши", "крышу"), ("подвал", "подвала", "подвалы", "подвал"),
    ("убежище", "убежища", "убежища", "убежище"), ("трактор", "трактора", "тракторы", "трактор"),
    ("грузовик", "грузовика", "грузовики", "грузовик"), ("врач", "врача", "врачи", "врача"),
    ("учитель", "учителя", "учителя", "учителя"), ("сосед", "соседа", "соседи", "соседа"),
    ("община", "общины", "общины", "общину"), ("муниципалитет", "муниципалитета", "муниципалитеты", "муниципалитет"),
    ("ведомство", "ведомства", "ведомства", "ведомство"), ("миссия", "миссии", "миссии", "миссию"),
    ("эксперт", "эксперта", "эксперты", "эксперта"), ("заявление", "заявления", "заявления", "заявление"),
    ("жалоба", "жалобы", "жалобы", "жалобу"), ("письмо", "письма", "письма", "письмо"),
    ("показание", "показания", "показания", "показание"), ("фотография", "фотографии", "фотографии", "фотографию"),
    ("схема", "схемы", "схемы", "схему"), ("координата", "координаты", "координаты", "координату"),
    ("журнал", "журнала", "журналы", "журнал"), ("реестр", "реестра", "реестры", "реестр"),
    ("растяжка", "растяжки", "растяжки", "растяжку"), ("взрыватель", "взрывателя", "взрыватели", "взрыватель"),
    ("ракета", "ракеты", "ракеты", "ракету"), ("граната", "гранаты", "гранаты", "гранату"),
    ("суббоеприпас", "суббоеприпаса", "суббоеприпасы", "суббоеприпас"), ("склад", "склада", "склады", "склад"),
    ("взрыв", "взрыва", "взрывы", "взрыв"), ("обстрел", "обстрела", "обстрелы", "обстрел"),
    ("удар", "удара", "удары", "удар"), ("перемирие", "перемирия", "перемирия", "перемирие"),
    ("возвращение", "возвращения", "возвращения", "возвращение"),
    ("восстановление", "восстановления", "восстановления", "восстановление"),
    ("урожай", "урожая", "урожаи", "урожай"), ("скот", "скота", "стада", "скот"),
    ("машина", "машины", "машины", "машину"), ("трал", "трала", "тралы", "трал"),
    ("щуп", "щупа", "щупы", "щуп"), ("проход", "прохода", "проходы", "проход"),
    ("периметр", "периметра", "периметры", "периметр"), ("ориентир", "ориентира", "ориентиры", "ориентир"),
    ("родник", "родника", "родники", "родник"), ("ручей", "ручья", "ручьи", "ручей"),
    ("овраг", "оврага", "овраги", "овраг"), ("холм", "холма", "холмы", "холм"),
    ("долина", "долины", "долины", "долину"), ("трубопровод", "трубопровода", "трубопроводы", "трубопровод"),
    ("блиндаж", "блиндажа", "блиндажи", "блиндаж"), ("маршрут", "маршрута", "маршруты", "маршрут"),
    ("патруль", "патруля", "патрули", "патруль"), ("проверка", "проверки", "проверки", "проверку"),
    ("задача", "задачи", "задачи", "задачу"), ("акт", "акта", "акты", "акт"),
    ("сертификат", "сертификата", "сертификаты", "сертификат"), ("инцидент", "инцидента", "инциденты", "инцидент"),
    ("ампутация", "ампутации", "ампутации", "ампутацию"), ("протез", "протеза", "протезы", "протез"),
    ("компенсация", "компенсации", "компенсации", "компенсацию"), ("помощь", "помощи", "меры помощи", "помощь"),
    ("оборудование", "оборудования", "комплекты оборудования", "оборудование"),
    ("мечеть", "мечети", "мечети", "мечеть"), ("памятник", "памятника", "памятники", "памятник"),
    ("детский сад", "детского сада", "детские сады", "детский сад"), ("завод", "завода", "заводы", "завод"),
    ("мельница", "мельницы", "мельницы", "мельницу"), ("амбар", "амбара", "амбары", "амбар"),
    ("ворота", "ворот", "ворота", "ворота"), ("плотина", "плотины", "плотины", "плотину"),
)
_RU_ADJECTIVES_PL = _words(  # nominative plural
    "неразорвавшиеся|противопехотные|противотанковые|заброшенные|подозрительные|подтверждённые|заражённые|"
    "опасные|бывшие|местные|гражданские|военные|сельскохозяйственные|жилые|сельские|отдалённые|повреждённые|"
    "разрушенные|сгоревшие|заминированные|очищенные|обозначенные|необозначенные|огороженные|учтённые|"
    "неучтённые|приблизительные|точные|подробные|частичные|неполные|официальные|рукописные|подлинные|"
    "заверенные|срочные|предварительные|окончательные|ежеквартальные|ежегодные|технические|нетехнические|"
    "гуманитарные|ручные|механизированные|северные|южные|восточные|западные|центральные|старые|новые|узкие|"
    "каменистые|заросшие|крупные|мелкие|глубокие|видимые|засыпанные|разбросанные|соседние|временные|"
    "постоянные|серьёзные|пожилые|перемещённые|раненые|пропавшие|погибшие|международные|национальные|"
    "региональные|муниципальные|совместные|мобильные|специализированные|обученные|систематические|"
    "неоднократные|неизбирательные|защищённые|доступные|недоступные|безопасные"
)
_RU_VERBS_PL = _words(  # past tense plural, transitive
    "обследовали|обнаружили|уничтожили|зафиксировали|расчистили|обозначили|нанесли на карту|огородили|"
    "передали|получили|проверили|описали|сфотографировали|осмотрели|посетили|задокументировали|"
    "подтвердили|извлекли|собрали|составили|подписали|направили|запросили|восстановили|отремонтировали|"
    "эвакуировали|заминировали|установили|подорвали|изъяли|сверили|уточнили|обновили|опубликовали|"
    "перевели|допросили|опросили|сопроводили|обучили|развернули"
)
_RU_PARTICIPLES_PL = _words(  # short passive participles, plural
    "обнаружены|уничтожены|зафиксированы|обезврежены|обозначены|огорожены|переданы|получены|проверены|"
    "описаны|сфотографированы|осмотрены|задокументированы|подтверждены|извлечены|собраны|составлены|"
    "повреждены|разрушены|заминированы|очищены|учтены|нанесены на карту|эвакуированы|восстановлены"
)
_RU_PROCESSES = _words(  # genitive: "в ходе ..."
    "обследования|разминирования|технического обследования|нетехнического обследования|проверки|осмотра|"
    "патрулирования|расчистки участка|операции|контроля качества|повторного обследования|маркировки"
)
_RU_ADVERBS = _words(
    "позднее|повторно|немедленно|впоследствии|неоднократно|предположительно|частично|полностью|тщательно|"
    "быстро|медленно|вручную|официально|совместно|регулярно|ранее|недавно|ещё|уже|почти"
)
_RU_TOPICS = _words(
    "минном загрязнении|жертвах среди мирного населения|обстрелах жилых кварталов|возвращении перемещённых лиц|"
    "разминировании сельскохозяйственных земель|неразорвавшихся боеприпасах|формулярах минных полей|"
    "минных картах|ущербе гражданскому имуществу|помощи пострадавшим|безопасности возвращающихся семей|"
    "результатах обследования|остатках кассетных боеприпасов|восстановлении сёл"
)

_AZ_NOUNS = _words(
    "mina|ərazi|sahə|yol|kənd|qrup|ev|tədqiqat|qurğu|mərmi|ailə|təmizləmə|mina sahəsi|rayon|uşaq|sakin|"
    "fermer|torpaq|sursat|qəlpə|krater|əməliyyat|məktəb|qeyd|xəritə|şahid|itki|qurban|minaaxtaran|detektor|"
    "nişan|hasar|bağ|üzümlük|otlaq|yaşayış məntəqəsi|xəstəxana|körpü|qəbiristanlıq|quyu|kanal|ferma|sərhəd|"
    "səngər|keçid məntəqəsi|sektor|hektar|yaralanma|sağ qalan|çoban|qaçqın|məmur|bölmə|əsgər|komandir|mövqe|"
    "yüksəklik|yamac|çay sahili|meşə|həyət|küçə|bina|dam|divar|zirzəmi|sığınacaq|avtomobil|traktor|yük maşını|"
    "həkim|müəllim|ana|ata|qardaş|bacı|qonşu|oğul|qız|icma|bələdiyyə|nazirlik|agentlik|idarə|təşkilat|missiya|"
    "ekspert|müstəntiq|vəkil|məhkəmə|prokuror|hakim|iddia|şikayət|müraciət|məktub|ifadə|müsahibə|fotoşəkil|"
    "video|sxem|koordinat|vərəq|reyestr|jurnal|arxiv|surət|əlavə sənəd|sübut|nümunə|qalıq|naqil|partladıcı|"
    "detonator|raket|qumbara|kaset|anbar|partlayış|zərbə|atəş|hücum|atəşkəs|köçkün|qayıdış|bərpa|məhsul|"
    "mal-qara|qoyun|keçi|at|it|maşın|ekskavator|dəbilqə|jilet|zond|dəhliz|perimetr|istinad nöqtəsi|bulaq|"
    "dərə|təpə|yayla|vadi|düzənlik|karxana|boru kəməri|dəmir yolu|hava limanı|kazarma|bunker|cəbhə xətti|"
    "təmas xətti|marşrut|patrul|yoxlama|səfər|qiymətləndirmə|tapşırıq|akt|sertifikat|standart|prosedur|təlim|"
    "maarifləndirmə|xəbərdarlıq|təhlükə|risk|hadisə|amputasiya|yara|reabilitasiya|protez|kompensasiya|yardım|"
    "donor|müqavilə|avadanlıq|nəqliyyat vasitəsi|radio|telefon|generator|su|elektrik|qaz|klinika|aptek|bazar|"
    "məscid|kilsə|kitabxana|muzey|abidə|stadion|park|meydan|uşaq bağçası|fabrik|dəyirman|anbar binası|darvaza|"
    "arx|bənd|su anbarı|nasos stansiyası"
)
_AZ_ADJECTIVES = _words(
    "partlamamış|piyada əleyhinə|tank əleyhinə|tərk edilmiş|şübhəli|təsdiqlənmiş|çirklənmiş|təhlükəli|keçmiş|"
    "yerli|mülki|hərbi|kənd təsərrüfatı|yaşayış|ucqar|zədələnmiş|dağıdılmış|yanmış|minalanmış|təmizlənmiş|"
    "işarələnmiş|işarələnməmiş|hasarlanmış|qeydə alınmış|təxmini|dəqiq|ətraflı|natamam|tam|rəsmi|qeyri-rəsmi|"
    "əlyazma|çap olunmuş|orijinal|təsdiq edilmiş|məxfi|təcili|ilkin|yekun|rüblük|illik|aylıq|texniki|"
    "qeyri-texniki|humanitar|əl ilə|mexaniki|şimal|cənub|şərq|qərb|mərkəzi|yuxarı|aşağı|köhnə|yeni|dar|geniş|"
    "sıldırım|daşlı|palçıqlı|quru|donmuş|kolluq|ağır|yüngül|böyük|kiçik|uzun|qısa|dərin|görünən|basdırılmış|"
    "səpələnmiş|sıx|təcrid olunmuş|qonşu|uzaq|müvəqqəti|daimi|ciddi|ölümcül|yaşlı|gənc|məcburi köçkün|"
    "qayıdan|yaralı|itkin|həlak olmuş|beynəlxalq|milli|regional|bələdiyyə|birgə|mobil|ixtisaslaşmış|təlim keçmiş|"
    "sistematik|təkrar|qəsdən|qanunsuz|qorunan|əlçatan|əlçatmaz|təhlükəsiz"
)
_AZ_VERBS = _words(  # past, 3rd person, passive or intransitive
    "aşkar edilmişdir|təmizlənmişdir|işarələnmişdir|qeydə alınmışdır|məhv edilmişdir|çıxarılmışdır|"
    "müəyyən edilmişdir|təsdiqlənmişdir|sənədləşdirilmişdir|fotoşəkli çəkilmişdir|yoxlanılmışdır|"
    "xəritəyə salınmışdır|hasarlanmışdır|təhvil verilmişdir|təqdim edilmişdir|alınmışdır|nəzərdən keçirilmişdir|"
    "təsvir edilmişdir|zədələnmişdir|dağıdılmışdır|yandırılmışdır|minalanmışdır|partladılmışdır|toplanmışdır|"
    "tərtib edilmişdir|imzalanmışdır|göndərilmişdir|bərpa edilmişdir|təmir edilmişdir|təxliyə edilmişdir|"
    "yenilənmişdir|dərc edilmişdir|tərcümə edilmişdir|dindirilmişdir|müşayiət edilmişdir|yerləşdirilmişdir"
)
_AZ_ADVERBS = _words(
    "sonradan|yenidən|dərhal|təkrarən|ehtimal ki|qismən|tamamilə|diqqətlə|tez|yavaş|rəsmi olaraq|birgə|"
    "mütəmadi olaraq|əvvəllər|bu yaxınlarda|hələ də|artıq|demək olar ki"
)
_AZ_TOPICS = _words(
    "mina çirklənməsi|mülki itkilər|yaşayış məhəllələrinin atəşə tutulması|məcburi köçkünlərin qayıdışı|"
    "kənd təsərrüfatı torpaqlarının təmizlənməsi|partlamamış hərbi sursat|mina sahələrinin formulyarları|"
    "mina xəritələri|mülki əmlaka dəymiş ziyan|zərərçəkənlərə yardım|qayıdan ailələrin təhlükəsizliyi|"
    "tədqiqatın nəticələri|kaset sursatlarının qalıqları|kəndlərin bərpası"
)

_MINE_MODELS = _words("PMN-2|TM-62M|OZM-72|POMZ-2M|MON-50|PFM-1|PMN-4|TM-57|MON-90|PMD-6|TM-62P|PROM-1|M14|M18")
# Personal names in Azerbaijani spelling; English and Russian texts transliterate them.
_MALE_NAMES = _words("Elnur|Rəşad|Tural|Fərid|Anar|Orxan|Kamran|Vüqar|Elçin|Ramil|İlham|Rauf|Zaur|Emil|Cavid")
_FEMALE_NAMES = _words("Aygün|Leyla|Sevinc|Günel|Nigar|Samirə|Aysel|Lalə|Şəhla|Nərmin|Könül|Səbinə|Ülviyyə|"
                       "Xədicə|Aytən")
_SURNAMES = _words(
    "Məmmədov|Əliyev|Həsənov|Hüseynov|Quliyev|İsmayılov|Abbasov|Cəfərov|Kərimov|Rəhimov|Bayramov|Süleymanov|"
    "Mustafayev|Nəsirov|Vəliyev|Əhmədov|Babayev|Qasımov|Orucov|Səfərov|Zeynalov|Musayev|Novruzov|Rzayev|"
    "Səlimov|Tağıyev|Yusifov|Eyvazov|Hacıyev|Allahverdiyev"
)
#: Names the generator would make that belong to well-known living people (a head of state, officials, a
#: convicted officer): fabricated evidence is never put in their mouths or under their names, marked or not.
_REAL_PEOPLE = frozenset({
    "İlham Əliyev", "Leyla Əliyeva", "Kamran Əliyev", "Ramil Səfərov", "Elçin Quliyev",
})
_VILLAGE_HEADS = _words(
    "Qara|Ağ|Yuxarı|Aşağı|Köhnə|Yeni|Böyük|Kiçik|Şıx|Quzan|Məmməd|Əhməd|Kəngər|Sarı|Qızıl|Daş|Bəy|Çay|"
    "Dəmir|Göy|Alı|Hacı|Kürd|Bala|Arıq|Qaya|Dağ|Bağ|Xan|Molla"
)
_VILLAGE_TAILS = _words(
    "bulaq|kənd|lı|dərə|tala|bağlı|qışlaq|yurd|oba|təpə|kənd|çay|yataq|düz|arx|qala|qaya|yer|binə|lar"
)


def _village_names() -> tuple[str, ...]:
    """About 600 distinct, generic village names: a long tail of rare words for search."""
    return tuple(dict.fromkeys(head + tail for head, tail in itertools.product(_VILLAGE_HEADS, _VILLAGE_TAILS)))


_RU_DIGRAPHS = (("ye", "е"), ("ya", "я"), ("yu", "ю"), ("yo", "ё"))
_RU_LETTERS = str.maketrans({
    "ə": "а", "ı": "ы", "ş": "ш", "ç": "ч", "ğ": "г", "ö": "ё", "ü": "ю", "x": "х", "q": "г", "c": "дж",
    "j": "ж", "y": "й", "a": "а", "b": "б", "d": "д", "e": "е", "f": "ф", "g": "г", "h": "х", "i": "и",
    "k": "к", "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "r": "р", "s": "с", "t": "т", "u": "у",
    "v": "в", "z": "з",
})
_EN_LETTERS = str.maketrans({
    "ə": "a", "ı": "i", "ş": "sh", "ç": "ch", "ğ": "gh", "ö": "o", "ü": "u", "x": "kh", "q": "g", "c": "j",
    "Ə": "A", "Ş": "Sh", "Ç": "Ch", "Ö": "O", "Ü": "U", "Q": "G", "X": "Kh", "İ": "I", "Ğ": "Gh", "C": "J",
})


def _transliterate_ru(name: str) -> str:
    """Azerbaijani Latin to a plain Russian spelling (Məmmədov -> Маммадов)."""
    lowered = name.replace("İ", "I").lower()
    for latin, cyrillic in _RU_DIGRAPHS:
        lowered = lowered.replace(latin, cyrillic)
    russian = lowered.translate(_RU_LETTERS)
    return russian[:1].upper() + russian[1:]


def _transliterate_en(name: str) -> str:
    """Azerbaijani Latin to the usual English spelling (Cəfərov -> Jafarov)."""
    return name.translate(_EN_LETTERS)


def _en_plural(noun: str) -> str:
    if noun in _EN_IRREGULAR_PLURALS:
        return _EN_IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


@cache
def _lexicon(language: str) -> dict[str, _Picker]:
    """Zipf pickers per template slot name (see the slot list below)."""
    villages = _village_names()
    if language == "ru":
        return {
            "n": _zipf([noun[0] for noun in _RU_NOUNS]), "ng": _zipf([noun[1] for noun in _RU_NOUNS]),
            "ns": _zipf([noun[2] for noun in _RU_NOUNS]), "na": _zipf([noun[3] for noun in _RU_NOUNS]),
            "a": _zipf(_RU_ADJECTIVES_PL), "v": _zipf(_RU_VERBS_PL), "vp": _zipf(_RU_PARTICIPLES_PL),
            "proc": _zipf(_RU_PROCESSES), "adv": _zipf(_RU_ADVERBS), "topic": _zipf(_RU_TOPICS),
            "vil": _zipf(tuple(map(_transliterate_ru, villages))),
        }
    if language == "az":
        return {
            "n": _zipf(_AZ_NOUNS), "ns": _zipf(_AZ_NOUNS), "a": _zipf(_AZ_ADJECTIVES), "v": _zipf(_AZ_VERBS),
            "adv": _zipf(_AZ_ADVERBS), "topic": _zipf(_AZ_TOPICS), "vil": _zipf(villages),
        }
    return {
        "n": _zipf(_EN_NOUNS), "ns": _zipf([_en_plural(noun) for noun in _EN_NOUNS]), "a": _zipf(_EN_ADJECTIVES),
        "v": _zipf(_EN_VERBS), "adv": _zipf(_EN_ADVERBS), "topic": _zipf(_EN_TOPICS),
        "vil": _zipf(tuple(dict.fromkeys(map(_transliterate_en, villages)))),
    }


# --------------------------------------------------------------------------
# Sentence templates. Slots: {n} noun, {ns} plural noun, {ng} genitive (ru), {na} accusative (ru),
# {a} adjective, {v} verb, {vp} participle (ru), {adv} adverb, {p} place, {d} date, {q} number,
# {o} organisation, {x} person, {vil} village, {mine} mine model, {grid} grid reference, {t} team.
# --------------------------------------------------------------------------

_EN_TEMPLATES = _words(
    "On {d}, a {a} {n} was {v} near {vil}, in the {p} district.|"
    "The {t} {v} {q} {a} {ns} along the road between {vil} and {vil}.|"
    "According to the {o}, {q} {ns} remain {a} in the area of {p}.|"
    "Survey records list {q} {mine} mines and {q} {a} {ns} in sector {grid}.|"
    "The {a} {ns} were {v} {adv} after the shelling of {p} on {d}.|"
    "{x} stated that the {n} near the {n} had been {v} {adv}.|"
    "Residents of {vil} {v} the {a} {n} to the {o}.|"
    "The {n} was {v} by a {a} {n} and could not be used.|"
    "A {a} {n} and two {ns} were {v} at grid reference {grid}.|"
    "No {a} {ns} were {v} during the {n} of the {a} {n}.|"
    "The {a} area covers approximately {q} hectares north of {vil}.|"
    "Clearance of the {a} {n} at {vil} is expected to take {q} weeks.|"
    "{x} reported that {q} {ns} had been {v} in {p}.|"
    "The {n} recorded {q} {a} {ns} and one {mine} mine.|"
    "Families returning to {p} {v} {a} {ns} near their homes.|"
    "The {t} {v} the {n} and {v} the {a} {n} {adv}.|"
    "Between {d} and {d}, the {o} {v} {q} {ns}.|"
    "The {a} map shows {q} {ns} and a {a} {n} near {vil}.|"
    "A {n} from {vil} was {v} while working in a {a} {n}.|"
    "The {n} is {a} and {a}; access is {a}.|"
    "Further {ns} were {v} {adv} by the {t}.|"
    "The {o} has {v} the {a} {n} for {p}.|"
    "Markings around the {a} {n} were {v} and later {v}.|"
    "The {n} of the {n} was {v} on {d}.|"
    "Local {ns} say the {n} near {vil} is {a}.|"
    "The {t} used a {n} and a {n} to clear the {a} {n}.|"
    "All {a} {ns} in the {n} were {v} and {v}.|"
    "The {n} had been {v} with {mine} mines in {q} rows.|"
    "Two {ns} from the {o} {v} the site on {d}.|"
    "The {a} {n} between {vil} and {p} remains {a}."
)
_RU_TEMPLATES = _words(
    "{d} в районе населённого пункта {vil} ({p}) были {vp} {a} {ns}.|"
    "Сапёры группы {t} {v} {na} вдоль дороги {vil} — {vil}.|"
    "По данным организации «{o}», в районе {p} по-прежнему остаются {a} {ns}.|"
    "В ходе {proc} были {vp} {a} {ns} и {q} мин типа {mine}.|"
    "{x} сообщает, что {a} {ns} были {vp} {adv}.|"
    "Жители села {vil} {v} {na} и {na}.|"
    "На участке {grid} {vp} {a} {ns}.|"
    "После обстрела {p} {d} {a} {ns} были {vp}.|"
    "В секторе {grid} площадь опасного района составляет {q} га.|"
    "Специалисты {v} {na} {adv}.|"
    "Согласно журналу, {a} {ns} {vp} {adv}.|"
    "Возвращающиеся в {p} семьи {v} {na} возле домов.|"
    "Между {d} и {d} специалисты организации «{o}» {v} {na}.|"
    "На карте отмечены {a} {ns} рядом с селом {vil}.|"
    "Сапёры группы {t} {v} {na} и {v} {na}.|"
    "Местные жители считают, что {a} {ns} у села {vil} по-прежнему опасны.|"
    "Количество обнаруженных предметов: {q}.|"
    "{a} {ns} в районе {p} были {vp} {adv}.|"
    "В результате {proc} {vp} {a} {ns}.|"
    "Работы на участке у села {vil} планируется завершить через {q} недель."
)
_AZ_TEMPLATES = _words(
    "{d} tarixində {vil} kəndi yaxınlığında {a} {n} {v}.|"
    "{t} qrupu {vil} və {vil} arasındakı yolda {q} {a} {n} aşkar etmişdir.|"
    "{o} məlumatına görə, {p} rayonu ərazisində hələ də {a} {n} qalır.|"
    "Tədqiqat qeydlərinə əsasən, {grid} sektorunda {q} ədəd {mine} minası {v}.|"
    "{p} atəşə tutulduqdan sonra {a} {n} {adv} {v}.|"
    "{x} bildirmişdir ki, {a} {n} {adv} {v}.|"
    "{vil} kəndinin sakinləri {a} {n} barədə {o} təşkilatına müraciət etmişlər.|"
    "{grid} koordinatlarında {a} {n} və {a} {n} {v}.|"
    "{vil} kəndinin şimalında təhlükəli ərazi təxminən {q} hektar təşkil edir.|"
    "{p} rayonuna qayıdan ailələr evlərinin yaxınlığında {a} {n} tapmışlar.|"
    "{d} və {d} tarixləri arasında {o} {q} {n} qeydə almışdır.|"
    "Xəritədə {vil} kəndi yaxınlığında {a} {n} göstərilmişdir.|"
    "{a} {n} {t} qrupu tərəfindən {adv} {v}.|"
    "Yerli sakinlərin sözlərinə görə, {vil} yaxınlığındakı {n} hələ də {a} qalır.|"
    "Aşkar edilmiş əşyaların sayı: {q}.|"
    "{p} rayonunda {a} {n} {v}.|"
    "{vil} kəndindən olan {n} {a} {n} yaxınlığında yaralanmışdır.|"
    "Bu sahədə işlərin {q} həftə ərzində başa çatdırılması planlaşdırılır."
)

_ORGANISATIONS = {
    "en": _words("Regional Mine Action Centre|Northern Demining Group|Civil Protection Directorate|"
                 "Field Survey Unit 3|Humanitarian Clearance Foundation|District Executive Office|"
                 "Independent Monitoring Mission|Victim Assistance Network|Land Release Board|"
                 "Community Liaison Office|Regional Ombudsperson's Office|Casualty Recording Project"),
    "ru": _words("Региональный центр по разминированию|Северная группа разминирования|Управление гражданской защиты|"
                 "Полевая группа обследования № 3|Гуманитарный фонд разминирования|Районная исполнительная власть|"
                 "Независимая миссия наблюдения|Сеть помощи пострадавшим|Офис регионального омбудсмена"),
    "az": _words("Regional Mina Fəaliyyəti Mərkəzi|Şimal Minatəmizləmə Qrupu|Mülki Müdafiə İdarəsi|"
                 "3 saylı Sahə Tədqiqat Bölməsi|Humanitar Təmizləmə Fondu|Rayon İcra Hakimiyyəti|"
                 "Müstəqil Monitorinq Missiyası|Zərərçəkənlərə Yardım Şəbəkəsi|Regional Ombudsman Aparatı"),
}
_SLOT = re.compile(r"\{(\w+)\}")
_ORGANISATION_PICKERS = {language: _zipf(names) for language, names in _ORGANISATIONS.items()}
_MINE_PICKER = _zipf(_MINE_MODELS)
_SURNAME_PICKER = _zipf(_SURNAMES)
_FAMOUS_PICKERS = {instrument: _zipf(articles) for instrument, articles in FAMOUS_ARTICLES.items()}


# --------------------------------------------------------------------------
# Composing a document
# --------------------------------------------------------------------------


class _Composer:
    """Fills templates for one document and records every label it writes."""

    def __init__(self, rng: Random, language: str, day: dt.date, places: Sequence[str]) -> None:
        self.rng = rng
        self.language = language
        self.day = day
        self.template = _TEMPLATE_PICKERS[language].bind(rng)
        self.slots: dict[str, Callable[[], str]] = {name: pick.bind(rng) for name, pick in _lexicon(language).items()}
        self.slots.update(p=self.place, d=self.date, x=self.person, grid=self.grid, t=self.team,
                          o=self.organisation, q=self.quantity, mine=_MINE_PICKER.bind(rng))
        self.candidate_places = tuple(places)
        self.places_used: dict[str, None] = {}
        self.dates: list[DateMention] = []

    # -- slot values --------------------------------------------------------

    def place(self, canonical: str | None = None) -> str:
        canonical = canonical or self.rng.choice(self.candidate_places)
        self.places_used[canonical] = None
        return _place_spelling(canonical, self.language, self.rng)

    def date(self, day: dt.date | None = None) -> str:
        day = day or _random_day(self.rng, max(dt.date(FIRST_YEAR, 1, 1), self.day - dt.timedelta(days=900)), self.day)
        text = _format_date(day, self.language, self.rng.randrange(5))
        self.dates.append(DateMention(text, day.isoformat()))
        return text

    def organisation(self) -> str:
        return _ORGANISATION_PICKERS[self.language](self.rng)

    def person(self) -> str:
        name = ""
        while not name or name in _REAL_PEOPLE:
            female = self.rng.random() < 0.45
            first = self.rng.choice(_FEMALE_NAMES if female else _MALE_NAMES)
            name = f"{first} {_SURNAME_PICKER(self.rng)}{'a' if female else ''}"
        if self.language == "ru":
            return " ".join(map(_transliterate_ru, name.split(" ")))
        return _transliterate_en(name) if self.language == "en" else name

    def grid(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"38T {rng.choice('LMN')}{rng.choice('JKL')} {rng.randint(10000, 99999)} {rng.randint(10000, 99999)}"
        return f"{rng.uniform(39.2, 40.4):.4f} N, {rng.uniform(46.2, 47.4):.4f} E"

    def team(self) -> str:
        return f"{self.rng.choice('ABCDEFGHKMNPRST')}-{self.rng.randint(1, 48):02d}"

    def quantity(self) -> str:
        return _QUANTITY_PICKER(self.rng) or str(self.rng.randint(2, 999))

    def slot(self, name: str) -> str:
        return self.slots[name]()

    # -- sentences and paragraphs ------------------------------------------

    def sentence(self) -> str:
        parts = self.template()  # literal, slot, literal, slot, ..., literal
        slots = self.slots
        pieces = [parts[0]]
        for position in range(1, len(parts), 2):
            pieces.append(slots[parts[position]]())
            pieces.append(parts[position + 1])
        text = "".join(pieces)
        if self.language == "en":
            text = _EN_ARTICLE_BEFORE_VOWEL.sub(r"\1n \2", text)
        return text[:1].upper() + text[1:]

    def paragraph(self, sentences: int) -> str:
        return " ".join(self.sentence() for _ in range(sentences))


_EN_ARTICLE_BEFORE_VOWEL = re.compile(r"\b([Aa]) ([aeiouAEIOU])")
_QUANTITY_PICKER = _zipf(("2", "3", "4", "5", "6", "7", "8", "10", "12", "", "15", "20", "24", "30", "45", "60", "120"),
                         0.5)
_TEMPLATE_PICKERS = {
    language: _zipf([tuple(_SLOT.split(template)) for template in templates], 0.6)
    for language, templates in (("en", _EN_TEMPLATES), ("ru", _RU_TEMPLATES), ("az", _AZ_TEMPLATES))
}

# Frames that embed a reference (positive) or a look-alike (negative) in a sentence.
_REF_FRAMES = {
    "en": ("This conduct falls under {r}.", "The applicants invoke {r}.", "Such acts are prohibited by {r}.",
           "The obligations under {r} apply to the area.", "The {o} refers to {r} in this respect.",
           "Clearance deadlines are set by {r}.", "This amounts to a breach of {r}."),
    "ru": ("Заявители ссылаются на положения {g}.", "Такие действия являются нарушением {g}.",
           "Применимая норма: {n}.", "В силу {g} стороны обязаны обеспечить защиту гражданского населения.",
           "Следует учитывать требования {g}.", "Ссылка на источник: {n}."),
    "az": ("Bu hərəkətlər {n} ilə ziddiyyət təşkil edir.", "Müraciətdə {n} xatırladılır.",
           "Tətbiq olunan norma: {n}.", "Bu məsələ ilə bağlı {n} nəzərə alınmalıdır."),
}
_NEGATIVE_FRAMES = {
    "en": ("See {x}.", "The details are given in {x}.", "This matter is covered by {x}.", "(cf. {x})"),
    "ru": ("См. {x}.", "Подробности приведены в документе: {x}.", "Основание: {x}."),
    "az": ("Bax: {x}.", "Ətraflı məlumat: {x}.", "Əsas: {x}."),
}


def _reference_sentence(composer: _Composer) -> tuple[str, RefMention]:
    rng, language = composer.rng, composer.language
    frame = rng.choice(_REF_FRAMES[language])
    case = "gen" if "{g}" in frame else "nom"
    mention = draw_reference(rng, language, case)
    sentence = frame.replace("{o}", composer.organisation()).format(r=mention.text, g=mention.text, n=mention.text)
    return sentence, mention


def _negative_sentence(composer: _Composer) -> tuple[str, str]:
    negative = draw_negative(composer.rng, composer.language)
    return composer.rng.choice(_NEGATIVE_FRAMES[composer.language]).format(x=negative), negative


# --------------------------------------------------------------------------
# Titles, headers, closings per type and language
# --------------------------------------------------------------------------

_TITLES = {
    "en": {
        "report": ("Field survey report: {p}, {my}", "Report on {topic} in {p}", "Quarterly clearance summary — {p}",
                   "Technical survey of {vil} ({p} district)"),
        "testimony": ("Witness statement of {w} concerning {topic}", "Testimony of {w}: {p}, {my}"),
        "appeal": ("Appeal concerning {topic} in {p}", "Appeal to the {o} regarding {vil}"),
        "mine_map_submission": ("Submission of minefield records for {p} ({q} maps)",
                                "Mine map submission: {vil}, {p} district"),
        "correspondence": ("Letter regarding {topic} in {p}", "Correspondence with the {o}: {p}"),
        "other": ("Note on {topic}", "Photo log: {vil}, {p}", "Minutes of the coordination meeting on {p}"),
    },
    "ru": {
        "report": ("Отчёт об обследовании: {p}, {my}", "Доклад о {topic} в районе {p}",
                   "Сводка по разминированию — {p}"),
        "testimony": ("Показания свидетеля {w}", "Свидетельские показания {w}: {p}, {my}"),
        "appeal": ("Обращение о {topic} в районе {p}", "Жалоба в организацию «{o}»: {vil}"),
        "mine_map_submission": ("Передача формуляров минных полей: {p} ({q} карт)", "Минная карта: {vil}, {p}"),
        "correspondence": ("Письмо о {topic}: {p}", "Переписка с организацией «{o}»: {p}"),
        "other": ("Справка о {topic}", "Фотожурнал: {vil}, {p}", "Протокол координационного совещания: {p}"),
    },
    "az": {
        "report": ("Tədqiqat hesabatı: {p}, {my}", "{p} rayonunda {topic} haqqında hesabat",
                   "Təmizləmə üzrə icmal — {p}"),
        "testimony": ("{w} şahidin ifadəsi", "Şahid ifadəsi {w}: {p}, {my}"),
        "appeal": ("{p} rayonunda {topic} barədə müraciət", "{o} təşkilatına müraciət: {vil}"),
        "mine_map_submission": ("{p} üzrə mina sahələrinin formulyarlarının təqdim edilməsi ({q} xəritə)",
                                "Mina xəritəsi: {vil}, {p}"),
        "correspondence": ("{topic} barədə məktub: {p}", "{o} ilə yazışma: {p}"),
        "other": ("{topic} haqqında arayış", "Foto jurnal: {vil}, {p}", "Koordinasiya iclasının qeydləri: {p}"),
    },
}
_HEADER_LINES = {
    "en": ("Ref. No. {ref}", "From: {issuer}", "Classification: {access}", "Prepared by: {issuer}"),
    "ru": ("Исх. № {ref}", "От: {issuer}", "Гриф: {access}", "Составитель: {issuer}"),
    "az": ("Nömrə: {ref}", "Kimdən: {issuer}", "Qrif: {access}", "Tərtib edən: {issuer}"),
}
_OPENINGS = {
    "en": {"testimony": "I, {w}, make this statement voluntarily. I was living in {vil}, {p}.",
           "appeal": "We respectfully submit this appeal on behalf of the residents of {vil}.",
           "correspondence": "Dear colleagues,", "mine_map_submission": "Please find enclosed {q} minefield records."},
    "ru": {"testimony": "Я, {w}, даю эти показания добровольно. Я проживал(а) в селе {vil} ({p}).",
           "appeal": "Настоящим направляем обращение от имени жителей села {vil}.",
           "correspondence": "Уважаемые коллеги!", "mine_map_submission": "Направляем {q} формуляров минных полей."},
    "az": {"testimony": "Mən, {w}, bu ifadəni könüllü olaraq verirəm. {p} rayonunun {vil} kəndində yaşayırdım.",
           "appeal": "{vil} kəndinin sakinləri adından bu müraciəti təqdim edirik.",
           "correspondence": "Hörmətli həmkarlar,",
           "mine_map_submission": "{q} mina sahəsinin formulyarı əlavə olunur."},
}
_CLOSINGS = {  # per language: (testimony, letters, reports, anything else)
    "en": ("I confirm that this statement is true. Signed: {issuer}", "Yours sincerely, {issuer}", "End of report.",
           "Signed: {issuer}"),
    "ru": ("Подтверждаю достоверность показаний. Подпись: {issuer}", "С уважением, {issuer}", "Конец отчёта.",
           "Подпись: {issuer}"),
    "az": ("Bu ifadənin doğruluğunu təsdiq edirəm. İmza: {issuer}", "Hörmətlə, {issuer}", "Hesabatın sonu.",
           "İmza: {issuer}"),
}
_CLOSING_KIND = {"testimony": 0, "appeal": 1, "correspondence": 1, "report": 2}
_ACCESS_WORDS = {
    "en": {"public": "public", "restricted": "restricted", "confidential": "confidential"},
    "ru": {"public": "открыто", "restricted": "для служебного пользования", "confidential": "конфиденциально"},
    "az": {"public": "açıq", "restricted": "xidməti istifadə üçün", "confidential": "məxfi"},
}
_PAGE_COUNTS = _Picker(range(1, 13), (26, 22, 16, 10, 7, 5, 4, 3, 2, 2, 1, 1))
_TYPE_PICKER = _Picker(DOCUMENT_TYPES, TYPE_WEIGHTS)
_LANGUAGE_PICKER = _Picker(LANGUAGES, LANGUAGE_WEIGHTS)
_TEXT_FORMAT_PICKER = _Picker(TEXT_FORMATS, TEXT_FORMAT_WEIGHTS)
_MENTION_COUNTS = _Picker(range(7), (34, 22, 15, 11, 8, 6, 4))
_NEGATIVE_COUNTS = _Picker(range(4), (50, 30, 14, 6))


def _draw_access(rng: Random, doc_type: str) -> str:
    roll = rng.random()
    if doc_type == "testimony":
        return "public" if roll < 0.12 else "confidential" if roll > 0.9 else "restricted"
    return "restricted" if roll < 0.12 else "confidential" if roll > 0.97 else "public"


def _draw_precision(rng: Random) -> str:
    roll = rng.random()
    return "day" if roll < 0.86 else "month" if roll < 0.96 else "year"


def _iso_date(day: dt.date, precision: str) -> str:
    return day.isoformat()[: {"day": 10, "month": 7, "year": 4}[precision]]


def _draw_issuer(composer: _Composer, doc_type: str, witness: str) -> str:
    if doc_type == "testimony":
        return witness
    if doc_type in ("appeal", "correspondence") and composer.rng.random() < 0.5:
        return composer.person()
    return composer.organisation()


def _fill(text: str, values: dict[str, str], composer: _Composer) -> str:
    """Fill ``text``'s slots from ``values``, else from the composer; ``{p}`` is the document's main place."""

    def replace(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in values:
            return values[key]
        return composer.place(composer.candidate_places[0]) if key == "p" else composer.slot(key)

    return _SLOT.sub(replace, text)


def _dateline(composer: _Composer, day: dt.date) -> str:
    rng = composer.rng
    canonical = "Baku" if rng.random() < 0.3 else rng.choice(composer.candidate_places)
    place = composer.place(canonical)
    style = rng.choice((0, 0, 1, 3))
    text = _format_date(day, composer.language, style)
    composer.dates.append(DateMention(text, day.isoformat()))
    return f"{place}, {text}"


def _page_budget(rng: Random) -> int:
    return rng.randint(900, 2300)


def _reserve(pages: int, count: int, rng: Random) -> list[list[int]]:
    """Assign ``count`` insertions to pages; returns per-page lists of ordinal numbers."""
    slots: list[list[int]] = [[] for _ in range(pages)]
    for ordinal in range(count):
        slots[rng.randrange(pages)].append(ordinal)
    return slots


def _build_body_page(composer: _Composer, budget: int, inserts: list[str]) -> list[str]:
    """Paragraphs of about ``budget`` characters, with ``inserts`` spliced into random paragraphs."""
    rng = composer.rng
    paragraphs: list[str] = []
    used = 0
    while used < budget:
        paragraph = composer.paragraph(rng.randint(2, 6))
        paragraphs.append(paragraph)
        used += len(paragraph)
    for sentence in inserts:
        target = rng.randrange(len(paragraphs))
        paragraphs[target] = f"{paragraphs[target]} {sentence}"
    return paragraphs


def generate_document(
    index: int, seed: int | str, *, pdf_share: float = DEFAULT_PDF_SHARE, text_only: bool = False
) -> SyntheticDocument:
    """Document ``index`` of corpus ``seed``; depends on nothing else (``pdf_share`` only picks the format)."""
    rng = Random(f"{seed}:{index}")
    format_roll, text_format = rng.random(), _TEXT_FORMAT_PICKER(rng)
    doc_format = "pdf" if format_roll < pdf_share else text_format
    if doc_format == "pdf" and text_only:
        doc_format = "txt"
    doc_type, language = _TYPE_PICKER(rng), _LANGUAGE_PICKER(rng)
    page_count = _PAGE_COUNTS(rng) if rng.random() > 0.02 else rng.randint(13, 40)
    day, precision = _document_day(rng), _draw_precision(rng)
    access = _draw_access(rng, doc_type)
    primary = _PLACE_PICKER(rng)
    others = [_PLACE_PICKER(rng) for _ in range(rng.choice((0, 1, 1, 2, 3)))]
    composer = _Composer(rng, language, day, list(dict.fromkeys([primary, *others])))
    witness = f"W-{rng.randint(1, 9999):04d}"
    issuer = _draw_issuer(composer, doc_type, witness)

    values = {"w": witness, "topic": composer.slot("topic"), "my": _month_year(day, language),
              "issuer": issuer, "access": _ACCESS_WORDS[language][access],
              "ref": f"{rng.randint(1, 999)}/{rng.randint(1, 99):02d}-{day.year}"}
    title = _fill(rng.choice(_TITLES[language][doc_type]), values, composer)

    mentions, negatives = [], []
    ref_sentences, negative_sentences = [], []
    for _ in range(_MENTION_COUNTS(rng)):
        sentence, mention = _reference_sentence(composer)
        ref_sentences.append(sentence)
        mentions.append(mention)
    for _ in range(_NEGATIVE_COUNTS(rng)):
        sentence, negative = _negative_sentence(composer)
        negative_sentences.append(sentence)
        negatives.append(negative)
    inserts = ref_sentences + negative_sentences
    placement = _reserve(page_count, len(inserts), rng)

    dateline_at_start = precision == "day" and rng.random() < 0.5
    dateline_at_end = precision == "day" and not dateline_at_start
    marker = MARKERS[language]
    pages = []
    for page_number in range(page_count):
        lines = [marker]
        if page_number == 0:
            lines.append(title)
            if dateline_at_start:
                lines.append(_dateline(composer, day))
            elif precision != "day":
                lines.append(values["my"] if precision == "month" else str(day.year))
            lines.append(_fill(rng.choice(_HEADER_LINES[language]), values, composer))
            if doc_type in _OPENINGS[language]:
                lines.append(_fill(_OPENINGS[language][doc_type], values, composer))
        budget = _page_budget(rng) - sum(map(len, lines))
        lines.extend(_build_body_page(composer, budget, [inserts[k] for k in placement[page_number]]))
        if page_number == page_count - 1:
            if dateline_at_end:
                lines.append(_dateline(composer, day))
            lines.append(_fill(_CLOSINGS[language][_CLOSING_KIND.get(doc_type, 3)], values, composer))
        pages.append("\n".join(lines))

    refs = tuple(sorted({ref for mention in mentions for ref in mention.refs}))
    return SyntheticDocument(
        index=index, seed=seed, name=f"{doc_type}-{index:06d}.{doc_format}", type=doc_type, format=doc_format,
        language=language, title=title, date=_iso_date(day, precision), issuer=issuer,
        places=tuple(composer.places_used), refs=refs, pages=tuple(pages), access=access,
        mentions=tuple(mentions), dates=tuple(composer.dates), negatives=tuple(negatives),
    )


def iter_documents(
    n: int, seed: int | str, *, start: int = 0, pdf_share: float = DEFAULT_PDF_SHARE, text_only: bool = False
) -> Iterator[SyntheticDocument]:
    """Documents ``start`` .. ``start + n - 1`` of corpus ``seed``, built lazily in memory."""
    for index in range(start, start + n):
        yield generate_document(index, seed, pdf_share=pdf_share, text_only=text_only)


# --------------------------------------------------------------------------
# Text renderings
# --------------------------------------------------------------------------


def render_plain_text(doc: SyntheticDocument) -> str:
    """Pages separated by form feeds, as text extractors produce them."""
    return "\f".join(page + "\n" for page in doc.pages)


def render_markdown(doc: SyntheticDocument) -> str:
    """The marker, a ``#`` title, paragraphs, and ``---`` between pages."""
    rendered_pages = []
    for number, page in enumerate(doc.pages):
        lines = page.split("\n")
        if number == 0:
            lines[1] = f"# {lines[1]}"
        rendered_pages.append("\n\n".join(lines))
    return "\n\n---\n\n".join(rendered_pages) + "\n"


def render_html(doc: SyntheticDocument) -> str:
    """A small standalone HTML page; each PDF-like page is a ``<section>``."""
    sections = []
    for number, page in enumerate(doc.pages):
        lines = [html.escape(line) for line in page.split("\n")]
        body = [f'<p class="synthetic-marker">{lines[0]}</p>']
        rest = lines[1:]
        if number == 0:
            body.append(f"<h1>{rest[0]}</h1>")
            rest = rest[1:]
        body.extend(f"<p>{line}</p>" for line in rest)
        sections.append(f'<section class="page" id="page-{number + 1}">\n' + "\n".join(body) + "\n</section>")
    head = (
        f'<!DOCTYPE html>\n<html lang="{doc.language}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(doc.title)}</title>\n"
        '<meta name="synthetic" content="true">\n'
        f'<meta name="description" content="{html.escape(MARKERS[doc.language])}">\n</head>\n<body>\n'
    )
    return head + "\n".join(sections) + "\n</body>\n</html>\n"


_TEXT_RENDERERS: dict[str, Callable[[SyntheticDocument], str]] = {
    "txt": render_plain_text, "md": render_markdown, "html": render_html,
}


def sidecar_json(metadata: dict[str, Any]) -> bytes:
    return (json.dumps(metadata, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# --------------------------------------------------------------------------
# PDF rendering (fpdf2, imported lazily)
# --------------------------------------------------------------------------

_PAGE_WIDTH, _PAGE_HEIGHT = 210.0, 297.0
_MARGIN = 18.0
_BODY_TOP, _BODY_BOTTOM = 24.0, _PAGE_HEIGHT - 14.0
_PT_TO_MM = 25.4 / 72


def resolve_font_dir(font_dir: str | os.PathLike[str] | None = None) -> Path:
    """The directory holding the DejaVu fonts; raises :class:`FontNotFoundError` naming the package."""
    directory = Path(font_dir) if font_dir else DEFAULT_FONT_DIR
    missing = [name for name in FONT_FILES.values() if not (directory / name).is_file()]
    if missing:
        raise FontNotFoundError(
            f"{', '.join(missing)} not found in {directory}. Install the Debian package {FONT_PACKAGE} "
            f"(apt-get install {FONT_PACKAGE}) or point ARCHIVE_FONT_DIR / --font-dir at a directory with DejaVu fonts."
        )
    return directory


class PdfRenderer:
    """Renders :class:`SyntheticDocument` values to deterministic PDF bytes.

    fpdf2 parses and subsets the whole TrueType font for every document, which
    dominates the cost. The renderer therefore cuts DejaVu down once, to
    :data:`PDF_CHARSET`, into a private temporary directory, and lays out text
    itself with cached glyph widths. Use it as a context manager (or call
    :meth:`close`) to remove the temporary fonts. Worker processes can share
    the cut-down fonts of a parent renderer: ``PdfRenderer(subset_dir=parent.subset_dir)``.
    """

    def __init__(self, font_dir: str | os.PathLike[str] | None = None, *, subset_dir: Path | None = None) -> None:
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if subset_dir is None:
            source = resolve_font_dir(font_dir)
            self._tmp = tempfile.TemporaryDirectory(prefix="archive-synthetic-fonts-")
            subset_dir = Path(self._tmp.name)
            for name in FONT_FILES.values():
                self._subset_font(source / name, subset_dir / name)
        self.subset_dir = subset_dir
        self._fonts = {style: subset_dir / name for style, name in FONT_FILES.items()}
        self._widths: dict[str, dict[int, float]] = {}
        self._word_widths: dict[tuple[str, str], float] = {}

    def __enter__(self) -> PdfRenderer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Remove the cut-down fonts this renderer made (not those it borrowed)."""
        if self._tmp is not None:
            self._tmp.cleanup()

    @staticmethod
    def _subset_font(source: Path, target: Path) -> None:
        from fontTools import subset, ttLib

        font = ttLib.TTFont(source, recalcTimestamp=False)
        options = subset.Options(notdef_outline=True, recommended_glyphs=True, layout_features=[], hinting=False)
        options.drop_tables += ["FFTM", "GDEF", "GPOS", "GSUB", "MATH", "hdmx", "meta"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[ord(c) for c in PDF_CHARSET])
        subsetter.subset(font)
        font.save(target)

    def _new_pdf(self, doc: SyntheticDocument) -> Any:
        from fpdf import FPDF

        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        for style, path in self._fonts.items():
            pdf.add_font("DejaVu", style, str(path))
        created = dt.datetime.fromisoformat((doc.date + "-01-01")[:10]).replace(hour=12, tzinfo=dt.UTC)
        pdf.set_creation_date(created)
        pdf.set_producer("archive.synthetic")
        pdf.set_creator("archive.synthetic")
        pdf.set_title(doc.title)
        pdf.set_author(doc.issuer)
        pdf.set_subject(f"SYNTHETIC — {MARKERS['en']}")
        pdf.set_keywords(f"SYNTHETIC, test data, {doc.type}, {doc.language}")
        pdf.set_lang(doc.language)
        if not self._widths:
            for style in self._fonts:
                pdf.set_font("DejaVu", style, 10)
                self._widths[style] = dict(pdf.current_font.cw)
        return pdf

    def _width(self, word: str, style: str) -> float:
        """Width of ``word`` in thousandths of the font size."""
        key = (word, style)
        width = self._word_widths.get(key)
        if width is None:
            widths = self._widths[style]
            width = sum(widths.get(ord(char), 600) for char in word)
            if len(self._word_widths) > 200_000:
                self._word_widths.clear()
            self._word_widths[key] = width
        return width

    def wrap(self, text: str, style: str, size: float, width_mm: float) -> list[str]:
        """Greedy line breaking of ``text`` at spaces to fit ``width_mm`` at ``size`` points."""
        limit = width_mm / (size * _PT_TO_MM) * 1000
        space = self._width(" ", style)
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for word in text.split(" "):
            width = self._width(word, style)
            if current and used + space + width > limit:
                lines.append(" ".join(current))
                current, used = [word], width
            else:
                used += (space if current else 0.0) + width
                current.append(word)
        if current:
            lines.append(" ".join(current))
        return lines

    def _layout(self, blocks: list[tuple[str, str, float]], size: float) -> list[tuple[str, float, float, str]] | None:
        """Lines as (style, font size, baseline y, text) if they fit the page at body ``size``; else None."""
        width = _PAGE_WIDTH - 2 * _MARGIN
        lines: list[tuple[str, float, float, str]] = []
        y = _BODY_TOP
        for style, text, scale in blocks:
            font_size = size * scale
            for line in self.wrap(text, style, font_size, width):
                y += font_size * _PT_TO_MM * 1.35
                lines.append((style, font_size, y, line))
            y += size * _PT_TO_MM * 0.6
        return lines if y <= _BODY_BOTTOM else None

    def _draw_page(self, pdf: Any, page: str, first: bool) -> None:
        """The marker as a grey header line, then the title (page 1) and paragraphs, shrunk to fit."""
        marker, *paragraphs = page.split("\n")
        pdf.add_page()
        pdf.set_text_color(110)
        pdf.set_font("DejaVu", "", 7.5)
        pdf.text(_MARGIN, 12, marker)
        pdf.set_text_color(0)
        blocks = [("B", text, 1.3) if first and i == 0 else ("", text, 1.0) for i, text in enumerate(paragraphs)]
        size, layout = 10.0, self._layout(blocks, 10.0)
        while layout is None:
            size -= 0.5
            if size < 4:
                raise ValueError("page text too long to fit one PDF page")
            layout = self._layout(blocks, size)
        for style, font_size, y, line in layout:
            pdf.set_font("DejaVu", style, font_size)
            pdf.text(_MARGIN, y, line)

    def render(self, doc: SyntheticDocument, *, user_password: str | None = None) -> bytes:
        """The PDF bytes of ``doc``: one PDF page per entry of ``doc.pages``."""
        pdf = self._new_pdf(doc)
        for number, page in enumerate(doc.pages):
            self._draw_page(pdf, page, first=number == 0)
        if user_password is not None:
            pdf.set_encryption(owner_password=f"owner-{user_password}", user_password=user_password)
        return bytes(pdf.output())


# --------------------------------------------------------------------------
# Deliberately bad files
# --------------------------------------------------------------------------

BAD_KINDS = ("truncated", "empty", "encrypted", "mislabelled", "binary")


def _bad_metadata(kind: str, seed: int | str, number: int) -> dict[str, Any]:
    return {"title": f"Deliberately broken file ({kind} #{number})", "type": "other", "language": "en",
            "source": f"Synthetic generator seed {seed}, bad file {kind}-{number}", "access": "public",
            "synthetic": True, "synthetic_expected": f"failed:{kind}"}


def iter_bad_files(per_kind: int, seed: int | str, renderer: PdfRenderer) -> Iterator[BadFile]:
    """``per_kind`` files of each kind in :data:`BAD_KINDS`, deterministic for ``seed``."""
    for number in range(per_kind):
        rng = Random(f"{seed}:bad:{number}")
        base = generate_document(10_000_000 + number, seed, pdf_share=1.0)
        pdf_bytes = renderer.render(base)
        files = {
            "truncated": ("pdf", pdf_bytes[: len(pdf_bytes) * rng.randint(25, 60) // 100]),
            "empty": ("txt", b""),
            "encrypted": ("pdf", renderer.render(base, user_password=f"secret-{rng.randint(1000, 9999)}")),
            "mislabelled": ("pdf", render_plain_text(base).encode("utf-8")),
            "binary": ("txt", b"\x00\xff\xfe\x00" + bytes(rng.randrange(256) for _ in range(2044))),
        }
        for kind in BAD_KINDS:
            extension, data = files[kind]
            yield BadFile(f"bad-{kind}-{number:03d}.{extension}", kind, data, _bad_metadata(kind, seed, number))


# --------------------------------------------------------------------------
# Writing a corpus (the only part that touches disk)
# --------------------------------------------------------------------------


def _write(path: Path, data: bytes) -> int:
    path.write_bytes(data)
    return len(data)


def render_document(doc: SyntheticDocument, renderer: PdfRenderer | None = None) -> bytes:
    """The file content of ``doc`` in its own format (PDFs need a ``renderer``)."""
    if doc.format == "pdf":
        if renderer is None:
            raise ValueError(f"{doc.name} is a PDF: pass a PdfRenderer")
        return renderer.render(doc)
    return _TEXT_RENDERERS[doc.format](doc).encode("utf-8")


def write_document(doc: SyntheticDocument, out_dir: Path, renderer: PdfRenderer | None = None) -> int:
    """Write ``doc`` and its sidecar under ``out_dir/<shard>/``; returns the bytes written."""
    directory = out_dir / doc.shard
    directory.mkdir(parents=True, exist_ok=True)
    written = _write(directory / doc.name, render_document(doc, renderer))
    return written + _write(directory / doc.sidecar_name, sidecar_json(doc.sidecar()))


@dataclass(frozen=True)
class _WriteJob:
    """Everything a (possibly separate) process needs to write document ``index``."""

    root: Path
    seed: int | str
    pdf_share: float
    text_only: bool
    subset_dir: Path | None

    def __call__(self, index: int, renderer: PdfRenderer | None = None) -> tuple[int, int]:
        doc = generate_document(index, self.seed, pdf_share=self.pdf_share, text_only=self.text_only)
        if renderer is None and doc.format == "pdf":
            renderer = _worker_renderer(self.subset_dir)
        return len(doc.pages), write_document(doc, self.root, renderer)


_WORKER_RENDERERS: dict[Path | None, PdfRenderer] = {}


def _worker_renderer(subset_dir: Path | None) -> PdfRenderer:
    """One renderer per worker process, borrowing the parent's cut-down fonts."""
    if subset_dir not in _WORKER_RENDERERS:
        _WORKER_RENDERERS[subset_dir] = PdfRenderer(subset_dir=subset_dir)
    return _WORKER_RENDERERS[subset_dir]


def _run_job(job: _WriteJob, index: int) -> tuple[int, int]:
    return job(index)


def _run_jobs(
    job: _WriteJob, indices: range, jobs: int, renderer: PdfRenderer | None
) -> Iterator[tuple[int, int]]:
    """(pages, bytes) per document, in order; in a process pool when ``jobs > 1``."""
    if jobs <= 1:
        for index in indices:
            yield job(index, renderer)
        return
    import multiprocessing
    from functools import partial

    with multiprocessing.get_context("spawn").Pool(jobs) as pool:
        yield from pool.imap(partial(_run_job, job), indices, chunksize=16)


def write_corpus(
    out_dir: str | os.PathLike[str],
    n: int,
    seed: int | str,
    *,
    start: int = 0,
    pdf_share: float = DEFAULT_PDF_SHARE,
    text_only: bool = False,
    with_bad: bool = False,
    font_dir: str | os.PathLike[str] | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> CorpusSummary:
    """Generate and write documents one at a time (memory stays flat); bad files go to ``out_dir/bad/``.

    With ``jobs > 1`` worker processes each generate and write their own
    documents; the output is byte-identical to ``jobs=1``.
    """
    began = time.perf_counter()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    needs_pdf = with_bad or (not text_only and pdf_share > 0)
    renderer = PdfRenderer(font_dir) if needs_pdf else None
    documents = files = pages = size = 0
    job = _WriteJob(root, seed, pdf_share, text_only, renderer.subset_dir if renderer else None)
    try:
        for page_count, written in _run_jobs(job, range(start, start + n), jobs, renderer):
            documents, files, pages, size = documents + 1, files + 2, pages + page_count, size + written
            if progress is not None:
                progress(documents)
        if with_bad and renderer is not None:
            bad_dir = root / "bad"
            bad_dir.mkdir(exist_ok=True)
            for bad in iter_bad_files(max(1, n // 1000), seed, renderer):
                size += _write(bad_dir / bad.name, bad.data) + _write(bad_dir / bad.sidecar_name,
                                                                      sidecar_json(bad.metadata))
                files += 2
    finally:
        if renderer is not None:
            renderer.close()
    return CorpusSummary(documents, files, pages, size, time.perf_counter() - began)
