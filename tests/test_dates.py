"""Dates in English, Russian and Azerbaijani: mentions, datelines, PDF metadata dates."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.analyse import dates
from archive.analyse.dates import DateMention, find_dateline, find_dates, is_dateline, parse_date, parse_pdf_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # numeric
        ("23.04.2022", D(2022, 4, 23)),
        ("23/04/2022", D(2022, 4, 23)),
        ("23-04-2022", D(2022, 4, 23)),
        ("2022-04-23", D(2022, 4, 23)),
        ("2022/04/23", D(2022, 4, 23)),
        ("23.04.22", D(2022, 4, 23)),
        ("3.4.2022", D(2022, 4, 3)),
        ("23.04.2022 г.", D(2022, 4, 23)),
        ("23.04.2022г.", D(2022, 4, 23)),
        ("20220423", D(2022, 4, 23)),
        # English
        ("April 23, 2022", D(2022, 4, 23)),
        ("Apr. 23, 2022", D(2022, 4, 23)),
        ("23 April 2022", D(2022, 4, 23)),
        ("23rd of April 2022", D(2022, 4, 23)),
        ("the 10th day of November, 2020", D(2020, 11, 10)),
        ("November 10, 2020", D(2020, 11, 10)),
        ("Tuesday, 10 November 2020", D(2020, 11, 10)),
        ("1 Sept 2021", D(2021, 9, 1)),
        # Russian, every case ending
        ("23 апреля 2022 г.", D(2022, 4, 23)),
        ("23 апреля 2022 года", D(2022, 4, 23)),
        ("1 января 2021", D(2021, 1, 1)),
        ("9 мая 2020 г.", D(2020, 5, 9)),
        ("1-го сентября 2020 года", D(2020, 9, 1)),
        ("10 ноября 2020", D(2020, 11, 10)),
        ("27 сент. 2020 г.", D(2020, 9, 27)),
        ("3 марта 2021 г.", D(2021, 3, 3)),
        ("20 августа 2021", D(2021, 8, 20)),
        ("17 ОКТЯБРЯ 2020 Г.", D(2020, 10, 17)),
        ("31 декабря 2022", D(2022, 12, 31)),
        # Azerbaijani, with suffixes
        ("23 aprel 2022", D(2022, 4, 23)),
        ("23 aprel 2022-ci il", D(2022, 4, 23)),
        ("2022-ci il 23 aprel", D(2022, 4, 23)),
        ("2022-ci il aprelin 23-ü", D(2022, 4, 23)),
        ("2022-ci il mayın 9-da", D(2022, 5, 9)),
        ("Mayın 9-u, 2022-ci il", D(2022, 5, 9)),
        ("27 sentyabr 2020-ci il", D(2020, 9, 27)),
        ("10 noyabr 2020-cü il", D(2020, 11, 10)),
        ("1 İyun 2021", D(2021, 6, 1)),
        ("1 IYUN 2021", D(2021, 6, 1)),
        ("15 fevral 2021-ci ildə", D(2021, 2, 15)),
        ("5 avqust 2021", D(2021, 8, 5)),
        ("5 yanvar 2021", D(2021, 1, 5)),
        ("5 dekabr 2021", D(2021, 12, 5)),
    ],
)
def test_parse_date_reads_every_form(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "31.02.2022",  # no such day
        "30.02.2021",
        "32.01.2022",
        "2022-13-01",
        "23 April",  # no year: never filled in from today
        "aprelin 23-ü",
        "23 апреля",
        "April 2022",  # month precision only: not a full date
        "1991",
        "208 people",
        "3,159 mines",
        "version 3.1.12",
        "12-34-56",
        "room 12.10",
        "no date here at all",
    ],
)
def test_parse_date_refuses_what_it_cannot_read(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    ("text", "dayfirst", "expected"),
    [
        ("04/05/2022", True, D(2022, 5, 4)),
        ("04/05/2022", False, D(2022, 4, 5)),
        ("04.05.22", False, D(2022, 4, 5)),
        ("04/23/2022", True, D(2022, 4, 23)),  # only one reading is a date
        ("23/04/2022", False, D(2022, 4, 23)),
        ("2022-04-05", True, D(2022, 4, 5)),  # ISO is always year-month-day
        ("2022-04-05", False, D(2022, 4, 5)),
    ],
)
def test_dayfirst_decides_only_ambiguous_numeric_dates(text: str, dayfirst: bool, expected: dt.date) -> None:
    assert parse_date(text, dayfirst=dayfirst) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The mine maps were handed over on 23 April 2022.", [("23 April 2022", D(2022, 4, 23), "day")]),
        ("в январе 2021 года", [("январе 2021 года", D(2021, 1, 1), "month")]),
        ("in April 2022", [("April 2022", D(2022, 4, 1), "month")]),
        ("Aprel 2022-ci il", [("Aprel 2022-ci il", D(2022, 4, 1), "month")]),
        ("2022-ci ilin aprel", [("2022-ci ilin aprel", D(2022, 4, 1), "month")]),
        ("since 1991", [("1991", D(1991, 1, 1), "year")]),
        ("Mines laid in 1993 are still there", [("1993", D(1993, 1, 1), "year")]),
        ("в 2022 году", [("2022 году", D(2022, 1, 1), "year")]),
        ("с 1991 г. по 1994 г.", [("1991 г.", D(1991, 1, 1), "year"), ("1994 г.", D(1994, 1, 1), "year")]),
        ("1991-ci ildən", [("1991-ci ildən", D(1991, 1, 1), "year")]),
        ("From 23.04.2022 to 25.04.2022",
         [("23.04.2022", D(2022, 4, 23), "day"), ("25.04.2022", D(2022, 4, 25), "day")]),
        ("Shusha, 23 April 2022; Баку, 14 апреля 2022 г.",
         [("23 April 2022", D(2022, 4, 23), "day"), ("14 апреля 2022 г.", D(2022, 4, 14), "day")]),
        # what must not be invented, and forms read since
        ("Page 5\nApril 2022 Report", [("April 2022", D(2022, 4, 1), "month")]),  # no day from the line above
        ("Anti-tank mines  12\nMay 2022 totals", [("May 2022", D(2022, 5, 1), "month")]),
        ("2022-ci il mayda 15 nəfər", [("2022-ci il mayda", D(2022, 5, 1), "month")]),
        ("31 February 2022", []),
        ("Since 1991 Armenians and Azerbaijanis", [("1991", D(1991, 1, 1), "year")]),
        # a year this archive speaks of stays a year before a counted noun; a number outside them counts
        ("In 1993 anti-personnel mines were laid", [("1993", D(1993, 1, 1), "year")]),
        ("in 1992 people fled", [("1992", D(1992, 1, 1), "year")]),
        ("in 1500 people", []),
        ("on 23\nApril 2022, the team", [("23\nApril 2022", D(2022, 4, 23), "day")]),  # a wrapped line
        ("Table 3\nMarch 2021", [("March 2021", D(2021, 3, 1), "month")]),
        ("in 2022 was", [("2022", D(2022, 1, 1), "year")]),
        ("2022-ci ilin 23 aprelində", [("2022-ci ilin 23 aprelində", D(2022, 4, 23), "day")]),
        ("2022-ci ilin aprelində", [("2022-ci ilin aprelində", D(2022, 4, 1), "month")]),
        ("2022-ci ilin aprel ayının 23-ü", [("2022-ci ilin aprel ayının 23-ü", D(2022, 4, 23), "day")]),
        ("2022-ci ilin aprel ayında 20 mina", [("2022-ci ilin aprel", D(2022, 4, 1), "month")]),
        ("04/23/2022", [("04/23/2022", D(2022, 4, 23), "day")]),
        # an ISO date and time: the date, without its time
        ("exported 2022-04-23T10:15:00Z", [("2022-04-23", D(2022, 4, 23), "day")]),
        ("2022-04-23Tabc", []),
        ("2022-04-31T10:15", []),
        # "г." after a number alone is a year only when it is one the documents speak of (it is also grams)
        ("заряд массой 1500 г. тротила", []),
        ("в 1500 г", []),
        ("2150 г.", []),
        ("1899 г.", []),
        ("в 1900 г. и в 1993 г.", [("1900 г.", D(1900, 1, 1), "year"), ("1993 г.", D(1993, 1, 1), "year")]),
        ("2022 г", [("2022 г", D(2022, 1, 1), "year")]),
        # with a day or a month, or a year word that is no unit, it is a date whatever the year
        ("23 апреля 1500 г.", [("23 апреля 1500 г.", D(1500, 4, 23), "day")]),
        ("в апреле 1500 г.", [("апреле 1500 г.", D(1500, 4, 1), "month")]),
        ("23.04.1500 г.", [("23.04.1500 г.", D(1500, 4, 23), "day")]),
        ("в 1850 году", [("1850 году", D(1850, 1, 1), "year")]),
        ("1500 гг.", [("1500 гг.", D(1500, 1, 1), "year")]),
        # a year or a day introduced by a word, however far the spaces run
        ("in the  year\t2022", [("2022", D(2022, 1, 1), "year")]),
        ("Since\xa0\xa01991", [("1991", D(1991, 1, 1), "year")]),
        ("x-in 2022", []),
        ("по \t 23\nапреля 2022 г.", [("23\nапреля 2022 г.", D(2022, 4, 23), "day")]),
        ("on 23\u2028April 2022", [("23\u2028April 2022", D(2022, 4, 23), "day")]),
        ("on\n23\nApril 2022", [("April 2022", D(2022, 4, 1), "month")]),  # "on" and its day on two lines
    ],
)
def test_find_dates_reports_span_value_and_precision(text: str, expected: list[tuple[str, dt.date, str]]) -> None:
    assert [(m.text, m.value, m.precision) for m in find_dates(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "208 people were killed",
        "3,159 mines and 1,991 shells",
        "The year 1991 alone",  # a bare year without a temporal preposition
        "increased by 2020 units",
        "in 3,159 cases",
        "In 208 villages",
        "Document 2022/123",
        "phone 12-34-56",
        "31.02.2022",
        "99.99.2022",
        "23 April",
        "ISBN 978-3-16-148410-0",
        "coordinates 40.12.2020.5",
    ],
)
def test_find_dates_finds_nothing_in_numbers_that_are_not_dates(text: str) -> None:
    assert find_dates(text) == []


def test_date_mention_is_frozen() -> None:
    mention = find_dates("23 April 2022")[0]
    with pytest.raises(AttributeError):
        mention.start = 3  # type: ignore[misc]


@given(st.text(alphabet=st.sampled_from(list("0123456789 ./-,:апреляaprilAPRILГг.ci il-ü\n")), max_size=80))
def test_every_mention_span_reproduces_its_text(text: str) -> None:
    mentions = find_dates(text)
    for mention in mentions:
        assert isinstance(mention, DateMention)
        assert text[mention.start:mention.end] == mention.text
        assert mention.precision in ("day", "month", "year")
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:], strict=False))


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2099, 12, 31)))
def test_written_dates_read_back(day: dt.date) -> None:
    months_ru = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                 "октября", "ноября", "декабря"]
    months_az = ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avqust", "sentyabr", "oktyabr",
                 "noyabr", "dekabr"]
    assert parse_date(day.strftime("%d.%m.%Y")) == day
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%B} {day.day}, {day.year}") == day
    assert parse_date(f"{day.day} {months_ru[day.month - 1]} {day.year} г.") == day
    assert parse_date(f"{day.day} {months_az[day.month - 1]} {day.year}-ci il") == day


# -- datelines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("The Republic of Azerbaijan, city of Shusha, 23 April 2022", True),
        ("Shusha, 23 April 2022", True),
        ("Баку, 14 апреля 2022 г.", True),
        ("Bakı, 23 aprel 2022-ci il", True),
        ("Bakı şəhəri, 2022-ci il 23 aprel", True),
        ("Date: 23.04.2022", True),
        ("23 April 2022", True),
        ("Baku – 14.04.2022", True),
        ("The attack happened on 23 April 2022.", False),
        ("Shusha, April 2022", False),  # not a full date
        ("Page 3 of 12", False),
        ("", False),
    ],
)
def test_is_dateline(line: str, expected: bool) -> None:
    assert is_dateline(line) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("APPEAL\nWe ask for the maps.\n\nThe Republic of Azerbaijan, city of Shusha, 23 April 2022\n",
         D(2022, 4, 23)),
        ("Баку, 14 апреля 2022 г.\nОБРАЩЕНИЕ\nТекст обращения от 1 марта 2021 г.\n", D(2022, 4, 14)),
        ("Bakı, 23 aprel 2022-ci il\nMÜRACİƏT\nMətn.", D(2022, 4, 23)),
        # the last dateline at the end wins over one at the top
        ("Shusha, 1 May 2022\nAppeal\nText.\nShusha, 23 April 2022", D(2022, 4, 23)),
        # dates inside sentences are not datelines
        ("Report\nOn 5 May 2021 a mine exploded.\nSince 1991 the area was mined.", None),
        ("", None),
    ],
)
def test_find_dateline(text: str, expected: dt.date | None) -> None:
    assert find_dateline(text) == expected


def test_find_dateline_looks_only_near_the_top_and_the_end() -> None:
    body = "\n".join(f"Paragraph {n} of the appeal." for n in range(60))
    middle = body.replace("Paragraph 30 of the appeal.", "Shusha, 23 April 2022")
    assert find_dateline(middle) is None
    assert find_dateline("Shusha, 23 April 2022\n" + body) == D(2022, 4, 23)


def test_find_dateline_in_a_long_document() -> None:
    long_line = "Testimony given on 1 May 2021 about the mines. " * 3000
    assert find_dateline("Shusha, 23 April 2022\n" + long_line) == D(2022, 4, 23)
    assert find_dateline(long_line + "\nBaku, 14 April 2022") == D(2022, 4, 14)
    assert find_dateline(long_line) is None


# -- PDF dates -------------------------------------------------------------------------

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:20220414132421+05'24'",
         dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=24)))),
        ("D:20220414132421-07'00'",
         dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=dt.timezone(-dt.timedelta(hours=7)))),
        ("D:20220414132421+04'00", dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=dt.timezone(dt.timedelta(hours=4)))),
        ("D:20220414132421Z", dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=UTC)),
        ("D:20220414132421Z00'00'", dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=UTC)),
        ("D:20220414132421", dt.datetime(2022, 4, 14, 13, 24, 21)),
        ("D:20220414", dt.datetime(2022, 4, 14)),
        ("D:2022", dt.datetime(2022, 1, 1)),
        ("20220414132421", dt.datetime(2022, 4, 14, 13, 24, 21)),
        ("2022-04-14T13:24:21+05:00", dt.datetime(2022, 4, 14, 13, 24, 21, tzinfo=dt.timezone(dt.timedelta(hours=5)))),
        ("Thu Apr 14 13:24:21 2022", dt.datetime(2022, 4, 14, 13, 24, 21)),
    ],
)
def test_parse_pdf_date(value: str, expected: dt.datetime) -> None:
    parsed = parse_pdf_date(value)
    assert parsed == expected
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    "value",
    ["", "garbage", "D:", "D:20221314", "D:20220230", "D:20220414256000", "D:20220414132421+25'00'",
     "Apr 2022", "Thu Apr 14 13:24:21 PDT", None, 20220414],
)
def test_parse_pdf_date_refuses_garbage(value: object) -> None:
    assert parse_pdf_date(value) is None  # type: ignore[arg-type]


# -- review: values that must not be invented ----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Mines were found in 1500 locations.",  # a count after a preposition is no year
        "Clearance teams worked in 1200 hectares",
        "from 1200 anti-personnel mines to 150",
        "The patrol returned after 1500 hours",  # military time
        "since 2100 hrs",
        "Clearance in 2200 square metres remains",  # an area, not a year
        "in 1500 m2 of farmland",
        "in 2021 square metres",
        "31 February 2022",  # an impossible date is no date, not "February 2022"
        "31 апреля 2022 г.",
        "2022-ci il fevralın 30-u",
        "39 April 2022",
        "01.13.2022",  # a dotted date is never month first when days come first
        "at 10.15.30",
        "2022-ci il mayda 15 nəfər yaralanıb",  # "in May 2022, 15 people": a count, not 15 May
        "2022-ci ildə apreldə 20 mina tapılıb",
    ],
)
def test_find_dates_invents_no_day_month_or_year(text: str) -> None:
    assert [m for m in find_dates(text) if m.precision != "month"] == []
    assert not any(m.text.startswith(("31", "39", "30")) for m in find_dates(text))


def test_two_digit_years_are_never_in_the_future() -> None:
    assert parse_date("12.05.70") == D(1970, 5, 12)  # a date of birth, not 2070
    assert all(parse_date(f"01.01.{yy:02d}") <= dt.date.today() for yy in range(100))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("D:2022", "2022"),  # a year, not 1 January
        ("D:202204", "2022-04"),
        ("D:20220414132421+05'24'", "2022-04-14"),
        ("2022-04-14T13:24:21+05:00", "2022-04-14"),
        ("14/04/2022", "2022-04-14"),
        ("2022-04", None),  # was read as 1 January 2022 at UTC-4
        ("05/04/2022", None),  # 5 April or 4 May: refused
    ],
)
def test_pdf_date_written_keeps_what_is_written(value: str, expected: str | None) -> None:
    from archive.analyse.dates import pdf_date_written

    assert pdf_date_written(value) == expected


def test_document_date_from_pdf_info_is_not_filled_in() -> None:
    from types import SimpleNamespace

    from archive.ingest import _document_date

    assert _document_date({}, SimpleNamespace(info={"creationdate": "D:2022"}), "No dateline.") == ("2022", "pdf-info")
    assert _document_date({}, SimpleNamespace(info={"creationdate": "2022-04"}), "No dateline.") == ("", "")


@pytest.mark.parametrize(
    "line",
    ["Date of birth – 12.05.1970", "Дата рождения – 12.05.1970", "Doğum tarixi – 12.05.1970",
     "Date of incident – 12.03.2021", "Born – 12 May 1970"],
)
def test_a_labelled_field_is_no_dateline(line: str) -> None:
    assert not is_dateline(line)


def test_a_date_of_birth_at_the_end_is_not_the_documents_date() -> None:
    text = ("ПРОТОКОЛ ДОПРОСА СВИДЕТЕЛЯ\nг. Баку, 14 апреля 2022 г.\nФИО: Мамедов Р.\n"
            "Дата рождения – 12.05.1970\nМесто рождения – г. Шуша")
    assert find_dateline(text) == D(2022, 4, 14)


@pytest.mark.parametrize(
    "line",
    ["Fourth Geneva Convention, 12 August 1949", "Geneva Conventions, 12 August 1949.",
     "Convention on Cluster Munitions, 30 May 2008", "Additional Protocol I, 8 June 1977",
     "Оттавская конвенция, 18 сентября 1997 г.", "IV Cenevrə Konvensiyası, 12 avqust 1949-cu il",
     "Ottawa Treaty – 18.09.1997"],
)
def test_a_treaty_and_its_date_is_no_dateline(line: str) -> None:
    assert not is_dateline(line)


def test_a_treaty_cited_at_the_end_does_not_date_the_document() -> None:
    text = ("Shusha, 23 April 2022\nAPPEAL\nThe shelling of civilians breaches Article 147.\n\n"
            "Sources:\nFourth Geneva Convention, 12 August 1949\nOttawa Convention, 18 September 1997\n")
    assert find_dateline(text) == D(2022, 4, 23)
    assert find_dateline("Обращение\nТекст.\nЖеневская конвенция, 12 августа 1949 г.") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("«17» декабря 2009 г.", D(2009, 12, 17)),  # the form the synthetic corpus itself writes
        ("«05» марта 2009 г.", D(2009, 3, 5)),
        ('"17" декабря 2009 г.', D(2009, 12, 17)),
    ],
)
def test_quoted_russian_day(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected
    assert find_dateline(f"ОБРАЩЕНИЕ\nТекст.\nг. Баку, {text}") == expected


@pytest.mark.parametrize("text", ["«17 декабря 2009 г.", "17» декабря 2009 г."])
def test_half_quoted_day_is_read_as_before(text: str) -> None:
    assert [m.precision for m in find_dates(text)] in (["day"], ["month"])


@pytest.mark.parametrize(("text", "year"), [
    ("In 2022 H. Aliyev signed the decree.", 2022),
    ("During 2021 KM Demining cleared the road.", 2021),
    ("Since 2020 HA Group has reported.", 2020),
])
def test_a_capitalised_word_after_a_year_is_no_unit(text: str, year: int) -> None:
    assert [m.value for m in find_dates(text)] == [D(year, 1, 1)]


def test_units_after_a_year_are_still_measures() -> None:
    assert find_dates("after 2022 hours and in 2021 ha of land") == []


# -- read without dateutil, as dateutil reads them ------------------------------------------------------------------
# The worker reads month names and ASCII numeric dates itself (dateutil's parser was most of the time spent on
# dates); these tests hold that reading to dateutil's for every month name and day, and every numeric shape.

LEAP_AND_NOT = (2023, 2024)


@pytest.mark.parametrize("form", sorted({form for forms in dates._month_forms() for form in forms}))
def test_a_month_name_is_read_as_dateutil_reads_it(form: str) -> None:
    assert dates._MONTH_NUMBERS[form] == dates._PARSER.info.month(form)
    for year in LEAP_AND_NOT:
        for day in range(0, 33):
            written = f"{day} {form} {year}"
            read = dates._parse_with_dateutil(written, dayfirst=True, yearfirst=False)
            expected = read if read is not None and (read.year, read.day) == (year, day) else None
            assert find_dates(written) == ([] if expected is None else [DateMention(0, len(written), written,
                                                                                    expected, "day")])


NUMBERS = [*map(str, range(10)), *(f"{n:02d}" for n in range(40))]


@pytest.mark.parametrize("separator", [".", "/", "-"])
@pytest.mark.parametrize("first", NUMBERS)
def test_numeric_dates_are_read_as_dateutil_reads_them(separator: str, first: str) -> None:
    def same(written: str, dayfirst: bool, yearfirst: bool) -> None:
        parts = dates._NUMBER.findall(written)
        assert (dates._numbers_as_dateutil_reads_them(parts, dayfirst=dayfirst, yearfirst=yearfirst)
                == dates._parse_with_dateutil(written, dayfirst=dayfirst, yearfirst=yearfirst)), written

    for second in NUMBERS:
        for year in LEAP_AND_NOT:
            for dayfirst in (True, False):
                same(f"{first}{separator}{second}{separator}{year}", dayfirst, False)
            same(f"{year}{separator}{first}{separator}{second}", False, True)
        if len(first) == len(second) == 2 and separator != "-":
            for year in range(0, 100, 7):
                for dayfirst in (True, False):
                    same(f"{first}{separator}{second}{separator}{year:02d}", dayfirst, False)


# -- patterns tried where they may match ----------------------------------------------------------------------------
# Patterns that begin with a look-behind have it after their first digit, and some are tried only where a match
# may begin: each finds what the plain form of the pattern finds.

_B, _YEAR, _NUMERIC_END = dates._B, dates._YEAR, dates._NUMERIC_END
PLAIN_FORMS = {  # the pattern's number in _DATE_PATTERNS: how it begins when written plainly
    3: f"{_B}{_YEAR}", 4: f"{_B}{_YEAR}", 6: f"{_B}{_YEAR}", 11: f"{_B}{_YEAR}",
    7: rf"(?<![\w.,/-])(?P<numeric>[0-3]?\d([./-])[0-3]?\d\2[12]\d{{3}}){_NUMERIC_END}",
    8: rf"(?<![\w.,/-])(?P<numeric>[0-3]\d([./])[0-3]\d\2\d{{2}}){_NUMERIC_END}",
    9: rf"(?<![\w.,/-])(?P<iso>[12]\d{{3}}([./-])[01]?\d\2[0-3]?\d){_NUMERIC_END}",
}
PIECES = ["1", "2", "0", "3", "12", "23", "31", "2022", "1991", "05", "22", "٣", " ", "  ", "\xa0", "\n", "\t",
          "\u2028", ".", ",", "/", "-", "«", "»", "\"", "on ", "in ", "of ", "İn", "ſince", "по", "the year ", "THE",
          "г.", " году", "-ci il", "-cı ", "ildə", "-го", "th", "-ü", "April", "апреля", "aprel", "mayın", "MAY",
          "İyun", "people", "x"]


def plain_pattern(number: int) -> re.Pattern[str]:
    pattern = dates._DATE_PATTERNS[number].regex.pattern
    if f"{_B}{_YEAR}" == PLAIN_FORMS.get(number):
        pattern = pattern.replace(dates._B_YEAR, f"{_B}{_YEAR}", 1)
    elif number in PLAIN_FORMS:
        pattern = PLAIN_FORMS[number]
    return re.compile(pattern, re.IGNORECASE)


@given(st.lists(st.sampled_from(PIECES), max_size=25).map("".join))
def test_patterns_find_what_their_plain_forms_find(text: str) -> None:
    for number, pattern in enumerate(dates._DATE_PATTERNS):
        found = [(m.span(), m.groupdict()) for m in pattern.finditer(text, {})]
        assert found == [(m.span(), m.groupdict()) for m in plain_pattern(number).finditer(text)], number


# -- date forms of real sources (Russian and Azerbaijani official letters, UN reports) ---------------

REAL_FORMS = Path(__file__).parent / "data" / "dates_real_forms.jsonl"


def _real_form_lines() -> list[dict]:
    with REAL_FORMS.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.mark.parametrize(
    "line",
    [pytest.param(line, id=line["text"][:60],
                  marks=[pytest.mark.xfail(reason=line["known_gap"], strict=True)] if "known_gap" in line else [])
     for line in _real_form_lines()],
)
def test_real_date_forms(line: dict) -> None:
    found = [[m.text, m.value.isoformat(), m.precision] for m in find_dates(line["text"])]
    assert found == line["dates"]


# -- ranges ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("line, expected", [
    ("Baku, 23–25 April 2022", None),  # a range is no dateline (nor was it when only its end was read)
    ("23–25 апреля 2022 г.", None),
    ("Bakı, 23–25 aprel 2022-ci il", None),
    ("В период 23.04.2022 – 25.04.2022 г.", None),  # the first end is no place before the last
    ("Mission from 1 May 2022 - 23 May 2022", None),
    ("Baku, 25 April 2022", dt.date(2022, 4, 25)),
])
def test_a_range_does_not_change_the_dateline(line: str, expected: dt.date | None) -> None:
    assert find_dateline(f"Report on the survey.\n{line}") == expected


@pytest.mark.parametrize("text, expected", [
    ("25-23 April 2022", ["23 April 2022"]),  # the first day after the last: no range
    ("Page 5 - 23 April 2022", ["23 April 2022"]),  # a dash between spaces: a page, then a date
    ("1994-1992 гг.", ["1992 гг."]),
    ("1900-2500 г.", []),  # grams
])
def test_what_is_no_range_gives_no_first_end(text: str, expected: list[str]) -> None:
    assert [m.text for m in find_dates(text)] == expected


@pytest.mark.parametrize("text, expected", [
    ("в период 23.04.2022-25.04.2022 г.", [("23.04.2022", D(2022, 4, 23)), ("25.04.2022 г.", D(2022, 4, 25))]),
    ("01.01.2020-31.12.2020", [("01.01.2020", D(2020, 1, 1)), ("31.12.2020", D(2020, 12, 31))]),
    ("23/04/2022-25/04/2022", [("23/04/2022", D(2022, 4, 23)), ("25/04/2022", D(2022, 4, 25))]),
    # as with a dash that is not a hyphen
    ("23.04.2022–25.04.2022", [("23.04.2022", D(2022, 4, 23)), ("25.04.2022", D(2022, 4, 25))]),
    # a number glued to a date by a hyphen is still no date
    ("12.05.1970-1", []),
    ("1-12.05.1970", []),
    ("23.04.2022-25.04", []),
])
def test_both_ends_of_a_hyphenated_range_of_numeric_dates(text: str, expected: list[tuple[str, dt.date]]) -> None:
    assert [(m.text, m.value) for m in find_dates(text)] == expected
    assert find_dateline(f"Report on the survey.\nBaku, {text}") is None


@pytest.mark.parametrize("line", [
    "№ 12/345 от 23.04.2022", "Исх. № 12/345 от 23.04.2022 г.", "№ 123 от 23 апреля 2022 г.",
    "Ref. No. 12/345 of 23 April 2022", "No. 12/345, 23 April 2022", "Nömrə 12/345, 23.04.2022",
])
def test_a_letters_number_and_date_is_a_dateline(line: str) -> None:
    assert is_dateline(line)
    assert find_dateline(f"{line}\nОБРАЩЕНИЕ\nТекст обращения от 1 марта 2021 г.") == D(2022, 4, 23)


@pytest.mark.parametrize("line", ["№ 12/345 от 23.04.2022 и 25.04.2022", "Приказ № 5 от 23.04.2022 о разминировании"])
def test_a_number_and_date_inside_a_sentence_is_no_dateline(line: str) -> None:
    assert not is_dateline(line)


@pytest.mark.parametrize("text, expected", [
    ("The survey ran April 23-25, 2022.", [("23", D(2022, 4, 23)), ("25, 2022", D(2022, 4, 25))]),
    ("from Sept. 5–9 2021", [("5", D(2021, 9, 5)), ("9 2021", D(2021, 9, 9))]),
    ("April 25-23, 2022", []),  # the first day after the last: no range
    ("May 2-3", []),  # no year
])
def test_both_ends_of_a_range_of_days_after_the_month(text: str, expected: list[tuple[str, dt.date]]) -> None:
    assert [(m.text, m.value) for m in find_dates(text)] == expected
