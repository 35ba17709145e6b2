"""Language of a page: English, Russian, Azerbaijani, other, undetermined."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.analyse.language import (
    _NOT_CYRILLIC,
    _NOT_LATIN,
    _NOT_LETTERS,
    LANGUAGES,
    SAMPLE_SIZE,
    _count,
    detect_language,
    detect_languages,
)

ENGLISH = (
    "The Ministry of Defence reported that the mine map submitted by the other side covers only "
    "a fraction of the territory of the Aghdam district."
)
RUSSIAN = (
    "Министерство обороны сообщило, что карты минных полей, переданные другой стороной, охватывают "
    "лишь небольшую часть территории Агдамского района."
)
AZERBAIJANI = (
    "Müdafiə Nazirliyi bildirib ki, digər tərəfin təqdim etdiyi mina xəritələri Ağdam rayonu "
    "ərazisinin yalnız kiçik hissəsini əhatə edir."
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH, "en"),
        ("Civilians were killed by landmines while returning home to Fuzuli.", "en"),
        ("WITNESS STATEMENT OF THE RESIDENT OF TARTAR AND HIS FAMILY", "en"),
        (RUSSIAN, "ru"),
        ("Он сказал, что придет завтра утром в Баку.", "ru"),
        ("ОБРАЩЕНИЕ К МЕЖДУНАРОДНЫМ ОРГАНИЗАЦИЯМ ПО ВОПРОСУ МИН", "ru"),
        (AZERBAIJANI, "az"),
        ("Ağdam rayonunda mina partlayışı nəticəsində iki nəfər yaralanıb.", "az"),
        ("MÜRACİƏT: Qarabağda minalanmış ərazilər haqqında", "az"),
        # Azerbaijani typed without the schwa still has q and x and its own words
        ("Qarabağ bölgesi üçün mina xeritesi haqqinda melumat verilib, bu barede Ağdam rayonu üçün de.", "az"),
        # Azerbaijani in Soviet-era Cyrillic
        ("Мүдафиә Назирлији билдириб ки, диҝәр тәрәфин тәгдим етдији мина хәритәләри Ағдам рајону "
         "әразисинин јалныз кичик һиссәсини әһатә едир.", "az"),
        # Turkish is not Azerbaijani
        ("Savunma Bakanlığı, diğer tarafın sunduğu mayın haritalarının Ağdam bölgesinin yalnızca küçük bir "
         "kısmını kapsadığını ve bu nedenle yetersiz olduğunu bildirdi.", "other"),
        # other Cyrillic
        ("Міністерство оборони повідомило, що карти мінних полів, передані іншою стороною, охоплюють лише "
         "невелику частину території району.", "other"),
        ("Министарство одбране је саопштило да мапе минских поља које је предала друга страна покривају "
         "само мали део територије.", "other"),
        ("Министерството на отбраната съобщи, че картите на минните полета, предадени от другата страна, "
         "обхващат само малка част от територията.", "other"),
        # other Latin
        ("Le ministère de la Défense a déclaré que les cartes des champs de mines remises par l'autre partie "
         "ne couvrent qu'une petite partie du territoire.", "other"),
        ("Das Verteidigungsministerium teilte mit, dass die von der anderen Seite übergebenen Minenkarten "
         "nur einen kleinen Teil des Gebiets abdecken.", "other"),
        ("El Ministerio de Defensa informó que los mapas de minas entregados por la otra parte cubren solo "
         "una pequeña parte del territorio.", "other"),
        # other scripts
        ("Պաշտպանության նախարարությունը հայտնել է, որ ականապատ դաշտերի քարտեզները", "other"),
        ("وزارة الدفاع أعلنت أن خرائط حقول الألغام لا تغطي إلا جزءا صغيرا من الأراضي", "other"),
        # too little to tell
        ("", "und"),
        ("   \n\t ", "und"),
        ("Page 3", "und"),
        ("12.04.2022 — 3,159", "und"),
        ("Aghdam Fuzuli Tartar Barda Ganja", "und"),  # names only: no evidence of a language
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


def test_english_page_with_a_russian_quote_is_english() -> None:
    text = ENGLISH * 5 + " The sign read: «Осторожно, мины!»"
    assert detect_language(text) == "en"


def test_only_the_sample_is_read() -> None:
    text = ENGLISH * (SAMPLE_SIZE // len(ENGLISH) + 2) + RUSSIAN * 100
    assert detect_language(text) == "en"


def test_detect_language_is_fast_on_long_pages() -> None:
    page = (RUSSIAN + " " + ENGLISH) * 2000  # about 600,000 characters
    started = time.perf_counter()
    for _ in range(50):
        detect_language(page)
    assert (time.perf_counter() - started) / 50 < 0.01


@pytest.mark.parametrize(
    ("pages", "expected"),
    [
        ([RUSSIAN * 3, ENGLISH, "", AZERBAIJANI], ("ru", "en", "az")),
        ([ENGLISH, ENGLISH, RUSSIAN], ("en", "ru")),
        ([AZERBAIJANI * 4, RUSSIAN], ("az", "ru")),
        (["", "Page 2"], ()),
        ([], ()),
    ],
)
def test_detect_languages_orders_by_amount_of_text(pages: list[str], expected: tuple[str, ...]) -> None:
    assert detect_languages(pages) == expected


@given(st.text(max_size=300))
def test_detect_language_always_answers_with_a_known_code(text: str) -> None:
    assert detect_language(text) in LANGUAGES


PIECES = ["Şuşa", "Шуше", "ə", "×", "÷", "҂", "\u0483", "²", "½", "_", "1", " ", "—", "Ω", "𐐀", "x"]


@given(st.text(max_size=300) | st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_letters_are_counted_as_the_one_letter_patterns_count_them(text: str) -> None:
    assert _count(_NOT_LETTERS, text) == len(re.findall(r"[^\W\d_]", text))
    assert _count(_NOT_CYRILLIC, text) == len(re.findall(r"[\u0400-\u052f]", text))
    assert _count(_NOT_LATIN, text) == len(re.findall(r"[A-Za-z\u00c0-\u024f\u0259]", text))


@pytest.mark.parametrize(
    "text",
    [
        "The Ministry of Defence stated that the minefield maps handed over by the other side cover only a "
        "small part of Kəlbəcər district and that many civilians have been killed by mines since the war.",
        "Report of the ANAMA field team on clearance in Xocavənd and Cəbrayıl, prepared for the donors and "
        "the United Nations Development Programme in 2022.",
        "The witness, Mr. Rəşad Məmmədov, stated that the explosion occurred near the village at about noon.",
    ],
)
def test_english_quoting_azerbaijani_names_is_english(text: str) -> None:
    assert detect_language(text) == "en"


def test_a_document_in_a_language_the_archive_does_not_tell_apart_is_found_as_other(tmp_path: Path) -> None:
    """A French document was stored with no language at all: ``lang:other``, as the README offers, found nothing."""
    from archive.ingest import ingest
    from archive.service import open_search
    from archive.settings import Settings
    from archive.store import Archive
    from index import SearchRequest

    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "lettre.txt").write_text(
        "Le ministère de la Défense a déclaré que les cartes des champs de mines ne couvrent qu'une petite partie "
        "du territoire, et que les équipes de déminage ont besoin de plusieurs années.", encoding="utf-8")
    (folder / "report.txt").write_text(
        "The ministry said that the maps of the minefields cover only a small part of the territory.\f"
        "Le ministère de la Défense a déclaré que les cartes des champs de mines ne couvrent qu'une petite partie "
        "du territoire.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    with Archive(settings) as archive:
        languages = {d.original_name: d.metadata.languages for d in archive.iter_documents()}
        found = open_search(settings, archive).search(SearchRequest(query="lang:other"))
    assert languages == {"lettre.txt": ("other",), "report.txt": ("en",)}  # "other" only when nothing else is
    assert [hit.title for hit in found.hits] and found.total == 1
    assert dict(found.facets["lang"]) == {"other": 1}
