"""Tests for treaty reference detection: forms, negatives, context, diagnostics, interfaces."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.treaties import (
    Detection,
    ReferenceMatch,
    detect,
    find_references,
    find_references_in_pages,
    parse_article_query,
    refs_record,
)
from archive.treaties.find import az_ordinal_number, find_mentions, scan_triggers
from archive.treaties.patterns import name_pattern

DEV_SET = Path(__file__).parent / "data" / "refs_dev.jsonl"


def ids(text: str) -> list[str]:
    return refs_record(text)["refs"]


POSITIVE_FORMS = [
    ("Article 147 of the Fourth Geneva Convention", ["GCIV-147"]),
    ("Art. 147 GCIV", ["GCIV-147"]),
    ("GC IV, art. 49(6)", ["GCIV-49-6"]),
    ("Geneva Convention IV", ["GCIV"]),
    ("the Civilians Convention", ["GCIV"]),
    ("the Fourth Geneva Convention", ["GCIV"]),
    ("Arts. 146–148 of the Fourth Geneva Convention", ["GCIV-146", "GCIV-147", "GCIV-148"]),
    ("Articles 49 and 53 of the Fourth Geneva Convention", ["GCIV-49", "GCIV-53"]),
    ("paragraph 2 of Article 5 of the Ottawa Convention", ["APMBC-5-2"]),
    ("Article 1(1)(a) of the Ottawa Convention", ["APMBC-1-1-a"]),
    ("sub-paragraph (b) of paragraph 1 of Article 7 of the Ottawa Convention", ["APMBC-7-1-b"]),
    ("the sixth paragraph of Article 49 of the Fourth Geneva Convention", ["GCIV-49-6"]),
    ("the second sentence of the sixth paragraph of Article 49 of GCIV", ["GCIV-49-6"]),
    ("Article 49(6) of the Fourth Geneva Convention", ["GCIV-49-6"]),
    ("Article 49, paragraph 6 of the Fourth Geneva Convention", ["GCIV-49-6"]),
    ("common Article 3", ["GC-COMMON-3"]),
    ("Article 3 common to the four Geneva Conventions", ["GC-COMMON-3"]),
    ("common Article 3(1)(a)", ["GC-COMMON-3-1-a"]),
    ("Article 3, paragraph 1(b), common to the four Geneva Conventions", ["GC-COMMON-3-1-b"]),
    ("AP I Art. 51(4)", ["API-51-4"]),
    ("Article 7(1)(a)-(c) of the Ottawa Convention", ["APMBC-7-1-a", "APMBC-7-1-b", "APMBC-7-1-c"]),
    ("Article 85(3)(a) – (b) of Additional Protocol I", ["API-85-3-a", "API-85-3-b"]),
    ("Article 57(2)(a)(i)-(iii) of Additional Protocol I", ["API-57-2-a"]),  # roman items name nothing
    ("Article 85(3)(a) of Protocol I", ["API-85-3-a"]),
    ("Ottawa Convention", ["APMBC"]),
    ("Ottawa Treaty", ["APMBC"]),
    ("Mine Ban Treaty", ["APMBC"]),
    ("APMBC", ["APMBC"]),
    ("the 1997 Convention", ["APMBC"]),
    ("CCM", ["CCM"]),
    ("Convention on Cluster Munitions", ["CCM"]),
    ("Amended Protocol II", ["CCW-APII-1996"]),
    ("Protocol III", ["CCW-PIII"]),
    ("Additional Protocol II", ["APII"]),
    ("Additional Protocols I and II", ["API", "APII"]),
    ("Article 51(4) and (5) of Protocol I", ["API-51-4", "API-51-5"]),
    ("Articles 5, 6 and 7 of the Ottawa Convention", ["APMBC-5", "APMBC-6", "APMBC-7"]),
    ("Article 1 and Article 5 of the Ottawa Convention", ["APMBC-1", "APMBC-5"]),
    ("Article 7 report under the Ottawa Convention", ["APMBC-7"]),
    ("The Fourth Geneva Convention of 1949, Article 147", ["GCIV-147"]),
]

RUSSIAN_FORMS = [
    ("статья 147 Четвертой Женевской конвенции", ["GCIV-147"]),
    ("статьи 147 Четвёртой Женевской конвенции", ["GCIV-147"]),
    ("статьей 147 Четвертой Женевской конвенции", ["GCIV-147"]),
    ("ст. 53 IV Женевской конвенции", ["GCIV-53"]),
    ("Оттавской конвенции", ["APMBC"]),
    ("Оттавская конвенция", ["APMBC"]),
    ("ч. 1 ст. 5 Оттавской конвенции", ["APMBC-5-1"]),
    ("п. 1 ст. 5 Оттавской конвенции", ["APMBC-5-1"]),
    ("пункт 1 статьи 5 Оттавской конвенции", ["APMBC-5-1"]),
    ("пунктом 1 статьи 5 Оттавской конвенции", ["APMBC-5-1"]),
    ("подпункт «а» пункта 1 статьи 1 Оттавской конвенции", ["APMBC-1-1-a"]),
    ("подпункта «б» пункта 1 статьи 7 Оттавской конвенции", ["APMBC-7-1-b"]),
    ("статьи 146–148 Четвертой Женевской конвенции", ["GCIV-146", "GCIV-147", "GCIV-148"]),
    ("статьи 49 и 53 Четвертой Женевской конвенции", ["GCIV-49", "GCIV-53"]),
    ("статья 51 Дополнительного протокола I", ["API-51"]),
    ("статья 13 Протокола II с поправками", ["CCW-APII-1996-13"]),
    ("Конвенции по кассетным боеприпасам", ["CCM"]),
    ("общая статья 3 Женевских конвенций", ["GC-COMMON-3"]),
    ("абзац шестой статьи 49 Четвертой Женевской конвенции", ["GCIV-49-6"]),
    ("Протокол III", ["CCW-PIII"]),
    ("статья 3, пункт 1, общая для всех четырех Женевских конвенций", ["GC-COMMON-3-1"]),
    ("ст. 147 ЖК IV", ["GCIV-147"]),
    ("ст. 53 IV ЖК", ["GCIV-53"]),
    ("абз. 6 ст. 49 ЖК-IV", ["GCIV-49-6"]),
    ("статьях 146–148 ЖК IV", ["GCIV-146", "GCIV-147", "GCIV-148"]),
    ("ЖК III, ст. 13", ["GCIII-13"]),
    ("Дополнительные протоколы к Женевским конвенциям I и II", ["API", "APII"]),
    ("ст. 49 Женевской конвенции (IV)", ["GCIV-49"]),
    ("ст. 49 Конвенции (IV) о защите гражданского населения во время войны", ["GCIV-49"]),
    ("Конвенция (III) об обращении с военнопленными", ["GCIII"]),
    ("Конвенция (IV) об обращении с военнопленными", []),  # the numeral and the title disagree
]

AZERBAIJANI_FORMS = [
    ("Cenevrə Konvensiyasının 147-ci maddəsi", ["GCIV-147"]),
    ("Ottava Konvensiyasının 5-ci maddəsi", ["APMBC-5"]),
    ("Ottava Konvensiyasının 6-cı maddəsi", ["APMBC-6"]),
    ("Ottava Konvensiyasının 3-cü maddəsi", ["APMBC-3"]),
    ("Ottava Konvensiyasının 9-cu maddəsi", ["APMBC-9"]),
    ("Ottava Konvensiyasının 1-nci maddəsi", ["APMBC-1"]),
    ("Ottava Konvensiyasının 5-ci maddəsinin 1-ci bəndi", ["APMBC-5-1"]),
    ("Ottava Konvensiyasının 1-ci maddəsinin 1-ci bəndinin \"a\" yarımbəndi", ["APMBC-1-1-a"]),
    ("Dördüncü Cenevrə Konvensiyasının 53-cü maddəsi", ["GCIV-53"]),
    ("IV Cenevrə Konvensiyasının 49 və 53-cü maddələri", ["GCIV-49", "GCIV-53"]),
    ("Əlavə Protokol I", ["API"]),
    ("Kasetli Sursatlar haqqında Konvensiya", ["CCM"]),
    ("Ottava Konvensiyası", ["APMBC"]),
    # after the plural Conventions a numeral is the Protocol's
    ("Cenevrə Konvensiyalarına I Əlavə Protokolun 48-ci maddəsi", ["API-48"]),
    ("Cenevrə Konvensiyalarına II Əlavə Protokol", ["APII"]),
    ("Cenevrə Konvensiyası IV", ["GCIV"]),
]

CONTEXT_CASES = [
    ("The Ottawa Convention applies. Article 5 requires clearance.", ["APMBC", "APMBC-5"]),
    ("Article 5 requires clearance.", []),
    ("The Convention requires clearance. Article 5 applies.", []),
    ("Under the Ottawa Convention, Article 5 of the Convention applies.", ["APMBC", "APMBC-5"]),
    ("Article 147 of GCIV; see also Article 146 of the same Convention.", ["GCIV-147", "GCIV-146"]),
    ("Article 51 of Additional Protocol I; ibid., Article 57.", ["API-51", "API-57"]),
    ("Ottava Konvensiyası qüvvədədir. Konvensiyanın 5-ci maddəsi.", ["APMBC", "APMBC-5"]),
    ("The Ottawa Convention. Article 5 of the Law on Mine Action.", ["APMBC"]),
    ("The Ottawa Convention. The Constitution was amended. Article 5 protects.", ["APMBC"]),
    ("Protocol II, adopted in 1977, applies in non-international conflicts.", ["APII"]),
    ("Protocol II (as amended on 3 May 1996) on mines and booby-traps.", ["CCW-APII-1996"]),
    ("Under the CCW, Protocol II regulates mines, booby-traps and other devices.", ["CCW-APII-1996"]),
    ("Additional Protocol I and Protocol II of 1977 were ratified.", ["API", "APII"]),
    ("Ottava Konvensiyası. Qərarın 5-ci maddəsi.", ["APMBC"]),
    ("Оттавская конвенция. Статья 5 соглашения.", ["APMBC"]),
    ("Article 17 of Protocol II", ["APII-17"]),  # only Additional Protocol II has an Article 17
    ("Article 3(3) of Protocol II", ["CCW-APII-1996-3-3"]),  # only the CCW one has Article 3(3)
]

LIST_AND_PARENTHESIS_CASES = [
    ("the Third and Fourth Geneva Conventions", ["GCIII", "GCIV"]),
    ("Article 5 of the First, Second and Third Geneva Conventions", ["GCI-5", "GCII-5", "GCIII-5"]),
    ("Fourth Geneva Convention (GCIV), art. 147", ["GCIV-147"]),
    ("the Mine Ban Convention's Article 5", ["APMBC-5"]),
    ("Протокол II 1977 года (ст. 13)", ["APII-13"]),
]

NEGATIVES = [
    "Article 5 of the Law on Mine Action",
    "Section 4 of the Criminal Code",
    "статья 147 Уголовного кодекса",
    "Cinayət Məcəlləsinin 147-ci maddəsi",
    "Article 27 of the Constitution",
    "paragraph 12 of the report",
    "Protocol of the meeting of 5 May",
    "протокол заседания комиссии",
    "A/76/123",
    "CCW/CONF.VI/11",
    "APLC/MSP.19/2021/5",
    "CCM/MSP/2019/4",
    "Resolution 884 (1993)",
    "Article 8(2)(b)(iv) of the Rome Statute",
    "Regulation 5 of the internal rules",
    "Article 43 of the Hague Regulations",
    "on 12 August 1949 in Geneva",
    "page 147, exhibit 5",
    "The API returned an error.",
    "The MBT column advanced.",
    "Article 5",
    "Article 25 of the Ottawa Convention",
    "Article 19 of the Convention on the Rights of the Child",
    "the artillery fired 146 rounds",
    "Статья 147 ЖК РФ",  # the Housing Code
    "ст. 3 ЖК",
    "квартира в ЖК «Солнечный», корпус IV ЖК",  # a housing estate
    "ЖК IV была ратифицирована",  # the abbreviation counts only beside a cited article
    "Женевские конвенции I–IV",  # the four together, not the First
    "Cenevrə Konvensiyaları I–IV",
]

LIST_MARKER_CASES = [
    ("(i) Article 147 and (ii) Article 53 of the Fourth Geneva Convention", ["GCIV-147", "GCIV-53"]),
    (
        "(i) Article 147, (ii) Article 53 and (iii) Article 49(6) of the Fourth Geneva Convention",
        ["GCIV-147", "GCIV-53", "GCIV-49-6"],
    ),
    ("(i) Article 147; and (ii) Article 53 of GCIV", ["GCIV-147", "GCIV-53"]),
    ("(A) Article 51 and (B) Article 57 of Additional Protocol I", ["API-51", "API-57"]),
    ("(1) Article 51 and (2) Article 57 of Additional Protocol I", ["API-51", "API-57"]),  # not API-51-2
    ("Articles 49 (i) and 147 (ii) of the Fourth Geneva Convention", ["GCIV-49", "GCIV-147"]),
    ("Article 49 (i) and (ii) of GCIV", ["GCIV-49"]),
    ("Article 51(4)(a) and (b) of Protocol I", ["API-51-4-a", "API-51-4-b"]),
    ("Article 51(4)(a) of Protocol I", ["API-51-4-a"]),
]

ORDINAL_BEFORE_GC_FORMS = [
    ("Art.147 IV GC", ["GCIV-147"]),
    ("Art 147 4th GC", ["GCIV-147"]),
    ("Art. 147 fourth GC", ["GCIV-147"]),
    ("Art. 118 III GC", ["GCIII-118"]),
    ("Art. 12 I GC", ["GCI-12"]),
    ("Art. 51(2) IV GC", ["GCIV-51-2"]),
    ("Article 4 of the III Geneva Convention", ["GCIII-4"]),  # was the Geneva Convention by default, GCIV
    ("the IV Geneva Convention", ["GCIV"]),
    ("Art. 53 4 GC", ["GCIV-53"]),
    ("Art 147 4 GC", ["GCIV-147"]),
    ("IV GC Article 147", ["GCIV-147"]),
    ("4 GC art. 49(6)", ["GCIV-49-6"]),
    ("IV GC Articles 49 and 53", ["GCIV-49", "GCIV-53"]),
    ("Article 147 of the IV GC", ["GCIV-147"]),
    ("Article 147 of the IV GC.", ["GCIV-147"]),
    ("Article 53 of 4 GC, and Article 118 of the III GC", ["GCIV-53", "GCIII-118"]),
]

# "IV GC", "4 GC" and "4th GC" count only beside a cited article: right after its number,
# after "of (the)" at the end of the citation, or (not "4th") right before the keyword. Alone
# they are too risky ("stage IV GC" is gastric cancer, "the 4th GC" a General Conference).
ORDINAL_BEFORE_GC_NEGATIVES = [
    "Stage IV GC was diagnosed in 2019.",
    "The 4th GC meeting was held in May.",
    "At the 4th GC, Article 12 was amended.",
    "At the IV GC, Article 12 was amended.",
    "In the report of the IV GC, Article 12 was amended.",
    "Article 5 of the first GC report",
    "Article 5 of the 4 GC report",
    "Article 12 of the IV GC resolution was adopted.",
    "IV GC, art. 49(6)",
    "The IV GC applies.",
    "The laboratory ran 4 GC analyses under Article 5.",
    "Stage IV GC was diagnosed. Article 5 requires clearance.",  # nor does it set the context
    "Stage 4 GC was diagnosed. Article 5 requires clearance.",
    "The API returned an error. Article 5 requires clearance.",
]

BARE_NUMBER_FORMS = [
    ("GCIV 147", ["GCIV-147"]),
    ("GC IV 147.", ["GCIV-147"]),
    ("AP I 51(2)", ["API-51-2"]),
    ("GCIV 49(6), AP I 51(2); AP II 4", ["GCIV-49-6", "API-51-2", "APII-4"]),
    ("see GC III 118, GC IV 147", ["GCIII-118", "GCIV-147"]),
    ("AP II 13.", ["APII-13"]),
    ("GC4 147.", ["GCIV-147"]),
    ("GCIV 1, 2 and 3", ["GCIV-1", "GCIV-2", "GCIV-3"]),
    ("GCIV 146, 147 and 148.", ["GCIV-146", "GCIV-147", "GCIV-148"]),
    ("GC IV 49(6) and 53; AP I 51(2), 52 and 57(3).", ["GCIV-49-6", "GCIV-53", "API-51-2", "API-52", "API-57-3"]),
    ("AP II 4 or 13, and GCIV 147", ["APII-4", "APII-13", "GCIV-147"]),
]

# A number after an abbreviation that is not followed by punctuation or the end,
# is a year, is not an article of the instrument, or follows a risky abbreviation.
BARE_NUMBER_NEGATIVES = [
    ("GCIV 1949", ["GCIV"]),
    ("GC IV 12 August 1949", ["GCIV"]),
    ("GCIV 12/08/1949", ["GCIV"]),
    ("GCIV 147 pages", ["GCIV"]),
    ("GC IV 196 States Parties", ["GCIV"]),
    ("GC IV 196.", ["GCIV"]),
    ("GCIV 160.", ["GCIV"]),
    ("GCIV 147-149", ["GCIV"]),
    ("GCIV 147 of the Criminal Code", ["GCIV"]),
    ("AP I 174.", ["API"]),
    ("API 51.", []),
    ("CCM 4.", ["CCM"]),
    ("GCIV 147 and 160.", ["GCIV"]),  # a list counts only if the instrument has every article in it
    ("GC IV 196, 174 and 169.", ["GCIV"]),
    ("GCIV 146-148 and 150.", ["GCIV"]),
    ("GCIV 147 and 12 people.", ["GCIV"]),
]

FRENCH_FORMS = [
    ("Art. 147 de la IVe Convention de Genève", ["GCIV-147"]),
    ("article 49, alinéa 6, de la quatrième Convention de Genève", ["GCIV-49-6"]),
    ("art. 49 al. 6 de la 4e Convention de Genève", ["GCIV-49-6"]),
    ("l'alinéa 6 de l'article 49 de la IVe Convention de Genève", ["GCIV-49-6"]),
    ("article 147 de la Convention de Genève IV", ["GCIV-147"]),
    ("articles 146 à 148 de la IVe Convention de Genève", ["GCIV-146", "GCIV-147", "GCIV-148"]),
    ("articles 49 et 53 de la IVe Convention de Genève", ["GCIV-49", "GCIV-53"]),
    ("article 3 commun aux Conventions de Genève", ["GC-COMMON-3"]),
    ("l'article 51 du Protocole additionnel I", ["API-51"]),
    ("article 51, paragraphe 4, alinéa a), du Protocole additionnel I", ["API-51-4-a"]),
    ("l'article 3 du Protocole additionnel II", ["APII-3"]),
    ("le paragraphe 2 de l'article 5 de la Convention d'Ottawa", ["APMBC-5-2"]),
    ("l'alinéa a) du paragraphe 1 de l'article 7 de la Convention d'Ottawa", ["APMBC-7-1-a"]),
    ("l'article 1er de la Convention d'Ottawa", ["APMBC-1"]),
    ("l'article 4 de la Convention sur les armes à sous-munitions", ["CCM-4"]),
    (
        "l'article 5 de la Convention d'Ottawa et l'article 147 de la IVe Convention de Genève",
        ["APMBC-5", "GCIV-147"],
    ),
    ("l'article 51 du Protocole I", ["API-51"]),
    ("le Protocole I de 1977", ["API"]),
    ("l'article 147 de la CG IV", ["GCIV-147"]),
    ("CG IV, art. 49, al. 6", ["GCIV-49-6"]),
    ("la CG III et la CG IV", ["GCIII", "GCIV"]),
    ("l'article 51 du PA I", ["API-51"]),
    ("PA II, art. 13", ["APII-13"]),
    ("le sixième alinéa de l'article 49 de la IVe Convention de Genève", ["GCIV-49-6"]),
    ("le 6e alinéa de l'article 49 de la CG IV", ["GCIV-49-6"]),
    ("le premier alinéa de l'article 1er de la Convention d'Ottawa", ["APMBC-1-1"]),
    ("le deuxième paragraphe de l'article 5 de la Convention d'Ottawa", ["APMBC-5-2"]),
    ("l'article 49, sixième alinéa, de la IVe Convention de Genève", ["GCIV-49-6"]),
    ("le huitième alinéa de l'article 51 du PA I", ["API-51-8"]),
    ("les premier et sixième alinéas de l'article 49 de la CG IV", ["GCIV-49-1", "GCIV-49-6"]),
    ("l'article 13 du Protocole II", ["APII-13"]),
    ("l'article 3 du Protocole II sur les mines, pièges et autres dispositifs", ["CCW-APII-1996-3"]),
]

# "de" before a name that is not a catalogue instrument marks another instrument, as "of" does.
FRENCH_NEGATIVES = [
    ("l'article 5 de la loi sur l'action antimines", []),
    ("l'article 27 de la Constitution", []),
    ("La Convention d'Ottawa est en vigueur. L'article 12 du Code pénal s'applique.", ["APMBC"]),
    ("le sixième alinéa de l'article 49 du Code pénal", []),
    ("le premier alinéa de l'article 5", []),  # no instrument named
    ("l'article 5 du CGI", []),  # Code général des impôts, not GC I
    ("Les CG de vente s'appliquent, article 5.", []),
    ("le PAI de la commune", []),
    ("le PA I et le PA II", []),  # "PA I" counts only inside a citation
    ("Traffic on PA I-95 was closed.", []),
]

# "et seq.", "ff.", "et suivants": the named article only, the following ones are not invented.
ET_SEQ_FORMS = [
    ("Articles 146 et seq. of the Fourth Geneva Convention", ["GCIV-146"]),
    ("Article 146 et seq. of GCIV", ["GCIV-146"]),
    ("Arts. 146 ff. GCIV", ["GCIV-146"]),
    ("Art. 146 ff. of the Fourth Geneva Convention", ["GCIV-146"]),
    ("Article 5(1) et seq. of the Ottawa Convention", ["APMBC-5-1"]),
    ("articles 146 et suivants de la IVe Convention de Genève", ["GCIV-146"]),
    ("The Fourth Geneva Convention, Article 146 et seq.", ["GCIV-146"]),
    ("ст. 146 и след. IV Женевской конвенции", ["GCIV-146"]),
    ("Article 146 et seq. of the Criminal Code", []),
    ("Articles 5 ff. of the Law on Mine Action", []),
]

DIAGNOSTICS = [
    ("Article 25 of the Ottawa Convention", "nonexistent_article"),
    ("APMBC Article 25", "nonexistent_article"),
    ("Article 5(9) of the Ottawa Convention", "nonexistent_paragraph"),
    ("Article 1(1)(d) of the Ottawa Convention", "nonexistent_subparagraph"),
    ("the seventh paragraph of Article 49 of the Fourth Geneva Convention", "nonexistent_paragraph"),
    ("Article 160 of the Fourth Geneva Convention", "nonexistent_article"),
    ("le dixième alinéa de l'article 49 de la IVe Convention de Genève", "nonexistent_paragraph"),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE_FORMS)
def test_english_forms(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), RUSSIAN_FORMS)
def test_russian_forms(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), AZERBAIJANI_FORMS)
def test_azerbaijani_forms(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), CONTEXT_CASES)
def test_context(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), LIST_AND_PARENTHESIS_CASES)
def test_lists_of_instruments_and_parenthetical_abbreviations(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_false_hits(text):
    assert ids(text) == []


# Protocol I of the CCW (non-detectable fragments) is not in the catalogue: it must not be read as Additional
# Protocol I of the Geneva Conventions, and a bare article after it must not take that Protocol as its instrument.
CCW_PROTOCOL_I_CASES = [
    ("CCW Protocol I bans weapons whose fragments escape X-rays.", []),
    ("Article 1 of CCW Protocol I", []),
    ("Protocol I to the CCW", []),
    ("Article 2 of Protocol I to the CCW", []),
    ("Article 1 of Protocol I to the Convention on Certain Conventional Weapons", []),
    ("Protocol I annexed to the CCW. Article 51 applies.", []),
    ("Протокол I к Конвенции о запрещении или ограничении применения конкретных видов обычного оружия", []),
    ("статья 1 Протокола I к КОО", []),
    # Additional Protocol I is still read, beside the CCW too
    ("Article 51 of Protocol I", ["API-51"]),
    ("Article 51 of Protocol I and CCW Protocol III", ["API-51", "CCW-PIII"]),
    ("статья 51 Протокола I к Женевским конвенциям", ["API-51"]),
]


# Additional Protocol III (2005, the red crystal) is not in the catalogue: it is neither Additional Protocol I or II
# nor the CCW's Protocol III (incendiary weapons).
ADDITIONAL_PROTOCOL_III_CASES = [
    ("Protocol III additional to the Geneva Conventions", []),
    ("Article 2 of Protocol III to the Geneva Conventions", []),
    ("Дополнительный протокол III", []),
    ("статья 2 Дополнительного протокола III к Женевским конвенциям", []),
    ("Протокол III к Женевским конвенциям", []),
    ("Əlavə Protokol III", []),
    ("III Əlavə Protokol", []),
    ("Əlavə Protokol IV", []),
    # the catalogue's instruments are still read
    ("Protocol III to the CCW", ["CCW-PIII"]),
    ("Article 2 of Protocol III", ["CCW-PIII-2"]),
    ("Протокол III к КОО", ["CCW-PIII"]),
    ("Əlavə Protokol II", ["APII"]),
    ("Əlavə Protokol I-in 51(2)-ci maddəsi", ["API-51-2"]),
]


@pytest.mark.parametrize(("text", "expected"), ADDITIONAL_PROTOCOL_III_CASES)
def test_additional_protocol_three_is_no_catalogue_instrument(text, expected):
    assert ids(text) == expected


# Geneva Conventions that are not the 1949 ones: road traffic, refugees, the law of the sea, and the older
# humanitarian conventions. A careful reader would never cite the Fourth Convention for them.
OTHER_GENEVA_CONVENTIONS = [
    "the Geneva Convention on Road Traffic",
    "Article 1 of the Geneva Convention on Road Traffic",
    "Article 33 of the 1951 Geneva Convention relating to the Status of Refugees",
    "the 1951 Geneva Convention relating to the Status of Refugees, Article 33",
    "Article 2 of the Geneva Convention on the High Seas",
    "Article 33 of the 1951 Geneva Convention",
    "the 1929 Geneva Convention",
    "the 1864 Geneva Convention, Article 6",
    "Женевская конвенция о дорожном движении, статья 1",
    "статья 33 Женевской конвенции о статусе беженцев",
    "Yol hərəkəti haqqında Cenevrə Konvensiyasının 1-ci maddəsi",
    "Qaçqınların statusu haqqında Cenevrə Konvensiyasının 33-cü maddəsi",
]


@pytest.mark.parametrize("text", OTHER_GENEVA_CONVENTIONS)
def test_other_geneva_conventions_are_not_the_fourth(text):
    assert ids(text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Article 147 of the Geneva Convention", ["GCIV-147"]),
    ("Article 147 of the 1949 Geneva Convention", ["GCIV-147"]),
    ("Geneva Convention relative to the Protection of Civilian Persons in Time of War, Article 147", ["GCIV-147"]),
    ("Cenevrə Konvensiyasının 147-ci maddəsi", ["GCIV-147"]),
    ("статья 147 Женевской конвенции о защите гражданского населения во время войны", ["GCIV-147"]),
])
def test_the_geneva_convention_is_still_the_fourth(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Article 13 of the Geneva Convention on Prisoners of War", ["GCIII-13"]),
    ("the Geneva Convention relative to prisoners of war", ["GCIII"]),
    ("Article 13 of the Geneva Convention on the Treatment of Prisoners of War", ["GCIII-13"]),
])
def test_the_geneva_convention_on_prisoners_of_war_is_the_third(text, expected):
    assert ids(text) == expected


# The instrument in brackets after the article, as footnotes and tables write it.
BRACKETED_INSTRUMENT_CASES = [
    ("Article 147 (Fourth Geneva Convention)", "GCIV-147", "Article 147 (Fourth Geneva Convention)"),
    ("Grave breaches: Art. 147 (GC IV).", "GCIV-147", "Art. 147 (GC IV)"),
    ("Article 5 (Ottawa Convention)", "APMBC-5", "Article 5 (Ottawa Convention)"),
    ("Article 51(4) (Additional Protocol I)", "API-51-4", "Article 51(4) (Additional Protocol I)"),
    ("Article 147 [Fourth Geneva Convention]", "GCIV-147", "Article 147 [Fourth Geneva Convention]"),
    ("статья 147 (Четвертая Женевская конвенция)", "GCIV-147", "статья 147 (Четвертая Женевская конвенция)"),
    ("Fourth Geneva Convention (Art. 147)", "GCIV-147", "Fourth Geneva Convention (Art. 147)"),
    ("Fourth Geneva Convention (1949), Article 147) ends", "GCIV-147", "Fourth Geneva Convention (1949), Article 147"),
]


@pytest.mark.parametrize(("text", "ref_id", "span"), BRACKETED_INSTRUMENT_CASES)
def test_an_instrument_in_brackets_beside_the_article_is_its_instrument(text, ref_id, span):
    assert [(match.id, match.text) for match in find_references(text)] == [(ref_id, span)]


def test_an_unknown_instrument_in_brackets_is_still_foreign():
    assert ids("Article 147 (Criminal Code) and the Fourth Geneva Convention") == ["GCIV"]


@pytest.mark.parametrize(("text", "expected"), CCW_PROTOCOL_I_CASES)
def test_ccw_protocol_one_is_not_additional_protocol_one(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "kind"), DIAGNOSTICS)
def test_nonexistent_provisions_become_diagnostics(text, kind):
    record = refs_record(text)
    assert record["refs"] == []
    assert [d["kind"] for d in record["diagnostics"]] == [kind]
    diagnostic = record["diagnostics"][0]
    assert text[diagnostic["start"]:diagnostic["end"]] == diagnostic["text"]
    assert diagnostic["message"]


@pytest.mark.parametrize(("text", "expected"), LIST_MARKER_CASES)
def test_list_markers_between_cited_articles(text, expected):
    assert ids(text) == expected


def test_list_marker_is_not_read_as_a_pinpoint():
    text = "(a) Article 147 and (b) Article 53 of the Fourth Geneva Convention"
    matches = find_references(text)
    assert [(m.id, m.text) for m in matches] == [
        ("GCIV-147", "Article 147"),
        ("GCIV-53", "Article 53 of the Fourth Geneva Convention"),
    ]


@pytest.mark.parametrize(("text", "expected"), ORDINAL_BEFORE_GC_FORMS)
def test_ordinal_before_gc(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize("text", ORDINAL_BEFORE_GC_NEGATIVES)
def test_ordinal_before_gc_alone_is_nothing(text):
    assert ids(text) == []


@pytest.mark.parametrize(("text", "expected"), BARE_NUMBER_FORMS)
def test_bare_number_after_abbreviation(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), BARE_NUMBER_NEGATIVES)
def test_bare_number_after_abbreviation_negatives(text, expected):
    record = refs_record(text)
    assert record["refs"] == expected
    assert record["diagnostics"] == []


def test_bare_number_match_spans_abbreviation_and_number():
    text = "As held in AP I 51(2), attacks are prohibited."
    [match] = find_references(text)
    assert (match.id, match.text) == ("API-51-2", "AP I 51(2)")


def test_bare_number_list_items_have_their_own_spans():
    text = "GCIV 146, 147 and 148."
    assert [(m.id, m.text) for m in find_references(text)] == [
        ("GCIV-146", "GCIV 146"), ("GCIV-147", "147"), ("GCIV-148", "148"),
    ]


@pytest.mark.parametrize(("text", "expected"), FRENCH_FORMS)
def test_french_forms(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), FRENCH_NEGATIVES)
def test_french_citations_of_other_instruments(text, expected):
    assert ids(text) == expected


@pytest.mark.parametrize(("text", "expected"), ET_SEQ_FORMS)
def test_et_seq_gives_the_named_article(text, expected):
    assert ids(text) == expected


def test_bare_article_after_ottawa_resolves_to_apmbc():
    assert ids("Ottawa Convention. Article 5.") == ["APMBC", "APMBC-5"]


def test_match_carries_span_and_parts():
    text = "As held, Article 85(3)(a) of Protocol I applies."
    [match] = find_references(text)
    assert isinstance(match, ReferenceMatch)
    assert text[match.start:match.end] == match.text == "Article 85(3)(a) of Protocol I"
    assert (match.instrument, match.article, match.paragraph, match.subparagraph) == ("API", 85, "3", "a")


def test_list_items_have_their_own_spans():
    text = "Articles 49 and 53 of GCIV"
    matches = find_references(text)
    assert [m.id for m in matches] == ["GCIV-49", "GCIV-53"]
    assert [m.text for m in matches] == ["Articles 49", "53"]


@pytest.mark.parametrize(("text", "expected"), [
    ("Articles 146 to 148 of the Fourth Geneva Convention apply.", ["Articles 146", "146 to 148", "148"]),
    ("статьи 146–148 Четвертой Женевской конвенции", ["статьи 146", "146–148", "148"]),
    ("Dördüncü Cenevrə Konvensiyasının 146–148-ci maddələri.",
     ["Dördüncü Cenevrə Konvensiyasının 146–148-ci maddələri", "146–148", "148"]),
])
def test_articles_inside_a_range_span_the_range(text, expected):
    matches = find_references(text)
    assert [m.id for m in matches] == ["GCIV-146", "GCIV-147", "GCIV-148"]
    assert [m.text for m in matches] == expected


def test_refs_record_shape():
    record = refs_record("Art. 147 GCIV and Article 147 of the Fourth Geneva Convention; APMBC Article 25.")
    assert set(record) == {"refs", "matches", "diagnostics"}
    assert record["refs"] == ["GCIV-147"]
    assert len(record["matches"]) == 2
    assert set(record["matches"][0]) == {"id", "start", "end", "text"}
    assert set(record["diagnostics"][0]) == {"kind", "start", "end", "text", "message"}
    json.dumps(record, ensure_ascii=False)


def test_detect_returns_detection():
    detection = detect("Article 25 of the Ottawa Convention and Article 5 of the Ottawa Convention")
    assert isinstance(detection, Detection)
    assert [m.id for m in detection.matches] == ["APMBC-5"]
    assert [d.kind for d in detection.diagnostics] == ["nonexistent_article"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("GCIV-147", ("GCIV-147",)),
        ("gciv-147", ("GCIV-147",)),
        ('"Art. 147 GC IV"', ("GCIV-147",)),
        ("Art. 147 GC IV", ("GCIV-147",)),
        ("GC-COMMON-3", ("GC-COMMON-3",)),
        ("apmbc", ("APMBC",)),
        ("Ottawa Convention", ("APMBC",)),
        ("Article 5", ()),
        ("", ()),
        ("APMBC-25", ()),
    ],
)
def test_parse_article_query(value, expected):
    assert parse_article_query(value) == expected


def test_context_carries_across_pages():
    pages = ["Azerbaijan and the Ottawa Convention.", "Article 5 requires clearance.", "Nothing here."]
    found = find_references_in_pages(pages)
    assert [(page, m.id) for page, m in found] == [(0, "APMBC"), (1, "APMBC-5")]
    page, match = found[1]
    assert pages[page][match.start:match.end] == match.text == "Article 5"


def test_pages_without_context_find_nothing():
    assert find_references_in_pages(["Article 5 requires clearance."]) == []


# -- properties ------------------------------------------------------------------

FRAGMENTS = [
    "Article", "Art.", "Arts.", "147", "49(6)", "(1)(a)", " of the ", "Fourth Geneva Convention",
    "GC IV", "Ottawa Convention", "Protocol II", "Amended", "CCW", "статья", "ст.", "Женевской конвенции",
    "Оттавской конвенции", "147-ci maddəsi", "Konvensiyasının", "İkinci", "Əlavə Protokol I", "paragraph",
    "the sixth paragraph of", "common", "–", ",", " and ", " ", "\n", "ibid.", "the Convention",
    "Criminal Code", "APLC/MSP.19/", "CA3", "(", ")", "п. 1", "ч.", "ß", "İ", "\u0130stanbul",
    "IV GC", "4 GC", "GCIV 1", ", 2", "et seq.", "ff.", "CG IV", "PA I", "Protocole I", "le sixième alinéa de l'",
]


def assert_spans_reproduce_text(text: str) -> None:
    detection = detect(text)
    for match in detection.matches:
        assert 0 <= match.start < match.end <= len(text)
        assert text[match.start:match.end] == match.text
    for diagnostic in detection.diagnostics:
        assert text[diagnostic.start:diagnostic.end] == diagnostic.text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_spans_reproduce_text_on_arbitrary_text(text):
    assert_spans_reproduce_text(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join))
def test_spans_reproduce_text_on_reference_fragments(text):
    assert_spans_reproduce_text(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=12).map(" ".join))
def test_every_match_id_is_in_the_catalogue(text):
    for match in find_references(text):
        assert parse_article_query(match.id) == (match.id,)


# -- development set ---------------------------------------------------------------


def dev_lines() -> list[dict]:
    with DEV_SET.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_dev_set_is_large_and_well_formed():
    lines = dev_lines()
    assert len(lines) >= 300
    for line in lines:
        assert set(line) == {"text", "refs", "kind", "lang"}
        assert line["lang"] in {"en", "ru", "az", "fr"}
        assert len(line["refs"]) == len(set(line["refs"]))
        for reference_id in line["refs"]:
            assert parse_article_query(reference_id) == (reference_id,), reference_id


def test_dev_set_precision_and_recall():
    tp = fp = fn = 0
    for line in dev_lines():
        found = set(ids(line["text"]))
        expected = set(line["refs"])
        tp, fp, fn = tp + len(found & expected), fp + len(found - expected), fn + len(expected - found)
    assert tp / (tp + fp) >= 0.98
    assert tp / (tp + fn) >= 0.97


def test_fast_mention_search_agrees_with_exhaustive_search():
    for line in dev_lines():
        text = line["text"]
        triggers = scan_triggers(text)
        assert find_mentions(text, triggers) == find_mentions(text, triggers, exhaustive=True), text


def test_detection_works_without_the_private_regex_parser(monkeypatch: pytest.MonkeyPatch):
    """``re._parser`` is CPython's private module: without it every spec is tried at every candidate start."""
    from archive.treaties import patterns

    lines = dev_lines()
    expected = [ids(line["text"]) for line in lines]
    cached = (patterns.specs_by_first_character, patterns.bucket_filters, patterns.bucket_alternations)
    monkeypatch.setattr(patterns, "_sre_parser", None)
    for function in cached:
        function.cache_clear()
    try:
        assert patterns.specs_by_first_character()[0].keys() == {patterns.ANY_CHARACTER}
        assert [ids(line["text"]) for line in lines] == expected
    finally:
        monkeypatch.undo()
        for function in cached:
            function.cache_clear()


@pytest.mark.parametrize("text, diagnostic", [
    ("Article 3(1)(e) of the Fourth Geneva Convention", "GCIV Article 3(1) has no sub-paragraph (e)"),
    ("common Article 3(1)(e)", "GC-COMMON Article 3(1) has no sub-paragraph (e)"),
    ("Article 49(5) of the First Geneva Convention", "GCI Article 49 has no paragraph 5"),
])
def test_common_provisions_are_checked_in_every_convention(text, diagnostic):
    from archive.treaties import detect

    found = detect(text)
    assert not found.matches
    assert [d.message for d in found.diagnostics] == [diagnostic]


def test_paragraph_zero_never_exists():
    from archive.treaties import detect

    found = detect("Article 147(0) of the Fourth Geneva Convention")
    assert not found.matches
    assert [d.message for d in found.diagnostics] == ["GCIV Article 147 has no paragraph 0"]


@pytest.mark.parametrize(("short", "long"), [
    ("As held in AP I 51(9).", "As held in Article 51(9) of Additional Protocol I."),
    ("See GCIV 49(7).", "See Article 49(7) of the Fourth Geneva Convention."),
])
def test_a_short_form_with_a_paragraph_that_does_not_exist_is_diagnosed_like_the_long_form(short, long):
    found, expected = refs_record(short), refs_record(long)
    assert found["refs"] == expected["refs"] == []  # not quietly the instrument alone
    assert [d["message"] for d in found["diagnostics"]] == [d["message"] for d in expected["diagnostics"]]
    assert found["diagnostics"][0]["kind"] == "nonexistent_paragraph"


@pytest.mark.parametrize("words, number", [
    ("birinci", 1), ("Beşinci", 5), ("İkinci", 2), ("onuncu", 10), ("on birinci", 11),
    ("iyirminci", 20), ("qırx doqquzuncu", 49), ("əlli birinci", 51), ("doxsan doqquzuncu", 99),
])
def test_azerbaijani_ordinal_article_numbers(words: str, number: int) -> None:
    assert az_ordinal_number(words) == number


def test_azerbaijani_ordinal_words_alone_are_no_articles() -> None:
    assert ids("Ərazidə birinci maddə kimi partlayıcı aşkar edildi.") == []
    assert ids("Cinayət Məcəlləsinin birinci maddəsi") == []


# -- citation forms of real sources (UN, ICRC, Russian and Azerbaijani legal texts) ----------

REAL_FORMS = Path(__file__).parent / "data" / "refs_real_forms.jsonl"


def real_form_lines() -> list[dict]:
    with REAL_FORMS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def test_real_forms_are_well_formed():
    lines = real_form_lines()
    assert len(lines) >= 90
    for line in lines:
        assert {"text", "refs", "kind", "lang"} <= set(line) <= {"text", "refs", "kind", "lang", "note",
                                                               "ambiguous", "known_gap"}
        assert line["lang"] in {"en", "ru", "az"}
        for reference_id in line["refs"]:
            assert parse_article_query(reference_id) == (reference_id,), reference_id


@pytest.mark.parametrize(
    "line",
    [pytest.param(line, id=line["text"][:60],
                  marks=[pytest.mark.xfail(reason=line["known_gap"], strict=True)] if "known_gap" in line else [])
     for line in real_form_lines() if not line.get("ambiguous")],
)
def test_real_forms_are_read(line: dict) -> None:
    assert sorted(ids(line["text"])) == sorted(line["refs"])


@pytest.mark.parametrize(("name", "written"), [
    ("Конвенция по кассетным боеприпасам", "Конвенции по кассетным боеприпасам"),
    ("Четвёртая Женевская конвенция", "Четвертой Женевской конвенции"),
    ("Четвёртая Женевская конвенция", "четвёртую женевскую конвенцию"),
])
def test_a_russian_catalogue_name_matches_its_case_forms_with_e_or_yo(name: str, written: str) -> None:
    """Loosening "е" to "[её]" and then "ё" again made "[е[её]]", a class followed by a literal "]": no catalogue name
    with an "е" or "ё" in it matched anything, its own spelling included."""
    assert re.fullmatch(name_pattern(name, "ru"), written)
