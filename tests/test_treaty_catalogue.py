"""Tests for the treaty catalogue: data file, loader and canonical ids."""

from __future__ import annotations

import json
from datetime import date

import pytest

from archive.errors import ArchiveError
from archive.treaties import (
    UnknownReferenceError,
    expand_id,
    load_catalogue,
    split_id,
)
from archive.treaties.catalogue import DATA_FILE, INSTRUMENT_IDS

ARTICLE_COUNTS = {
    "GCI": 64, "GCII": 63, "GCIII": 143, "GCIV": 159, "GC-COMMON": 3, "API": 102,
    "APII": 28, "APMBC": 22, "CCM": 23, "CCW-APII-1996": 14, "CCW-PIII": 2,
}


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue()


def test_instruments_are_in_catalogue_order(catalogue):
    assert tuple(i.id for i in catalogue.instruments) == INSTRUMENT_IDS


@pytest.mark.parametrize(("instrument_id", "count"), ARTICLE_COUNTS.items())
def test_article_count_matches_the_source(catalogue, instrument_id, count):
    articles = catalogue.instrument(instrument_id).articles
    assert len(articles) == count
    assert sorted(articles) == list(range(1, count + 1))


def test_data_file_records_article_count():
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    for instrument in raw["instruments"]:
        assert instrument["article_count"] == len(instrument["articles"])


def test_grave_breaches_heading(catalogue):
    article = catalogue.instrument("GCIV").article(147)
    assert "Grave breaches" in article.heading
    assert article.label == f"Article 147 \u2014 {article.heading}"


def test_unknown_heading_is_empty_and_label_is_plain(catalogue):
    article = catalogue.instrument("GCII").article(12)
    assert article.heading == ""
    assert article.label == "Article 12"


@pytest.mark.parametrize(
    ("instrument_id", "adopted", "in_force"),
    [
        ("GCIV", date(1949, 8, 12), date(1950, 10, 21)),
        ("API", date(1977, 6, 8), date(1978, 12, 7)),
        ("APMBC", date(1997, 9, 18), date(1999, 3, 1)),
        ("CCM", date(2008, 5, 30), date(2010, 8, 1)),
        ("CCW-APII-1996", date(1996, 5, 3), date(1998, 12, 3)),
        ("CCW-PIII", date(1980, 10, 10), date(1983, 12, 2)),
    ],
)
def test_dates(catalogue, instrument_id, adopted, in_force):
    instrument = catalogue.instrument(instrument_id)
    assert (instrument.adopted, instrument.in_force) == (adopted, in_force)


@pytest.mark.parametrize("instrument_id", INSTRUMENT_IDS)
def test_every_instrument_has_names_in_four_languages(catalogue, instrument_id):
    instrument = catalogue.instrument(instrument_id)
    assert instrument.full_name and instrument.short_name
    for lang in ("en", "ru", "az", "fr"):
        assert instrument.names[lang], (instrument_id, lang)


def test_added_translations_are_marked_unverified(catalogue):
    gciv = catalogue.instrument("GCIV")
    assert gciv.name_is_verified(
        "Женевская конвенция о защите гражданского населения во время войны"
    )
    french = gciv.names["fr"][0]
    assert not gciv.name_is_verified(french)


def test_abbreviations_are_cleaned(catalogue):
    assert catalogue.instrument("CCW-APII-1996").abbreviations == ("APII", "AP II")
    assert "GC IV" in catalogue.instrument("GCIV").abbreviations


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("APMBC",), True),
        (("APMBC", 22), True),
        (("APMBC", 25), False),
        (("APMBC", 1, "1", "a"), True),
        (("APMBC", 1, "1", "d"), False),
        (("APMBC", 5, "9"), False),
        (("APMBC", 4, "1"), False),  # Article 4 has no numbered paragraphs
        (("GCIV", 49, "6"), True),
        (("GCIV", 49, "7"), False),  # recorded: six paragraphs
        (("GCIV", 147, "3"), True),  # structure not recorded: accepted
        (("GC-COMMON", 3, "1", "d"), True),
        (("GC-COMMON", 4), False),
        (("API", 90, "3"), True),  # incomplete source structure is treated as unknown
        (("NOPE", 1), False),
        (("APMBC", None, "1"), False),
    ],
)
def test_exists(catalogue, args, expected):
    assert catalogue.exists(*args) is expected


@pytest.mark.parametrize(
    ("canonical_id", "expected"),
    [
        ("GCIV-49-6", ("GCIV", "GCIV-49", "GCIV-49-6")),
        ("APMBC-1-1-a", ("APMBC", "APMBC-1", "APMBC-1-1", "APMBC-1-1-a")),
        ("GC-COMMON-3", ("GC-COMMON", "GC-COMMON-3")),
        ("CCW-APII-1996-3-1", ("CCW-APII-1996", "CCW-APII-1996-3", "CCW-APII-1996-3-1")),
        ("CCW-PIII", ("CCW-PIII",)),
    ],
)
def test_expand_id(canonical_id, expected):
    assert expand_id(canonical_id) == expected


@pytest.mark.parametrize(
    ("canonical_id", "expected"),
    [
        ("GCIV-147", ("GCIV", 147, None, None)),
        ("GC-COMMON-3-1-a", ("GC-COMMON", 3, "1", "a")),
        ("CCW-APII-1996", ("CCW-APII-1996", None, None, None)),
        ("CCW-APII-1996-7-3-b", ("CCW-APII-1996", 7, "3", "b")),
        ("CCW-PIII-2-2", ("CCW-PIII", 2, "2", None)),
        ("apmbc-5-1", ("APMBC", 5, "1", None)),
    ],
)
def test_split_id_handles_hyphenated_instrument_ids(canonical_id, expected):
    assert split_id(canonical_id) == expected


@pytest.mark.parametrize("bad", ["", "GC", "GCV-1", "APMBC-x", "APMBC-1-a", "Article 5"])
def test_split_id_rejects_malformed_ids(bad):
    with pytest.raises(UnknownReferenceError):
        split_id(bad)


def test_errors_are_archive_errors():
    assert issubclass(UnknownReferenceError, ArchiveError)


@pytest.mark.parametrize(
    ("canonical_id", "label"),
    [
        ("GCIV-49-6", "GCIV Article 49(6)"),
        ("APMBC-1-1-a", "APMBC Article 1(1)(a)"),
        ("GC-COMMON-3", "GC-COMMON Article 3"),
        ("GCIV", "GCIV \u2014 Fourth Geneva Convention"),
    ],
)
def test_describe(catalogue, canonical_id, label):
    assert catalogue.describe(canonical_id) == label


def test_describe_refuses_what_does_not_exist(catalogue):
    with pytest.raises(UnknownReferenceError):
        catalogue.describe("APMBC-25")


def test_unknown_instrument_raises(catalogue):
    with pytest.raises(UnknownReferenceError):
        catalogue.instrument("XYZ")


def test_load_catalogue_is_cached():
    assert load_catalogue() is load_catalogue()


def test_values_are_frozen(catalogue):
    with pytest.raises(AttributeError):
        catalogue.instrument("GCIV").id = "X"  # type: ignore[misc]


@pytest.mark.parametrize("args, expected", [
    # common Article 3 has the same structure in every Convention as under GC-COMMON
    (("GCIV", 3, "1", "d"), True),
    (("GCIV", 3, "1", "e"), False),
    (("GCI", 3, "3"), False),
    (("GCIII", 2, "4"), False),
    (("GCII", 1, "2"), False),
    # penal sanctions: GCI 49 = GCII 50 = GCIII 129 = GCIV 146 (four paragraphs)
    (("GCI", 49, "4"), True),
    (("GCI", 49, "5"), False),
    (("GCIII", 129, "5"), False),
    # CCM Article 7(1): the source's lettered list skips (l); a list has no holes
    (("CCM", 7, "1", "l"), True),
    (("CCM", 7, "1", "n"), True),
    (("CCM", 7, "1", "o"), False),
])
def test_identical_provisions_share_structure(catalogue, args, expected):
    assert catalogue.exists(*args) is expected
