"""Dates written in English, Russian and Azerbaijani evidence documents.

:func:`find_dates` finds every date expression in a text and reads it as
python-dateutil does, taught the Russian and Azerbaijani month names with their
case endings ("23 апреля 2022 г.", "aprelin 23-ü", "2022-ci il 23 aprel"):
month names and numeric dates by dateutil's rules without its parser (which
took most of the time), other digits by dateutil itself.
Numeric dates ("23.04.2022", "23/04/22", "2022-04-23") are read day first
unless the caller says otherwise.

Rules where a text is vague:

* Nothing is invented. A mention without a year is skipped. A month and a
  year ("April 2022", "в апреле 2022 года") is kept with ``precision="month"``
  and the first day of that month as its value; a year alone is kept with
  ``precision="year"`` only when it is marked as a year: after an English
  temporal preposition ("in 2022", "since 1991"; not "by", which is mostly
  arithmetic), followed by a Russian year word ("2022 г.", "в 2022 году") or by
  the Azerbaijani year suffix ("2022-ci il", "1991-ci ildən"). Bare numbers
  ("1991", "208 people", "3,159") are never dates. After a number, "г." is also
  grams ("1500 г. тротила"): a year alone marked only by "г"/"г." is kept when
  it is one the documents speak of (from 1900 to this year), as after an
  English preposition before a counted noun; with a day or a month
  ("23 апреля 1500 г.") it is a date whatever the year.
* Impossible dates ("31.02.2022") are skipped.
* A month in Roman numerals is read between a day and a four-digit year ("23.IV.2022"), in capitals only.
* Both ends of a range are kept: "23–25 апреля 2022 г." is the 23rd (the mention "23") and the 25th of April
  2022, as is "April 23–25, 2022", and "1992–1994 гг." and "in 1992-1994" the years 1992 and 1994. The dash
  of a range of days has no space around it ("Page 5 - 23 April 2022" is a page and a date), a range of years
  is marked as years (by "гг.", "годах", "-cü illər" after it or "in" before it) and each range's first end
  comes before its last. Two numeric dates joined by a hyphen ("23.04.2022-25.04.2022") are both kept; a hyphen
  glues no other number to a numeric date ("12.05.1970-1"). A line holding a range is no dateline.
* Two-digit years ("23.04.22") need a two-digit day and month and are put in
  the century dateutil chooses (within 50 years of today).
* An ambiguous numeric date follows ``dayfirst``; one with only one valid
  reading ("04/23/2022") is read that way whatever ``dayfirst`` says.
  ISO dates ("2022-04-23") are always year-month-day.

:func:`find_dateline` picks the date a document gives itself ("Shusha,
23 April 2022" at the end or the top; a treaty cited with its date, "Fourth
Geneva Convention, 12 August 1949", is none), and :func:`parse_pdf_date` reads PDF
metadata dates. Which date becomes the document's date is left to the caller.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache

from dateutil import parser as dateutil_parser

__all__ = [
    "DateMention",
    "find_dateline",
    "find_dates",
    "is_dateline",
    "parse_date",
    "parse_pdf_date",
    "pdf_date_written",
    "plain_line",
]

DAY, MONTH, YEAR = "day", "month", "year"

# -- month names ------------------------------------------------------------------

_SOFT_ENDINGS = ("ь", "я", "е", "ю")  # январь, января, январе, январю
_HARD_ENDINGS = ("", "а", "е", "у")  # март, марта, марте, марту
_RUSSIAN_MONTH_STEMS = (
    ("январ", _SOFT_ENDINGS), ("феврал", _SOFT_ENDINGS), ("март", _HARD_ENDINGS), ("апрел", _SOFT_ENDINGS),
    ("ма", ("й", "я", "е", "ю")), ("июн", _SOFT_ENDINGS), ("июл", _SOFT_ENDINGS), ("август", _HARD_ENDINGS),
    ("сентябр", _SOFT_ENDINGS), ("октябр", _SOFT_ENDINGS), ("ноябр", _SOFT_ENDINGS), ("декабр", _SOFT_ENDINGS),
)
_RUSSIAN_MONTH_ABBREVIATIONS = (
    ("янв",), ("фев", "февр"), ("мар",), ("апр",), (), ("июн",), ("июл",), ("авг",),
    ("сен", "сент"), ("окт",), ("ноя", "нояб"), ("дек",),
)
_AZERBAIJANI_MONTHS = (
    "yanvar", "fevral", "mart", "aprel", "may", "iyun",
    "iyul", "avqust", "sentyabr", "oktyabr", "noyabr", "dekabr",
)
# Locative ("apreldə", "2022-ci ilin aprelində"), ablative, dative: "in, from, to the month".
_AZERBAIJANI_MONTH_PLACE_SUFFIXES = ("da", "də", "dan", "dən", "a", "ə", "ində", "inda", "unda", "ündə")
# Those and the genitive ("aprelin 23-ü"); "ı" is folded to "i".
_AZERBAIJANI_MONTH_SUFFIXES = ("", "in", "un", "ün", *_AZERBAIJANI_MONTH_PLACE_SUFFIXES)
_ENGLISH_MONTHS = (
    ("jan", "january"), ("feb", "febr", "february"), ("mar", "march"), ("apr", "april"),
    ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
)


def _fold(word: str) -> str:
    """Lower-case a word the same way for every language (Turkic dotted/dotless i → i, ё → е)."""
    return word.replace("İ", "i").replace("I", "i").lower().replace("ı", "i").replace("ё", "е")


@cache
def _month_forms() -> tuple[tuple[str, ...], ...]:
    """Every spelling of each month this module reads, folded, January first."""
    months = []
    for index in range(12):
        stem, endings = _RUSSIAN_MONTH_STEMS[index]
        forms = {*_ENGLISH_MONTHS[index], *_RUSSIAN_MONTH_ABBREVIATIONS[index]}
        forms.update(stem + ending for ending in endings)
        forms.update(_AZERBAIJANI_MONTHS[index] + suffix for suffix in _AZERBAIJANI_MONTH_SUFFIXES)
        months.append(tuple(sorted(forms, key=len, reverse=True)))
    return tuple(months)


class _MultilingualParserInfo(dateutil_parser.parserinfo):
    """dateutil's English vocabulary plus the Russian and Azerbaijani month names."""

    MONTHS = list(_month_forms())

    def month(self, name: str) -> int | None:
        return super().month(_fold(name))


_PARSER = dateutil_parser.parser(_MultilingualParserInfo())
#: Each month name's number, as the parser knows it.
_MONTH_NUMBERS = {form: _PARSER.info.month(form) for forms in _month_forms() for form in forms}

# -- patterns -----------------------------------------------------------------------


def _trie_pattern(words: list[str]) -> str:
    """A regex matching exactly ``words``, factored by common prefixes so it is tried quickly."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    ends_here = "" in node
    branches = [_char_pattern(char) + _node_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends_here:
        return f"(?:{body})?"
    return body


def _char_pattern(char: str) -> str:
    # Folded forms meet unfolded text: "i" also stands for "ı"/"İ"/"I", "е" for "ё".
    return {"i": "[iıİI]", "е": "[еёЕЁ]"}.get(char, re.escape(char))


def _month_alternation() -> str:
    return _trie_pattern(sorted({form for forms in _month_forms() for form in forms}))


_MONTH = rf"(?P<month>{_month_alternation()})\.?"
_B = r"(?<![\w.,])"  # nothing word-like or numeric glued on the left
_E = r"(?!\w)"
_DAY = r"(?P<day>[0-3]?\d)"
_YEAR = r"(?P<year>[12]\d{3})(?![\d])(?![.,]\d)"
# _B then _YEAR, with the look-behind moved after the first digit (which it then also looks at): the regex
# engine jumps from one 1 or 2 to the next to try a pattern that starts with a character class, but tries one
# that starts with a look-behind at every character of the text. The same holds for the numeric dates below.
_B_YEAR = r"(?P<year>[12](?<![\w.,][12])\d{3})(?![\d])(?![.,]\d)"
_EN_ORDINAL = r"(?:st|nd|rd|th)?"
_RU_DAY_SUFFIX = r"(?:-?го|-е)?"
_AZ_NUMBER_SUFFIX = r"(?:-?(?:nci|ncı|ncu|ncü|ci|cı|cu|cü|si|sı|su|sü|i|ı|u|ü|də|da|dən|dan)(?!\w))"
_RU_YEAR_WORD = r"(?:\s*(?:г\.|гг\.|г(?!\w)|год(?:а|у|ом|ы|ов|ам|ах)?(?!\w)))"
_AZ_YEAR_SUFFIX = r"(?:-?(?:ci|cı|cu|cü)(?!\w))"
_AZ_YEAR_WORD = rf"(?:{_AZ_YEAR_SUFFIX}(?:\s+il\w*)?)"
_YEAR_TAIL = rf"(?:{_RU_YEAR_WORD}|{_AZ_YEAR_WORD})?"
_SEP = r"[\s\xa0]+"
_DASH = r"[-‐‑–—]"
_ROMAN_MONTHS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
_ROMAN_MONTH = "(?:" + "|".join(sorted(_ROMAN_MONTHS, key=len, reverse=True)) + ")"
_LINE_SEP = r"[^\S\n\r\f\v\x1c-\x1e\x85\u2028\u2029]+"  # spaces, but no line break
_COMMA_SEP = r",?[\s\xa0]+"
# What follows a number that measures something ("after 1500 hours", "in 1200 hectares", "12.5 %"):
# never a year.
# Lower case only (the patterns are compiled with IGNORECASE): "In 2022 H. Aliyev" is a year and an initial.
_MEASURED = (r"[\s\xa0]*(?-i:%|(?:hours?|hrs?|h|km|ha|kg|sq|square|m2|m²|km2|km²|metres?|meters?|hectares?|tonnes?"
             r"|tons?)(?!\w))")
# What follows a number that counts something ("in 1500 locations", "from 2000 anti-personnel mines",
# "in 300 people"): read as a count unless the number is a year this archive's documents speak of
# ("in 1993 mines were laid", "in 1992 people fled"), see :data:`_COUNT_OR_YEAR`.
_COUNTED = re.compile(
    r"[\s\xa0]*(?:(?:people|persons|men|women|children|civilians)(?!\w)|[a-z]+-[a-z]|"
    r"(?!(?:was|has|is|its|this|thus|as|his|us|towards|across|whereas|afterwards)(?!\w))[a-z]+s(?!\w))"
)
#: Years from which a number followed by a counted noun, or by "г." alone, is still read as a year.
_COUNT_OR_YEAR = 1900


def _year_spoken_of(year: int) -> bool:
    """Whether ``year`` is one the archive's documents speak of: a number outside these is more likely a count
    or a measure ("in 1500 locations", "1500 г." of explosive) when nothing else marks it as a year."""
    return _COUNT_OR_YEAR <= year <= dt.date.today().year


# The words that introduce a date across a line break ("on 23" / "April 2022"), and a year alone ("in 2022").
_ON_DAY_WORD = r"(?<!\w)(?:on|dated|of|from|since|until|till|by|от|с|до|по)"  # at most 5 letters
_IN_YEAR_WORD = r"(?<![\w-])(?:in|since|from|until|till|during|before|after|through|throughout|circa)"  # 10
_NUMERIC_END = rf"(?![./-]\d)(?:{_RU_YEAR_WORD}|{_AZ_YEAR_WORD})?(?!\w)"


# The ends of a hyphenated range of dotted or slashed dates with four-digit years. Nothing number-like comes before
# the first ("1-12.05.1970" is no range; the look-behind after the first digit: see _B_YEAR).
_RANGE_FIRST = r"\d(?<![\w.,/-]\d)(?:(?<=[0-3])\d)?(?P<first_separator>[./])[0-3]?\d(?P=first_separator)[12]\d{3}"
_RANGE_LAST = r"[0-3]?\d(?P<last_separator>[./])[0-3]?\d(?P=last_separator)[12]\d{3}"


#: What was found in one text, for the patterns after: where patterns may begin (see _DatePattern.starts).
_Found = dict[object, list[int]]


@dataclass(frozen=True)
class _DatePattern:
    """One written form of a date; the mention's span is the ``span`` group, or the whole match."""

    regex: re.Pattern[str]
    precision: str
    span: str | None = None
    month_then_day: bool = False  # the day follows the month: the month may not be locative/dative
    counted: bool = False  # a year alone, which may instead count what follows it ("in 1500 locations")
    #: Every position of a text where a match may begin, found faster than by the regex (or shared with other
    #: patterns; ``starts_found`` keeps what was found in the text): the regex is tried there alone.
    starts: Callable[[str, _Found], list[int]] | None = None

    def finditer(self, text: str, starts_found: _Found) -> Iterator[re.Match[str]]:
        """``self.regex.finditer(text)``; ``starts_found`` keeps the text's starts for the next pattern."""
        if self.starts is None:
            yield from self.regex.finditer(text)
            return
        starts = self.starts(text, starts_found)
        end = 0
        match_at = self.regex.match  # its look-behinds see the text before the position it is given
        for start in starts:
            if start >= end and (match := match_at(text, start)) is not None:
                end = match.end()
                yield match


def _pattern(pattern: str, precision: str, span: str | None = None, *, month_then_day: bool = False,
             counted: bool = False, starts: Callable[[str, _Found], list[int]] | None = None) -> _DatePattern:
    return _DatePattern(re.compile(pattern, re.IGNORECASE), precision, span, month_then_day, counted, starts)


# -- where patterns may begin -----------------------------------------------------------
# Each found once per text. A pattern that begins with a look-behind and a word is tried by the regex engine at
# every character; these find its possible starts from what it must hold, quickly.


def _matches_of(regex: re.Pattern[str]) -> Callable[[str, _Found], list[int]]:
    """Where ``regex`` matches (each of its matches is one character or empty, so that no start hides in another)."""
    def starts(text: str, found: _Found) -> list[int]:
        if regex not in found:
            found[regex] = [match.start() for match in regex.finditer(text)]
        return found[regex]
    return starts


# A day, or the quote before it; a month; a year after a space.
_DAY_STARTS = _matches_of(re.compile(r"[«\"“„\d](?<![\w.,][«\"“„\d])", re.IGNORECASE))
_MONTH_STARTS = _matches_of(re.compile(rf"{_B}(?={_MONTH})", re.IGNORECASE))
_SPACED_YEARS = _matches_of(re.compile(r"[12](?<=\s[12])", re.IGNORECASE))
_LINE_BREAKS = frozenset("\n\r\f\v\x1c\x1d\x1e\x85\u2028\u2029")  # the spaces _LINE_SEP leaves out
_ON_DAY = re.compile(rf"{_ON_DAY_WORD}\Z", re.IGNORECASE)
_IN_YEAR = re.compile(rf"{_IN_YEAR_WORD}\Z", re.IGNORECASE)
_THE_END = re.compile(r"the\Z", re.IGNORECASE)
_YEAR_END = re.compile(r"year\Z", re.IGNORECASE)


def _spaces_before(text: str, end: int, *, line: bool) -> int:
    """Where the run of spaces (``line``: no line break among them, as _LINE_SEP) that ends at ``end`` begins."""
    start = end
    while start and text[start - 1].isspace() and not (line and text[start - 1] in _LINE_BREAKS):
        start -= 1
    return start


def _word_before(word: re.Pattern[str], text: str, end: int, longest: int) -> int | None:
    """The start of the word ``word`` (anchored by ``\\Z``) that ends at ``end``, if one does."""
    found = word.search(text, max(0, end - longest), end)
    return None if found is None else found.start()


def _on_day_starts(text: str, found: _Found) -> list[int]:
    """Where "on 23 April 2022" may begin: a word of _ON_DAY, then spaces on the line, then a day."""
    if _on_day_starts not in found:
        starts = []
        for day in _DAY_STARTS(text, found):
            end = _spaces_before(text, day, line=True)
            if end < day and text[day] not in "«\"“„" and (start := _word_before(_ON_DAY, text, end, 5)) is not None:
                starts.append(start)
        found[_on_day_starts] = starts
    return found[_on_day_starts]


def _in_year_starts(text: str, found: _Found) -> list[int]:
    """Where "in 2022" or "in the year 2022" may begin: a word of _IN_YEAR, spaces, maybe "the year" and spaces,
    then a year."""
    if _in_year_starts not in found:
        starts = set()
        for year in _SPACED_YEARS(text, found):
            ends = [_spaces_before(text, year, line=False)]
            if (year_word := _word_before(_YEAR_END, text, ends[0], 4)) is not None:
                the_end = _spaces_before(text, year_word, line=False)
                if the_end < year_word and (the := _word_before(_THE_END, text, the_end, 3)) is not None:
                    ends.append(_spaces_before(text, the, line=False))
            for end in ends:
                if (start := _word_before(_IN_YEAR, text, end, 10)) is not None:
                    starts.add(start)
        found[_in_year_starts] = sorted(starts)
    return found[_in_year_starts]


# "2022-ci il mayda 15 nəfər" is "in May 2022, 15 people": a number after a month in the locative,
# ablative or dative counts something; the day of a month follows it in the genitive ("mayın 15-i").
_NOT_BEFORE_A_DAY = frozenset(
    month + suffix for month in _AZERBAIJANI_MONTHS for suffix in _AZERBAIJANI_MONTH_PLACE_SUFFIXES
)


# Order does not matter: where mentions overlap, the longest wins.
_DATE_PATTERNS = (
    # 23 April 2022 · 23rd of April, 2022 · 23 апреля 2022 г. · 23 aprel 2022-ci il · 23-го мая 2022 ·
    # «17» декабря 2009 г. (the Russian official form quotes the day). A number at the end of a line is
    # not joined to a month on the next ("Page 5" / "April 2022 Report"), unless a word that introduces
    # a date comes before it ("on 23" / "April 2022", the line wrapped in running text).
    _pattern(rf"{_B}(?P<quote>[«\"“„])?{_DAY}(?(quote)[»\"”“])(?:{_EN_ORDINAL}|{_RU_DAY_SUFFIX}){_LINE_SEP}"
             rf"(?:day{_SEP})?(?:of{_SEP})?{_MONTH}{_COMMA_SEP}{_YEAR}{_YEAR_TAIL}{_E}", DAY,
             starts=_DAY_STARTS),
    _pattern(rf"{_ON_DAY_WORD}{_LINE_SEP}"
             rf"(?P<date>{_DAY}(?:{_EN_ORDINAL}|{_RU_DAY_SUFFIX}){_SEP}(?:day{_SEP})?(?:of{_SEP})?"
             rf"{_MONTH}{_COMMA_SEP}{_YEAR}{_YEAR_TAIL}){_E}", DAY, span="date", starts=_on_day_starts),
    # April 23, 2022 · Apr. 23rd 2022 · mayın 9-u, 2022-ci il
    _pattern(rf"{_B}{_MONTH}{_SEP}{_DAY}(?:{_AZ_NUMBER_SUFFIX}|{_EN_ORDINAL}){_COMMA_SEP}{_YEAR}"
             rf"{_YEAR_TAIL}{_E}", DAY, month_then_day=True, starts=_MONTH_STARTS),
    # 2022-ci il 23 aprel · 2022-ci ilin 23 aprelində
    _pattern(rf"{_B_YEAR}{_AZ_YEAR_WORD}{_COMMA_SEP}{_DAY}{_AZ_NUMBER_SUFFIX}?{_SEP}{_MONTH}{_E}",
             DAY),
    # 2022-ci il aprelin 23-ü · 2022-ci ilin aprel ayının 23-ü
    _pattern(rf"{_B_YEAR}{_AZ_YEAR_WORD}{_COMMA_SEP}{_MONTH}(?:{_SEP}ay[ıi]n(?:[ıi]n)?)?{_SEP}{_DAY}{_AZ_NUMBER_SUFFIX}?{_E}",
             DAY, month_then_day=True),
    # April 2022 · апреле 2022 года · aprel 2022-ci il
    _pattern(rf"{_B}{_MONTH}{_COMMA_SEP}{_YEAR}{_YEAR_TAIL}{_E}", MONTH, starts=_MONTH_STARTS),
    # 2022-ci ilin aprel ayı · 2022-ci ilin aprelində
    _pattern(rf"{_B_YEAR}{_AZ_YEAR_WORD}{_SEP}{_MONTH}{_E}", MONTH),
    # 23.04.2022 · 23/04/2022 · 23-04-2022 · 23.04.2022 г.
    # (the look-behinds after the first digit: see _B_YEAR; "\d(?:(?<=[0-3])\d)?" is "[0-3]?\d")
    _pattern(rf"(?P<numeric>\d(?<![\w.,/-]\d)(?:(?<=[0-3])\d)?([./-])[0-3]?\d\2[12]\d{{3}}){_NUMERIC_END}", DAY),
    # 23.04.22 · 23/04/22: a two-digit year needs a two-digit day and month
    _pattern(rf"(?P<numeric>[0-3](?<![\w.,/-][0-3])\d([./])[0-3]\d\2\d{{2}}){_NUMERIC_END}", DAY),
    # 23.IV.2022 · 23.IV.2022 г.: the month in capital Roman numerals, as Russian and Central European letters write it
    _pattern(rf"(?P<roman>\d(?<![\w.,/-]\d)(?:(?<=[0-3])\d)?\.(?-i:{_ROMAN_MONTH})\.[12]\d{{3}}){_NUMERIC_END}", DAY),
    # 2022-04-23 · 2022/04/23 · 2022.04.23 · 2022-04-23T10:15:00Z (the date alone, of an ISO date and time)
    _pattern(rf"(?P<iso>[12](?<![\w.,/-][12])\d{{3}}([./-])[01]?\d\2[0-3]?\d)"
             rf"(?:(?<=-\d\d)(?=T[0-2]\d:[0-5]\d)|{_NUMERIC_END})", DAY),
    # in 2022 · since 1991: the mention is the year alone
    _pattern(rf"{_IN_YEAR_WORD}{_SEP}(?:the{_SEP}year{_SEP})?{_YEAR}{_E}(?!{_MEASURED})", YEAR, span="year",
             counted=True, starts=_in_year_starts),
    # 2022 году · с 1991 г. · 2022-ci ildə ("г"/"г." alone, which may be grams, is the group "abbreviation")
    _pattern(rf"{_B_YEAR}(?:(?P<abbreviation>\s*(?:г\.|г(?!\w)))|{_RU_YEAR_WORD}|{_AZ_YEAR_SUFFIX}\s+il\w*)", YEAR),
    # Ranges: the end is read by the patterns above, these read the other end (see _range_end_after).
    # 23–25 апреля 2022 г. · 23-25 April 2022 · 23–25 aprel 2022-ci il: the first day, in the month and year of the
    # last. No space around the dash: "Page 5 - 23 April 2022" is a page and a date.
    _pattern(rf"(?P<first_day>\d(?<![\w.,/-]\d)(?:(?<=[0-3])\d)?){_EN_ORDINAL}{_DASH}"
             rf"(?={_DAY}{_EN_ORDINAL}{_LINE_SEP}(?:of{_SEP})?{_MONTH}{_COMMA_SEP}{_YEAR}{_YEAR_TAIL}{_E})", DAY,
             span="first_day"),
    # April 23–25, 2022 · Sept. 5-9 2021: the first day (the mention "23") and the last ("25, 2022"), in the month
    # before them and the year after
    _pattern(rf"{_B}{_MONTH}{_SEP}(?P<first_day>[0-3]?\d){_EN_ORDINAL}{_DASH}"
             rf"(?={_DAY}{_EN_ORDINAL}{_COMMA_SEP}{_YEAR}{_E})", DAY, span="first_day", month_then_day=True,
             starts=_MONTH_STARTS),
    _pattern(rf"{_B}{_MONTH}{_SEP}(?P<first_day>[0-3]?\d){_EN_ORDINAL}{_DASH}"
             rf"(?P<last>{_DAY}{_EN_ORDINAL}{_COMMA_SEP}{_YEAR}){_E}", DAY, span="last", month_then_day=True,
             starts=_MONTH_STARTS),
    # 1992–1994 гг. · в 1992-1994 годах · 1992–1994-cü illər: the first year, marked as a year by the word after the
    # last
    _pattern(rf"(?P<first_year>[12](?<![\w.,/-][12])\d{{3}})[\s\xa0]*{_DASH}[\s\xa0]*"
             rf"(?={_YEAR}(?:(?P<abbreviation>\s*(?:г\.|г(?!\w)))|{_RU_YEAR_WORD}|{_AZ_YEAR_SUFFIX}\s+il\w*))", YEAR,
             span="first_year"),
    # in 1992-1994: the last year, marked as a year by the word before the first (read by "in 2022")
    _pattern(rf"{_IN_YEAR_WORD}{_SEP}(?:the{_SEP}years?{_SEP})?(?P<first_year>[12]\d{{3}}){_DASH}{_YEAR}{_E}"
             rf"(?!{_MEASURED})", YEAR, span="year", counted=True, starts=_in_year_starts),
    # 23.04.2022-25.04.2022 · 01/01/2020-31/12/2020: a hyphen glues no number to a numeric date ("12.05.1970-1"),
    # but it may join two of them. The first end, then the last.
    _pattern(rf"(?P<numeric>{_RANGE_FIRST})-(?={_RANGE_LAST}{_NUMERIC_END})", DAY, span="numeric"),
    _pattern(rf"{_RANGE_FIRST}-(?P<last>(?P<numeric>{_RANGE_LAST}){_NUMERIC_END})", DAY,
             span="last"),
)

# -- values -------------------------------------------------------------------------


@dataclass(frozen=True)
class DateMention:
    """A date written in a text: ``text == source[start:end]``.

    ``precision`` is ``"day"``, ``"month"`` or ``"year"``; for the coarser
    precisions ``value`` is the first day of the month or year.
    """

    start: int
    end: int
    text: str
    value: dt.date
    precision: str


def find_dates(text: str, *, dayfirst: bool = True) -> list[DateMention]:
    """Every readable date in ``text``, in order, without overlaps."""
    unreadable: list[tuple[int, int]] = []
    candidates = sorted(_candidates(text, dayfirst, unreadable), key=lambda m: (m.start, m.start - m.end))
    mentions: list[DateMention] = []
    for mention in candidates:
        if mentions and mention.start < mentions[-1].end:
            continue
        # "31 February 2022" is no date at all, not "February 2022".
        if any(start <= mention.start and mention.end <= end for start, end in unreadable):
            continue
        mentions.append(mention)
    return mentions


def parse_date(text: str, *, dayfirst: bool = True) -> dt.date | None:
    """The date of one date expression ("23 апреля 2022 г.", "2022-04-23"), or ``None``.

    Only a full date (day, month and year) is returned; "April 2022" gives ``None``.
    A compact "20220423" is read as year-month-day.
    """
    for mention in find_dates(text, dayfirst=dayfirst):
        if mention.precision == DAY:
            return mention.value
    compact = _COMPACT_DATE.fullmatch(text.strip())
    if compact:
        return _safe_date(int(compact[1]), int(compact[2]), int(compact[3]))
    return None


_COMPACT_DATE = re.compile(r"([12]\d{3})([01]\d)([0-3]\d)")


def _candidates(text: str, dayfirst: bool, unreadable: list[tuple[int, int]]) -> Iterator[DateMention]:
    starts_found: _Found = {}
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text, starts_found):
            if pattern.month_then_day and _fold(match["month"]) in _NOT_BEFORE_A_DAY:
                continue
            value = _read(match, pattern.precision, dayfirst, pattern.span)
            if value is not None and not _range_end_after(match, pattern.precision):
                continue
            if (value is not None and pattern.counted and not _year_spoken_of(value.year)
                    and _COUNTED.match(text, match.end())):
                continue
            if value is not None and match.groupdict().get("abbreviation") and not _year_spoken_of(value.year):
                continue  # "1500 г." alone: grams, or a number
            if value is None and pattern.precision == DAY and match.groupdict().get("month"):
                unreadable.append(match.span())
            if value is not None:
                start, end = match.span(pattern.span or 0)
                yield DateMention(start, end, text[start:end], value, pattern.precision)


def _range_end_after(match: re.Match[str], precision: str) -> bool:
    """Whether a range's last end comes after its first ("23–25 April", "1992–1994"), as it must; True for a date
    that is no end of a range. "25-23 April 2022" is no range, nor is "1900-2500 г." (grams)."""
    groups = match.groupdict()
    if groups.get("first_day"):
        return int(groups["first_day"]) < int(groups["day"])
    if groups.get("first_year"):
        first, last = int(groups["first_year"]), int(groups["year"])
        return first < last and not (groups.get("abbreviation") and not _year_spoken_of(last))
    return True


def _read(match: re.Match[str], precision: str, dayfirst: bool, span: str | None = None) -> dt.date | None:
    """The date of a match; of the first end of a range where ``span`` is that end's group."""
    groups = match.groupdict()
    if groups.get("iso"):
        return _read_numeric(groups["iso"], dayfirst=False, yearfirst=True)
    if groups.get("roman"):
        day, month, year = groups["roman"].split(".")
        return _safe_date(int(year), _ROMAN_MONTHS.index(month) + 1, int(day))
    if groups.get("numeric"):
        return _read_numeric(groups["numeric"], dayfirst=dayfirst, yearfirst=False)
    year = int(groups["year"])
    if precision == YEAR:
        return dt.date(int(groups["first_year"]) if span == "first_year" else year, 1, 1)
    # What dateutil reads from "DAY MONTH YEAR" (checked for every month name, day and a range of years).
    month = _MONTH_NUMBERS.get(_fold(groups["month"]))
    if month is None:
        return None
    return _safe_date(year, month, 1 if precision == MONTH else int(groups[span if span == "first_day" else "day"]))


def _read_numeric(expression: str, *, dayfirst: bool, yearfirst: bool) -> dt.date | None:
    """A numeric date, if dateutil's reading uses the written numbers (and no default)."""
    parts = _NUMBER.findall(expression)
    numbers = [int(part) for part in parts]
    if expression.isascii():
        parsed = _numbers_as_dateutil_reads_them(parts, dayfirst=dayfirst, yearfirst=yearfirst)
    else:  # digits of another script
        parsed = _parse_with_dateutil(expression, dayfirst=dayfirst, yearfirst=yearfirst)
    if parsed is None:
        return None
    year = numbers.pop(0) if yearfirst else numbers.pop()
    if parsed.year % (100 if year < 100 else 10_000) != year:
        return None
    if sorted(numbers) != sorted((parsed.month, parsed.day)):
        return None
    if dayfirst and "." in expression and parsed.day != numbers[0]:
        return None  # a dotted date is never month first where days come first ("01.13.2022", "10.15.30")
    if year < 100 and parsed.year > dt.date.today().year:
        parsed = parsed.replace(year=parsed.year - 100)  # "12.05.70" is 1970, not a date to come
    return parsed


_NUMBER = re.compile(r"\d+")


def _numbers_as_dateutil_reads_them(parts: list[str], *, dayfirst: bool, yearfirst: bool) -> dt.date | None:
    """The date dateutil's parser reads from three numbers written with separators ("23.04.2022", "2022-04-23",
    "23/04/22"), or ``None``: its rules for three numbers without a month name (``_ymd.resolve_ymd``), without
    tokenizing the text, for the shapes the numeric patterns match (tested against dateutil for every day, month,
    separator and two-digit year, and a range of four-digit years)."""
    first, second, third = values = [int(part) for part in parts]
    long = [len(part) > 2 for part in parts]  # a number of more than two digits is the year
    if first > 31 or long[0] or (yearfirst and second <= 12 and third <= 31):
        year, day, month = values if dayfirst and third <= 12 else (first, third, second)
    elif first > 12 or (dayfirst and second <= 12):
        day, month, year = values
    else:
        month, day, year = values
    return _safe_date(_PARSER.info.convertyear(year, any(long)), month, day)
_DEFAULT = dt.datetime(1904, 1, 1)


@lru_cache(maxsize=4096)
def _parse_with_dateutil(expression: str, *, dayfirst: bool, yearfirst: bool) -> dt.date | None:
    """Read a complete date expression (day, month and year written) with dateutil."""
    try:
        parsed = _PARSER.parse(expression, default=_DEFAULT, dayfirst=dayfirst,
                               yearfirst=yearfirst, ignoretz=True)
    except (ValueError, OverflowError):
        return None
    return parsed.date()


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- datelines ----------------------------------------------------------------------

_DATELINE_WINDOW = 12  # non-empty lines examined at the end and at the top
_DATELINE_MAX_LENGTH = 160
_DATELINE_CHARACTERS = 20_000  # of the text's head and tail looked at
_DATELINE_PREFIX = re.compile(
    r"""^(?:
        [^\W\d][\w'’.\- ]*(?:,\s*[^\W\d][\w'’.\- ]*){0,4}\s*[,–—-]\s*   # place, place, …,
      | (?:date|dated|дата|от|tarix)\s*[:.]?\s*                     # Date: / от / Tarix:
      | (?:(?:исх|вх|ref|our\s+ref)\.?\s*)?(?:№|no\.|nömrə)\s*[\w/.\-]+   # a letter's number: "Исх. № 12/345 от",
        \s*(?:,|от|of|dated)\s*                                        # "Ref. No. 12/345 of", "No. 12/345,"
    )?$""",
    re.IGNORECASE | re.VERBOSE,
)
# "Date of birth – 12.05.1970", "Дата рождения – …", "Doğum tarixi – …": a field of a form, not the
# document's own date (only a bare "Date:" / "Дата:" / "Tarix:" introduces a dateline).
_FIELD_LABEL = re.compile(r"(?<!\w)(?:date|dated|дата|tarix\w*|birth|born|рожд\w*|doğum\w*)(?!\w)", re.IGNORECASE)
# "Fourth Geneva Convention, 12 August 1949", "Оттавская конвенция, 18 сентября 1997 г.": a treaty cited with the
# date it was signed (a list of sources at the end of an appeal), not a place the document was written in.
_INSTRUMENT_NAME = re.compile(
    r"(?<!\w)(?:conventions?|treaty|конвенц\w*|konvensiya\w*|(?:additional\s+)?protocols?\s+(?:I|II|III|IV|V)"
    r"|дополнительн\w*\s+протокол\w*|əlavə\s+protokol\w*)(?!\w)",
    re.IGNORECASE,
)
_BARE_DATE_LABEL = re.compile(r"^\s*(?:date|dated|дата|от|tarix)\s*[:.]?\s*$", re.IGNORECASE)
_DATELINE_SUFFIX = re.compile(r"^[\s.,;:)\]–—-]*(?:№\s*\S+|no\.?\s*\S+)?[\s.]*$", re.IGNORECASE)


# Markdown marks around a whole line: "# Heading", "## Heading ##", "*Shusha, 23 April 2022*", "**…**", "__…__".
_HEADING_MARKS = re.compile(r"^#{1,6}\s+|\s+#+$")
_EMPHASIS = re.compile(r"(\*{1,3}|_{1,3})(\S(?:.*\S)?)\1")


def plain_line(line: str) -> str:
    """``line`` stripped, without the Markdown marks that wrap a whole line (a heading's ``#``, emphasis)."""
    line = _HEADING_MARKS.sub("", line.strip())
    emphasised = _EMPHASIS.fullmatch(line)
    return emphasised.group(2) if emphasised else line


def is_dateline(line: str) -> bool:
    """Whether a line is a dateline: an optional place ("Shusha, ") and a full date, nothing else."""
    return _dateline_value(line) is not None


def _dateline_value(line: str, dayfirst: bool = True) -> dt.date | None:
    line = plain_line(line)
    if not line or len(line) > _DATELINE_MAX_LENGTH:
        return None
    # Only the line's first date: one after another date ends a range ("В период 23.04.2022 – 25.04.2022 г.",
    # whose first end the place pattern, which allows digits, would take for a place).
    mention = next(iter(find_dates(line, dayfirst=dayfirst)), None)
    if mention is None or mention.precision != DAY:
        return None
    prefix, suffix = line[: mention.start], line[mention.end:]
    if _FIELD_LABEL.search(prefix) and not _BARE_DATE_LABEL.match(prefix):
        return None
    if _INSTRUMENT_NAME.search(prefix):
        return None
    if len(prefix.split()) <= 12 and _DATELINE_PREFIX.match(prefix) and _DATELINE_SUFFIX.match(suffix):
        return mention.value
    return None


def find_dateline(text: str, *, dayfirst: bool = True) -> dt.date | None:
    """The document's own date: the last dateline near the end, else the first near the top.

    ``dayfirst`` reads an ambiguous numeric dateline as :func:`find_dates` reads the dates in the text.
    """
    tail = text[-_DATELINE_CHARACTERS:]
    tail_lines = tail.splitlines()
    if len(tail) < len(text):
        tail_lines = tail_lines[1:]  # the first line of a cut tail may be cut too
    for line in reversed([line for line in tail_lines if line.strip()][-_DATELINE_WINDOW:]):
        value = _dateline_value(line, dayfirst)
        if value is not None:
            return value
    head_lines = text[:_DATELINE_CHARACTERS].splitlines()
    if len(text) > _DATELINE_CHARACTERS:
        head_lines = head_lines[:-1]  # so may the last line of a cut head
    head_lines = [line for line in head_lines if line.strip()]
    for line in head_lines[:_DATELINE_WINDOW]:
        value = _dateline_value(line, dayfirst)
        if value is not None:
            return value
    return None


# -- PDF metadata -------------------------------------------------------------------

_PDF_DATE = re.compile(
    r"""^(?:D:)?\s*
    (?P<year>\d{4})(?P<month>\d{2})?(?P<day>\d{2})?
    (?P<hour>\d{2})?(?P<minute>\d{2})?(?P<second>\d{2})?
    (?:\.\d+)?
    # a zone only after a day: "2022-04" is no "2022, UTC-4"
    (?(day)(?P<tz>[Zz](?:00'?00'?)?|(?P<sign>[+-])(?P<tzhour>\d{2})(?:'?(?P<tzminute>\d{2}))?'?)?)
    \s*$""",
    re.VERBOSE,
)


def parse_pdf_date(value: str) -> dt.datetime | None:
    """A PDF metadata date ("D:20220414132421+05'24'") as a datetime, or ``None``.

    Fields the PDF leaves out take their PDF-standard defaults (January, the
    1st, midnight). With a time zone the result is aware, without one naive.
    Producers that ignore the standard and write ISO 8601 or a C ``asctime``
    ("Thu Apr 14 13:24:21 2022") are read too, when day, month and year are all there.
    """
    if not isinstance(value, str):
        return None
    match = _PDF_DATE.match(value.strip())
    if match is None:
        return _parse_other_timestamp(value.strip())
    parts = {name: int(match[name] or default) for name, default in (
        ("year", 0), ("month", 1), ("day", 1), ("hour", 0), ("minute", 0), ("second", 0))}
    tzinfo: dt.tzinfo | None = None
    if match["tz"]:
        if match["sign"]:
            hours, minutes = int(match["tzhour"]), int(match["tzminute"] or 0)
            if hours > 23 or minutes > 59:
                return None
            offset = dt.timedelta(hours=hours, minutes=minutes)
            tzinfo = dt.timezone(-offset if match["sign"] == "-" else offset)
        else:
            tzinfo = dt.UTC
    try:
        return dt.datetime(tzinfo=tzinfo, **parts)
    except ValueError:
        return None


def pdf_date_written(value: str) -> str | None:
    """A PDF metadata date as far as it is written: "2022", "2022-04" or "2022-04-14", or ``None``.

    :func:`parse_pdf_date` fills what "D:2022" leaves out with January the 1st; a document's
    date must not (see ``YYYY-MM`` / ``YYYY`` in the sidecar format).
    """
    parsed = parse_pdf_date(value)
    if parsed is None:
        return None
    match = _PDF_DATE.match(value.strip())
    if match is not None and not match["month"]:
        return f"{parsed.year:04d}"
    if match is not None and not match["day"]:
        return f"{parsed.year:04d}-{parsed.month:02d}"
    return parsed.date().isoformat()


def _parse_other_timestamp(value: str) -> dt.datetime | None:
    if not value or len(value) > 64:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        pass
    parsed = []
    # Two defaults that differ in every field: a field dateutil fills from them was not written.
    # Read day first and month first: "05/04/2022" is refused, "14/04/2022" is not ambiguous.
    for default, dayfirst in ((dt.datetime(1904, 1, 1), False), (dt.datetime(1908, 2, 2), True)):
        try:
            parsed.append(_PARSER.parse(value, default=default, dayfirst=dayfirst, ignoretz=True))
        except (ValueError, OverflowError):
            return None
    first, second = parsed
    return first if first.date() == second.date() else None
