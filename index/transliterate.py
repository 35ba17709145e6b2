"""Scripts and spellings: which language a word is written in, and its English-style Latin spelling.

The archive's documents are in English, Russian and Azerbaijani, and the same
place is written ``Shusha``, ``Şuşa`` or ``Шуша``. This module decides, from
its letters alone, which of the three a single word belongs to
(:func:`script_of`), and spells Azerbaijani and Russian words the way English
texts render Azerbaijani names (:func:`azerbaijani_to_latin`,
:func:`russian_to_latin`): ``Xocalı`` → ``khojali``, ``Ходжалы`` →
``khojaly``, ``Тертер`` → ``terter``. The output is lower-case ASCII for the
letters of those alphabets, ready for the English stemmer.

Stemming, and deciding which spellings are emitted as index terms, is left to
:mod:`index.analysis`; known place names and their spellings to the gazetteer
(:mod:`archive.analyse.places`).
"""

from __future__ import annotations

import re
from typing import Literal

Script = Literal["en", "ru", "az"]

#: Letters that occur in Azerbaijani (and Turkish) but not in English.
AZERBAIJANI_LETTERS = frozenset("əƏğĞıİşŞçÇöÖüÜ")

#: Endings of Azerbaijani plurals that an English word seldom has ("minalar", "yollarda").
AZERBAIJANI_PLURAL_ENDINGS = ("lar", "ları", "lari", "ların", "larin", "larda", "lardan", "larla", "lardakı")

#: English words ending in "-lar" that must stay English ("similar", "regular", "dollar").
ENGLISH_LAR_ENDINGS = ("ular", "ilar", "olar", "ellar", "illar", "ollar", "glar", "mplar")

#: Azerbaijani letters as English texts spell them: Tərtər → tartar, Gəncə → ganja, Xocalı → khojali.
AZERBAIJANI_TO_LATIN = str.maketrans({
    "ə": "a", "ş": "sh", "ç": "ch", "x": "kh", "ğ": "gh", "c": "j", "q": "g",
    "ı": "i", "ö": "o", "ü": "u", "w": "v",
})

#: Russian letters as English texts spell Azerbaijani names written in Russian.
RUSSIAN_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Letters of other Cyrillic alphabets met in names.
    "ә": "a", "ғ": "gh", "ҹ": "j", "һ": "h", "ү": "u", "ө": "o", "ј": "y", "і": "i", "ї": "yi", "є": "ye",
})

CYRILLIC = re.compile(r"[\u0400-\u052f]")
#: "дж" is one sound, written "j" (Ходжалы → Khojaly, Гянджа → Ganja).
RUSSIAN_DZH = re.compile(r"дж")
#: "е" opening a word or following a vowel sounds "ye" (Евлах → Yevlakh).
RUSSIAN_IOTATED_E = re.compile(r"(?:^|(?<=[аеёиоуыэюяьъ]))е")


def script_of(word: str) -> Script:
    """``"ru"`` for Cyrillic words, ``"az"`` for Azerbaijani ones, ``"en"`` for every other word.

    A word is Azerbaijani when it holds a letter English lacks (ə ğ ı ş ç ö ü, İ),
    or ends like an Azerbaijani plural ("minalar") and not like an English word
    ("similar", "regular").
    """
    if CYRILLIC.search(word):
        return "ru"
    if not AZERBAIJANI_LETTERS.isdisjoint(word):
        return "az"
    lowered = word.lower()
    if lowered.endswith(AZERBAIJANI_PLURAL_ENDINGS) and len(lowered) >= 6 and not lowered.endswith(ENGLISH_LAR_ENDINGS):
        return "az"
    return "en"


def azerbaijani_lower(word: str) -> str:
    """``word`` in lower case with Azerbaijani dotted and dotless capitals: İ → i, I → ı."""
    if "I" in word or "İ" in word:
        word = word.replace("İ", "i").replace("I", "ı")
    return word.lower()


def azerbaijani_to_latin(word: str) -> str:
    """An Azerbaijani word (lower case) spelt with English letters: ``ağdam`` → ``aghdam``."""
    return word.translate(AZERBAIJANI_TO_LATIN)


def russian_to_latin(word: str) -> str:
    """A Russian word (lower case) spelt with English letters: ``ходжалы`` → ``khojaly``."""
    word = RUSSIAN_DZH.sub("j", word.replace("ё", "е"))
    word = RUSSIAN_IOTATED_E.sub("ye", word)
    return word.translate(RUSSIAN_TO_LATIN)
