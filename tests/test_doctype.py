"""Document type and title guesses from the first lines of a document."""

from __future__ import annotations

import pytest

from archive.analyse.doctype import (
    DOCUMENT_TYPES,
    TITLE_LENGTH,
    guess_title,
    guess_type,
    is_placeholder_author,
    is_placeholder_title,
)


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        # appeals
        ("Appeal to the international community", "", "appeal"),
        ("Обращение к международным организациям", "", "appeal"),
        ("MÜRACİƏT", "", "appeal"),
        ("Beynəlxalq təşkilatlara müraciət", "", "appeal"),
        # testimony
        ("Witness statement of a resident of Tartar", "", "testimony"),
        ("Testimony of a deminer", "", "testimony"),
        ("Свидетельские показания жителя Тертера", "", "testimony"),
        ("Протокол допроса свидетеля", "", "testimony"),
        ("Şahid ifadəsi", "", "testimony"),
        ("Protocol of the interrogation of a witness", "", "testimony"),
        # mine maps
        ("Submission of mine maps for the Aghdam district", "", "mine_map_submission"),
        ("Minefield records handed over", "", "mine_map_submission"),
        ("Передача карт минных полей Агдамского района", "", "mine_map_submission"),
        ("Protocol of the handover of minefield maps", "", "mine_map_submission"),
        ("Ağdam rayonunun mina xəritələri", "", "mine_map_submission"),
        # reports
        ("Report on mine contamination in Karabakh", "", "report"),
        ("Доклад о минной опасности", "", "report"),
        ("Отчёт о разминировании за 2021 год", "", "report"),
        ("Minatəmizləmə işləri haqqında hesabat", "", "report"),
        # treaties
        ("Convention on the Prohibition of the Use, Stockpiling, Production and Transfer of Anti-Personnel Mines",
         "", "treaty"),
        ("Protocol on Prohibitions or Restrictions on the Use of Mines, Booby-Traps and Other Devices", "", "treaty"),
        ("Trilateral statement of 10 November 2020", "", "treaty"),
        ("Конвенция о запрещении применения противопехотных мин", "", "treaty"),
        # correspondence
        ("Letter dated 23 April 2022 from the Permanent Representative of Azerbaijan", "", "correspondence"),
        ("Письмо Министерства иностранных дел", "", "correspondence"),
        ("Məktub", "", "correspondence"),
        # the word that heads the title wins
        ("Report on the appeals of mine victims", "", "report"),
        ("Appeal concerning the mine maps", "", "appeal"),
        ("Обращение в связи с картами минных полей", "", "appeal"),
        ("Mina xəritələri haqqında müraciət", "", "appeal"),  # Azerbaijani: head noun last
        ("Müraciətlər haqqında hesabat", "", "report"),
        # the first lines, when the title says nothing
        ("", "Dear Secretary-General,\nI have the honour to transmit the report.", "correspondence"),
        ("", "REPUBLIC OF AZERBAIJAN\nWITNESS STATEMENT\nI, the undersigned, ...", "testimony"),
        ("Document 17", "Уважаемый господин Генеральный секретарь!\nПрошу распространить...", "correspondence"),
        ("", "Hörmətli cənab Baş katib!\nSizə müraciət edirik.", "correspondence"),
        ("Untitled", "HESABAT\nMətn.", "report"),
        # "ifadə" alone means "expression" in running text: only a title counts it
        ("", "Nazirlik narahatlığını ifadə edib.", "other"),
        ("", "The spokesman said the reports were false.", "other"),
        # nothing to go on
        ("", "", "other"),
        ("Photographs", "Ten photographs of the ruins.", "other"),
        ("Reported incidents", "", "other"),  # "reported" is not "report"
    ],
)
def test_guess_type(title: str, text: str, expected: str) -> None:
    assert guess_type(title, text) == expected
    assert expected in DOCUMENT_TYPES


def test_guess_type_reads_only_the_first_lines() -> None:
    text = "\n".join(["Photographs of the area."] * 20 + ["Witness statement"])
    assert guess_type("", text) == "other"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APPEAL\nWe, the residents of Aghdam, ask...", "APPEAL"),
        ("\n\n   Report on mine contamination   \n\nText follows.", "Report on mine contamination"),
        ("Shusha, 23 April 2022\nAppeal of the Shusha community\nText.", "Appeal of the Shusha community"),
        ("1\n\n- 2 -\nPage 1 of 3\nWitness statement\n", "Witness statement"),
        ("Dear Sir,\nThank you.", "Thank you."),
        ("REPUBLIC OF AZERBAIJAN\nMINISTRY OF DEFENCE\nREPORT ON DEMINING\nText.", "REPORT ON DEMINING"),
        ("REPUBLIC OF AZERBAIJAN\nMINISTRY OF DEFENCE\nText of the notice.", "REPUBLIC OF AZERBAIJAN"),
        ("https://example.org/page\nОбращение\n", "Обращение"),
        ("Баку, 14 апреля 2022 г.\nОБРАЩЕНИЕ\n", "ОБРАЩЕНИЕ"),
        ("", None),
        ("12345\n2022\n\n", None),
        ("23 April 2022", None),
    ],
)
def test_guess_title(text: str, expected: str | None) -> None:
    assert guess_title(text) == expected


def test_long_first_sentence_is_not_a_title_and_long_headings_are_trimmed() -> None:
    sentence = "This appeal is written by " + "the residents of the district " * 10 + "and their families."
    assert guess_title(sentence + "\nShort heading") == "Short heading"
    heading = "Appeal " + "concerning mines " * 15
    title = guess_title(heading)
    assert title is not None
    assert len(title) <= TITLE_LENGTH + 1
    assert title.endswith("…")
    assert heading.startswith(title[:-1])


@pytest.mark.parametrize(("title", "expected"), [
    ("Microsoft Word - Document1", True),
    ("Microsoft PowerPoint - slides.pptx", True),
    ("Untitled Document", True),
    ("Безымянный", True),
    ("Sənəd1", True),
    ("scan_0001.pdf", True),
    ("/home/user/appeal.txt", True),
    ("Appeal on the landmine problem", False),
    ("Documents of the Ministry of Defence", False),
    ("Untitled land near Aghdam", False),
    ("Title deeds of Shusha", False),
    ("Report of the 2022 survey", False),
])
def test_is_placeholder_title(title: str, expected: bool) -> None:
    assert is_placeholder_title(title) is expected


@pytest.mark.parametrize(("author", "expected"), [
    ("Windows User", True), ("user01", True), ("Администратор", True), ("İstifadəçi", True),
    ("Ministry of Defence", False), ("ANAMA", False), ("User Rights Watch", False), ("Admiral Ali", False),
])
def test_is_placeholder_author(author: str, expected: bool) -> None:
    assert is_placeholder_author(author) is expected
