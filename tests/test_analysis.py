"""The full-text analyzer: places meet across scripts and spellings, words across inflections, English as porter2."""

from __future__ import annotations

import itertools
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import highlight
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import QueryParser
from whoosh.support.charset import accent_map

from index.analysis import (
    WORD,
    WORD_PATTERN,
    MultilingualAnalyzer,
    azerbaijani_stem,
    hyphenated_parts,
    text_analyzer,
)
from index.transliterate import azerbaijani_to_latin, russian_to_latin, script_of

ROOT = Path(__file__).resolve().parents[1]

#: Spellings of one place in English, Azerbaijani and Russian: any one must find the others.
PLACE_SPELLINGS = {
    "Shusha": ("Shusha", "Şuşa", "Шуша"),
    "Aghdam": ("Aghdam", "Ağdam", "Агдам"),
    "Fuzuli": ("Fuzuli", "Füzuli", "Физули"),
    "Khojaly": ("Khojaly", "Xocalı", "Ходжалы"),
    "Tartar": ("Tartar", "Tərtər", "Тертер"),
}
#: Inflected forms (Russian cases, Azerbaijani case suffixes) and the place they name.
INFLECTED = {
    "в Шуше": "Shusha", "Шуши": "Shusha", "Şuşada": "Shusha", "Şuşanın": "Shusha",
    "Агдама": "Aghdam", "Ağdamın": "Aghdam", "Ağdamda": "Aghdam",
    "Füzulidə": "Fuzuli", "Füzulinin": "Fuzuli", "Физулинского района": "Fuzuli",
    "Xocalının": "Khojaly", "в Ходжалы": "Khojaly",
    "Tərtərdə": "Tartar", "Тертера": "Tartar",
}
#: Spellings that meet with transliteration alone, without the gazetteer.
TRANSLITERATED = (
    ("Şuşa", "Shusha"), ("Шуша", "Shusha"), ("Ağdam", "Aghdam"), ("Füzuli", "Fuzuli"), ("Физули", "Fizuli"),
    ("Xocalı", "Khojaly"), ("Ходжалы", "Khojaly"), ("Tərtər", "Tartar"), ("Тертер", "Terter"),
    ("Gəncə", "Ganja"), ("Cəbrayıl", "Jabrayil"), ("Kəlbəcər", "Kalbajar"), ("Laçın", "Lachin"),
    ("Çıraqlı", "Chiragli"), ("Евлах", "Yevlakh"),
)
PAIRS = [pair for spellings in PLACE_SPELLINGS.values() for pair in itertools.permutations(spellings, 2)]


def placeholder_analyzer():
    return RegexTokenizer(WORD) | LowercaseFilter() | CharsetFilter(accent_map) | StemFilter(lang="en")


@pytest.fixture(scope="module")
def analyzer() -> MultilingualAnalyzer:
    return text_analyzer()


def query_terms(analyzer, text: str) -> list[str]:
    return [t.text for t in analyzer(text, mode="query")]


def index_terms(analyzer, text: str) -> set[str]:
    return {t.text for t in analyzer(text, mode="index")}


def meets(analyzer, query: str, document: str) -> bool:
    """Whether every query term of ``query`` is among the index terms of ``document``."""
    return set(query_terms(analyzer, query)) <= index_terms(analyzer, document)


# -- analyzer level ------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "document"), PAIRS)
def test_place_spellings_meet_both_ways(analyzer, query, document):
    assert meets(analyzer, query, document)


@pytest.mark.parametrize(("inflected", "place"), INFLECTED.items())
def test_inflected_place_names_meet_every_spelling(analyzer, inflected, place):
    word = inflected.split()[-1] if inflected.startswith("в ") else inflected.split()[0]
    for spelling in PLACE_SPELLINGS[place]:
        assert meets(analyzer, word, spelling), spelling
        assert meets(analyzer, spelling, word), spelling


@pytest.mark.parametrize(("one", "other"), TRANSLITERATED)
def test_transliteration_alone_meets_english_spellings(one, other):
    bare = text_analyzer(places=())
    assert meets(bare, other, one)
    assert meets(bare, one, other) or script_of(one) == "ru"  # Russian queries search Russian stems


@pytest.mark.parametrize(("word", "expected"), [
    ("şuşa", "shusha"), ("ağdam", "aghdam"), ("xocalı", "khojali"), ("tərtər", "tartar"), ("gəncə", "ganja"),
    ("cəbrayıl", "jabrayil"), ("qubadlı", "gubadli"), ("füzuli", "fuzuli"), ("göyçay", "goychay"),
])
def test_azerbaijani_spelt_the_english_way(word, expected):
    assert azerbaijani_to_latin(word) == expected


@pytest.mark.parametrize(("word", "expected"), [
    ("шуша", "shusha"), ("ходжалы", "khojaly"), ("гянджа", "gyanja"), ("евлах", "yevlakh"), ("щука", "shchuka"),
    ("кельбаджар", "kelbajar"), ("бейлаган", "beylagan"), ("ёлка", "yelka"),
])
def test_russian_spelt_the_english_way(word, expected):
    assert russian_to_latin(word) == expected


@pytest.mark.parametrize(("word", "stem"), [
    ("minalar", "mina"), ("minaların", "mina"), ("minalardan", "mina"), ("minalarla", "mina"), ("şuşada", "şuşa"),
    ("şuşanın", "şuşa"), ("ağdamın", "ağdam"), ("kəndlərdə", "kənd"), ("ərazisində", "ərazi"), ("füzulidə", "füzuli"),
    ("laçın", "laçın"), ("mina", "mina"), ("şuşa", "şuşa"), ("bərdə", "bər"), ("meydan", "meydan"),
])
def test_azerbaijani_suffixes_stripped(word, stem):
    assert azerbaijani_stem(word) == stem


@pytest.mark.parametrize(("word", "script"), [
    ("mine", "en"), ("Şuşa", "az"), ("Füzuli", "az"), ("minalar", "az"), ("similar", "en"), ("regular", "en"),
    ("dollar", "en"), ("Шуша", "ru"), ("GCIV-147", "en"), ("49", "en"), ("İlham", "az"),
])
def test_script_of_word(word, script):
    assert script_of(word) == script


@pytest.mark.parametrize(("one", "other"), [
    ("mines", "mine"), ("mined", "mining"), ("cleared", "clearing"), ("maps", "map"),
    ("мины", "мин"), ("минами", "мины"), ("мина", "минах"),
    ("minalar", "mina"), ("minaların", "minalar"), ("Şuşada", "Şuşa"),
    ("ŞUŞA", "Şuşa"), ("Füzuli", "Fuzuli"), ("FUZULI", "Fuzuli"), ("naïve", "naive"),
])
def test_inflection_case_and_accents_meet_both_ways(analyzer, one, other):
    assert meets(analyzer, one, other)
    assert meets(analyzer, other, one)


@pytest.mark.parametrize(("one", "other"), [("clearance", "cleared"), ("mine", "mineral"), ("mines", "minalar")])
def test_porter2_does_not_join_what_it_keeps_apart(analyzer, one, other):
    assert not meets(analyzer, one, other)


ENGLISH_SAMPLE = (ROOT / "corpus" / "appeal-shusha-2022-04-23.txt").read_text(encoding="utf-8")


def test_english_text_gets_exactly_the_porter2_terms_of_the_english_analyzer():
    bare = text_analyzer(places=())
    expected = [(t.text, t.pos, t.startchar, t.endchar) for t in placeholder_analyzer()(
        ENGLISH_SAMPLE, positions=True, chars=True)]
    found = [(t.text, t.pos, t.startchar, t.endchar) for t in bare(ENGLISH_SAMPLE, positions=True, chars=True,
                                                                     mode="query")]
    assert found == expected
    # A document's hyphenated word also gives its parts' terms, at its own position and characters.
    parts = placeholder_analyzer()
    with_parts = [(term, pos, start, end) for word_term, pos, start, end in expected
                  for term in dict.fromkeys((word_term, *(token.text for part in hyphenated_parts(
                      ENGLISH_SAMPLE[start:end]) for token in parts(part))))]
    found = [(t.text, t.pos, t.startchar, t.endchar) for t in bare(ENGLISH_SAMPLE, positions=True, chars=True,
                                                                     mode="index")]
    assert found == with_parts and len(with_parts) > len(expected)


@given(st.lists(st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàâ'-.0123456789", min_size=1, max_size=14),
                min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_english_words_stem_exactly_as_porter2(words):
    text = " ".join(words)
    found = [t.text for t in text_analyzer(places=())(text, mode="query")]
    expected = [t.text for t in placeholder_analyzer()(text)]
    tokens = [match.group() for match in WORD_PATTERN.finditer(text)]
    assert len(found) == len(expected) == len(tokens)
    for token, ours, theirs in zip(tokens, found, expected, strict=True):
        if script_of(token) == "en":
            assert ours == theirs


def test_ordinary_words_do_not_depend_on_the_gazetteer(analyzer):
    text = "Мины и снаряды: minaların təmizlənməsi, mine clearance of farmland (GCIV-147, 49(6))."
    bare = text_analyzer(places=())
    assert [t.text for t in analyzer(text)] == [t.text for t in bare(text)]


# -- tokens, positions, pickling -------------------------------------------------------------


def test_query_yields_one_token_per_word_and_index_keeps_positions(analyzer):
    text = "Mines near в Шуше and Ходжалы, Şuşada"
    query = list((t.text, t.pos) for t in analyzer(text, positions=True, mode="query"))
    indexed = list((t.text, t.pos) for t in analyzer(text, positions=True, mode="index"))
    assert [pos for _, pos in query] == list(range(7))
    assert {pos for _, pos in indexed} == set(range(7))
    assert set(query) <= set(indexed)
    assert len(indexed) > len(query)


def test_treaty_ids_and_numbers_do_not_break(analyzer):
    assert query_terms(analyzer, "GCIV-147 and 49(6)") == ["gciv-147", "and", "49", "6"]


_any_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=80) | st.lists(
    st.sampled_from(["Şuşa", "İ", "ı", "Шуше", "Ağdamın", "x", "-", "'", "’", ".", " ", "49(6)", "ǝ", "ё", "Ё", "ß"]),
    max_size=20).map("".join)


@given(_any_text, st.integers(min_value=0, max_value=5), st.sampled_from(["index", "query"]))
@settings(max_examples=300, deadline=None)
def test_never_crashes_and_chars_lie_within_the_text(text, start_char, mode):
    analyzer = text_analyzer()
    last_pos = -1
    for token in analyzer(text, positions=True, chars=True, mode=mode, start_char=start_char):
        assert token.text
        assert start_char <= token.startchar < token.endchar <= start_char + len(text)
        assert token.pos >= last_pos
        last_pos = token.pos


def test_pickling_round_trips_without_the_cache(analyzer):
    text = "Şuşada, в Шуше, Khojaly and mines"
    list(analyzer(text))
    copy = pickle.loads(pickle.dumps(analyzer))
    assert copy == analyzer
    assert copy._cache == {}
    assert [t.text for t in copy(text)] == [t.text for t in analyzer(text)]
    assert len(pickle.dumps(analyzer)) < 64_000


def test_whole_value_is_one_token_when_not_tokenizing(analyzer):
    assert [t.text for t in analyzer("Ağdam", tokenize=False, mode="query")] == ["aghdam"]
    assert len(list(analyzer("mines of Şuşa", tokenize=False, mode="query"))) == 1
    assert list(analyzer("", tokenize=False)) == []


# -- index level ---------------------------------------------------------------------------


def _schema() -> Schema:
    return Schema(id=ID(stored=True), body=TEXT(analyzer=text_analyzer(), phrase=True))


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    directory = tmp_path_factory.mktemp("analysis-index")
    ix = FileStorage(str(directory)).create_index(_schema())
    documents = {spelling: f"Mines were found near {spelling} city after the war." for spelling, _ in
                 ((s, p) for p, spellings in PLACE_SPELLINGS.items() for s in spellings)}
    documents.update({f"inflected:{text}": f"Обстрел {text} и Минами. {text} minalar." for text in INFLECTED})
    documents.update({
        "en:mine maps": "Armenia has provided some of the mine maps to Azerbaijan.",
        "en:map of mines": "A map of mines near the road.",
        "ru:мины": "Мины и неразорвавшиеся снаряды.",
        "az:mina": "Ərazidə mina aşkar edilib.",
    })
    with ix.writer() as writer:
        for doc_id, body in documents.items():
            writer.add_document(id=doc_id, body=body)
    yield ix, directory
    ix.close()


def search(index, text: str) -> set[str]:
    ix, _ = index
    with ix.searcher() as searcher:
        query = QueryParser("body", ix.schema).parse(text)
        return {hit["id"] for hit in searcher.search(query, limit=None)}


@pytest.mark.parametrize(("query", "document"), PAIRS)
def test_index_finds_a_place_in_any_spelling(index, query, document):
    assert document in search(index, query)


@pytest.mark.parametrize(("inflected", "place"), INFLECTED.items())
def test_index_finds_inflected_places_from_every_spelling(index, inflected, place):
    for spelling in PLACE_SPELLINGS[place]:
        assert f"inflected:{inflected}" in search(index, spelling)
    word = inflected.split()[-1] if inflected.startswith("в ") else inflected.split()[0]
    assert set(PLACE_SPELLINGS[place]) <= search(index, word)


def test_index_keeps_places_apart(index):
    assert search(index, "Shusha") & set(PLACE_SPELLINGS["Aghdam"]) == set()
    assert search(index, "Тертер") & set(PLACE_SPELLINGS["Fuzuli"]) == set()


@pytest.mark.parametrize("spelling", [s for spellings in PLACE_SPELLINGS.values() for s in spellings])
def test_phrase_across_scripts(index, spelling):
    place = next(p for p, spellings in PLACE_SPELLINGS.items() if spelling in spellings)
    for query in PLACE_SPELLINGS[place]:
        assert spelling in search(index, f'"{query} city"')
    assert spelling not in search(index, f'"city {spelling}"')


def test_english_phrase_and_stemming(index):
    assert search(index, '"mine maps"') == {"en:mine maps"}
    assert {"en:mine maps", "en:map of mines"} <= search(index, "mines map")
    assert search(index, '"maps mine"') == set()


def test_russian_and_azerbaijani_inflection_in_the_index(index):
    assert "ru:мины" in search(index, "минами")
    assert "ru:мины" in search(index, "мин")
    assert "az:mina" in search(index, "minalardan")
    assert "az:mina" in search(index, "minalar")


def test_wildcards_do_not_break(index):
    assert "en:mine maps" in search(index, "mine*")
    search(index, "Şuş*")
    search(index, "Шуш*")


def test_highlights_mark_the_word_in_its_own_script(index):
    ix, _ = index
    with ix.searcher() as searcher:
        query = QueryParser("body", ix.schema).parse("Shusha")
        results = searcher.search(query, limit=None)
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = highlight.HtmlFormatter(tagname="mark", between=" … ")
        snippets = {hit["id"]: hit.highlights("body", text=body) for hit, body in (
            (hit, f"Mines were found near {hit['id']} city after the war.") for hit in results
            if hit["id"] in PLACE_SPELLINGS["Shusha"])}
    assert set(snippets) == set(PLACE_SPELLINGS["Shusha"])
    for spelling, snippet in snippets.items():
        assert f">{spelling}</mark> city" in snippet
        assert snippet.count("<mark") == 1


REOPEN = """
import sys
from whoosh import index
from whoosh.qparser import QueryParser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as searcher:
    for text in ("Шуша", "Xocalı", '"Fuzuli city"'):
        hits = searcher.search(QueryParser("body", ix.schema).parse(text), limit=None)
        print(text, sorted(hit["id"] for hit in hits if ":" not in hit["id"]))
"""


def test_index_reopens_in_a_new_process(index):
    _, directory = index
    done = subprocess.run([sys.executable, "-c", REOPEN, str(directory)], capture_output=True, text=True, cwd=ROOT,
                          check=True, timeout=120)
    assert done.stdout.splitlines() == [
        "Шуша ['Shusha', 'Şuşa', 'Шуша']",
        "Xocalı ['Khojaly', 'Xocalı', 'Ходжалы']",
        "\"Fuzuli city\" ['Fuzuli', 'Füzuli', 'Физули']",
    ]
