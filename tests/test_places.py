"""Places from the gazetteer: spellings, case forms, word bounds, user extensions."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.analyse.places import (
    _FOLD,
    GAZETTEER_PATH,
    KINDS,
    GazetteerError,
    PlaceMention,
    _lowered_elsewhere,
    find_places,
    fold,
    load_gazetteer,
    places_in,
)

REQUIRED_PLACES = (
    "Shusha", "Aghdam", "Fuzuli", "Jabrayil", "Zangilan", "Gubadli", "Lachin", "Kalbajar", "Khojavend",
    "Khojaly", "Khankendi", "Tartar", "Barda", "Ganja", "Goranboy", "Aghjabadi", "Beylagan", "Naftalan",
    "Baku", "Sumgait", "Mingachevir", "Yevlakh", "Aghdara", "Hadrut", "Talysh", "Sugovushan", "Khizi",
    "Karabakh", "East Zangezur",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # English and Armenian-derived spellings
        ("Shusha", [("Shusha", "Shusha")]),
        ("the town of Shushi", [("Shushi", "Shusha")]),
        ("Stepanakert", [("Stepanakert", "Khankendi")]),
        ("Agdam and Fizuli", [("Agdam", "Aghdam"), ("Fizuli", "Fuzuli")]),
        ("Kelbajar", [("Kelbajar", "Kalbajar")]),
        ("Kubatly", [("Kubatly", "Gubadli")]),
        ("Gubadly district", [("Gubadly", "Gubadli")]),  # the spelling of many English-language sources
        ("Mardakert", [("Mardakert", "Aghdara")]),
        ("the road from Askeran to Asgaran", [("Askeran", "Asgaran"), ("Asgaran", "Asgaran")]),
        ("Əsgəranda", [("Əsgəranda", "Asgaran")]),
        ("в Аскеране", [("Аскеране", "Asgaran")]),
        ("Lachin's roads", [("Lachin", "Lachin")]),
        ("Nagorno-Karabakh conflict", [("Nagorno-Karabakh", "Karabakh")]),
        ("Nagorno Karabakh", [("Nagorno Karabakh", "Karabakh")]),
        ("East Zangezur", [("East Zangezur", "East Zangezur")]),
        ("SHUSHA", [("SHUSHA", "Shusha")]),
        ("shusha", [("shusha", "Shusha")]),
        ("Tartar district", [("Tartar", "Tartar")]),
        ("Ganja was shelled", [("Ganja", "Ganja")]),
        # Russian case forms and adjectives
        ("в Шуше", [("Шуше", "Shusha")]),
        ("из Шуши", [("Шуши", "Shusha")]),
        ("Агдама", [("Агдама", "Aghdam")]),
        ("под Агдамом", [("Агдамом", "Aghdam")]),
        ("в Физулинском районе", [("Физулинском", "Fuzuli")]),
        ("Физулинского района", [("Физулинского", "Fuzuli")]),
        ("Лачинский район", [("Лачинский", "Lachin")]),
        ("в Тертере", [("Тертере", "Tartar")]),
        ("в Гяндже", [("Гяндже", "Ganja")]),
        ("в Нагорном Карабахе", [("Нагорном Карабахе", "Karabakh")]),
        ("Нагорно-Карабахской автономной области", [("Нагорно-Карабахской", "Karabakh")]),
        ("в Ханкенди", [("Ханкенди", "Khankendi")]),
        ("в Бакинском суде", [("Бакинском", "Baku")]),
        ("в ШУШЁ", [("ШУШЁ", "Shusha")]),  # ё is read as е
        ("ИЗ ШУШИ", [("ШУШИ", "Shusha")]),
        ("Восточного Зангезура", [("Восточного Зангезура", "East Zangezur")]),
        # Azerbaijani case suffixes, dotted and dotless i
        ("Şuşada", [("Şuşada", "Shusha")]),
        ("Şuşanın", [("Şuşanın", "Shusha")]),
        ("Ağdamda", [("Ağdamda", "Aghdam")]),
        ("Füzulinin", [("Füzulinin", "Fuzuli")]),
        ("Ağdamlılar", [("Ağdamlılar", "Aghdam")]),
        ("Bakıya", [("Bakıya", "Baku")]),
        ("ŞUŞA", [("ŞUŞA", "Shusha")]),
        ("AĞDAM RAYONU", [("AĞDAM", "Aghdam")]),
        ("LAÇIN", [("LAÇIN", "Lachin")]),
        ("XOCALI", [("XOCALI", "Khojaly")]),
        ("QUBADLI RAYONU", [("QUBADLI", "Gubadli")]),
        ("Dağlıq Qarabağda", [("Dağlıq Qarabağda", "Karabakh")]),
        ("Şərqi Zəngəzurda", [("Şərqi Zəngəzurda", "East Zangezur")]),
        ("Şǝrqi Zǝngǝzur", [("Şǝrqi Zǝngǝzur", "East Zangezur")]),  # ǝ typed for ə
        ("Qarabağ-da", [("Qarabağ", "Karabakh")]),
        ("Xankəndidə", [("Xankəndidə", "Khankendi")]),
    ],
)
def test_find_places(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.text, m.name) for m in find_places(text)] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Bardak",  # Barda inside a longer word
        "Lachinsky",  # English adjective: not listed
        "Shushanik",
        "Bakunin wrote",
        "tartar sauce",  # English common word, lower case
        "a ganja plant",
        "нафталан — лечебная нефть",
        "о барде и поэте",  # Russian "bard", not Barda
        "от акне",
        "талыши живут на юге",
        "Karabakhi",
        "xBaku",
        "Baku1",
        "Агдамка",
        "",
    ],
)
def test_find_places_does_not_match_inside_other_words(text: str) -> None:
    assert find_places(text) == []


def test_places_in_gives_canonical_names_once_in_order_of_first_mention() -> None:
    text = "Shelling of Tartar and Barda. В Тертере и Барде. Tərtərdə, Ganja, Shusha (Шуша, Şuşa)."
    assert places_in(text) == ("Tartar", "Barda", "Ganja", "Shusha")


def test_mention_spans_point_into_the_original_text() -> None:
    text = "İYUN: ŞUŞADA və AĞDAMDA; ёлка в Шушинском районе"
    mentions = find_places(text)
    assert [m.name for m in mentions] == ["Shusha", "Aghdam", "Shusha"]
    for mention in mentions:
        assert text[mention.start:mention.end] == mention.text


@given(st.lists(st.sampled_from(["Şuşa", "Шуше", "İ", "I", "ı", "ё", "Ağdam", " ", "-", ".", "x", "Barda",
                                 "Nagorno", "Karabakh", "\n", "ß", "ﬁ", "Ǝ"]), max_size=30).map("".join))
def test_every_span_reproduces_its_text(text: str) -> None:
    previous_end = 0
    for mention in find_places(text):
        assert isinstance(mention, PlaceMention)
        assert text[mention.start:mention.end] == mention.text
        assert mention.start >= previous_end
        previous_end = mention.end


@given(st.text(max_size=200))
def test_fold_keeps_the_length(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_fold_by_lower_case_gives_the_table_for_every_character_it_is_used_for() -> None:
    # fold lower-cases with str.lower unless the text holds a character str.lower would lower otherwise.
    everything = (chr(code) for code in range(0x110000) if not 0xD800 <= code < 0xE000)
    plain = "".join(char for char in everything if not _lowered_elsewhere().search(char))
    assert len(plain) > 60_000
    assert fold(plain) == plain.translate(_FOLD)


@given(st.lists(st.sampled_from(["Şuşa", "İ", "I", "ı", "Ё", "ё", "Ǝ", "ǝ", "Σ", "ΣΑ", "K", "Å", "ß", "ẞ", "ﬁ",
                                 "Ω", "Ⅻ", "Ա", "𐐀", "Шуша", "x"]), max_size=20).map("".join))
def test_fold_is_the_table_whatever_the_text_holds(text: str) -> None:
    assert fold(text) == text.translate(_FOLD)


def test_find_places_is_fast() -> None:
    page = ("On 23 April 2022 the ministry reported shelling of the Aghdam district, Tartar and Barda; "
            "в Физулинском районе и в Шуше. ") * 50
    find_places(page)
    started = time.perf_counter()
    for _ in range(50):
        find_places(page)
    assert (time.perf_counter() - started) / 50 < 0.02


# -- the gazetteer file ------------------------------------------------------------------


def test_builtin_gazetteer_covers_the_places_the_corpus_names() -> None:
    names = {place.name for place in load_gazetteer().places}
    assert set(REQUIRED_PLACES) <= names


def test_builtin_gazetteer_entries_are_well_formed() -> None:
    document = json.loads(GAZETTEER_PATH.read_text(encoding="utf-8"))
    names = [entry["name"] for entry in document["places"]]
    assert len(names) == len(set(names))
    for entry in document["places"]:
        assert entry["kind"] in KINDS
        assert set(entry["variants"]) == {"az", "en", "ru"}
        assert all(entry["variants"][language] for language in ("az", "en", "ru")), entry["name"]
        assert entry["district"] is None or entry["district"] in names
        if "coords" in entry:
            lat, lon = entry["coords"]
            assert 38 < lat < 42 and 44 < lon < 51, entry["name"]  # inside Azerbaijan


def test_no_spelling_belongs_to_two_places() -> None:
    owners: dict[str, set[str]] = {}
    for place in load_gazetteer().places:
        for spellings in place.variants.values():
            for spelling in spellings:
                owners.setdefault(fold(spelling), set()).add(place.name)
    assert {spelling: names for spelling, names in owners.items() if len(names) > 1} == {}


@pytest.mark.parametrize("place", REQUIRED_PLACES)
def test_every_place_is_found_by_each_of_its_spellings(place: str) -> None:
    entry = load_gazetteer().place(place)
    assert entry is not None
    for spellings in entry.variants.values():
        for spelling in spellings:
            assert places_in(f"({spelling})") == (place,), spelling


def test_user_file_adds_places_and_spellings(tmp_path: Path) -> None:
    extra = tmp_path / "mine.json"
    extra.write_text(json.dumps({"places": [
        {"name": "Horadiz", "kind": "town", "district": "Fuzuli",
         "variants": {"az": ["Horadiz"], "en": ["Horadiz"], "ru": ["Горадиз"]}},
        {"name": "Shusha", "variants": {"en": ["Shousha"]}},
    ]}, ensure_ascii=False), encoding="utf-8")
    gazetteer = load_gazetteer(extra)
    assert places_in("Horadiz, в Горадизе, Shousha and Şuşada", gazetteer) == ("Horadiz", "Shusha")
    shusha = gazetteer.place("shusha")
    assert shusha is not None and shusha.kind == "city" and "Shushi" in shusha.variants["en"]
    # the built-in gazetteer is untouched
    assert places_in("Horadiz and Shousha") == ()


def test_user_file_may_be_a_bare_list_and_a_name_alone_is_a_spelling(tmp_path: Path) -> None:
    extra = tmp_path / "list.json"
    extra.write_text(json.dumps([{"name": "Horadiz"}]), encoding="utf-8")
    assert places_in("Horadiz", load_gazetteer(extra)) == ("Horadiz",)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("{not json", "not UTF-8 JSON"),
        ('{"places": {}}', "expected a list"),
        ('[{"kind": "town"}]', "needs a \"name\""),
        ('[{"name": "X", "kind": "planet"}]', "kind 'planet'"),
        ('[{"name": "X", "variants": {"en": "X"}}]', "variants"),
        ('[{"name": "X", "coords": [100, 0]}]', "coords"),
    ],
)
def test_bad_user_file_is_refused_with_a_reason(tmp_path: Path, content: str, problem: str) -> None:
    extra = tmp_path / "bad.json"
    extra.write_text(content, encoding="utf-8")
    with pytest.raises(GazetteerError, match=problem):
        load_gazetteer(extra)


def test_missing_user_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GazetteerError, match="cannot be read"):
        load_gazetteer(tmp_path / "absent.json")


# -- the user's places in the search index ---------------------------------------------------


def test_user_places_reach_the_index_and_a_changed_gazetteer_asks_for_reindex(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from archive.cli import main
    from archive.errors import GazetteerChangedError
    from archive.ingest import ingest
    from archive.settings import Settings
    from archive.store import Archive
    from index import SearchRequest
    from index.search import SearchIndex

    extra = tmp_path / "mine.json"
    extra.write_text(json.dumps([{"name": "Horadiz", "kind": "town",
                                  "variants": {"az": ["Horadiz"], "en": ["Horadiz"], "ru": ["Горадиз"]}}],
                                ensure_ascii=False), encoding="utf-8")
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "ru.txt").write_text("Разминирование в Горадизе продолжается.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1, gazetteer=str(extra))
    ingest([folder], settings)

    with Archive(settings) as archive, SearchIndex(settings.index_dir, create=False, gazetteer=str(extra),
                                                   page_text=archive.page_text) as index:
        results = index.search(SearchRequest(query="Horadiz"))  # the Latin spelling finds the Russian case form
        assert results.total == 1
        assert dict(results.facets["place"]) == {"Horadiz": 1}
        assert "<mark" in results.hits[0].pages[0].snippet

    with pytest.raises(GazetteerChangedError, match="evidence reindex"):
        SearchIndex(settings.index_dir, create=False)  # the built-in gazetteer alone: not what built it

    home = ["--home", str(settings.home)]
    env = {"ARCHIVE_ACTOR": "t"}
    refused = CliRunner().invoke(main, [*home, "search", "Horadiz"], env=env)
    assert refused.exit_code != 0 and "evidence reindex" in refused.output
    assert CliRunner().invoke(main, [*home, "reindex", "--quiet"], env=env).exit_code == 0
    with SearchIndex(settings.index_dir, create=False) as index:  # rebuilt with the built-in places alone
        assert index.search(SearchRequest(query="Horadiz")).total == 0


@pytest.mark.parametrize(("text", "expected"), [
    # Spellings that are also ordinary words count only when capitalised (the gazetteer's case_sensitive).
    ("Treatment with naftalan oil.", []), ("Naftalan sanatorium", ["Naftalan"]),
    ("барды пели", []), ("район Барды", ["Barda"]),
    ("baki kalan miktar", []), ("bakıda yaşayır", []), ("Bakıda yaşayır", ["Baku"]), ("BAKI", ["Baku"]),
    ("uma varanda ampla", []), ("the town of Varanda", ["Fuzuli"]),
])
def test_spellings_that_are_also_words_count_only_capitalised(text: str, expected: list[str]) -> None:
    assert [mention.name for mention in find_places(text)] == expected
