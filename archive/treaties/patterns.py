"""Regular-expression building blocks for treaty references (first pipeline stage).

Defines the vocabulary the finder uses, in English, Russian, Azerbaijani and
French (names, ordinals, and the unambiguous citation words: article, alinéa,
paragraphe, "de la", "et", "à", "et suivants"): how instruments are named
(:func:`mention_specs`, built partly from the catalogue's own names and partly
from hand-written grammar for ordinals, roman numerals and inflection), how
article citations are written (keywords, pinpoints, lists, ranges, "et seq.",
paragraph prefixes and suffixes), and the trigger words of the fast pre-scan.
It only declares patterns: finding them in text is
:mod:`archive.treaties.find`, deciding what they mean is
:mod:`archive.treaties.resolve`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from archive.treaties.catalogue import Catalogue, load_catalogue

try:  # CPython's regex parser: private, so first_characters() gives up ("any character") without it
    import re._constants as _sre_constants
    import re._parser as _sre_parser
except ImportError:  # pragma: no cover - another Python
    _sre_constants = _sre_parser = None

# Kinds of mention. "instrument" names one catalogue instrument; the others are
# decided in context by the resolver.
INSTRUMENT = "instrument"
PROTOCOL_TWO = "protocol_two"  # "Protocol II": Additional (1977) or CCW Amended (1996)
GENEVA_SINGLE = "geneva_single"  # "the Geneva Convention" without a number
GENEVA_PLURAL = "geneva_plural"  # "the Geneva Conventions"
GENERIC_CONVENTION = "generic_convention"  # "the Convention", "this Treaty", "Конвенции"
GENERIC_PROTOCOL = "generic_protocol"  # "the Protocol"
GENERIC_ANY = "generic_any"  # "ibid.", "там же"
FOREIGN = "foreign"  # a named instrument outside the catalogue: laws, codes, other treaties
CCW_FRAME = "ccw_frame"  # the CCW framework convention itself (not in the catalogue)
PROTOCOL_LIST = "protocol_list"  # "Additional Protocols I and II"
GENEVA_LIST = "geneva_list"  # "the Third and Fourth Geneva Conventions"

SPECIFIC_TIER = 0
GENERIC_TIER = 1


@dataclass(frozen=True)
class MentionSpec:
    """One way of naming an instrument: a regex, what it means, and whether it stands alone.

    ``standalone`` False marks risky abbreviations (API, PI, MBT...) that only
    count when attached to an article citation.
    """

    pattern: str
    kind: str
    value: str = ""
    standalone: bool = True
    tier: int = SPECIFIC_TIER


ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4}
ROMAN_NUMERAL = re.compile(r"[IVXLC]+")
GC_BY_NUMBER = {1: "GCI", 2: "GCII", 3: "GCIII", 4: "GCIV"}

ORDINALS_EN = (
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
)
ORDINAL_EN_VALUE = {word: n for n, word in enumerate(ORDINALS_EN, start=1)}
ORDINAL_EN = r"(?:" + "|".join(ORDINALS_EN) + r"|1st|2nd|3rd|(?:[4-9]|1\d|20)th)"

# Russian ordinal stems (any case ending follows).
ORDINALS_RU = (
    "перв",
    "втор",
    "трет",
    "четв[её]рт",
    "пят",
    "шест",
    "седьм",
    "восьм",
    "девят",
    "десят",
)
ORDINAL_RU = r"(?:" + "|".join(ORDINALS_RU) + r")\w*"

ORDINALS_AZ = (
    "birinci",
    "ikinci",
    "üçüncü",
    "dördüncü",
    "beşinci",
    "altıncı",
    "yeddinci",
    "səkkizinci",
    "doqquzuncu",
    "onuncu",
)
ORDINAL_AZ = r"(?:" + "|".join(ORDINALS_AZ) + r")"
# An article number written as an ordinal word, 1 to 99: "beşinci maddəsi", "on birinci maddəsi",
# "qırx doqquzuncu maddəsi" (a ten's number, then a unit's ordinal), "iyirminci maddəsi".
TENS_AZ = ("on", "iyirmi", "otuz", "qırx", "əlli", "altmış", "yetmiş", "səksən", "doxsan")
TENS_ORDINALS_AZ = (
    "onuncu",
    "iyirminci",
    "otuzuncu",
    "qırxıncı",
    "əllinci",
    "altmışıncı",
    "yetmişinci",
    "səksəninci",
    "doxsanıncı",
)
ARTICLE_ORDINAL_AZ = (
    r"(?i:(?:(?:" + "|".join(TENS_AZ) + r")\s+)?(?:" + "|".join(ORDINALS_AZ[:9]) + r")"
    r"|" + "|".join(TENS_ORDINALS_AZ) + r")(?!\w)"
)

# French ordinal stems, 1 to 10: "premier alinéa", "sixième alinéa" ("second" is also 2).
ORDINALS_FR = (
    "premi",
    "deuxi",
    "troisi",
    "quatri",
    "cinqui",
    "sixi",
    "septi",
    "huiti",
    "neuvi",
    "dixi",
)
ORDINAL_FR = (
    r"(?:premi(?:er|ère)|(?:" + "|".join(ORDINALS_FR[1:]) + r")[eè]me|seconde?"
    r"|1(?:er|re|ère)|(?:[2-9]|10)(?:e|ème|eme))(?!\w)"
)

# Azerbaijani ordinal suffix after digits: 1-ci, 3-cü, 6-cı, 9-cu, 1-nci, 1-inci.
AZ_SUFFIX = r"(?:\s?[-‐‑–]\s?|\s?)(?:n?c[iıuü]|[iıuü]nc[iıuü])(?!\w)"

DASHES = "-‐‑–—"
LETTER = r"[a-zа-я]"

# -- article citations --------------------------------------------------------

ARTICLE_KEYWORD = (
    r"(?<![\w.])(?P<kw>"
    r"(?i:articles?|arts?\.?)"
    r"|(?i:стать(?:я|и|е|ю|ей|ёй|ею|ями|ях|ям)|статей|ст\.\s?ст\.|стт?\.)"
    r"|(?i:madd(?:ə|e)(?:l[əe]r)?)"
    r")\s*(?:№\s*)?(?=\d)"
)
PLURAL_KEYWORDS = re.compile(r"(?i:articles|arts\.?|статьи|статей|статьям\w*|статьях|ст\.\s?ст\.|стт\.|madd[əe]l[əe]r)")

# "1er" is French for article 1 ("article 1er de la Convention d'Ottawa").
ARTICLE_NUMBER = r"(?P<num>\d{1,3})(?!\d)(?![.,]\d)(?:(?<=(?<!\d)1)er(?!\w))?"
PIN = r"\s?\(\s*(?P<pin>\d{1,2}|[ivx]{1,5}|" + LETTER + r")\s*\)"
RANGE_SEP = (
    r"\s*(?:[" + DASHES + r"]|(?i:to|through|till|по|до|à))\s*"
    r"(?:(?i:articles?|arts?\.?|ст\.)\s*)?(?=\d)"
)
LIST_SEP = (
    r"\s*(?:,\s*(?:(?i:and|or|et)\s+)?|;\s*|\s(?i:and|or|as\s+well\s+as|и|или|və|ilə|et|ou)\s+|\s*&\s*)"
    r"(?=\d|\()"
)
# After a list item joined by a comma, the next thing must continue the list or end it.
LIST_ITEM_END = (
    r"(?=\s*(?:[,;:.)\]]|\(|[" + DASHES + r"]|$)|\s+(?i:and|or|of|to|in|under|и|или|və)\b"
    r"|\s+[A-ZА-ЯЁƏÜÖĞÇŞİ])"
)
# Counted nouns: "Article 5 and 12 people" is not a list of articles.
COUNTED_NOUN = re.compile(
    r"\s+(?i:people|persons|civilians|mines|children|women|men|houses|villages|victims|"
    r"cases|days|months|years|times|km|per\s*cent|percent|человек\w*|мин\b|детей|лет|"
    r"дней|nəfər|mina\w*|il\b|%)"
)

# "Article 146 et seq.", "Arts. 146 ff.", "articles 146 et suivants", "ст. 146 и след.": the named article only.
AND_FOLLOWING = (
    r"\s*(?:(?i:et\s+(?:seq(?:q|uentes)?\.?|sqq?\.|suiv(?:ants|\.))|sqq?\.|и\s+(?:сл(?:ед)?\.|следующ\w*))"
    r"|ff\.?)(?!\w)"
)

PARA_WORD_EN = r"(?:paragraphs?|paras?\.?|§§?)"
SUBPARA_WORD_EN = r"(?:sub-?paragraphs?|sub-?paras?\.?|letter)"

PREFIX_EN = re.compile(
    r"(?i:"
    r"(?:(?:the\s+)?" + ORDINAL_EN + r"\s+sentences?\s+of\s+(?:the\s+)?)?"
    r"(?:" + SUBPARA_WORD_EN + r"\s*\(?\s*(?P<sub>[a-z])\s*\)?\s*,?\s*(?:of|in)\s+(?:the\s+)?)?"
    r"(?:"
    r"(?:the\s+)?(?P<ord>" + ORDINAL_EN + r")(?:\s+and\s+(?P<ord2>" + ORDINAL_EN + r"))?"
    r"\s+paragraphs?"
    r"|" + PARA_WORD_EN + r"\s*(?P<paras>\d{1,2}(?:\s*\(\s*[a-z]\s*\))?"
    r"(?:\s*(?:,|and|or|&)\s*\d{1,2})*)"
    r")?"
    r"\s*,?\s*(?:of|in)\s+(?:the\s+)?"
    r")"
    r"(?P<common>(?i:common)\s+)?$"
)
# Cheap test before the prefix regexes: is there a paragraph word or "common" at all?
PREFIX_HINT = re.compile(
    r"(?i:para|§|sub|letter|пункт|п\.|ч\.|част|абз|абзац|common|общ|ümumi|alin[ée]a|al\.|par\.|lettre)"
)
COMMON_PREFIX = re.compile(r"(?P<common>(?i:common|общ(?:ая|ей|ую|ею|ие|их)|ümumi))\s+$")

PREFIX_RU = re.compile(
    r"(?i:"
    r"(?:(?:подпункт\w*|подп\.|пп\.)\s*[«\"“„(]?\s*(?P<sub>" + LETTER + r")\s*[»\"”)]?\s+"
    r"|(?:пункт\w*|п\.)\s*[«\"“„(]\s*(?P<sub_b>" + LETTER + r")\s*[»\"”)]\s+)?"
    r"(?:(?:пункт\w*|п\.|част\w*|ч\.|абзац\w*|абз\.)\s*"
    r"(?P<paras>\d{1,2}(?:\s*(?:,|и|или)\s*\d{1,2})*|" + ORDINAL_RU + r")"
    r"|(?P<ordb>" + ORDINAL_RU + r")\s+(?:абзац\w*|пункт\w*|част\w*))"
    r"\s+(?P<common>общ\w*\s+)?"
    r")$"
)

# French: "l'alinéa 6 de l'article 49", "le paragraphe 4, lettre a), de l'article 51",
# "l'alinéa a) du paragraphe 4 de l'article 51". A letter needs its closing
# parenthesis ("alinéa a)"), so the word "a" is never read as a sub-paragraph.
PARA_WORD_FR = r"(?:alin[ée]as?|al\.|paragraphes?|par\.)"
SUB_WORD_FR = r"(?:lettre|litt?\.|alin[ée]a|al\.)"
PREFIX_FR = re.compile(
    r"(?i:"
    r"(?:(?:l['’]\s*|la\s+|le\s+)?" + SUB_WORD_FR + r"\s*(?P<sub>[a-z])\s*\)\s*,?\s*(?:du|de\s+l['’])\s*)?"
    r"(?:l['’]\s*|le\s+)?(?:" + PARA_WORD_FR + r"\s*(?P<paras>\d{1,2}(?:\s*(?:,|et|ou)\s*\d{1,2})*)(?!\d)"
    r"|(?P<ord>" + ORDINAL_FR + r")(?:\s+et\s+(?P<ord2>" + ORDINAL_FR + r"))?\s+" + PARA_WORD_FR + r")"
    r"(?:\s*,?\s*" + SUB_WORD_FR + r"\s*(?P<sub_b>[a-z])\s*\))?"
    r"\s*,?\s*de\s+l['’]\s*"
    r")$"
)

SUFFIX_EN = re.compile(
    r"(?i:\s*,?\s*(?:" + PARA_WORD_EN + r"\s*(?P<para>\d{1,2})(?:\s*\(\s*(?P<sub>[a-z])\s*\))?"
    r"|(?:the\s+)?(?P<ord>" + ORDINAL_EN + r")\s+paragraph"
    r")"
    r"(?:\s*,?\s*" + SUBPARA_WORD_EN + r"\s*\(?\s*(?P<sub2>[a-z])\s*\)?)?)"
)
SUFFIX_RU = re.compile(
    r"(?i:\s*,?\s*(?:пункт\w*|п\.|част\w*|ч\.|абзац\w*|абз\.)\s*(?P<para>\d{1,2})"
    r"(?:\s*,?\s*(?:подпункт\w*|подп\.|пп\.)\s*[«\"“(]?\s*(?P<sub>" + LETTER + r")\s*[»\"”)]?)?)"
)
SUFFIX_FR = re.compile(
    r"(?i:\s*,?\s*(?:" + PARA_WORD_FR + r"\s*(?P<para>\d{1,2})(?!\d)"
    r"|(?P<ord>" + ORDINAL_FR + r")\s+" + PARA_WORD_FR + r")"
    r"(?:\s*,?\s*" + SUB_WORD_FR + r"\s*(?P<sub>[a-z])\s*\))?)"
)
# The same pinpoint in brackets after the number: "статья 51 (пункт 2)", "Article 51 (paragraph 4)".
BRACKETED_SUFFIXES = tuple(
    re.compile(r"\s*\(" + suffix.pattern + r"\s*\)") for suffix in (SUFFIX_EN, SUFFIX_RU, SUFFIX_FR)
)
COMMON_SUFFIX = re.compile(
    r"(?i:\s*,?\s*(?:common\s+to\s+(?:all\s+)?(?:the\s+)?(?:four\s+)?(?:1949\s+)?"
    r"Geneva\s+Conventions(?:\s+of\s+(?:12\s+August\s+)?1949)?"
    r"|общ\w*\s+для\s+(?:всех\s+)?(?:четыр[её]х\s+)?Женевских\s+конвенций"
    r"|commun\s+aux\s+(?:quatre\s+)?Conventions\s+de\s+Genève(?:\s+de\s+1949)?))"
)

# Pinpoints between the number and its suffix: "51(2)-ci maddəsi", "57(2)(a)-cı maddəsi".
AZ_PINS = r"(?:\(\s*(?:\d{1,2}|[ivx]{1,5}|[a-z])\s*\)){0,3}"
AZ_NUMBERED = r"\d{1,3}(?!\d)" + AZ_PINS + r"(?:" + AZ_SUFFIX + r")?"
AZ_CITATION = (
    r"(?<![\w/.\-])(?:(?P<items>" + AZ_NUMBERED + r"(?:\s*(?:,|və|ilə|[" + DASHES + r"])\s*" + AZ_NUMBERED + r")*)"
    r"|(?P<ordinal>" + ARTICLE_ORDINAL_AZ + r"(?:\s*(?:,|və)\s*" + ARTICLE_ORDINAL_AZ + r")*))"
    r"\s+(?:saylı\s+)?(?P<kw>(?i:madd(?:ə|e)\w*))"
)
AZ_PARAGRAPH = re.compile(
    r"\s+(?:(?P<paras>\d{1,2}" + AZ_SUFFIX + r"(?:\s*(?:,|və)\s*\d{1,2}" + AZ_SUFFIX + r")*)"
    r"|(?P<ord>(?i:" + ORDINAL_AZ + r")))"
    r"\s+(?P<word>(?i:bənd|hissə|abzas)\w*)"
)
AZ_SUB = re.compile(r"\s+[«\"“(]?\s*(?P<sub>[a-z])\s*[»\"”)]?\s*(?i:(?:yarım)?bənd\w*)")
COMMON_ABBREVIATION = r"(?<![\w/])CA(?P<num>[1-3])(?![\w/])"

# -- binding of a citation to the instrument after it ---------------------------

FOLLOW_CONNECTOR = re.compile(
    r"\s*,?\s*(?:[(\[]\s*)?(?P<of>(?i:of|to|under|in|from|within|de(?!\s+(?:facto|jure)\b)|du|des)\s+)?"
)
# The connectors after which an unknown name is another instrument ("Article 5 of the Law", "article 5 de la loi").
FOLLOW_OF = re.compile(r"(?i:of|de|du|des)\s+")
FOLLOW_DETERMINER = re.compile(
    r"(?i:the|its|la|les|(?:настоящ|данн|указанн|эт|того|той)\w*)\s+|(?i:l)['’]\s*"
)
FOLLOW_YEAR = re.compile(r"(?:1949|1977|1980|1996|1997|2008)\s+")
FOLLOW_WORD = re.compile(r"(?!(?i:which|whom|whose|it|its|this|these|those|them|each|both|all|such|any|its)\b)[^\W\d_]")
# "Article 7 report under the Ottawa Convention", "Article 5 obligations of the Treaty"
FOLLOW_NOUN_PHRASE = re.compile(r"\s+(?:[a-z][a-z\-]+\s+){1,2}(?:under|of|pursuant\s+to)\s+(?:(?:the|its)\s+)?")
# "Article 147 (Fourth Geneva Convention)", "Fourth Geneva Convention (Art. 147)": a bracket opened between a
# citation and its instrument is closed inside the reference's span.
CLOSING_BRACKET = {"(": re.compile(r"\s*\)"), "[": re.compile(r"\s*\]")}
PRECEDING_GAP = re.compile(
    r"(?:[-‐’'](?:n?[ıiuü]n|[ıiuü]n[ıiuü]n))?"  # Azerbaijani genitive after a numeral: "I-in"
    r"(?:[\s,:;()]"  # punctuation, "(GCIV), art. 5"
    r"|(?<!\w)of\s|(?<!\w)(?:19|20)\d\d(?!\w)|(?<!\w)\d{1,2}\s+[A-Z][a-z]+\s+(?=(?:19|20)\d\d)"  # "of 12 August 1949"
    r"|(?<!\w)(?:года|г\.)"  # "Протокол II 1977 года (ст. 13)"
    r"|['’]s(?!\w)"  # "the Convention's Article 5"
    r"|(?<!\w)in\s+its(?!\w)|(?<!\w)its(?!\w))*$"  # "..., in its Article 147"
)
# A capitalised genitive right before "5-ci maddəsi" names the instrument: "Qərarın", "Sazişin".
AZ_GENITIVE_BEFORE = re.compile(r"[A-ZƏÜÖĞÇŞİ][^\W\d_]*(?:n[ıiuü]n|[ıiuü]n)\s+$")
# A list marker before a cited article: "(i) Article 147 and (ii) Article 53", "(b) Article 57".
LIST_MARKER = r"\(\s*(?:[ivx]{1,5}|[IVX]{1,5}|[a-zA-Z]|\d{1,2})\s*\)\s*"
GROUP_GAP = re.compile(
    r"\s*(?:,|;)?\s*(?:(?i:and|or|as\s+well\s+as|и|или|və|et|ou)\s+)?(?:" + LIST_MARKER + r")?$"
)

# What the Geneva Conventions that are not the 1949 ones are about, after "Geneva Convention" (English, Russian)
# or before it (Azerbaijani).
OTHER_GENEVA_SUBJECT_EN = (
    r"\s+(?i:(?:on|relating\s+to|relative\s+to|concerning)\s+(?:the\s+)?(?:road\s+traffic|status\s+of\s+refugees"
    r"|high\s+seas|territorial\s+sea|continental\s+shelf|fishing|execution\s+of\s+foreign\s+arbitral"
    r"|long[\s-]+range\s+transboundary))"
)
OTHER_GENEVA_SUBJECT_RU = (
    r"\s+(?i:о\s+(?:дорожном\s+движении|статусе\s+беженцев|открытом\s+море|территориальном\s+море"
    r"|континентальном\s+шельфе|рыболовстве|трансграничном\s+загрязнении))"
)
OTHER_GENEVA_SUBJECT_AZ = r"(?i:(?:yol\s+hərəkəti|qaçqınların\s+statusu|açıq\s+dəniz)\w*\s+haqqında)"

# -- context signals for "Protocol II" ------------------------------------------

CCW_SIGNALS = re.compile(
    r"(?i:\bamended\b|as\s+amended|\b1996\b|\b1980\b|\bCCW\b|conventional\s+weapons|"
    r"booby[\s-]?traps?|other\s+devices|protocol\s+(?:III|IV|V)\b|remotely[\s-]delivered|"
    r"с\s+поправками|обычного\s+оружия|мин-ловуш|\bКОО\b|düzəliş|adi\s+silah|mina-tələ|"
    r"modifié|armes\s+classiques|pièges)"
)
# In this archive's documents "Protocol II" next to (land)mines is more often the CCW one.
WEAK_CCW_SIGNALS = re.compile(r"(?i:\b(?:land)?mines?\b|\bмин(?:ы|ам|ами|ах)?\b|\bmina\w*)")
ADDITIONAL_SIGNALS = re.compile(
    r"(?i:additional|\b1977\b|geneva|non-international|internal\s+armed\s+conflict|"
    r"protocol\s+I\b|\bAP\s?I\b|дополнительн|женевск|немеждународн|əlavə|cenevrə|"
    r"qeyri-beynəlxalq|additionnel|genève|non\s+internationa|protocole\s+I\b|\bPA\s?I\b)"
)

# -- pre-scan ------------------------------------------------------------------

TRIGGER = re.compile(
    r"(?<![\w])(?:"
    r"(?P<cit>art(?:icle|s?\.|s?\s*\d)|стат|ст\.|стт\.|madd|ca[1-3]\b)"
    r"|convention|treaty|конвенц|договор|konvensiya"
    r"|müqavilə|gc|cg[\s-]i|pa[\s-]i|ap[\s-]?i|ap[12]\b|apii|apmbc|aplc|mbt\b|ccm|ccw|pi{1,3}\b"
    r"|ibid|там\s+же|geneva|genève|женев|cenevrə|ottaw|оттав|ottava|дп|жк|коо\b|кно\b"
    r"|piyada|müharibə\s+zaman|mülki\s+şəxs|hərbi\s+əsir|kaset|silahlar|müəyyən\s+adi"
    r"|(?P<weak>protocol|протокол|protokol|code|кодекс|məcəllə|constitution|конституц|konstitusiya|law\b|закон|qanun|statut"
    r"|статут|charter|устав|resolution|резолюц|qətnamə|regulation|decree|указ|fərman"
    r"|covenant|пакт|declaration|декларац|act\b|постановлен|регламент|bəyannamə|nizamnamə"
    r"|iccpr|icescr|echr|crc\b|crpd|udhr|npt\b|ук\b|упк\b|гк\b|коап|qərar|saziş|соглашени|решени)"
    r")"
)
WORD_START = re.compile(r"(?<![\w])\w")
WORDS_BEFORE_TRIGGER = 6
WORDS_BEFORE_WEAK_TRIGGER = 3
LOOKBACK_CHARS = 90
WINDOW_BEFORE = 80
WINDOW_AFTER = 320


def _cyrillic_stem(word: str) -> str:
    """Loosen a Russian word's ending so every case form matches: 'Оттавская' -> 'Оттавск\\w*'."""
    if len(word) < 5 or not re.search(r"[а-яё]", word, re.IGNORECASE):
        return re.escape(word)
    stem = re.sub(r"(?:ая|ой|ую|ые|ых|ий|ый|ое|ия|ие|ии|ей|а|я|ы|и|е|о|у|ю|ь|й)$", "", word)
    return re.sub("[её]", "[её]", re.escape(stem)) + r"\w*"  # one pass: "е" and "ё" are written for each other


def _azerbaijani_stem(word: str) -> str:
    """Loosen the last word's possessive ending: 'Konvensiyası' -> 'Konvensiya\\w*'.

    A Roman numeral takes its endings after a hyphen ("Əlavə Protokol I-in"): loosened, "I" would be "II" or "III".
    """
    if ROMAN_NUMERAL.fullmatch(word):
        return re.escape(word)
    stem = re.sub(r"(?:s[ıiuü]|[ıiuü])$", "", word) if len(word) > 5 else word
    return re.escape(stem) + r"\w*"


def name_pattern(name: str, lang: str) -> str:
    """Turn a catalogue name into a tolerant regex (spacing, hyphens, case endings)."""
    words = re.split(r"\s+", name.strip())
    if lang == "ru":
        parts = [_cyrillic_stem(w) for w in words]
    elif lang == "az":
        parts = [re.escape(w) for w in words[:-1]] + [_azerbaijani_stem(words[-1])]
    else:
        parts = [re.escape(w) for w in words]
    body = r"\s+".join(parts)
    body = body.replace(r"\-", r"[\s\-‐‑]?").replace(r"\(", r"(?:\(\s*)?").replace(r"\)", r"(?:\s*\))?")
    return r"(?i:" + body + r")(?!\w)"


# Names the catalogue lists that must not be matched verbatim: ambiguous
# between two instruments, or handled by the citation grammar instead.
AMBIGUOUS_PROTOCOL_TWO = {"Protocol II", "AP II", "APII", "PII", "Протокол II"}
NOT_STANDALONE = {"API", "PI", "PII", "PIII", "MBT", "Dublin Convention", "Maritime Convention"}


def _catalogue_specs(catalogue: Catalogue) -> list[MentionSpec]:
    specs: list[MentionSpec] = []
    for instrument in catalogue.instruments:
        if instrument.id == "GC-COMMON":
            continue
        for lang, names in instrument.names.items():
            for name in names:
                if name in AMBIGUOUS_PROTOCOL_TWO:
                    continue
                specs.append(
                    MentionSpec(
                        name_pattern(name, lang),
                        INSTRUMENT,
                        instrument.id,
                        standalone=name not in NOT_STANDALONE,
                    )
                )
        for abbreviation in instrument.abbreviations:
            if abbreviation in AMBIGUOUS_PROTOCOL_TWO:
                continue
            body = re.escape(abbreviation).replace(r"\ ", r"\s?")
            specs.append(
                MentionSpec(
                    r"(?<![\w/.\-])" + body + r"(?![\w/]|\.\w)",
                    INSTRUMENT,
                    instrument.id,
                    standalone=abbreviation not in NOT_STANDALONE,
                )
            )
    return specs


def _roman(numeral: str) -> str:
    return r"(?:\(\s*" + numeral + r"\s*\)|" + numeral + r")(?![\w])"


PROTOCOL_TAIL_GENEVA = (
    r"(?:\s+(?i:to|of)\s+(?i:the\s+)?(?:1949\s+)?(?i:Geneva\s+Conventions)"
    r"(?:\s+(?i:of)\s+(?:12\s+(?i:August)\s+)?1949)?)?(?:\s+(?i:of)\s+1977|\s*\(1977\))?"
)
CCW_NAME = (
    r"(?:CCW|(?i:(?:1980\s+)?Convention\s+on\s+(?:Prohibitions\s+or\s+Restrictions\s+on\s+"
    r"the\s+Use\s+of\s+)?Certain\s+Conventional\s+Weapons))"
)
# Additional Protocol III (2005, the distinctive emblem) is none of the catalogue's: "Protocol III additional to the
# Geneva Conventions" is not the CCW's Protocol III.
TO_THE_GENEVA_CONVENTIONS = r"\s+(?i:(?:additional\s+)?to\s+the\s+(?:1949\s+)?Geneva\s+Conventions)"
TO_THE_CCW = r"\s+(?i:to|of|annexed\s+to)\s+(?i:the\s+)?" + CCW_NAME
PROTOCOL_TAIL_CCW = r"(?:" + TO_THE_CCW + r")?"
TO_THE_CCW_RU = (
    r"\s+к\s+(?:КОО|(?i:конвенции\s+о\s+(?:запрещении\s+или\s+ограничении\s+применения\s+)?"
    r"конкретных\s+видов\s+обычного\s+оружия))"
)
PROTOCOL_TAIL_CCW_RU = r"(?:" + TO_THE_CCW_RU + r")?"
AS_AMENDED = r"(?:\s*,?\s*\(?(?i:as\s+amended)(?:\s+(?i:on)\s+3\s+(?i:May)\s+1996|\s+in\s+1996)?\)?)"


DESCRIPTIVE_TAIL = (
    r"(?:\s+(?i:in\s+time\s+of\s+war|in\s+armed\s+forces\s+in\s+the\s+field|members\s+of\s+armed"
    r"\s+forces\s+at\s+sea))?(?:,?\s+(?i:of)\s+(?:12\s+(?i:August)\s+)?1949)?"
)


# "GC" alone is also a General Conference, a Governing Council or gastric cancer ("At the
# 4th GC, Article 12 ...", "stage IV GC"), so "IV GC", "4 GC" and "4th GC" count only beside
# a cited article: right after its number ("Art. 147 IV GC", "Art. 53 4 GC"); after "of (the)"
# where the citation ends, at punctuation, a conjunction or an auxiliary ("Article 147 of the
# IV GC.", "... of the IV GC were cited", not "of the IV GC report" nor "the report of the IV
# GC, Article 12"); right before the keyword ("IV GC Article 147", not "At the IV GC, Article
# 12"). "4th GC" is too common a conference for the last two.
GC_AFTER_NUMBER = r"(?:(?<=\d\s)|(?<=\)\s))"
GC_AFTER_OF = r"(?:(?<=(?i:of)\s)|(?<=(?i:of)\s(?i:the)\s))"
GC_ENDS_CITATION = (
    r"(?![\w/])(?=\s*(?:[.;:)\]]|,(?!\s*(?i:art))|$)"
    r"|\s+(?i:and|or|is|are|was|were|has|have|had|shall|must|may|also)\s)"
)
GC_BEFORE_KEYWORD = r"(?=\s+(?i:articles?|arts?\.?)\s*\d)"


def _geneva_specs() -> list[MentionSpec]:
    specs: list[MentionSpec] = []
    ordinal_en = ("first|1st", "second|2nd", "third|3rd", "fourth|4th")
    ordinal_ru = ("перв", "втор", "трет", "четв[её]рт")
    ordinal_az = ("birinci", "[İi]kinci", "üçüncü", "dördüncü")
    ordinal_fr = (
        "premi[eè]re|Ire|Ière|1re|1ère",
        "deuxi[eè]me|IIe|IIème|2e|2ème",
        "troisi[eè]me|IIIe|IIIème|3e|3ème",
        "quatri[eè]me|IVe|IVème|4e|4ème",
    )
    for number, gc in GC_BY_NUMBER.items():
        roman = next(r for r, n in ROMAN.items() if n == number)
        rn = _roman(roman)
        en, ru, az, fr = (
            ordinal_en[number - 1],
            ordinal_ru[number - 1],
            ordinal_az[number - 1],
            ordinal_fr[number - 1],
        )
        specs += [
            MentionSpec(r"(?:1949\s+)?(?i:(?:" + en + r")\s+Geneva\s+Convention)(?!s)", INSTRUMENT, gc),
            MentionSpec(r"(?i:(?:" + en + r")\s+Convention)(?!s)", INSTRUMENT, gc),
            MentionSpec(
                r"(?i:Geneva\s+Convention)\s*(?:(?i:No\.?)\s*)?(?:" + rn + r"|" + str(number) + r"(?![\w.,]))",
                INSTRUMENT,
                gc,
            ),
            MentionSpec(r"(?i:Convention)\s*\(\s*" + roman + r"\s*\)", INSTRUMENT, gc),
            MentionSpec(r"(?<![\w/])GC\s?-?(?:" + roman + r"|" + str(number) + r")(?![\w/])", INSTRUMENT, gc),
            # "IV GC", "4 GC", "4th GC": only beside a cited article (why: above GC_AFTER_NUMBER)
            MentionSpec(
                GC_AFTER_NUMBER + r"(?:" + roman + r"|" + str(number) + r"|(?i:" + en + r"))\s+GC(?![\w/])",
                INSTRUMENT,
                gc,
                standalone=False,
            ),
            MentionSpec(
                GC_AFTER_OF + r"(?:" + roman + r"|" + str(number) + r")\s+GC" + GC_ENDS_CITATION,
                INSTRUMENT,
                gc,
                standalone=False,
            ),
            MentionSpec(
                r"(?<![\w/.,])(?:" + roman + r"|" + str(number) + r")\s+GC" + GC_BEFORE_KEYWORD,
                INSTRUMENT,
                gc,
                standalone=False,
            ),
            MentionSpec(r"(?<![\w/])" + roman + r"\s+(?i:Geneva\s+Convention)(?!s|\w)", INSTRUMENT, gc),
            MentionSpec(r"(?i:(?:" + ru + r")\w*\s+Женевск\w*\s+конвенц\w*)", INSTRUMENT, gc),
            MentionSpec(roman + r"\s+(?i:Женевск\w*\s+конвенц\w*)", INSTRUMENT, gc),
            # the singular only: in "Протоколы к Женевским конвенциям I и II" the numerals are the Protocols'
            MentionSpec(r"(?i:Женевск(?:ая|ой|ую|ою)\s+конвенц\w*)\s*" + rn, INSTRUMENT, gc),
            # "ЖК IV", "IV ЖК", "ЖК-IV": with its numeral, and only beside a cited article ("ЖК РФ" is
            # the Housing Code, "ЖК" alone also a housing estate)
            MentionSpec(r"(?<![\w])ЖК\s?-?" + rn, INSTRUMENT, gc, standalone=False),
            MentionSpec(r"(?<![\w/.,])" + roman + r"\s?-?ЖК(?![\w])", INSTRUMENT, gc, standalone=False),
            MentionSpec(r"(?i:(?:" + az + r")\s+Cenevrə\s+Konvensiya\w*)", INSTRUMENT, gc),
            MentionSpec(roman + r"\s+(?i:Cenevrə\s+Konvensiya\w*)", INSTRUMENT, gc),
            MentionSpec(r"(?i:Cenevrə\s+Konvensiya(?!lar)\w*)\s*" + rn, INSTRUMENT, gc),
            MentionSpec(r"(?i:(?:" + fr + r")\s+Convention\s+de\s+Genève)", INSTRUMENT, gc),
            MentionSpec(r"(?i:Convention\s+de\s+Genève)\s*" + rn, INSTRUMENT, gc),
            # "CG IV" needs its space: "CGI" is the Code général des impôts
            MentionSpec(r"(?<![\w/])CG(?:\s|-)" + roman + r"(?![\w/])", INSTRUMENT, gc),
        ]
    descriptive = {
        "GCIV": (
            r"(?i:relative|relating)\s+to\s+the\s+protection\s+of\s+civilian\s+persons"
            r"|(?i:on|for|concerning)\s+the\s+protection\s+of\s+civilian(?:s|\s+persons)",
            r"о\s+защите\s+гражданского\s+населения",
            r"mülki\s+şəxslərin\s+müdafiəsi\s+haqqında",
        ),
        "GCIII": (
            r"(?i:relative\s+to|relating\s+to|on|concerning)\s+(?:the\s+treatment\s+of\s+)?prisoners\s+of\s+war",
            r"об\s+обращении\s+с\s+военнопленными",
            r"hərbi\s+əsirlərlə\s+rəftar\s+haqqında",
        ),
        "GCI": (
            r"for\s+the\s+amelioration\s+of\s+the\s+condition\s+of\s+the\s+wounded\s+and\s+sick",
            r"об\s+улучшении\s+участи\s+раненых\s+и\s+больных",
            r"(?!x)x",
        ),
        "GCII": (
            r"for\s+the\s+amelioration\s+of\s+the\s+condition\s+of\s+(?:the\s+)?wounded,\s+sick\s+and\s+shipwrecked",
            r"об\s+улучшении\s+участи\s+раненых,\s+больных\s+и\s+лиц",
            r"(?!x)x",
        ),
    }
    for gc, (en, ru, az) in descriptive.items():
        roman = next(r for r, n in ROMAN.items() if GC_BY_NUMBER[n] == gc)
        specs += [
            MentionSpec(
                r"(?i:(?:1949\s+)?(?:Geneva\s+)?Convention(?:\s*\("
                + roman
                + r"\))?[\s\-–]+(?:"
                + en
                + r"))"
                + DESCRIPTIVE_TAIL,
                INSTRUMENT,
                gc,
            ),
            # "Конвенция (IV) о защите гражданского населения…", the ICRC's Russian title
            MentionSpec(r"(?i:(?:Женевск\w*\s+)?конвенц\w*(?:\s*\(" + roman + r"\))?\s+" + ru + r")", INSTRUMENT, gc),
            MentionSpec(r"(?i:" + az + r"\s+(?:Cenevrə\s+)?Konvensiya\w*)", INSTRUMENT, gc),
        ]
    any_en = r"(?:first|second|third|fourth|1st|2nd|3rd|4th)"
    any_ru = r"(?:перв|втор|трет|четв[её]рт)\w*"
    specs += [
        MentionSpec(
            r"(?i:" + any_en + r"(?:\s*,\s*" + any_en + r")*,?\s+and\s+(?:the\s+)?" + any_en
            + r"\s+Geneva\s+Conventions?)",
            GENEVA_LIST,
        ),
        MentionSpec(
            r"(?i:" + any_ru + r"(?:\s*,\s*" + any_ru + r")*\s+и\s+" + any_ru + r"\s+Женевск\w*\s+конвенц\w*)",
            GENEVA_LIST,
        ),
        # Geneva Conventions that are not the 1949 ones: road traffic (1949), refugees (1951, "the 1951 Geneva
        # Convention"), the law of the sea (1958), and the humanitarian conventions of 1864, 1906 and 1929
        MentionSpec(r"(?:(?:19|18)\d\d\s+)?(?i:Geneva\s+Conventions?)" + OTHER_GENEVA_SUBJECT_EN, FOREIGN),
        MentionSpec(r"(?:1864|1906|1929|1951)\s+(?i:Geneva\s+Conventions?)(?!\w)", FOREIGN),
        MentionSpec(r"(?i:Женевск\w*\s+конвенц\w*)(?:\s+\d{4}\s+(?i:года|г\.))?" + OTHER_GENEVA_SUBJECT_RU, FOREIGN),
        MentionSpec(OTHER_GENEVA_SUBJECT_AZ + r"\s+(?:\d{4}-c\w+\s+il\w*\s+)?(?i:Cenevrə\s+Konvensiya\w*)", FOREIGN),
        MentionSpec(r"(?:1949\s+)?(?i:Geneva\s+Convention)(?!s|\w)", GENEVA_SINGLE),
        MentionSpec(r"(?:1949\s+)?(?i:(?:four\s+)?Geneva\s+Conventions)(?!\w)", GENEVA_PLURAL),
        MentionSpec(r"(?i:Женевск(?:ая|ой|ую|ою)\s+конвенц\w*)", GENEVA_SINGLE),
        MentionSpec(r"(?i:Женевск(?:ие|их|им|ими)\s+конвенц\w*)", GENEVA_PLURAL),
        MentionSpec(r"(?i:Cenevrə\s+Konvensiya(?!lar)\w*)", GENEVA_SINGLE),
        MentionSpec(r"(?i:Cenevrə\s+Konvensiyalar\w*)", GENEVA_PLURAL),
        MentionSpec(r"(?i:Convention\s+de\s+Genève)", GENEVA_SINGLE),
        MentionSpec(r"(?i:Conventions\s+de\s+Genève)", GENEVA_PLURAL),
        MentionSpec(r"(?i:(?:Geneva\s+)?Civilians?\s+Convention)", INSTRUMENT, "GCIV"),
        MentionSpec(r"(?i:Prisoners[\s-]+of[\s-]+War\s+Convention|POW\s+Convention)", INSTRUMENT, "GCIII"),
    ]
    return specs


def _protocol_specs() -> list[MentionSpec]:
    additional = r"(?:(?:1977\s+)?(?i:additional\s+protocol))"
    protocol = r"(?i:protocol)"
    tail = PROTOCOL_TAIL_GENEVA
    specs = [
        # Additional Protocols (1977)
        MentionSpec(additional + r"\s*(?:(?i:No\.?)\s*)?" + _roman("I") + tail, INSTRUMENT, "API"),
        MentionSpec(additional + r"\s*(?:(?i:No\.?)\s*)?" + _roman("II") + tail, INSTRUMENT, "APII"),
        MentionSpec(additional + r"\s*" + _roman("III") + tail, FOREIGN),
        MentionSpec(r"(?i:first\s+additional\s+protocol)" + tail, INSTRUMENT, "API"),
        MentionSpec(r"(?i:second\s+additional\s+protocol)" + tail, INSTRUMENT, "APII"),
        MentionSpec(r"(?i:third\s+additional\s+protocol)" + tail, FOREIGN),
        MentionSpec(
            r"(?i:protocol\s+additional\s+to\s+the\s+Geneva\s+Conventions)[^.;]{0,60}?"
            r"(?i:relating\s+to\s+the\s+protection\s+of\s+victims\s+of\s+international\s+armed\s+conflicts)"
            r"(?:\s*\((?i:protocol\s+I)\))?",
            INSTRUMENT,
            "API",
        ),
        MentionSpec(
            r"(?i:protocol\s+additional\s+to\s+the\s+Geneva\s+Conventions)[^.;]{0,60}?"
            r"(?i:relating\s+to\s+the\s+protection\s+of\s+victims\s+of\s+non-international\s+armed"
            r"\s+conflicts)(?:\s*\((?i:protocol\s+II)\))?",
            INSTRUMENT,
            "APII",
        ),
        # "Protocol I to the CCW" is the CCW's (non-detectable fragments), which the catalogue does not hold
        MentionSpec(r"(?:1977\s+)?" + protocol + r"\s*" + _roman("I") + r"(?!" + TO_THE_CCW + r")" + tail,
                    INSTRUMENT, "API"),
        MentionSpec(protocol + r"\s*" + _roman("I") + TO_THE_CCW, FOREIGN),
        MentionSpec(r"(?<![\w/])AP(?:\s-?|-)I(?![\w/])" + tail, INSTRUMENT, "API"),
        MentionSpec(r"(?<![\w/])API(?![\w/])" + tail, INSTRUMENT, "API", standalone=False),
        MentionSpec(r"(?<![\w/])AP\s?2(?![\w/])" + tail, INSTRUMENT, "APII"),
        MentionSpec(r"(?<![\w/])AP\s1(?![\w/])" + tail, INSTRUMENT, "API"),
        MentionSpec(r"1977\s+" + protocol + r"\s*" + _roman("II") + tail, INSTRUMENT, "APII"),
        # CCW Amended Protocol II (1996) and Protocol III
        MentionSpec(
            r"(?:CCW\s+)?(?i:amended\s+(?:mines\s+)?protocol(?:\s+II)?)(?![\w])"
            + AS_AMENDED
            + r"?"
            + PROTOCOL_TAIL_CCW,
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            r"(?:1996\s+)?" + protocol + r"\s*" + _roman("II") + AS_AMENDED + PROTOCOL_TAIL_CCW,
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            r"(?:(?:1996\s+)|(?:CCW\s+))" + protocol + r"\s*" + _roman("II") + AS_AMENDED + r"?" + PROTOCOL_TAIL_CCW,
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            protocol + r"\s*" + _roman("II") + r"\s+(?i:to|of|annexed\s+to)\s+(?i:the\s+)?" + CCW_NAME,
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            r"(?i:protocol\s+on\s+prohibitions\s+or\s+restrictions\s+on\s+the\s+use\s+of\s+mines,"
            r"\s+booby[\s-]?traps\s+and\s+other\s+devices)" + AS_AMENDED + r"?",
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(r"(?:CCW\s+)?" + protocol + r"\s*" + _roman("III") + r"(?!" + TO_THE_GENEVA_CONVENTIONS + r")"
                    + PROTOCOL_TAIL_CCW, INSTRUMENT, "CCW-PIII"),
        MentionSpec(protocol + r"\s*" + _roman("III") + TO_THE_GENEVA_CONVENTIONS, FOREIGN),
        MentionSpec(
            r"(?i:protocol\s+additional\s+to\s+the\s+Geneva\s+Conventions)[^.;]{0,60}?"
            r"(?i:additional\s+distinctive\s+emblem)(?:\s*\((?i:protocol\s+III)\))?",
            FOREIGN,
        ),
        MentionSpec(r"(?<![\w/])CCW\s+P\.?\s?III(?![\w/])", INSTRUMENT, "CCW-PIII"),
        MentionSpec(
            r"(?i:protocol\s+on\s+prohibitions\s+or\s+restrictions\s+on\s+the\s+use\s+of\s+incendiary"
            r"\s+weapons)(?:\s*\((?i:protocol)\s+III\))?",
            INSTRUMENT,
            "CCW-PIII",
        ),
        MentionSpec(r"(?:CCW\s+)?" + protocol + r"\s*(?:" + _roman("IV") + r"|" + _roman("V") + r")", FOREIGN),
        # the CCW's own Protocol I, tried before "CCW" alone (a longer pattern is tried first)
        MentionSpec(r"CCW\s+" + protocol + r"\s*" + _roman("I") + PROTOCOL_TAIL_CCW, FOREIGN),
        MentionSpec(r"(?:1980\s+)?(?:CCW|" + CCW_NAME + r")(?![\w/])", CCW_FRAME),
        MentionSpec(r"(?i:(?:certain\s+)?conventional\s+weapons\s+convention)", CCW_FRAME),
        # "Protocol II" / "AP II": decided in context
        MentionSpec(protocol + r"\s*" + _roman("II") + tail, PROTOCOL_TWO),
        MentionSpec(r"(?<![\w/])AP\s?-?II(?![\w/])" + tail, PROTOCOL_TWO),
        MentionSpec(r"(?<![\w/])PII(?![\w/])", PROTOCOL_TWO, standalone=False),
        MentionSpec(
            r"(?:(?i:additional)\s+)?(?i:protocols)\s+(?:I|II|III)(?:\s*(?:,|and|&)\s*(?:I|II|III))+"
            r"(?![\w])" + tail,
            PROTOCOL_LIST,
        ),
        # Russian
        MentionSpec(
            r"(?i:дополнительн\w*\s+протокол\w*)\s*" + _roman("I") + r"(?:\s+к\s+Женевским\s+конвенциям)?",
            INSTRUMENT,
            "API",
        ),
        MentionSpec(
            r"(?i:дополнительн\w*\s+протокол\w*)\s*" + _roman("II") + r"(?:\s+к\s+Женевским\s+конвенциям)?",
            INSTRUMENT,
            "APII",
        ),
        MentionSpec(r"I\s+(?i:дополнительн\w*\s+протокол\w*)", INSTRUMENT, "API"),
        MentionSpec(r"II\s+(?i:дополнительн\w*\s+протокол\w*)", INSTRUMENT, "APII"),
        MentionSpec(r"(?i:перв\w*\s+дополнительн\w*\s+протокол\w*)", INSTRUMENT, "API"),
        MentionSpec(r"(?i:втор\w*\s+дополнительн\w*\s+протокол\w*)", INSTRUMENT, "APII"),
        MentionSpec(r"(?<![\w])ДП\s?-?I(?![\w])", INSTRUMENT, "API"),
        MentionSpec(r"(?<![\w])ДП\s?-?II(?![\w])", INSTRUMENT, "APII"),
        MentionSpec(
            r"(?i:дополнительн\w*\s+протокол\w*\s+к\s+женевским\s+конвенциям)[^.;]{0,40}?"
            r"(?i:касающ\w*\s+защиты\s+жертв\s+(?:вооруж[её]нных\s+конфликтов\s+)?немеждународн\w*)",
            INSTRUMENT,
            "APII",
        ),
        MentionSpec(
            r"(?i:дополнительн\w*\s+протокол\w*\s+к\s+женевским\s+конвенциям)[^.;]{0,40}?"
            r"(?i:касающ\w*\s+защиты\s+жертв\s+международн\w*)",
            INSTRUMENT,
            "API",
        ),
        MentionSpec(
            r"(?i:дополнительн\w*\s+протокол\w*)(?:\s+к\s+(?i:Женевским\s+конвенциям))?"
            r"\s+(?:I|II|III)(?:\s*(?:,|и)\s*(?:I|II|III))+(?![\w])",
            PROTOCOL_LIST,
        ),
        MentionSpec(r"(?i:протокол\w*)\s*" + _roman("I") + r"(?!" + TO_THE_CCW_RU + r")"
                    r"(?:\s+к\s+Женевским\s+конвенциям)?", INSTRUMENT, "API"),
        MentionSpec(r"(?i:протокол\w*)\s*" + _roman("I") + TO_THE_CCW_RU, FOREIGN),
        MentionSpec(r"(?i:протокол\w*)\s*" + _roman("II"), PROTOCOL_TWO),
        MentionSpec(
            r"(?i:протокол\w*)\s*" + _roman("II") + r"\s+к\s+(?:КОО|(?i:конвенции\s+о))", INSTRUMENT, "CCW-APII-1996"
        ),
        MentionSpec(
            r"(?i:протокол\w*)\s*" + _roman("II") + r"\s*,?\s*(?i:с\s+поправками|в\s+редакции)"
            r"(?:[^.;]{0,40}?1996(?:\s+г(?:ода|\.))?)?",
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            r"(?i:(?:исправленн|изменённ|измененн|дополненн)\w*\s+протокол\w*)\s*" + _roman("II"),
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(
            r"(?i:протокол\w*\s+о\s+запрещении\s+или\s+ограничении\s+применения\s+мин)", INSTRUMENT, "CCW-APII-1996"
        ),
        MentionSpec(r"(?i:протокол\w*)\s*" + _roman("III") + r"(?!\s+к\s+(?i:Женевским\s+конвенциям))"
                    + PROTOCOL_TAIL_CCW_RU, INSTRUMENT, "CCW-PIII"),
        MentionSpec(r"(?i:протокол\w*)\s*" + _roman("III") + r"\s+к\s+(?i:Женевским\s+конвенциям)", FOREIGN),
        MentionSpec(r"(?i:дополнительн\w*\s+протокол\w*)\s*" + _roman("III")
                    + r"(?:\s+к\s+(?i:Женевским\s+конвенциям))?", FOREIGN),
        MentionSpec(r"III\s+(?i:дополнительн\w*\s+протокол\w*)", FOREIGN),
        MentionSpec(
            r"(?i:протокол\w*\s+о\s+запрещении\s+или\s+ограничении\s+применения\s+зажигательного)",
            INSTRUMENT,
            "CCW-PIII",
        ),
        MentionSpec(r"(?i:протокол\w*)\s*(?:" + _roman("IV") + r"|" + _roman("V") + r")", FOREIGN),
        MentionSpec(
            r"(?i:конвенц\w*\s+о\s+(?:запрещении\s+или\s+ограничении\s+применения\s+)?конкретных"
            r"\s+видов\s+обычного\s+оружия)|(?<![\w])(?:КОО|КНО)(?![\w])",
            CCW_FRAME,
        ),
        # Azerbaijani
        MentionSpec(r"(?i:əlavə\s+protokol\w*)\s*" + _roman("I"), INSTRUMENT, "API"),
        MentionSpec(r"(?i:əlavə\s+protokol\w*)\s*" + _roman("II"), INSTRUMENT, "APII"),
        MentionSpec(r"(?i:əlavə\s+protokol\w*)\s*(?:" + _roman("III") + r"|" + _roman("IV") + r")", FOREIGN),
        MentionSpec(r"(?:III|IV)\s+(?i:əlavə\s+protokol\w*)", FOREIGN),
        MentionSpec(
            r"(?:(?i:Cenevrə\s+Konvensiyalarına\s+)?(?i:əlavə)\s+)" + r"I\s+(?i:protokol\w*)", INSTRUMENT, "API"
        ),
        MentionSpec(
            r"(?:(?i:Cenevrə\s+Konvensiyalarına\s+)?(?i:əlavə)\s+)" + r"II\s+(?i:protokol\w*)", INSTRUMENT, "APII"
        ),
        MentionSpec(r"I\s+(?i:əlavə\s+protokol\w*)", INSTRUMENT, "API"),
        MentionSpec(r"II\s+(?i:əlavə\s+protokol\w*)", INSTRUMENT, "APII"),
        MentionSpec(r"(?i:birinci\s+əlavə\s+protokol\w*)", INSTRUMENT, "API"),
        MentionSpec(r"(?:İkinci|(?i:ikinci))\s+(?i:əlavə\s+protokol\w*)", INSTRUMENT, "APII"),
        MentionSpec(r"(?i:protokol\w*)\s*" + _roman("I"), INSTRUMENT, "API"),
        MentionSpec(r"I\s+(?i:protokol\w*)", INSTRUMENT, "API"),
        MentionSpec(r"(?i:protokol\w*)\s*" + _roman("II"), PROTOCOL_TWO),
        MentionSpec(r"II\s+(?i:protokol\w*)", PROTOCOL_TWO),
        MentionSpec(r"(?i:protokol\w*)\s*" + _roman("III"), INSTRUMENT, "CCW-PIII"),
        MentionSpec(r"III\s+(?i:protokol\w*)", INSTRUMENT, "CCW-PIII"),
        MentionSpec(
            r"(?i:(?:düzəlişli|dəyişdirilmiş|düzəliş\s+edilmiş)\s+)(?:II\s+)?(?i:protokol\w*)(?:\s+II(?!\w))?",
            INSTRUMENT,
            "CCW-APII-1996",
        ),
        MentionSpec(r"(?i:müəyyən\s+(?:növ\s+)?adi\s+silahlar\w*)(?:[^.;]{0,80}?(?i:konvensiya\w*))?", CCW_FRAME),
        # French
        MentionSpec(r"(?i:protocole\s+additionnel)\s*" + _roman("I"), INSTRUMENT, "API"),
        MentionSpec(r"(?i:protocole\s+additionnel)\s*" + _roman("II"), INSTRUMENT, "APII"),
        # "PA I" only inside a citation: alone it is as often Pennsylvania's "PA I-95"
        MentionSpec(r"(?<![\w/])PA(?:\s|-)I(?![\w/])", INSTRUMENT, "API", standalone=False),
        MentionSpec(r"(?<![\w/])PA(?:\s|-)II(?![\w/])", INSTRUMENT, "APII", standalone=False),
        MentionSpec(r"(?i:protocole)\s*" + _roman("I"), INSTRUMENT, "API"),
        MentionSpec(r"(?i:protocole)\s*" + _roman("II") + r"\s*(?i:modifié)", INSTRUMENT, "CCW-APII-1996"),
        MentionSpec(r"(?i:protocole)\s*" + _roman("II"), PROTOCOL_TWO),
        MentionSpec(r"(?i:protocole)\s*" + _roman("III"), INSTRUMENT, "CCW-PIII"),
    ]
    return specs


def _named_instrument_specs() -> list[MentionSpec]:
    return [
        MentionSpec(r"(?:1997\s+)?(?i:ottawa\s+(?:mine[\s-]+ban\s+)?(?:convention|treaty))", INSTRUMENT, "APMBC"),
        MentionSpec(
            r"(?i:(?:anti-?\s?personnel\s+)?(?:land)?mines?[\s-]+ban\s+(?:convention|treaty))", INSTRUMENT, "APMBC"
        ),
        MentionSpec(r"1997\s+(?i:(?:mine\s+ban\s+)?(?:convention|treaty))(?!s)", INSTRUMENT, "APMBC"),
        MentionSpec(
            r"(?i:convention\s+on\s+the\s+prohibition\s+of\s+the\s+use,?\s+stockpiling,?\s+production"
            r"\s+and\s+transfer\s+of\s+anti-?\s?personnel\s+(?:land)?mines(?:\s+and\s+on\s+their\s+destruction)?)",
            INSTRUMENT,
            "APMBC",
        ),
        MentionSpec(
            r"(?i:convention\s+on\s+the\s+prohibition\s+of\s+anti-?\s?personnel\s+(?:land)?mines)", INSTRUMENT, "APMBC"
        ),
        MentionSpec(r"(?<![\w/.\-])(?:APMBC|APLC)(?![\w/]|\.\w)", INSTRUMENT, "APMBC"),
        MentionSpec(r"(?i:convention\s+on\s+cluster\s+munitions|cluster\s+munitions?\s+convention)", INSTRUMENT, "CCM"),
        MentionSpec(r"2008\s+(?i:convention)(?!s)", INSTRUMENT, "CCM"),
        MentionSpec(r"(?<![\w/.\-])CCM(?![\w/]|\.\w)", INSTRUMENT, "CCM"),
        MentionSpec(r"(?i:оттавск\w*\s+(?:конвенц|договор)\w*)", INSTRUMENT, "APMBC"),
        MentionSpec(
            r"(?i:конвенц\w*\s+о\s+запрещении\s+(?:применения,?\s+накопления\s+запасов,?\s+производства"
            r"\s+и\s+передачи\s+)?противопехотных\s+мин)",
            INSTRUMENT,
            "APMBC",
        ),
        MentionSpec(r"(?i:договор\w*\s+о\s+запрещении\s+(?:противопехотных\s+)?мин)", INSTRUMENT, "APMBC"),
        MentionSpec(r"(?i:конвенц\w*\s+(?:по|о)\s+кассетн\w*\s+боеприпас\w*)", INSTRUMENT, "CCM"),
        MentionSpec(r"(?i:ottava\s+(?:konvensiya|müqavilə)\w*)", INSTRUMENT, "APMBC"),
        MentionSpec(
            r"(?i:piyada\s+(?:əleyhinə|əleyhdarı)\s+mina\w*[^.;]{0,160}?haqqında\s+konvensiya\w*)", INSTRUMENT, "APMBC"
        ),
        MentionSpec(r"(?i:kaset\w*\s+(?:döyüş\s+)?(?:sursat|bomba)\w*\s+haqqında\s+konvensiya\w*)", INSTRUMENT, "CCM"),
        MentionSpec(r"(?i:convention\s+d['’]ottawa)", INSTRUMENT, "APMBC"),
        MentionSpec(r"(?i:convention\s+sur\s+les\s+armes\s+à\s+sous-munitions)", INSTRUMENT, "CCM"),
    ]


def _foreign_specs() -> list[MentionSpec]:
    named = [
        r"(?i:(?:criminal|penal|civil|administrative|labou?r|tax|family|land|customs|water|forest)"
        r"(?:\s+procedure)?\s+code)",
        r"Code\s+of\s+(?:[A-Z]\w+|the\s+[A-Z]\w+)",
        r"(?<!\w)Constitution(?!\w)",
        r"(?<!\w)Law\s+(?:(?i:on|of|no\.?)|№)",
        r"(?<!\w)Act\s+(?:(?i:on|of|no\.?))",
        r"(?i:rome\s+statute)",
        r"(?<!\w)Statute(?!\w)",
        r"(?<!\w)Charter(?!\w)",
        r"(?<!\w)[Rr]esolution(?!\w)",
        r"(?<!\w)Regulations?(?!\w)",
        r"(?<!\w)Decree(?!\w)",
        r"(?i:hague\s+(?:regulations|conventions?)(?:\s*\(?(?:IV|II)\)?)?)",
        r"(?i:(?:european|vienna|genocide|refugee|chemical\s+weapons|biological\s+weapons)\s+convention)",
        r"(?i:convention\s+(?:on\s+the\s+rights|against\s+torture|on\s+the\s+elimination|relating\s+to\s+the\s+status))",
        r"(?i:international\s+covenant)",
        r"(?<!\w)Covenant(?!\w)",
        r"(?<!\w)Declaration(?!\w)",
        r"(?<![\w/])(?:ICCPR|ICESCR|ECHR|CRC|CRPD|UDHR|NPT)(?![\w/])",
        r"(?i:protocol\s+(?:no\.\s*\d+|of\s+the\s+(?:meeting|session|hearing|interrogation)))",
        r"(?i:уголовн\w*(?:-процессуальн\w*)?\s+кодекс\w*)",
        r"(?i:кодекс(?:|а|у|ом|е|ы|ов))(?!\w)",
        r"(?i:конституци(?:я|и|ю|ей))(?!\w)",
        r"(?i:закон(?:|а|у|ом|е|ы|ов|ам|ами|ах))(?!\w)",
        r"Устав(?:|а|у|ом|е)(?!\w)",
        r"(?i:римск\w*\s+статут\w*|статут\w*)",
        r"(?i:резолюци(?:я|и|ю|ей|ях))(?!\w)",
        r"(?i:постановлени(?:е|я|ю|ем|и))(?!\w)",
        r"(?<!\w)(?:УК|УПК|ГК|КоАП)(?!\w)",
        r"Указ(?:|а|у|ом|е)(?!\w)",
        r"(?i:декларац\w*|пакт(?:|а|у|ом|е))(?!\w)",
        r"(?i:регламент\w*)",
        r"(?i:протокол\w*\s+(?:заседани|собрани|совещани|допрос|осмотр|встреч|обыск|задержани|опознани)\w*)",
        r"(?i:cinayət\s+məcəlləsi\w*|məcəllə\w*)",
        r"(?i:konstitusiya\w*)",
        r"(?i:qanun(?:u|un|unun|una|unu|unda|lar|ları|larının)?)(?!\w)",
        r"(?i:fərman\w*|qətnamə\w*)",
        r"(?i:nizamnamə\w*|roma\s+statut\w*|statut\w*|bəyannamə\w*)",
        r"(?i:qərar(?:ı|ın|ının|a|da)?|saziş\w*)(?!\w)",
        r"(?i:соглашени(?:е|я|ю|ем|и)|решени(?:е|я|ю|ем))(?!\w)",
    ]
    generic_foreign = [
        r"(?:(?i:the)\s+)?(?:[A-Z][\w\-]*\s+){0,3}(?:Convention|Treaty|Protocol|Agreement)\s+"
        r"(?i:on|against|for|relating\s+to|relative\s+to|concerning|between)(?!\w)",
        r"(?i:конвенц\w*|договор\w*|протокол\w*)\s+(?:о|об|по|против|относительно|между)(?!\w)",
        r"(?i:haqqında\s+(?:konvensiya|protokol|müqavilə)\w*)",
    ]
    return [MentionSpec(p, FOREIGN) for p in named] + [
        MentionSpec(p, FOREIGN, tier=GENERIC_TIER) for p in generic_foreign
    ]


def _generic_specs() -> list[MentionSpec]:
    det_en = (
        r"(?i:the|this|that|said|same|present|aforementioned|above-mentioned|aforesaid)\s+"
        r"(?:(?i:same|said|present)\s+)?"
    )
    det_ru = r"(?:(?i:настоящ|данн|указанн|упомянут|вышеупомянут|вышеуказанн|эт|т)\w*\s+(?:(?i:же)\s+)?)"
    det_az = r"(?:(?i:bu|həmin|adıçəkilən|yuxarıda\s+qeyd\s+olunan)\s+)"
    return [
        MentionSpec(det_en + r"(?i:convention|treaty)(?!\w)", GENERIC_CONVENTION, tier=GENERIC_TIER),
        MentionSpec(det_en + r"(?i:protocol)(?!\w)", GENERIC_PROTOCOL, tier=GENERIC_TIER),
        MentionSpec(r"(?<!\w)[Ii]bid(?:em)?\.?", GENERIC_ANY, tier=GENERIC_TIER),
        MentionSpec(r"(?i:там\s+же)(?!\w)", GENERIC_ANY, tier=GENERIC_TIER),
        MentionSpec(
            det_ru + r"(?i:конвенц(?:ия|ии|ию|ией|иею)|договор\w*)(?!\w)", GENERIC_CONVENTION, tier=GENERIC_TIER
        ),
        MentionSpec(r"Конвенц(?:ия|ии|ию|ией|иею)(?!\w)", GENERIC_CONVENTION, tier=GENERIC_TIER),
        MentionSpec(det_ru + r"(?i:протокол\w*)(?!\w)", GENERIC_PROTOCOL, tier=GENERIC_TIER),
        MentionSpec(r"Протокол(?:|а|у|ом|е)(?!\w)", GENERIC_PROTOCOL, tier=GENERIC_TIER),
        MentionSpec(det_az + r"?(?i:konvensiya(?!lar)\w*|müqavilə\w*)", GENERIC_CONVENTION, tier=GENERIC_TIER),
        MentionSpec(det_az + r"?(?i:protokol(?!lar)\w*)", GENERIC_PROTOCOL, tier=GENERIC_TIER),
    ]


@lru_cache(maxsize=1)
def mention_specs() -> tuple[MentionSpec, ...]:
    """Every way of naming an instrument, from the catalogue and the grammar above."""
    catalogue = load_catalogue()
    return tuple(
        _geneva_specs()
        + _protocol_specs()
        + _named_instrument_specs()
        + _catalogue_specs(catalogue)
        + _foreign_specs()
        + _generic_specs()
    )


def first_characters(pattern: str) -> frozenset[str] | None:
    """Characters a match of ``pattern`` can start with (both cases), or None for 'any'.

    Read from CPython's private regex parser; where it is missing or has
    changed shape, the answer is None, which only makes the pre-scan try
    more positions.
    """
    if _sre_parser is None:
        return None
    try:
        parsed = _sre_parser.parse(pattern)
        chars, _nullable = _first_of_sequence(list(parsed))
    except (re.error, AttributeError, TypeError, ValueError, IndexError):
        return None
    if chars is None:
        return None
    return frozenset(c for ch in chars for c in (ch, ch.lower(), ch.upper()) if len(c) == 1)


def _first_of_sequence(items: list) -> tuple[set[str] | None, bool]:
    found: set[str] = set()
    for op, av in items:
        chars, nullable = _first_of_item(op, av)
        if chars is None:
            return None, False
        found |= chars
        if not nullable:
            return found, False
    return found, True


def _first_of_item(op, av) -> tuple[set[str] | None, bool]:  # noqa: C901 - one branch per opcode
    c = _sre_constants
    if op is c.LITERAL:
        return {chr(av)}, False
    if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
        return set(), True
    if op is c.IN:
        return _first_of_set(av), False
    if op is c.SUBPATTERN:
        return _first_of_sequence(list(av[-1]))
    if op is c.BRANCH:
        found: set[str] = set()
        nullable = False
        for branch in av[1]:
            chars, branch_nullable = _first_of_sequence(list(branch))
            if chars is None:
                return None, False
            found |= chars
            nullable = nullable or branch_nullable
        return found, nullable
    if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
        low, _high, body = av
        chars, nullable = _first_of_sequence(list(body))
        return chars, nullable or low == 0
    return None, False


def _first_of_set(items: list) -> set[str] | None:
    c = _sre_constants
    found: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            found.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] < 400:
            found.update(chr(code) for code in range(av[0], av[1] + 1))
        else:
            return None
    return found


@lru_cache(maxsize=1)
def compiled_specs() -> tuple[re.Pattern[str], ...]:
    """Each spec compiled on its own, anchored use only (``.match``)."""
    return tuple(re.compile(r"(?<![\w])" + spec.pattern) for spec in mention_specs())


@lru_cache(maxsize=1)
def specs_by_first_character() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Spec indexes keyed by the character a match can start with, plus the 'any' specs.

    Specs that can start anywhere are in every character's bucket, and alone
    under :data:`ANY_CHARACTER` for characters without a bucket of their own.
    """
    by_char: dict[str, list[int]] = {}
    anywhere: list[int] = []
    for index, spec in enumerate(mention_specs()):
        chars = first_characters(spec.pattern)
        if chars is None:
            anywhere.append(index)
            continue
        for char in chars:
            by_char.setdefault(char, []).append(index)
    buckets = {k: tuple(sorted(set(v) | set(anywhere))) for k, v in by_char.items()}
    if anywhere:
        buckets[ANY_CHARACTER] = tuple(anywhere)
    return buckets, tuple(anywhere)


#: The bucket key of specs whose first character is not known (see :func:`specs_by_first_character`).
ANY_CHARACTER = ""


@lru_cache(maxsize=1)
def bucket_filters() -> dict[str, re.Pattern[str]]:
    """Per first character, one regex that matches where any spec of that bucket matches."""
    by_char, _anywhere = specs_by_first_character()
    specs = mention_specs()
    cache: dict[tuple[int, ...], re.Pattern[str]] = {}
    filters: dict[str, re.Pattern[str]] = {}
    for char, indexes in by_char.items():
        if indexes not in cache:
            cache[indexes] = re.compile(r"(?<![\w])(?:" + "|".join(f"(?:{specs[i].pattern})" for i in indexes) + ")")
        filters[char] = cache[indexes]
    return filters


@lru_cache(maxsize=1)
def bucket_alternations() -> dict[tuple[str, int], re.Pattern[str]]:
    """Per (first character, tier): the specs as one alternation, longest source first.

    Python's alternation takes the first branch that matches, not the longest;
    listing the longer (more specific) patterns first makes the first match the
    longest in practice. ``tests/test_treaty_references.py`` checks this against
    the exhaustive search on the development set.
    """
    by_char, _anywhere = specs_by_first_character()
    specs = mention_specs()
    cache: dict[tuple[int, ...], re.Pattern[str]] = {}
    result: dict[tuple[str, int], re.Pattern[str]] = {}
    for char, indexes in by_char.items():
        for tier in (SPECIFIC_TIER, GENERIC_TIER):
            chosen = tuple(
                sorted(
                    (i for i in indexes if specs[i].tier == tier),
                    key=lambda i: (specs[i].kind not in (PROTOCOL_LIST, GENEVA_LIST), -len(specs[i].pattern)),
                )
            )
            if not chosen:
                continue
            if chosen not in cache:
                cache[chosen] = re.compile(
                    r"(?<![\w])(?:" + "|".join(f"(?P<m{i}>{specs[i].pattern})" for i in chosen) + ")"
                )
            result[(char, tier)] = cache[chosen]
    return result


# -- bare article numbers after an abbreviation: "GCIV 147", "AP I 51(2)" ------------
# Only the Geneva Conventions' and Additional Protocols' compact abbreviations
# (not "API", a common word in technical text), one space, one number the
# instrument has or a list of them ("GCIV 1, 2 and 3"; checked by the finder
# against the catalogue), pinpoints, then punctuation or the end of the text: so
# "GCIV 1949", "GC IV 12 August 1949", "GCIV 147 pages", "GC IV 196 States" and
# "GCIV 147-149" stay mentions of the instrument alone.
BARE_NUMBER_HOST_RE = re.compile(r"GC\s?-?(?:IV|III|II|I|[1-4])|AP(?:\s|-)(?:II|I)|APII|AP\s?[12]")
BARE_NUMBER_RE = re.compile(r" " + ARTICLE_NUMBER)
BARE_NUMBER_END_RE = re.compile(r"\s*(?:[,;:)\]]|\.(?!\w)|$)")

ARTICLE_HEAD_RE = re.compile(ARTICLE_KEYWORD)
AND_FOLLOWING_RE = re.compile(AND_FOLLOWING)
LIST_MARKER_RE = re.compile(LIST_MARKER)
ARTICLE_NUMBER_RE = re.compile(ARTICLE_NUMBER)
PIN_RE = re.compile(PIN)
RANGE_SEP_RE = re.compile(RANGE_SEP)
# "Article 7(1)(a)-(c)": a range of lettered sub-paragraphs after the first one's pin
SUB_RANGE_RE = re.compile(r"\s*[" + DASHES + r"]\s*\(\s*(?P<last>" + LETTER + r")\s*\)", re.IGNORECASE)
LAST_SUB_PIN_RE = re.compile(r"\(\s*(?P<sub>" + LETTER + r")\s*\)$", re.IGNORECASE)
ROMAN_RANGE_RE = re.compile(r"(?<=[ivx]\))\s*[" + DASHES + r"]\s*\(\s*[ivx]{1,5}\s*\)")
LIST_SEP_RE = re.compile(LIST_SEP)
LIST_ITEM_END_RE = re.compile(LIST_ITEM_END)
AZ_CITATION_RE = re.compile(AZ_CITATION)
ARTICLE_ORDINAL_AZ_RE = re.compile(ARTICLE_ORDINAL_AZ)
AZ_NUMBER_RE = re.compile(
    r"(?P<num>\d{1,3})(?P<pins>" + AZ_PINS + r")(?:" + AZ_SUFFIX + r")?"
    r"(?P<sep>\s*(?:,|və|ilə|[" + DASHES + r"])\s*)?"
)
COMMON_ABBREVIATION_RE = re.compile(COMMON_ABBREVIATION)
