"""Find raw reference pieces in text (second pipeline stage).

A fast pre-scan (:data:`patterns.TRIGGER` over a lower-cased copy of the
text) finds trigger words. Instrument names are tried only at each trigger and
the few words before it, with the specs bucketed by their first character;
article citations are parsed only in windows around article keywords. The
result is two sorted lists of values with character offsets into the original
text:

* :class:`Mention` -- a name of an instrument ("Fourth Geneva Convention",
  "Оттавской конвенции", "the Convention", "Criminal Code");
* :class:`Citation` -- an article citation with its items ("Arts. 146–148",
  "paragraph 2 of Article 5", "147-ci maddəsi", "article 49, alinéa 6",
  "Article 146 et seq."; and, found after the mentions, the bare numbers of
  "GCIV 147" and "GCIV 1, 2 and 3").

Nothing here decides which instrument a citation belongs to or whether the
article exists; that is :mod:`archive.treaties.resolve`.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from archive.treaties import patterns as p
from archive.treaties.catalogue import load_catalogue


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
    style: str  # "en" (keyword first, instrument after or before), "az" (genitive before), BARE
    common: bool = False


BARE = "bare"  # Citation.style of "GCIV 147": bound only to the abbreviation before it


# -- pre-scan -------------------------------------------------------------------


@dataclass(frozen=True)
class Trigger:
    """A trigger word found by the pre-scan; ``citation`` marks article keywords."""

    start: int
    end: int
    citation: bool
    weak: bool = False


def scan_triggers(text: str) -> list[Trigger]:
    """All trigger words, found on a lower-cased copy of the text (same offsets)."""
    lowered = text.replace("\u0130", "I").lower()
    if len(lowered) != len(text):  # a length-changing lower(): scan the original instead
        lowered = text
    return [
        Trigger(m.start(), m.end(), m["cit"] is not None, m["weak"] is not None)
        for m in p.TRIGGER.finditer(lowered)
    ]


def citation_windows(text: str, triggers: list[Trigger]) -> list[tuple[int, int]]:
    """Merged [start, end) windows around the article keywords."""
    windows: list[tuple[int, int]] = []
    for trigger in triggers:
        if not trigger.citation:
            continue
        start = max(0, trigger.start - p.WINDOW_BEFORE)
        end = min(len(text), trigger.end + p.WINDOW_AFTER)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


# -- mentions ------------------------------------------------------------------


def _candidate_starts(text: str, triggers: list[Trigger]) -> list[int]:
    """Each trigger and the few word starts before it (for 'Fourth Geneva', 'the Convention')."""
    starts: set[int] = set()
    for trigger in triggers:
        lookback = max(0, trigger.start - p.LOOKBACK_CHARS)
        before = [m.start() for m in p.WORD_START.finditer(text, lookback, trigger.start)]
        count = p.WORDS_BEFORE_WEAK_TRIGGER if trigger.weak else p.WORDS_BEFORE_TRIGGER
        starts.update(before[-count:])
        starts.add(trigger.start)
    return sorted(starts)


def _first_at(text: str, start: int) -> dict[int, tuple[int, int]]:
    """Per tier, (spec index, end) of the first spec (longest source first) matching at ``start``."""
    found: dict[int, tuple[int, int]] = {}
    char = text[start]
    alternations = p.bucket_alternations()
    for tier in (p.SPECIFIC_TIER, p.GENERIC_TIER):
        regex = alternations.get((char, tier)) or alternations.get((p.ANY_CHARACTER, tier))
        if regex is None:
            continue
        match = regex.match(text, start)
        if match is not None and match.end() > start:
            found[tier] = (int(match.lastgroup[1:]), match.end())
    return found


def _longest_at(text: str, start: int) -> dict[int, tuple[int, int]]:
    """Per tier, (spec index, end) of the longest spec matching at ``start``."""
    best: dict[int, tuple[int, int]] = {}
    filters = p.bucket_filters()
    bucket = filters.get(text[start]) or filters.get(p.ANY_CHARACTER)
    if bucket is None or bucket.match(text, start) is None:
        return best
    by_char, _anywhere = p.specs_by_first_character()
    specs = p.mention_specs()
    regexes = p.compiled_specs()
    for index in by_char.get(text[start]) or by_char.get(p.ANY_CHARACTER, ()):
        match = regexes[index].match(text, start)
        if match is None or match.end() == start:
            continue
        tier = specs[index].tier
        if tier not in best or match.end() > best[tier][1]:
            best[tier] = (index, match.end())
    return best


ADDITIONAL_WORD = re.compile(r"(?i:additional|дополнительн|əlavə|additionnel)")


GENEVA_ORDINAL = re.compile(r"(?i:first|second|third|fourth|1st|2nd|3rd|4th|перв|втор|трет|четв)")


def _geneva_ordinal(word: str) -> int:
    word = word.lower()
    for number, prefixes in enumerate((("fir", "1st", "пер"), ("sec", "2nd", "вто"), ("thi", "3rd", "тре")), 1):
        if word.startswith(prefixes):
            return number
    return 4


def _protocol_numerals(fragment: str) -> tuple[str, ...]:
    return tuple(re.findall(r"(?<![\w])(III|II|I)(?![\w])", fragment))


def _make_mention(text: str, start: int, index: int, end: int) -> Mention:
    spec = p.mention_specs()[index]
    value, numerals = spec.value, ()
    if spec.kind == p.PROTOCOL_LIST:
        fragment = text[start:end]
        numerals = _protocol_numerals(fragment)
        value = "additional" if ADDITIONAL_WORD.search(fragment) else ""
    if spec.kind == p.GENEVA_LIST:
        numerals = tuple(p.GC_BY_NUMBER[n] for n in map(_geneva_ordinal, GENEVA_ORDINAL.findall(text[start:end])))
    return Mention(start, end, spec.kind, value, spec.standalone, numerals)


def _without_overlaps(candidates: list[Mention], taken: list[Mention]) -> list[Mention]:
    """Earliest, then longest, candidates that overlap nothing already taken (``taken`` sorted)."""
    taken_starts = [m.start for m in taken]
    kept: list[Mention] = []
    for mention in sorted(candidates, key=lambda m: (m.start, -m.end)):
        if kept and mention.start < kept[-1].end:
            continue
        index = bisect.bisect_left(taken_starts, mention.end)
        if index and taken[index - 1].end > mention.start:
            continue
        kept.append(mention)
    return kept


def find_mentions(text: str, triggers: list[Trigger], exhaustive: bool = False) -> list[Mention]:
    """Instrument mentions near the triggers; a generic mention never overlaps a specific one.

    ``exhaustive`` tries every spec at every candidate and keeps the longest
    match (slow; the default relies on the ordering of the alternations).
    """
    by_tier: dict[int, list[Mention]] = {p.SPECIFIC_TIER: [], p.GENERIC_TIER: []}
    matcher = _longest_at if exhaustive else _first_at
    for start in _candidate_starts(text, triggers):
        for tier, (index, end) in matcher(text, start).items():
            by_tier[tier].append(_make_mention(text, start, index, end))
    specific = _merge_parenthetical(text, _without_overlaps(by_tier[p.SPECIFIC_TIER], []))
    generic = _without_overlaps(by_tier[p.GENERIC_TIER], specific)
    return sorted(specific + generic, key=lambda m: m.start)


PARENTHESIS_OPEN = re.compile(r"\s*\(\s*")
PARENTHESIS_CLOSE = re.compile(r"\s*\)")
PROTOCOL_TWO_IDS = {"APII", "CCW-APII-1996"}


def _same_instrument(first: Mention, second: Mention) -> bool:
    if first.kind == second.kind == p.INSTRUMENT:
        return first.value == second.value
    return second.kind == p.PROTOCOL_TWO and first.value in PROTOCOL_TWO_IDS


def _merge_parenthetical(text: str, mentions: list[Mention]) -> list[Mention]:
    """'Fourth Geneva Convention (GCIV)' is one mention, not two."""
    merged: list[Mention] = []
    for mention in sorted(mentions, key=lambda m: m.start):
        if merged:
            previous = merged[-1]
            opening = PARENTHESIS_OPEN.match(text, previous.end)
            closing = PARENTHESIS_CLOSE.match(text, mention.end)
            if opening and closing and opening.end() == mention.start and _same_instrument(previous, mention):
                merged[-1] = Mention(
                    previous.start, closing.end(), previous.kind, previous.value,
                    previous.standalone, previous.numerals,
                )
                continue
        merged.append(mention)
    return merged


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


def _parse_items(
    text: str, position: int, end: int, plural: bool, ranges: bool = True
) -> tuple[list[CitationItem], int]:
    """Read 'N(pins) [, N | and N | – N]...' starting at an article number ('– N' only with ``ranges``)."""
    items: list[CitationItem] = []
    item_start = position
    while True:
        number = p.ARTICLE_NUMBER_RE.match(text, position, end)
        if number is None:
            break
        paragraph, sub, position = _parse_pins(text, number.end(), end)
        items.append(CitationItem(int(number["num"]), paragraph, sub, item_start, position))
        if ranges and paragraph is None and sub is None:
            position = _expand_range(text, position, end, items)
        elif sub is not None:
            position = _expand_sub_range(text, position, end, items)
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


def _expand_sub_range(text: str, position: int, end: int, items: list[CitationItem]) -> int:
    """'7(1)(a)-(c)' after item 7(1)(a): add (b) (spanning the range) and (c). Only right after the letter's
    own pin: in '57(2)(a)(i)-(iii)' the range is of the roman items, which name nothing (it is passed over)."""
    first = items[-1]
    pin = p.LAST_SUB_PIN_RE.search(text, first.start, position)
    ranged = p.SUB_RANGE_RE.match(text, position, end)
    if pin is None or ranged is None or latin_letter(pin["sub"]) != first.sub:
        roman = p.ROMAN_RANGE_RE.match(text, position, end)
        if roman is None:
            return position
        items[-1] = CitationItem(first.article, first.paragraph, first.sub, first.start, roman.end())
        return roman.end()
    last = latin_letter(ranged["last"])
    if not first.sub < last <= chr(ord(first.sub) + 12):
        return position
    span = (first.start, ranged.end())
    between = range(ord(first.sub) + 1, ord(last))
    items.extend(CitationItem(first.article, first.paragraph, chr(n), *span) for n in between)
    last_start = text.rindex("(", ranged.start(), ranged.start("last"))
    items.append(CitationItem(first.article, first.paragraph, last, last_start, ranged.end()))
    return ranged.end()


def _next_list_item(
    text: str, position: int, end: int, items: list[CitationItem], plural: bool
) -> tuple[int, int, bool]:
    """Advance over a list separator; handle '(1) and (6)' pins of the same article.

    A roman item ('Article 49 (i) and (ii)') only widens the previous item: it
    names no paragraph, so none is invented. A marker before the next keyword
    ('(i) Article 147 and (ii) Article 53') ends the list.
    """
    separator = p.LIST_SEP_RE.match(text, position, end)
    if separator is None:
        return position, position, False
    after = separator.end()
    if _opens_next_citation(text, after, end):
        return position, position, False
    if text.startswith("(", after):
        previous = items[-1]
        paragraph, sub, stop = _parse_pins(text, after, end)
        if paragraph is None and sub is None:
            if stop == after:
                return position, position, False
            items[-1] = CitationItem(previous.article, previous.paragraph, previous.sub, previous.start, stop)
            return _next_list_item(text, stop, end, items, plural)
        if paragraph is None and previous.paragraph is not None:
            paragraph = previous.paragraph
        items.append(CitationItem(previous.article, paragraph, sub, after, stop))
        return _next_list_item(text, stop, end, items, plural)
    number = p.ARTICLE_NUMBER_RE.match(text, after, end)
    if number is None or not _list_item_allowed(text, number.end(), end, separator.group(), plural):
        return position, position, False
    return after, after, True


def _opens_next_citation(text: str, position: int, end: int) -> bool:
    """'(ii) Article 53', '(b) Art. 57': a list marker before the next keyword, not a pinpoint."""
    marker = p.LIST_MARKER_RE.match(text, position, end)
    return marker is not None and p.ARTICLE_HEAD_RE.match(text, marker.end(), end) is not None


def _apply_prefix(text: str, citation: Citation) -> Citation:
    """Attach 'paragraph 2 of', 'the sixth paragraph of', 'п. 1', 'common' before the keyword."""
    lookback_start = max(0, citation.start - 160)
    lookback = text[lookback_start:citation.start]
    if not p.PREFIX_HINT.search(lookback):
        return citation
    match = p.PREFIX_EN.search(lookback) or p.PREFIX_RU.search(lookback) or p.PREFIX_FR.search(lookback)
    if match is None or not any(match.groupdict().get(g) for g in ("sub", "sub_b", "ord", "paras", "ordb")):
        common = p.COMMON_PREFIX.search(lookback)
        if common:
            return Citation(lookback_start + common.start(), citation.end, citation.items, citation.style, True)
        return citation
    is_common = bool(match.groupdict().get("common"))
    if len(citation.items) != 1 or citation.items[0].paragraph or citation.items[0].sub:
        return Citation(citation.start, citation.end, citation.items, citation.style, citation.common or is_common)
    paragraphs = _prefix_paragraphs(match)
    sub = match["sub"] or match.groupdict().get("sub_b")
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
def _az_fold(word: str) -> str:
    """Lower-case Azerbaijani alike whatever its capitals: 'İkinci', 'QIRX' -> 'ikinci', 'qirx'."""
    return word.replace("İ", "i").replace("I", "i").lower().replace("ı", "i")


AZ_ORDINAL_VALUES = {_az_fold(word): n for n, word in enumerate(p.ORDINALS_AZ, start=1)}
AZ_TEN_VALUES = {_az_fold(word): 10 * n for n, word in enumerate(p.TENS_AZ, start=1)}
AZ_TEN_ORDINAL_VALUES = {_az_fold(word): 10 * n for n, word in enumerate(p.TENS_ORDINALS_AZ, start=1)}
FR_ORDINAL_VALUES = {stem: n for n, stem in enumerate(p.ORDINALS_FR, start=1)} | {"second": 2}
STEM_ORDINAL_VALUES = RU_ORDINAL_VALUES | FR_ORDINAL_VALUES


def ordinal_value(word: str) -> int | None:
    """'sixth' / '6th' / 'шестой' / 'altıncı' / 'sixième' / '6e' -> 6."""
    word = word.lower().strip()
    if word in p.ORDINAL_EN_VALUE:
        return p.ORDINAL_EN_VALUE[word]
    digits = re.match(r"(\d+)(?:st|nd|rd|th|er|re|ère|e|ème|eme)$", word)
    if digits:
        return int(digits.group(1))
    for stem, value in STEM_ORDINAL_VALUES.items():
        if word.startswith(stem):
            return value
    return AZ_ORDINAL_VALUES.get(_az_fold(word))


def az_ordinal_number(words: str) -> int:
    """An article number written as Azerbaijani ordinal words (:data:`patterns.ARTICLE_ORDINAL_AZ`):
    'beşinci' -> 5, 'on birinci' -> 11, 'qırx doqquzuncu' -> 49, 'iyirminci' -> 20."""
    *tens, last = _az_fold(words).split()
    value = AZ_ORDINAL_VALUES.get(last) or AZ_TEN_ORDINAL_VALUES[last]
    return value + sum(AZ_TEN_VALUES[ten] for ten in tens)


def _apply_suffix(text: str, end: int, citation: Citation) -> Citation:
    """Attach ', paragraph 6', ', sixth paragraph', ', пункт 1' and 'common to the ... Conventions'."""
    common = p.COMMON_SUFFIX.match(text, citation.end, end)
    if common:
        return Citation(citation.start, common.end(), citation.items, citation.style, True)
    if len(citation.items) != 1 or citation.items[0].paragraph or citation.items[0].sub:
        return citation
    match = _suffix_match(text, citation.end, end)
    if match is None:
        return citation
    groups = match.groupdict()
    paragraph = groups.get("para") or (str(ordinal_value(groups["ord"])) if groups.get("ord") else None)
    sub = groups.get("sub") or groups.get("sub2")
    item = citation.items[0]
    new_item = CitationItem(item.article, paragraph, latin_letter(sub) if sub else None, item.start, match.end())
    # "Article 3, paragraph 1(b), common to the four Geneva Conventions"
    common = p.COMMON_SUFFIX.match(text, match.end(), end)
    if common:
        return Citation(citation.start, common.end(), (new_item,), citation.style, True)
    return Citation(citation.start, match.end(), (new_item,), citation.style, citation.common)


def _suffix_match(text: str, position: int, end: int) -> re.Match[str] | None:
    """', paragraph 6', ', пункт 1', ', alinéa 6' after the article number, or the same in brackets."""
    for suffix in (p.SUFFIX_EN, p.SUFFIX_RU, p.SUFFIX_FR, *p.BRACKETED_SUFFIXES):
        match = suffix.match(text, position, end)
        if match is not None:
            return match
    return None


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
        citation = _apply_suffix(text, end, _apply_prefix(text, citation))
        citations.append(_extend_over_et_seq(text, end, citation))
    return citations


def _extend_over_et_seq(text: str, end: int, citation: Citation) -> Citation:
    """'Article 146 et seq.', 'Arts. 146 ff.': the citation takes in the words; its items stay the named ones."""
    following = p.AND_FOLLOWING_RE.match(text, citation.end, end)
    if following is None:
        return citation
    return Citation(citation.start, following.end(), citation.items, citation.style, citation.common)


def _bare_item(item: CitationItem) -> bool:
    return item.paragraph is None and item.sub is None


def _az_items(text: str, start: int, stop: int) -> list[CitationItem]:
    items: list[CitationItem] = []
    previous_was_range = False
    for match in p.AZ_NUMBER_RE.finditer(text, start, stop):
        number = int(match["num"])
        paragraph, sub, number_end = _parse_pins(text, match.start("pins"), match.end("pins"))
        # the articles inside '146–148' span the range, as in English (not after a pinpoint: '5(1)–7')
        first = items[-1] if previous_was_range and items and _bare_item(items[-1]) else None
        if first is not None and first.article < number <= first.article + 40:
            items.extend(CitationItem(n, None, None, first.start, number_end) for n in range(first.article + 1, number))
        items.append(CitationItem(number, paragraph, sub, match.start(), number_end))
        separator = (match["sep"] or "").strip()
        previous_was_range = bool(separator) and separator in p.DASHES
    return items


def _az_ordinal_items(text: str, start: int, stop: int) -> list[CitationItem]:
    """'beşinci', 'ikinci və üçüncü': one item per ordinal word (no ranges are written in words)."""
    return [
        CitationItem(az_ordinal_number(m.group()), None, None, m.start(), m.end())
        for m in p.ARTICLE_ORDINAL_AZ_RE.finditer(text, start, stop)
    ]


def _az_citations(text: str, start: int, end: int) -> list[Citation]:
    citations: list[Citation] = []
    for match in p.AZ_CITATION_RE.finditer(text, start, end):
        if match["ordinal"]:
            items = _az_ordinal_items(text, match.start("ordinal"), match.end("ordinal"))
        else:
            items = _az_items(text, match.start("items"), match.end("items"))
        if not items:
            continue
        stop = match.end()
        paragraph_match = p.AZ_PARAGRAPH.match(text, stop, end)
        if paragraph_match and len(items) == 1 and items[0].paragraph is None and items[0].sub is None:
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
        window = text[start:end]
        found = _keyword_citations(text, start, end)
        if "madd" in window.lower():
            found += _az_citations(text, start, end)
        if "CA" in window:
            found += _common_abbreviations(text, start, end)
        found.sort(key=lambda c: (c.start, -c.end))
        for citation in found:
            if citations and citation.start < citations[-1].end:
                continue
            citations.append(citation)
    return citations


# -- bare numbers after an abbreviation ------------------------------------------


def _host_instruments(mention: Mention) -> tuple[str, ...]:
    """The instruments a bare number after ``mention`` could be an article of."""
    if mention.kind == p.PROTOCOL_TWO:
        return tuple(sorted(PROTOCOL_TWO_IDS))
    return (mention.value,) if mention.kind == p.INSTRUMENT else ()


def _bare_citation(text: str, mention: Mention) -> Citation | None:
    """'GCIV 147', 'AP I 51(2)', 'GCIV 1, 2 and 3': the numbers after a compact abbreviation.

    A list counts up to its last item that punctuation or the end of the text
    follows, and only while the instrument has every article in it (no ranges:
    'GCIV 147-149' may be pages).
    """
    if not p.BARE_NUMBER_HOST_RE.fullmatch(text, mention.start, mention.end):
        return None
    number = p.BARE_NUMBER_RE.match(text, mention.end)
    if number is None:
        return None
    items, _stop = _parse_items(text, number.start("num"), len(text), plural=False, ranges=False)
    items = _existing_prefix(items, _host_instruments(mention))
    while items and p.BARE_NUMBER_END_RE.match(text, items[-1].end) is None:
        items.pop()
    if not items:
        return None
    return Citation(items[0].start, items[-1].end, tuple(items), BARE)


def _existing_prefix(items: list[CitationItem], instruments: tuple[str, ...]) -> list[CitationItem]:
    """The items up to the first whose article none of ``instruments`` has.

    The article decides, not the pinpoint: ``AP I 51(9)`` names Article 51, so it stays a citation and
    is diagnosed (Article 51 has no paragraph 9) as the long form is, instead of quietly becoming a
    mention of the Protocol alone.
    """
    catalogue = load_catalogue()
    for index, item in enumerate(items):
        if not any(catalogue.exists(i, item.article) for i in instruments):
            return items[:index]
    return items


def with_bare_numbers(text: str, citations: list[Citation], mentions: list[Mention]) -> list[Citation]:
    """``citations`` plus the bare numbers after the mentions, sorted by start, without overlaps."""
    bare = [citation for mention in mentions if (citation := _bare_citation(text, mention)) is not None]
    if not bare:
        return citations
    merged: list[Citation] = []
    for citation in sorted(citations + bare, key=lambda c: (c.start, -c.end)):
        if merged and citation.start < merged[-1].end:
            continue
        merged.append(citation)
    return merged
