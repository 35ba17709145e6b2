"""Search as lawyers use it, on a real archive: articles, instruments, dates, places, suggestions, similar documents."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archive.errors import QueryError
from archive.ingest import ingest
from archive.settings import Settings
from archive.store import Archive
from index import SearchRequest
from index.search import SearchIndex
from tests.conftest import write_pdf, write_sidecar

DOCUMENTS = {
    "grave.txt": ("Killing protected persons is a grave breach under Article 147 of the Fourth Geneva Convention.",
                  dict(type="report", date="2020-05-01", places=["Şuşa"])),
    "ottawa.txt": ("Armenia must clear mined areas: Article 5(1) of the Ottawa Convention sets the deadline.",
                   dict(type="appeal", date="2021-08-15", places=["Агдам"])),
    "deport.txt": ("Transfers of population violate Article 49, paragraph 6, of GC IV. Landmines remain.",
                   dict(type="report", date="2022-02-02")),
    "shelling.txt": ("Shelling of Tərtər damaged the hospital and the school.",
                     dict(type="testimony", date="2019", access="public")),
    "sealed.txt": ("The witness Qwertyuiop saw mines being laid. Article 147 GCIV applies.",
                   dict(type="testimony", date="2021-01-01", access="confidential")),
}


@pytest.fixture(scope="module")
def archive_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("docs")
    for name, (text, meta) in DOCUMENTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        write_sidecar(folder / name, title=name.removesuffix(".txt").capitalize(), **meta)
    write_pdf(folder / "long.pdf", ["Mine clearance in Fuzuli district.", "Nothing about treaties here.",
                                    "Under Article 147 of the Fourth Geneva Convention, wilful killing is grave."],
              title="Long")
    write_sidecar(folder / "long.pdf", date="2018-03-03")
    settings = Settings(home=tmp_path_factory.mktemp("home") / "h", actor="t", workers=1)
    ingest([folder], settings)
    return settings


@pytest.fixture
def search(archive_home: Settings):
    archive = Archive(archive_home)
    index = SearchIndex(archive_home.index_dir, page_text=archive.page_text)

    def run(query: str = "", **options: object):
        return index.search(SearchRequest(query=query, **options))

    run.index = index
    yield run
    index.close()
    archive.close()


def searched(tmp_path, files: dict[str, str | tuple[str, dict]], *queries: str) -> list:
    """The public results of ``queries`` on a small archive of text ``files`` (name: text, or text and sidecar)."""
    folder = tmp_path / "docs"
    folder.mkdir()
    for name, content in files.items():
        text, sidecar = content if isinstance(content, tuple) else (content, None)
        (folder / name).write_text(text, encoding="utf-8")
        if sidecar:
            write_sidecar(folder / name, **sidecar)
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    with Archive(settings) as archive:
        index = SearchIndex(settings.index_dir, page_text=archive.page_text)
        try:
            return [index.search(SearchRequest(query=query)) for query in queries]
        finally:
            index.close()


def titles(results) -> set[str]:
    return {hit.title for hit in results.hits}


@pytest.mark.parametrize("query", ['article:"Art. 147 GC IV"', "article:GCIV-147", "article:gciv-147",
                                   'article:"Article 147 of the Fourth Geneva Convention"'])
def test_article_values_mean_the_same_however_written(search, query: str) -> None:
    assert titles(search(query)) == {"Grave", "Long"}


def test_article_query_finds_paragraph_citations(search) -> None:
    assert titles(search("article:APMBC-5")) == {"Ottawa"}
    assert titles(search("article:GCIV-49")) == {"Deport"}
    assert titles(search("article:GCIV-49-6")) == {"Deport"}


def test_instrument_query_finds_any_article_of_it(search) -> None:
    assert titles(search("instrument:GCIV")) == {"Grave", "Deport", "Long"}
    assert titles(search('instrument:"Ottawa Convention"')) == {"Ottawa"}


def test_article_hits_show_the_citing_passage_on_its_page(search) -> None:
    results = search("article:GCIV-147")
    long = next(h for h in results.hits if h.title == "Long")
    assert [p.page for p in long.pages] == [3]
    assert re.search(r'<mark class="hit ref">Article 147 of the Fourth Geneva Convention</mark>', long.pages[0].snippet)


@pytest.mark.parametrize(("query", "selected"), [
    ("", {"article": ["GCIV-147"]}),
    ("", {"article": ["Art. 147 GC IV"]}),
    ("", {"instrument": ["GCIV"]}),
    ("clearance", {"article": ["GCIV-147"]}),  # pages with either, as for "clearance article:GCIV-147"
])
def test_an_article_chosen_as_a_filter_shows_the_citing_pages(search, query: str, selected) -> None:
    """Choosing the article from the facets listed its documents without a page to cite: the same search typed
    as ``article:GCIV-147`` listed page 3 of "Long" with the citing passage marked."""
    long = next(h for h in search(query, selected=selected).hits if h.title == "Long")
    assert 3 in [p.page for p in long.pages]
    cited = next(p for p in long.pages if p.page == 3)
    assert '<mark class="hit ref">Article 147 of the Fourth Geneva Convention</mark>' in cited.snippet
    if query:
        assert [p.page for p in long.pages] == [1, 3] and long.matching_pages == 2


def test_not_a_treaty_article_is_a_clear_error(search) -> None:
    with pytest.raises(QueryError, match="does not name a treaty article"):
        search('article:"Law on Mine Action"')


@pytest.mark.parametrize("query, expected", [
    ("date:[2020 TO 2021]", {"Grave", "Ottawa"}),
    ("date:>2021-06", {"Ottawa", "Deport"}),
    ("date:>2021-08", {"Deport"}),
    ("date:>=2021-08", {"Ottawa", "Deport"}),
    ("date:<2020-05-01", {"Shelling", "Long"}),
    ("date:2019", {"Shelling"}),
    ('date:"2019"', {"Shelling"}),  # quoted, a date still means its whole period
    ('date:"2021-08"', {"Ottawa"}),
    ('date:>"2021-08"', {"Deport"}),  # quoted, > still means after the whole period
    ("date:{2019 TO 2022}", {"Grave", "Ottawa"}),  # exclusive bounds leave out the periods they name
    ("date:{2020-05-01 TO]", {"Ottawa", "Deport"}),
    ("date:[TO 2020-05-01}", {"Shelling", "Long"}),
    ("date:{2021 TO 2022}", set()),
    ("date:{2019 to 2022}", {"Grave", "Ottawa"}),  # Whoosh reads a lower-case "to" as a range too
    ("date:{2019 TO 2022} AND type:report", {"Grave"}),
    ("year:2022", {"Deport"}),
])
def test_date_queries(search, query: str, expected: set[str]) -> None:
    assert titles(search(query)) == expected


@pytest.mark.parametrize("included, excluded", [
    ("instrument:GCIV", "article:GCIV-147"),
    ("instrument:GCIV", "grave"),
    ("mine", '"mine clearance"'),
    ("article:GCIV-147 OR mine", "(fuzuli OR tərtər)"),
])
def test_a_minus_leaves_out_what_follows_it(search, included: str, excluded: str) -> None:
    """``-`` before a part leaves it out, as ``NOT`` does and as search engines read it. Whoosh's parser took the
    minus for nothing: ``instrument:GCIV -article:GCIV-147`` found the documents citing Article 147, the very
    ones a lawyer meant to leave out."""
    expected = titles(search(included)) - titles(search(excluded))
    assert expected and expected != titles(search(included))  # the exclusion leaves out some, not all
    assert titles(search(f"{included} -{excluded}")) == expected == titles(search(f"{included} NOT {excluded}"))


def test_a_query_of_only_what_to_leave_out_finds_everything_else(search) -> None:
    everything = titles(search(""))
    assert titles(search("-grave")) == everything - titles(search("grave")) == titles(search("NOT grave"))
    assert search("-grave", facets=("type",)).facets == search("NOT grave", facets=("type",)).facets


@pytest.mark.parametrize("query, suggestion", [
    ("landmines - clearance", "landmines clearance"), ("mine -", "mine"), ("2020 - 2022", "2020 2022"),
    ("-", None), ("landmines --clearance", "landmines -clearance"), ("(mine OR grave) ---shelling",
                                                                      "(mine OR grave) -shelling"),
])
def test_a_minus_that_leaves_out_nothing_is_a_query_error(search, query: str, suggestion: str | None) -> None:
    """A ``-`` standing alone, or doubled, was dropped without a word: ``landmines - clearance`` searched for both
    words and ``--clearance`` for clearance, the opposite of what such a query may have meant."""
    with pytest.raises(QueryError, match="'-' leaves out") as refused:
        search(query)
    assert refused.value.suggestion == suggestion
    if suggestion:
        search(suggestion)  # what it offers runs


@pytest.mark.parametrize("query, suggestion", [
    ("Art. 5 - 7 - 9", "Art. 5 7 9"), ("x - - y", "x y"), ("- -", None), ("landmines - grave --shelling",
                                                                         "landmines grave -shelling"),
    ("landmines --clearance --shelling", "landmines -clearance -shelling"),
])
def test_the_query_offered_for_several_stray_minuses_runs(search, query: str, suggestion: str | None) -> None:
    """Only the first stray '-' was taken out of the query offered instead, which was refused in turn: the
    suggestion of ``Art. 5 - 7 - 9`` was ``Art. 5 7 - 9``, of ``- -`` a lone ``-``."""
    with pytest.raises(QueryError, match="'-' leaves out") as refused:
        search(query)
    assert refused.value.suggestion == suggestion
    if suggestion:
        search(suggestion)


@pytest.mark.parametrize("query", ["GCIV-147", "Nagorno-Karabakh", "mine-clearance", "mine-", 'landmines "-" x',
                                   'article:"Art. 147 GC-IV"', "issuer:'UN - OCHA'", "landmines 'Ağdam - Şuşa'"])
def test_a_hyphen_inside_a_word_or_a_phrase_is_no_minus(query: str) -> None:
    from index.query import build_parser, parse_user_query
    from index.schema import build_schema

    parsed = parse_user_query(build_parser(build_schema()), query)
    assert "NOT" not in str(parsed), parsed


def test_newest_first(search) -> None:
    results = search("article:GCIV-147 OR article:GCIV-49 OR article:APMBC-5", sort="date")
    assert [h.title for h in results.hits][:3] == ["Deport", "Ottawa", "Grave"]


@pytest.mark.parametrize("spelling", ["Shusha", "Şuşa", "Шуша"])
def test_place_facet_uses_the_gazetteer_name_whatever_the_spelling(search, spelling: str) -> None:
    assert titles(search(f"place:{spelling}")) == {"Grave"}
    assert ("Shusha", 1) in search("").facets["place"]
    assert ("Aghdam", 1) in search("").facets["place"]


def test_place_words_meet_across_scripts_in_the_text(search) -> None:
    assert titles(search("Tartar")) == {"Shelling"}
    assert titles(search("Тертер")) == {"Shelling"}


def test_article_facet_counts_documents_at_every_level(search) -> None:
    facets = search("").facets
    assert dict(facets["instrument"]) == {"GCIV": 3, "APMBC": 1}
    articles = dict(facets["article"])
    assert articles["GCIV-147"] == 2 and articles["GCIV-49"] == 1 and articles["GCIV-49-6"] == 1
    assert articles["APMBC-5"] == 1 and articles["APMBC-5-1"] == 1


def test_confidential_document_leaks_through_no_channel(search) -> None:
    assert search("Qwertyuiop").total == 0
    assert search("Qwertyuop").suggestion is None
    assert dict(search("").facets["type"])["testimony"] == 1
    assert dict(search("").facets["article"])["GCIV-147"] == 2
    assert search("Qwertyuiop", access=("public", "confidential")).total == 1


def test_did_you_mean_offers_a_visible_word(search) -> None:
    results = search("hospitl")
    assert results.total == 0
    assert results.suggestion == "hospital"
    assert search(results.suggestion).total == 1


def test_no_suggestion_when_the_query_finds_enough(search) -> None:
    assert search("article:GCIV-147 OR mines").suggestion is None


def test_a_citation_typed_as_words_is_offered_as_the_reference_it_cites(search) -> None:
    """As words, "GC IV, art. 147" finds no document (none writes it so); the reference it cites finds the two
    that cite it, each in its own words, and not the confidential one that cites it too."""
    asked = search("GC IV, art. 147")
    assert asked.total == 0
    assert asked.reference_query == "article:GCIV-147"
    assert titles(search(asked.reference_query)) == {"Grave", "Long"}
    assert search("landmines Ottawa Convention").reference_query == "landmines instrument:APMBC"
    assert search("mines").reference_query is None


def test_the_words_of_a_citation_are_not_offered_a_spelling(tmp_path) -> None:
    """Where "four" is common and "fourth" rare, "did you mean" offered "… of the four Geneva Convention"."""
    files = {f"count-{number}.txt": f"Report {number}: four mines found." for number in range(4)}
    files["cites.txt"] = "A grave breach under Article 147 of the Fourth Geneva Convention."
    cited, misspelt = searched(tmp_path, files, "Article 147 of the Fourth Geneva Convention",
                               "Article 147 of the Fourth Geneva Convention minez")
    assert cited.total == 1 and cited.suggestion is None
    assert cited.reference_query == "article:GCIV-147"
    assert misspelt.suggestion == "Article 147 of the Fourth Geneva Convention mines"  # other words still are


def test_more_like_this_finds_related_documents_but_not_itself(search, archive_home: Settings) -> None:
    with Archive(archive_home) as archive:
        grave = next(d for d in archive.iter_documents() if d.title == "Grave")
        sealed = next(d for d in archive.iter_documents() if d.title == "Sealed")
    similar = search.index.more_like_this(grave.id, ("public",))
    assert similar and grave.id not in {h.doc_id for h in similar}
    assert "Long" in {h.title for h in similar}
    assert sealed.id not in {h.doc_id for h in similar}
    assert search.index.more_like_this(sealed.id, ("public",)) == ()


def test_filters_accept_citations_and_spellings(search) -> None:

    assert titles(search("", selected={"article": ["Art. 147 GC IV"]})) == {"Grave", "Long"}
    assert titles(search("", selected={"place": ["Агдам"]})) == {"Ottawa"}


@pytest.mark.parametrize("query", ['date:""', 'date:"next spring"', 'landmines AND date:" "'])
def test_an_unreadable_quoted_date_is_a_query_error(search, query: str) -> None:
    with pytest.raises(QueryError, match="could not be read"):
        search(query)


def test_dates_after_a_batch_without_any_date(tmp_path) -> None:
    """A batch whose documents are all undated makes a segment with no date column: the later
    segments' dates must stay on their own documents (date queries, sorting by date)."""
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    for name, meta in (("a", dict(title="A 2021", date="2021-03-01")), ("b", dict(title="B undated")),
                       ("c", dict(title="C 2022", date="2022-05-01"))):
        folder = tmp_path / name
        folder.mkdir()
        (folder / f"{name}.txt").write_text(f"Report {name} about landmines.", encoding="utf-8")
        write_sidecar(folder / f"{name}.txt", **meta)
        ingest([folder], settings)  # one commit, one segment, per batch
    archive = Archive(settings)
    index = SearchIndex(settings.index_dir, page_text=archive.page_text)
    try:
        assert titles(index.search(SearchRequest(query="date:2022"))) == {"C 2022"}
        assert titles(index.search(SearchRequest(query="date:2021"))) == {"A 2021"}
        newest = index.search(SearchRequest(query="landmines", sort="date"))
        assert [hit.title for hit in newest.hits] == ["C 2022", "A 2021", "B undated"]
    finally:
        index.close()
        archive.close()


def test_documents_of_the_same_date_stay_in_catalog_order_newest_first_after_they_are_indexed_again(
        tmp_path) -> None:
    """Ties came in index-entry order: an access change (which indexes a document again, last) or a reindex
    reordered a lawyer's list "newest first"."""
    from archive.accounts import change_access
    from archive.service import open_search

    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    folder = tmp_path / "batch"
    folder.mkdir()
    for name, date in (("a", "2022-04-23"), ("b", "2022-04-23"), ("c", "2022-04-23"), ("d", "2023-01-01"),
                       ("e", "2021")):
        (folder / f"{name}.txt").write_text(f"Report {name} about landmines.", encoding="utf-8")
        write_sidecar(folder / f"{name}.txt", title=f"Report {name}", date=date)
    ingest([folder], settings)
    with Archive(settings) as archive:
        index = open_search(settings, archive)
        try:
            def newest_first(**request) -> list[str]:
                return [hit.title for hit in index.search(SearchRequest(query="landmines", sort="date",
                                                                        **request)).hits]

            assert newest_first() == ["Report d", "Report a", "Report b", "Report c", "Report e"]
            first = next(d for d in archive.iter_documents() if d.original_name == "a.txt")
            for level in ("restricted", "public"):  # indexed again: its entry is now the last one
                assert change_access(archive, index, first.id, level, actor="admin").indexed
            assert newest_first() == ["Report d", "Report a", "Report b", "Report c", "Report e"]
            assert newest_first(limit=2) == ["Report d", "Report a"]  # the tie cut at the page's end, too
            assert newest_first(offset=2, limit=2) == ["Report b", "Report c"]
        finally:
            index.close()


def test_did_you_mean_keeps_the_operators(search) -> None:
    results = search("clearr AND NOT Fuzuli")
    assert results.suggestion == "clear AND NOT Fuzuli"


@pytest.mark.parametrize(("query", "message"), [
    ("type:memo", "type 'memo' is not one of"), ('type:"report, memo"', "type 'memo' is not one of"),
    ('type:", "', "name a type"),
])
def test_an_unknown_type_is_a_query_error(search, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        search(query)


@pytest.mark.parametrize("query", ["<script>", ">x", "(<2020)"])
def test_a_comparison_without_a_field_says_where_the_field_goes(search, query: str) -> None:
    with pytest.raises(QueryError, match="put a field before them") as caught:
        search(query)
    assert "Error" not in str(caught.value)  # no parser internals (it said "IndexError: list index out of range")


@pytest.mark.parametrize("query, suggestion", [
    ("date:2020 TO 2022", "date:[2020 TO 2022]"),
    ("landmines date:2021-06 to 2022", "landmines date:[2021-06 TO 2022]"),
    ("year:2019 TO 2021 AND type:report", "year:[2019 TO 2021] AND type:report"),
])
def test_a_range_without_brackets_is_a_query_error_offering_it_in_brackets(search, query: str,
                                                                          suggestion: str) -> None:
    """``date:2020 TO 2022`` searched documents of 2020 holding the words "to" and "2022": nothing, silently."""
    with pytest.raises(QueryError, match=re.escape("square brackets")) as caught:
        search(query)
    assert caught.value.suggestion == suggestion
    search(suggestion)  # the query offered runs


@pytest.mark.parametrize("query, suggestion", [
    ("date:[2023 TO 2020]", "date:[2020 TO 2023]"),
    ("landmines AND date:{2023-05 TO 2023-01]", "landmines AND date:[2023-01 TO 2023-05]"),
    ("date:[2022-06-30 to 2022-06-01]", "date:[2022-06-01 TO 2022-06-30]"),
    ("date:[2022-06 TO 2022-05-31] OR date:[2019 TO 2018]", "date:[2022-05-31 TO 2022-06] OR date:[2018 TO 2019]"),
])
def test_a_date_range_that_ends_before_it_starts_is_a_query_error(search, query: str, suggestion: str) -> None:
    """It found nothing without a word, while the web form's from/to said the dates ran backwards.
    (``date:{2021 TO 2022}``, empty but forwards, finds nothing as before: see test_date_queries.)"""
    with pytest.raises(QueryError, match="the date range runs backwards: it ends before it starts") as caught:
        search(query)
    assert caught.value.suggestion == suggestion
    assert search(suggestion) is not None  # the suggestion is a query that runs


@pytest.mark.parametrize(("query", "example", "suggestion"), [
    ("article:", "article:GCIV-147", None),  # found every document saying "Article", as if it were a word
    ("landmines AND article:", "article:GCIV-147", "landmines"),
    ("article: landmines", "article:GCIV-147", "landmines"),
    ("(type:) OR landmines", "type:appeal", "landmines"),
    ('title:"grave breach" lang:', "lang:ru", 'title:"grave breach"'),
])
def test_a_field_without_a_value_is_a_query_error(search, query: str, example: str, suggestion: str | None) -> None:
    with pytest.raises(QueryError, match=f"needs a value right after the colon, as in {re.escape(example)}") as caught:
        search(query)
    assert caught.value.suggestion == suggestion


@pytest.mark.parametrize(("query", "suggestion"), [
    ("date:>", None),  # found nothing, silently, as if no document had a date
    ("landmines date:>=", "landmines"),
    ("date:< OR landmines", "landmines"),
    ("(year:>) landmines", "landmines"),
    ("landmines date:> 2021", "landmines date:>2021"),  # a space too many: the value is offered joined
])
def test_a_comparison_without_a_value_is_a_query_error(search, query: str, suggestion: str | None) -> None:
    with pytest.raises(QueryError, match=r"needs a value after the [<>]=?, as in (date|year):[<>]=?20") as caught:
        search(query)
    assert caught.value.suggestion == suggestion


def test_a_colon_inside_a_phrase_or_before_a_quoted_value_is_no_field_without_a_value(search) -> None:
    search('"Article 147:" OR title:"Clearance report"')  # no error


@pytest.mark.parametrize("query", ["year:abc", "year:22", "year:２０２２"])
def test_a_year_that_is_no_year_is_a_query_error(search, query: str) -> None:
    with pytest.raises(QueryError, match="a year is four digits"):
        search(query)


@pytest.mark.parametrize("query, message", [
    ('article:"Art. 160 GCIV"', "GCIV Article 160 does not exist (GCIV has Articles 1-159)"),
    ("article:GCIV-160", "GCIV Article 160 does not exist (GCIV has Articles 1-159)"),
    ("article:GCIV-49-7", "GCIV Article 49 has no paragraph 7"),
    ("article:APMBC-1-1-d", "APMBC Article 1(1) has no sub-paragraph (d)"),
    ('article:"статья 23 Оттавской конвенции"', "APMBC Article 23 does not exist (APMBC has Articles 1-22)"),
])
def test_a_provision_that_does_not_exist_says_so(search, query, message) -> None:
    with pytest.raises(QueryError, match=re.escape(message)):
        search(query)


def test_an_archive_with_no_document_yet_searches_to_nothing(tmp_path) -> None:
    """A first batch in which every file failed leaves an index without a segment: a search finds nothing
    (it was an AttributeError traceback on the command line and a 500 on the web)."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    assert ingest([folder], settings).failed == 1
    archive = Archive(settings)
    index = SearchIndex(settings.index_dir, page_text=archive.page_text)
    try:
        results = index.search(SearchRequest(query="landmines AND type:appeal", sort="date"))
        assert (results.total, len(results.hits)) == (0, 0)
    finally:
        index.close()
        archive.close()


#: The pieces a query is made of, the ways it goes wrong included: what a hurried user, a pasted citation or
#: a probing visitor types.
QUERY_PIECES = st.sampled_from([
    "mine", "landmines", "grave", "Şuşa", "Шуша", "GCIV-147", "Art. 147", "49(6)", "Qwertyuiop",
    "AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE", "TO", "and",
    "(", ")", '"', "-", "+", "*", "?", "~", "~2", "^2", "^", ":", "[", "]", "{", "}", ">", "<", ">=", "\\", "/", "'",
    "article:", "instrument:", "date:", "year:", "type:", "place:", "lang:", "language:", "title:", "issuer:",
    "body:", "control:", "synthetic:", "source:", "nope:", "page_body:", "access:", "doc_id:",
    "2022", "2020-01", "2021-13-45", "GCIV", "147", "160", "APMBC-5", "appeal", "ru", "true", "EVA-000001",
])


@settings(max_examples=400, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(QUERY_PIECES | st.text(max_size=3), st.sampled_from(["", " ", "  "])), max_size=8))
def test_any_query_is_answered_or_refused_with_a_message(search, pieces: list[tuple[str, str]]) -> None:
    """Whatever is typed, the search answers or raises :class:`QueryError` (a 400 with a message): never
    another error (a 500), and never a confidential document to a visitor who may not see it. A query it
    offers instead is itself answered or refused, never a crash."""
    query = "".join(piece + gap for piece, gap in pieces)
    try:
        results = search(query)
    except QueryError as error:
        assert error.problem, query
        if error.suggestion:
            try:
                search(error.suggestion)
            except QueryError:
                pass
        return
    assert "Sealed" not in titles(results), query
    assert results.total == len(results.hits) <= len(DOCUMENTS) + 1, query


@pytest.mark.parametrize("query, suggestion", [
    ("hospitl type:testimony", "hospital type:testimony"),
    ("type:testimony hospitl", "type:testimony hospital"),
    ('hospitl -article:"Art. 147 GC IV"', 'hospital -article:"Art. 147 GC IV"'),
    ("hospitl date:[2018 TO 2020]", "hospital date:[2018 TO 2020]"),
    ("place:(Tərtər OR Shusha) hospitl", "place:(Tərtər OR Shusha) hospital"),
])
def test_did_you_mean_corrects_the_words_beside_fields_and_leaves_the_fields(search, query: str,
                                                                             suggestion: str) -> None:
    """A query with any field got no suggestion at all: a lawyer who typed ``hospitl type:testimony`` was told
    nothing found and nothing else. The words are corrected now; a field's value never is."""
    results = search(query)
    assert results.total == 0 and results.suggestion == suggestion
    assert search(suggestion).total >= 1


@pytest.mark.parametrize("query, field_part", [
    ('title:"hospitl"', None), ("issuer:hospitl", None), ('issuer:"hospitl" OR title:hospitl', None),
    ("place:Şuşa hospitl", "place:Şuşa"), ("hospitl place:Şuşa", "place:Şuşa"),
    # a group within the value's group, a value in single quotes (one term to Whoosh): words after the inner
    # group's ")" or the quote's space were taken for words beside the field ("Tərtr" became "tərtər")
    ("hospitl place:((Shusha) OR Tərtr)", "place:((Shusha) OR Tərtr)"), ("title:((Grave) hospitl)", None),
    ("title:'Shelling hospitl'", None), ("""title:("x)" hospitl)""", None),
])
def test_did_you_mean_never_rewrites_a_field_value(search, query: str, field_part: str | None) -> None:
    suggestion = search(query).suggestion
    if field_part is None:  # nothing but field values to correct
        assert suggestion is None, suggestion
    else:
        assert suggestion and field_part in suggestion and "hospital" in suggestion, suggestion


def test_a_word_of_a_hyphenated_compound_finds_the_compound(tmp_path) -> None:
    """A hyphenated word was indexed as one term: "personnel" found none of the documents about anti-personnel
    mines, "tank" none about anti-tank mines, "взрывные" none that wrote "минно-взрывные"."""
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "en.txt").write_text("Anti-personnel mines and anti-tank mines were laid in 1993.", encoding="utf-8")
    (folder / "ru.txt").write_text("Обнаружены минно-взрывные заграждения.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    with Archive(settings) as archive:
        index = SearchIndex(settings.index_dir, page_text=archive.page_text)
        try:
            found = {query: index.search(SearchRequest(query=query)) for query in (
                "personnel", '"personnel mines"', "anti-personnel", "tank", "взрывные", '"взрывные заграждения"',
                '"anti personnel"')}
        finally:
            index.close()
    assert {query: results.total for query, results in found.items()} == {
        "personnel": 1, '"personnel mines"': 1, "anti-personnel": 1, "tank": 1, "взрывные": 1,
        '"взрывные заграждения"': 1,
        '"anti personnel"': 0,  # the parts share the compound's position: two words apart are not the compound
    }
    snippet = found["personnel"].hits[0].pages[0].snippet
    assert re.search(r'<mark class="hit term\d">Anti-personnel</mark> mines and anti-tank', snippet)


@pytest.mark.parametrize("written", ["EVA-000001", "eva-000001", "Eva-000001"])
def test_a_control_number_finds_its_document_however_capitalised(search, written: str) -> None:
    """``control:eva-000001`` found nothing, though ``evidence show eva-000001`` shows the document."""
    assert [hit.control_number for hit in search(f"control:{written}").hits] == ["EVA-000001"]
    assert search("", selected={"control": [written]}).total == 1


def test_a_phrase_snippet_shows_and_marks_the_phrase_not_its_words_apart(tmp_path) -> None:
    """A phrase's snippet marked its words wherever they stood, and showed the passages holding most of them: here
    the opening, where "mine" and "clearance" stand apart, not the one place that says "mine clearance"."""
    folder = tmp_path / "docs"
    folder.mkdir()
    apart = "The mine was found. Clearance took weeks; the mine field and its clearance team, mine after mine. "
    filler = " ".join(f"Paragraph {n} describes the village roads and the school." for n in range(12))
    (folder / "report.txt").write_text(apart * 3 + filler + " Then mine clearance began in March.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    with Archive(settings) as archive:
        index = SearchIndex(settings.index_dir, page_text=archive.page_text)
        try:
            phrase = index.search(SearchRequest(query='"mine clearance"'))
            words = index.search(SearchRequest(query="mine clearance"))
        finally:
            index.close()
    snippet = phrase.hits[0].pages[0].snippet
    marked = re.findall(r"<mark[^>]*>(.*?)</mark>", snippet)
    assert marked == ["mine", "clearance"]
    assert re.search(r"<mark[^>]*>mine</mark> <mark[^>]*>clearance</mark> began", snippet)
    assert len(re.findall(r"<mark", words.hits[0].pages[0].snippet)) > 2  # words alone are marked wherever they stand


def test_a_phrase_is_not_marked_word_by_word_on_a_page_listed_for_another_word(tmp_path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_pdf(folder / "two.pdf", ["A mine near Shusha. The clearance team left.", "Then mine clearance began."],
              title="Two")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1)
    ingest([folder], settings)
    with Archive(settings) as archive:
        index = SearchIndex(settings.index_dir, page_text=archive.page_text)
        try:
            pages = index.search(SearchRequest(query='"mine clearance" OR Shusha')).hits[0].pages
        finally:
            index.close()
    assert [(page.page, re.findall(r"<mark[^>]*>(.*?)</mark>", page.snippet)) for page in pages] == [
        (1, ["Shusha"]), (2, ["mine", "clearance"])]


def test_did_you_mean_leaves_a_word_the_user_may_see_in_a_document(tmp_path) -> None:
    """An Azerbaijani word found in one document ("minalar") was offered as the English "mines" of four others: a
    word of a visible document is no misspelling, however rare."""
    files = {f"en-{number}.txt": f"Report {number}: mines found near the road." for number in range(4)}
    files["az.txt"] = "Ərazidə minalar aşkar edilib."
    files["hidden.txt"] = ("The word minez is in a confidential document.", {"access": "confidential"})
    rare, misspelt = searched(tmp_path, files, "minalar", "minez")
    assert rare.total == 1 and rare.suggestion is None
    assert misspelt.total == 0 and misspelt.suggestion == "mines"  # a word of hidden documents alone changes nothing


@pytest.mark.parametrize("query", ["synthetic:none", "synthetic:maybe", 'landmines synthetic:"not synthetic"',
                                   "synthetic:generated"])
def test_a_synthetic_value_that_is_neither_true_nor_false_is_a_query_error(search, query: str) -> None:
    """Any value but a false one meant true: ``synthetic:none``, asking for the documents that are not synthetic,
    found only those that are."""
    with pytest.raises(QueryError, match="synthetic: is true or false"):
        search(query)


def test_synthetic_true_and_false_in_any_spelling_still_work(search) -> None:
    everything = search("").total
    assert [search(f"synthetic:{value}").total for value in ("false", "no", "0", "F", "FALSE")] == [everything] * 5
    assert [search(f"synthetic:{value}").total for value in ("true", "yes", "1", "T")] == [0] * 4
