"""Which language a page is written in: English, Russian, Azerbaijani or something else.

:func:`detect_language` looks at the first :data:`SAMPLE_SIZE` characters of
a text and answers ``"en"``, ``"ru"``, ``"az"``, ``"other"`` or ``"und"``
(undetermined: empty, too short, or no evidence either way). It is pure
Python and linear in the sample, so it can run on every page of a large
batch. The evidence, in order:

1. Script. Whichever of Cyrillic, Latin or any other script has most letters
   decides the branch; a text mostly in another script (Armenian, Arabic,
   Georgian…) is ``"other"``.
2. Cyrillic: letters Russian does not have (Ukrainian і ї є ґ, Serbian and
   Macedonian ђ ј љ њ ћ џ, Kazakh қ ң ұ…) against the letters only Russian has
   (ы э ъ ё), then Russian against Bulgarian/Ukrainian function words.
   Azerbaijani written in Soviet-era Cyrillic (ә ҹ ј) is ``"az"``.
3. Latin: the Azerbaijani schwa ``ə`` is decisive. Otherwise function words
   ("və", "ilə", "üçün" against Turkish "ve", "ile", "için"; "the", "of"
   against French, German, Spanish…) decide; ``q`` and ``x`` tip Turkic text
   without function words to Azerbaijani. Turkish and the other Latin
   languages are ``"other"``.

Telling mixed pages apart line by line is left to callers; a page gets the
language most of its sample is in.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

__all__ = ["LANGUAGES", "SAMPLE_SIZE", "detect_language", "detect_languages"]

#: Every answer :func:`detect_language` gives.
LANGUAGES = ("en", "ru", "az", "other", "und")
#: Characters of a text that are looked at.
SAMPLE_SIZE = 5000
#: Fewer letters than this and the answer is "und".
MIN_LETTERS = 12


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Letters, Cyrillic and Latin characters are counted by removing every run of what they are not: one
# match per run instead of a one-character string per letter.
_NOT_LETTERS = re.compile(r"[\W\d_]+")  # letters: [^\W\d_]
_NOT_CYRILLIC = re.compile(r"[^\u0400-\u052f]+")
_NOT_LATIN = re.compile(r"[^A-Za-z\u00c0-\u024f\u0259]+")
_WORD = re.compile(r"[^\W\d_]+")

_RUSSIAN_ONLY_LETTERS = frozenset("ыэё")  # Belarusian shares them, but also has ў and і
_NON_RUSSIAN_CYRILLIC = frozenset("іїєґђјљњћџѓќѕўқңұәғөүһҹ")
_AZERBAIJANI_CYRILLIC_MARKERS = frozenset("ҹ")

_RUSSIAN_WORDS = _words(
    "что это как он она они был была были который которые также только для может будет "
    "уже его их этого этой этом так же если чтобы"
)
_OTHER_CYRILLIC_WORDS = _words(
    # Bulgarian, Macedonian, Serbian and Ukrainian function words Russian does not use.
    "че се са е това които който която към със във ще й і та що як це від але або був "
    "була ці його її је су од као што али"
)

_ENGLISH_WORDS = _words(
    "the and of to in is that for was were on with as by are be this which from at it an "
    "has have had not or its their been shall will would these those who"
)
# Turkic words written alike in Azerbaijani and Turkish: evidence against English, not between the two.
_TURKIC_SHARED_WORDS = _words("bir bu da de ki olan sonra bütün onun her lakin")
_AZERBAIJANI_WORDS = _words(
    "və ilə üçün də isə hər kimi olunur edilib tərəfindən haqqında qədər görə ərazisində "
    "ildə ilin həm amma dövlət respublikası rayonu şəhəri zamanı nəticəsində əsasən "
    "həmçinin deyil"
)
_TURKISH_WORDS = _words(
    "ve ile için olarak tarafından hakkında gibi daha kadar göre çok ama veya ancak "
    "değil ise şekilde yılında"
)
_OTHER_LATIN_WORDS = _words(
    # French, German, Spanish, Italian, Portuguese, Dutch
    "le la les des et est une du que dans pour sur pas au aux qui "
    "der die und das ist nicht mit den von zu dem ein eine auch sich "
    "el los las y en por con una del para es "
    "il di che non per della sono gli "
    "os não uma com "
    "het een van niet"
) - _ENGLISH_WORDS
_OTHER_LATIN_LETTERS = frozenset("ßäàâèéêëîïñåøæœąęłżźćńřěůčžš")
_TURKIC_LETTERS = frozenset("ğışçöü")


def detect_language(text: str) -> str:
    """The language of ``text``: "en", "ru", "az", "other", or "und" when it cannot tell."""
    sample = text[:SAMPLE_SIZE]
    letters = _count(_NOT_LETTERS, sample)
    if letters < MIN_LETTERS:
        return "und"
    cyrillic = _count(_NOT_CYRILLIC, sample)
    latin = _count(_NOT_LATIN, sample)
    if letters - cyrillic - latin > max(cyrillic, latin):
        return "other"
    lowered = sample.lower()
    if cyrillic > latin:
        return _cyrillic_language(lowered, cyrillic)
    return _latin_language(lowered, latin)


def _count(others: re.Pattern[str], text: str) -> int:
    """How many characters of ``text`` the runs ``others`` matches leave."""
    return len(others.sub("", text))


def detect_languages(pages: Iterable[str]) -> tuple[str, ...]:
    """The languages of a document's pages, the one with most text first ("und" left out)."""
    weights: dict[str, int] = {}
    for page in pages:
        language = detect_language(page)
        if language != "und":
            weights[language] = weights.get(language, 0) + len(page.strip())
    return tuple(sorted(weights, key=lambda language: -weights[language]))


def _cyrillic_language(lowered: str, cyrillic_letters: int) -> str:
    counts = _letter_counts(lowered, _RUSSIAN_ONLY_LETTERS | _NON_RUSSIAN_CYRILLIC)
    if any(counts[letter] for letter in _AZERBAIJANI_CYRILLIC_MARKERS) or (
        counts["ә"] * 200 > cyrillic_letters and counts["ј"]
    ):
        return "az"
    russian_letters = sum(counts[letter] for letter in _RUSSIAN_ONLY_LETTERS)
    foreign_letters = sum(counts[letter] for letter in _NON_RUSSIAN_CYRILLIC)
    if foreign_letters * 100 >= cyrillic_letters and foreign_letters > russian_letters:
        return "other"
    if russian_letters == 0:
        # Bulgarian and Serbian without their telltale letters: ъ inside words and function words.
        words = Counter(_WORD.findall(lowered))
        russian_words = _occurrences(words, _RUSSIAN_WORDS)
        other_words = _occurrences(words, _OTHER_CYRILLIC_WORDS)
        if other_words + lowered.count("ъ") > russian_words:
            return "other"
    return "ru"


def _latin_language(lowered: str, latin_letters: int) -> str:
    schwa = lowered.count("ə")
    words = Counter(_WORD.findall(lowered))
    azerbaijani = _occurrences(words, _AZERBAIJANI_WORDS)
    turkish = _occurrences(words, _TURKISH_WORDS)
    shared = _occurrences(words, _TURKIC_SHARED_WORDS)
    english = _occurrences(words, _ENGLISH_WORDS)
    other = _occurrences(words, _OTHER_LATIN_WORDS)
    if schwa >= 2 or (schwa and latin_letters < 200):
        # The schwa is Azerbaijani, but so are the names an English report quotes ("Kəlbəcər"):
        # it decides unless another language's function words outnumber the words that hold it.
        azerbaijani_evidence = azerbaijani + shared + sum(n for word, n in words.items() if "ə" in word)
        if max(english, other) <= azerbaijani_evidence:
            return "az"
    scores = {
        "en": english,
        "turkic": azerbaijani + turkish + shared + _rate_evidence(lowered, _TURKIC_LETTERS, latin_letters),
        "other": other
        + _rate_evidence(lowered, _OTHER_LATIN_LETTERS, latin_letters),
    }
    best = max(scores, key=lambda family: scores[family])
    if scores[best] == 0 or list(scores.values()).count(scores[best]) > 1:
        return "und"
    if best == "turkic":
        # Azerbaijani writes q and x where Turkish writes k and h: 1 point per 1% of letters.
        q_and_x = min(5, (lowered.count("q") + lowered.count("x")) * 100 // max(latin_letters, 1))
        return "az" if azerbaijani + q_and_x > turkish else "other"
    return best


def _occurrences(words: Counter[str], listed: frozenset[str]) -> int:
    """How many of the words counted in ``words`` are in ``listed``."""
    return sum(words[word] for word in listed & words.keys())


def _letter_counts(lowered: str, letters: frozenset[str]) -> dict[str, int]:
    return {letter: lowered.count(letter) for letter in letters}


def _rate_evidence(lowered: str, letters: frozenset[str], total_letters: int) -> int:
    """How many points a set of telltale letters earns: one per 2% of the letters, at most 5."""
    count = sum(lowered.count(letter) for letter in letters)
    return min(5, count * 50 // max(total_letters, 1))
