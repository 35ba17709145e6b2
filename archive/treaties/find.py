"""Find raw reference pieces in text (second pipeline stage).

A fast pre-scan (:data:`patterns.TRIGGER` over a lower-cased copy of the
text) marks windows around trigger words; only those windows are parsed in
detail. The result is two sorted lists of values with character offsets into
the original text:

* :class:`Mention` -- a name of an instrument ("Fourth Geneva Convention",
  "Оттавской конвенции", "the Convention", "Criminal Code");
* :class:`Citation` -- an article citation with its items ("Arts. 146–148",
  "paragraph 2 of Article 5", "147-ci maddəsi").

Nothing here decides which instrument a citation belongs to or whether the
article exists; that is :mod:`archive.treaties.resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from archive.treaties import patterns as p


@dataclass(frozen=True)
class Mention:
    """A span naming an instrument (or a generic/foreign stand-in for one)."""

    start: int
    end: int
    kind: str
    value: str = ""
    standalone: bool = True
    numerals: tuple[str, ...] = ()


@dataclass(frozen=True)
class CitationItem:
    """One article (with optional paragraph and sub-paragraph) inside a citation."""

    article: int
    paragraph: str | None
    sub: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Citation:
    """An article citation: its span and items; ``common`` marks 'common Article N'."""

    start: int
    end: int
    items: tuple[CitationItem, ...]
    style: str  # "en" (keyword first, instrument after or before), "az" (genitive before)
    common: bool = False


# -- windows -------------------------------------------------------------------


def trigger_windows(text: str) -> list[tuple[int, int]]:
    """Merged [start, end) windows around every trigger word."""
    lowered = text.replace("\u0130", "I").lower()
    if len(lowered) != len(text):  # a length-changing lower(): scan the original instead
        lowered = text
    windows: list[tuple[int, int]] = []
    size = len(text)
    for match in p.TRIGGER.finditer(lowered):
        start = max(0, match.start() - p.WINDOW_BEFORE)
        end = min(size, match.end() + p.WINDOW_AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


# -- mentions ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _spec_regexes() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(r"(?<![\w])" + spec.pattern) for spec in p.mention_specs())


def _longest_at(text: str, start: int, end: int, tier: int) -> tuple[int, int] | None:
    """(spec index, end) of the longest spec of ``tier`` matching at ``start``."""
    best: tuple[int, int] | None = None
    specs = p.mention_specs()
    for index, regex in enumerate(_spec_regexes()):
        if specs[index].tier != tier:
            continue
        match = regex.match(text, start, end)
        if match and (best is None or match.end() > best[1]):
            best = (index, match.end())
    return best


ADDITIONAL_WORD = re.compile(r"(?i:additional|дополнительн|əlavə|additionnel)")


def _protocol_numerals(fragment: str) -> tuple[str, ...]:
    return tuple(re.findall(r"(?<![\w])(III|II|I)(?![\w])", fragment))


def _mentions_in(text: str, start: int, end: int, tier: int) -> list[Mention]:
    found: list[Mention] = []
    regex = p.mention_regex(tier)
    position = start
    while True:
        match = regex.search(text, position, end)
        if match is None:
            return found
        index, stop = _longest_at(text, match.start(), end, tier) or (
            int(match.lastgroup[1:]), match.end()
        )
        spec = p.mention_specs()[index]
        value, numerals = spec.value, ()
        if spec.kind == p.PROTOCOL_LIST:
            fragment = text[match.start():stop]
            numerals = _protocol_numerals(fragment)
            value = "additional" if ADDITIONAL_WORD.search(fragment) else ""
        found.append(Mention(match.start(), stop, spec.kind, value, spec.standalone, numerals))
        position = max(stop, match.start() + 1)


def _overlaps(mention: Mention, taken: list[Mention]) -> bool:
    return any(mention.start < other.end and other.start < mention.end for other in taken)


def find_mentions(text: str, windows: list[tuple[int, int]]) -> list[Mention]:
    """Instrument mentions in the windows; a generic mention never overlaps a specific one."""
    mentions: list[Mention] = []
    for start, end in windows:
        specific = _mentions_in(text, start, end, p.SPECIFIC_TIER)
        generic = [
            m for m in _mentions_in(text, start, end, p.GENERIC_TIER) if not _overlaps(m, specific)
        ]
        mentions.extend(sorted(specific + generic, key=lambda m: m.start))
    return mentions


# -- citations -----------------------------------------------------------------


def _parse_pins(text: str, position: int, end: int) -> tuple[str | None, str | None, int]:
    """Read '(1)(a)(iv)' after an article number: (paragraph, sub, new position)."""
    paragraph: str | None = None
    sub: str | None = None
    while True:
        match = p.PIN_RE.match(text, position, end)
        if match is None:
            return paragraph, sub, position
        pin = match["pin"]
        if pin.isdigit():
            if paragraph is not None or sub is not None:
                return paragraph, sub, position
            paragraph = str(int(pin))
        elif sub is None and len(pin) == 1:
            sub = latin_letter(pin)
        elif not re.fullmatch(r"[ivx]+", pin):
            return paragraph, sub, position
        position = match.end()


CYRILLIC_LETTERS = "абвгдежзиклмн"


def latin_letter(letter: str) -> str:
    """Map a sub-paragraph letter to Latin: Russian 'б' is the second item, 'b'."""
    letter = letter.lower()
    if letter in CYRILLIC_LETTERS:
        return "abcdefghijklm"[CYRILLIC_LETTERS.index(letter)]
    return {"с": "c", "о": "o", "р": "p", "х": "x"}.get(letter, letter)


def _list_item_allowed(text: str, number_end: int, end: int, separator: str, plural: bool) -> bool:
    if p.COUNTED_NOUN.match(text, number_end, end):
        return False
    if plural or not separator.strip().startswith((",", ";")):
        return True
    return p.LIST_ITEM_END_RE.match(text, number_end, end) is not None


def _parse_items(text: str, position: int, end: int, plural: bool) -> tuple[list[CitationItem], int]:
    """Read 'N(pins) [, N | and N | – N]...' starting at an article number."""
    items: list[CitationItem] = []
    item_start = position
    while True:
        number = p.ARTICLE_NUMBER_RE.match(text, position, end)
        if number is None:
            break
        paragraph, sub, position = _parse_pins(text, number.end(), end)
        items.append(CitationItem(int(number["num"]), paragraph, sub, item_start, position))
        if paragraph is None and sub is None:
            position = _expand_range(text, position, end, items)
        position, item_start, more = _next_list_item(text, position, end, items, plural)
        if not more:
            break
    return items, position


def _expand_range(text: str, position: int, end: int, items: list[CitationItem]) -> int:
    """'146–148' after item 146: add 147 (spanning the range) and 148."""
    ranged = p.RANGE_SEP_RE.match(text, position, end)
    if ranged is None:
        return position
    last = p.ARTICLE_NUMBER_RE.match(text, ranged.end(), end)
    first = items[-1]
    if last is None or not first.article < int(last["num"]) <= first.article + 40:
        return position
    span = (first.start, last.end())
    items.extend(CitationItem(n, None, None, *span) for n in range(first.article + 1, int(last["num"])))
    paragraph, sub, stop = _parse_pins(text, last.end(), end)
    items.append(CitationItem(int(last["num"]), paragraph, sub, last.start(), stop))
    return stop


def _next_list_item(
    text: str, position: int, end: int, items: list[CitationItem], plural: bool
) -> tuple[int, int, bool]:
    """Advance over a list separator; handle '(1) and (6)' pins of the same article."""
    separator = p.LIST_SEP_RE.match(text, position, end)
    if separator is None:
        return position, position, False
    after = separator.end()
    if text.startswith("(", after):
        previous = items[-1]
        paragraph, sub, stop = _parse_pins(text, after, end)
        if paragraph is None and sub is None:
            return position, position, False
        if paragraph is None and previous.paragraph is not None:
            paragraph = previous.paragraph
        items.append(CitationItem(previous.article, paragraph, sub, after, stop))
        return _next_list_item(text, stop, end, items, plural)
    number = p.ARTICLE_NUMBER_RE.match(text, after, end)
    if number is None or not _list_item_allowed(text, number.end(), end, separator.group(), plural):
        return position, position, False
    return after, after, True


def _apply_prefix(text: str, window_start: int, citation: Citation) -> Citation:
    """Attach 'paragraph 2 of', 'the sixth paragraph of', 'п. 1', 'common' before the keyword."""
    lookback_start = max(window_start, citation.start - 160)
    lookback = text[lookback_start:citation.start]
    match = p.PREFIX_EN.search(lookback) or p.PREFIX_RU.search(lookback)
    if match is None or not any(match.groupdict().get(g) for g in ("sub", "ord", "paras", "ordb")):
        common = p.COMMON_PREFIX.search(lookback)
        if common:
            return Citation(lookback_start + common.start(), citation.end, citation.items, citation.style, True)
        return citation
    is_common = bool(match.groupdict().get("common"))
    if len(citation.items) != 1 or citation.items[0].paragraph or citation.items[0].sub:
        return Citation(citation.start, citation.end, citation.items, citation.style, citation.common or is_common)
    paragraphs = _prefix_paragraphs(match)
    sub = match["sub"]
    inline_sub = re.search(r"\(\s*([a-z])\s*\)", match.groupdict().get("paras") or "")
    if inline_sub and not sub:
        sub = inline_sub.group(1)
    article = citation.items[0].article
    start = lookback_start + match.start()
    items = tuple(
        CitationItem(article, paragraph, latin_letter(sub) if sub else None, start, citation.end)
        for paragraph in (paragraphs or [None])
    )
    return Citation(start, citation.end, items, citation.style, citation.common or is_common)


def _prefix_paragraphs(match: re.Match[str]) -> list[str]:
    groups = match.groupdict()
    ordinals = [groups.get(g) for g in ("ord", "ord2", "ordb") if groups.get(g)]
    if ordinals:
        return [str(n) for n in map(ordinal_value, ordinals) if n]
    paras = groups.get("paras") or ""
    value = ordinal_value(paras) if not paras[:1].isdigit() else None
    if value:
        return [str(value)]
    paras = re.sub(r"\(\s*[a-z]\s*\)", "", paras)
    return [str(int(n)) for n in re.findall(r"\d{1,2}", paras)]


RU_ORDINAL_VALUES = {stem: n for n, stem in enumerate(
    ("перв", "втор", "трет", "четв", "пят", "шест", "седьм", "восьм", "девят", "десят"), start=1
)}
AZ_ORDINAL_VALUES = {word: n for n, word in enumerate(p.ORDINALS_AZ, start=1)}


def ordinal_value(word: str) -> int | None:
    """'sixth' / '6th' / 'шестой' / 'altıncı' -> 6."""
    word = word.lower().strip()
    if word in p.ORDINAL_EN_VALUE:
        return p.ORDINAL_EN_VALUE[word]
    digits = re.match(r"(\d+)(?:st|nd|rd|th)$", word)
    if digits:
        return int(digits.group(1))
    for stem, value in RU_ORDINAL_VALUES.items():
        if word.startswith(stem):
            return value
    return AZ_ORDINAL_VALUES.get(word)


def _apply_suffix(text: str, end: int, citation: Citation) -> Citation:
    """Attach ', paragraph 6', ', sixth paragraph', ', пункт 1' and 'common to the ... Conventions'."""
    common = p.COMMON_SUFFIX.match(text, citation.end, end)
    if common:
        return Citation(citation.start, common.end(), citation.items, citation.style, True)
    if len(citation.items) != 1 or citation.items[0].paragraph or citation.items[0].sub:
        return citation
    match = p.SUFFIX_EN.match(text, citation.end, end) or p.SUFFIX_RU.match(text, citation.end, end)
    if match is None:
        return citation
    groups = match.groupdict()
    paragraph = groups.get("para") or (str(ordinal_value(groups["ord"])) if groups.get("ord") else None)
    sub = groups.get("sub") or groups.get("sub2")
    item = citation.items[0]
    new_item = CitationItem(item.article, paragraph, latin_letter(sub) if sub else None, item.start, match.end())
    return Citation(citation.start, match.end(), (new_item,), citation.style, citation.common)


def _keyword_citations(text: str, start: int, end: int) -> list[Citation]:
    citations: list[Citation] = []
    for head in p.ARTICLE_HEAD_RE.finditer(text, start, end):
        plural = bool(p.PLURAL_KEYWORDS.fullmatch(head["kw"]))
        items, stop = _parse_items(text, head.end(), end, plural)
        if not items:
            continue
        first = items[0]
        items[0] = CitationItem(first.article, first.paragraph, first.sub, head.start(), first.end)
        citation = Citation(head.start(), stop, tuple(items), "en")
        citation = _apply_suffix(text, end, _apply_prefix(text, start, citation))
        citations.append(citation)
    return citations


def _az_items(text: str, start: int, stop: int) -> list[CitationItem]:
    items: list[CitationItem] = []
    previous_was_range = False
    for match in p.AZ_NUMBER_RE.finditer(text, start, stop):
        number = int(match["num"])
        if previous_was_range and items and items[-1].article < number <= items[-1].article + 40:
            first = items[-1].article
            items.extend(CitationItem(n, None, None, match.start(), match.end()) for n in range(first + 1, number))
        items.append(CitationItem(number, None, None, match.start(), match.start() + len(match["num"])))
        separator = (match["sep"] or "").strip()
        previous_was_range = bool(separator) and separator in p.DASHES
    return items


def _az_citations(text: str, start: int, end: int) -> list[Citation]:
    citations: list[Citation] = []
    for match in p.AZ_CITATION_RE.finditer(text, start, end):
        items = _az_items(text, match.start("items"), match.end("items"))
        if not items:
            continue
        stop = match.end()
        paragraph_match = p.AZ_PARAGRAPH.match(text, stop, end)
        if paragraph_match and len(items) == 1:
            items, stop = _az_pinpoint(text, end, items[0], paragraph_match)
        first = items[0]
        items[0] = CitationItem(first.article, first.paragraph, first.sub, match.start(), max(first.end, match.end()))
        citation = Citation(match.start(), stop, tuple(items), "az")
        common = p.COMMON_PREFIX.search(text[max(start, match.start() - 20):match.start()])
        if common:
            citation = Citation(citation.start, citation.end, citation.items, "az", True)
        citations.append(citation)
    return citations


def _az_pinpoint(
    text: str, end: int, item: CitationItem, paragraph_match: re.Match[str]
) -> tuple[list[CitationItem], int]:
    stop = paragraph_match.end()
    if paragraph_match["ord"]:
        paragraphs = [str(ordinal_value(paragraph_match["ord"]))]
    else:
        paragraphs = [str(int(n)) for n in re.findall(r"\d{1,2}", paragraph_match["paras"])]
    sub = None
    sub_match = p.AZ_SUB.match(text, stop, end)
    if sub_match and len(paragraphs) == 1:
        sub, stop = sub_match["sub"], sub_match.end()
    return [CitationItem(item.article, para, sub, item.start, stop) for para in paragraphs], stop


def _common_abbreviations(text: str, start: int, end: int) -> list[Citation]:
    return [
        Citation(m.start(), m.end(), (CitationItem(int(m["num"]), None, None, m.start(), m.end()),), "en", True)
        for m in p.COMMON_ABBREVIATION_RE.finditer(text, start, end)
    ]


def find_citations(text: str, windows: list[tuple[int, int]]) -> list[Citation]:
    """Article citations in the windows, sorted by start, without overlaps."""
    citations: list[Citation] = []
    for start, end in windows:
        found = (
            _keyword_citations(text, start, end)
            + _az_citations(text, start, end)
            + _common_abbreviations(text, start, end)
        )
        found.sort(key=lambda c: (c.start, -c.end))
        for citation in found:
            if citations and citation.start < citations[-1].end:
                continue
            citations.append(citation)
    return citations
