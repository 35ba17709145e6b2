"""The web pages through Flask's test client, on a real ingested archive.

The fixture archive is the shared sample folder plus documents these tests
need: a three-page mine-map submission citing the Ottawa Convention and the
Fourth Geneva Convention by paragraph, a confidential testimony that must stay
invisible, and a letter whose title, issuer and text carry HTML and script.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
import shutil
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import pytest
from flask.testing import FlaskClient

from archive.errors import ConfigurationError
from archive.ingest import ingest
from archive.models import Document
from archive.settings import Settings
from archive.store import Archive
from tests.conftest import write_pdf, write_sidecar
from webapp import create_app
from webapp.highlight import passage
from webapp.search import MAX_FILTER_LENGTH, MAX_FILTERS, MAX_QUERY

MAP_PAGES = (
    "Mine map submission for the Fuzuli district.\nThe maps below record minefields laid in 1993.",
    "The submitting State recalls its duty to clear mined areas. Clearance is required under Article 5 "
    "of the Ottawa Convention within ten years.",
    "Transfers of population are prohibited by Article 49(6) of the Fourth Geneva Convention. "
    "Use of anti-personnel mines is banned by Article 1(1)(a) of the Mine Ban Convention.",
)
HOSTILE_TITLE = '<script>alert("title")</script> Letter about mines'
HOSTILE_TEXT = (
    "Letter about mines near Aghdam <img src=x onerror=alert(1)>.\n"
    "<script>alert(2)</script> The mines violate Article 5 of the Ottawa Convention.\n"
)


def add_web_documents(folder: Path) -> None:
    """Write the documents the web tests need next to the sample folder's."""
    sealed = folder / "sealed.txt"
    sealed.write_text("Confidential witness named Zyxwvut saw landmines. Article 5 of the Ottawa Convention.",
                      encoding="utf-8")
    write_sidecar(sealed, type="testimony", access="confidential")
    submission = write_pdf(folder / "mine-map.pdf", MAP_PAGES, title="Mine map submission: Fuzuli")
    write_sidecar(submission, title="Mine map submission: Fuzuli", type="mine_map_submission",
                  date="2022-03-10", issuer="Ministry of Defence", places=["Fuzuli"])
    letter = folder / "letter.txt"
    letter.write_text(HOSTILE_TEXT, encoding="utf-8")
    write_sidecar(letter, title=HOSTILE_TITLE, type="correspondence", date="2020-01-05",
                  issuer='<b onmouseover="alert(3)">Bold</b> & Co')


def build_archive(settings: Settings, folder: Path) -> None:
    add_web_documents(folder)
    ingest([folder], settings)


_TEMPLATE: dict[str, Path] = {}


def web_archive(settings: Settings, sample_folder: Path, factory: pytest.TempPathFactory) -> Settings:
    """``settings.home`` holding a fresh copy of the web tests' archive (ingested once per session)."""
    if "home" not in _TEMPLATE:
        home = factory.mktemp("web-archive") / "home"
        build_archive(replace(settings, home=home), sample_folder)
        _TEMPLATE["home"] = home
    shutil.copytree(_TEMPLATE["home"], settings.home)
    return settings


def document_named(settings: Settings, name: str) -> Document:
    with Archive(settings) as archive:
        return next(d for d in archive.iter_documents() if d.original_name == name)


@pytest.fixture
def client(settings: Settings, sample_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    web_archive(settings, sample_folder, tmp_path_factory)
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"})
    return app.test_client()


def text_of(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code, response.get_data(as_text=True)[:500])
    return response.get_data(as_text=True)


# -- search ----------------------------------------------------------------------------------------

def test_search_page_shows_results_with_highlighted_snippets(client: FlaskClient) -> None:
    page = text_of(client, "/?q=landmines")
    assert "Clearance report" in page and "Appeal on landmines" in page
    assert re.search(r'<mark class="hit[^"]*">landmines</mark>', page)
    assert "<strong>2</strong> documents" in page


def test_snippets_link_to_their_page_with_the_query(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    page = text_of(client, "/?q=landmines")
    assert f'href="/documents/{report.id}/pages/2?q=landmines"' in page


def test_results_show_metadata_and_article_badges(client: FlaskClient) -> None:
    page = text_of(client, "/?q=clearance")
    hit = page[page.index("Mine map submission: Fuzuli"):]
    assert "EVA-" in hit and "mine map submission" in hit and "10 March 2022" in hit and "Ministry of Defence" in hit
    badges = re.findall(r'class="badge" href="/articles/([^"]+)"', page)
    assert {"APMBC-5", "APMBC-1", "GCIV-49"} <= set(badges)


def test_facet_links_filter_the_results(client: FlaskClient) -> None:
    page = text_of(client, "/?q=landmines")
    link = re.search(r'href="([^"]+)"\s+data-facet-value="appeal"', page)
    assert link, "the type facet offers 'appeal'"
    filtered = text_of(client, link.group(1).replace("&amp;", "&"))
    assert re.search(r"<strong>1</strong> document(?!s)", filtered)
    assert "Appeal on landmines" in filtered and "Clearance report" not in filtered
    assert 'data-facet="year"' in filtered


def test_selected_filters_are_chips_that_remove_themselves(client: FlaskClient) -> None:
    page = text_of(client, "/?q=mines&type=report&from=2021")
    chips = re.findall(r'<a class="chip" href="([^"]+)"', page)
    assert len(chips) == 2
    assert "type=report" not in chips[0] and "from=2021" in chips[0].replace("&amp;", "&")
    assert "from=" not in chips[1] and "type=report" in chips[1]


def test_article_facet_is_a_tree_of_instrument_article_paragraph(client: FlaskClient) -> None:
    page = text_of(client, "/")
    tree = page[page.index('class="facet tree"'):page.index("</section>", page.index('class="facet tree"'))]
    apmbc, art1, para = (tree.index(f'data-facet-value="{v}"') for v in ("APMBC", "APMBC-1", "APMBC-1-1"))
    assert apmbc < art1 < para
    assert 'data-facet="instrument" data-facet-value="APMBC"' in tree
    assert 'data-facet="article" data-facet-value="GCIV-49-6"' in tree
    assert "Art. 147 — " in tree  # headings come from the catalogue


def test_article_facet_value_filters(client: FlaskClient) -> None:
    page = text_of(client, "/?article=GCIV-49-6")
    assert re.search(r"<strong>1</strong> document(?!s)", page) and "Mine map submission" in page


def test_date_range_filters_and_a_year_means_the_whole_year(client: FlaskClient) -> None:
    page = text_of(client, "/?from=2022&to=2022")
    assert "Mine map submission" in page and "Clearance report" not in page
    assert "Clearance report" in text_of(client, "/?from=2021-06&to=2021-06")


def test_sort_by_date_puts_the_newest_first(client: FlaskClient) -> None:
    page = text_of(client, "/?q=mines&sort=date")
    titles = re.findall(r'<h3><a href="/documents/[^"]+">([^<]+)</a></h3>', page)
    assert titles.index("Mine map submission: Fuzuli") < titles.index("Clearance report")
    assert "<strong>date</strong>" in page


def test_pagination_links_move_through_results(client: FlaskClient) -> None:
    first = text_of(client, "/?limit=2")
    assert "Page 1 of 2" in first and 'rel="next"' in first
    second = text_of(client, "/?limit=2&page=2")
    assert "Page 2 of 2" in second and 'start="3"' in second and 'rel="prev"' in second


def test_each_page_of_results_or_passages_has_a_title_of_its_own(client: FlaskClient,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A screen reader announces the title when a page opens, and the history lists pages by it."""
    def title(url: str) -> str:
        return re.search(r"<title>(.*?)</title>", text_of(client, url), re.S).group(1)

    assert title("/?q=mines&limit=1") == "mines — Evidence archive"
    assert title("/?q=mines&limit=1&page=2") == "mines — page 2 of 3 — Evidence archive"
    assert title("/?limit=2&page=2") == "Page 2 of 2 — Evidence archive"
    assert title("/?q=mines&limit=1&page=9") == "mines — Evidence archive"  # no such page: "page 9 of 3" is not one
    monkeypatch.setattr("webapp.articles.PASSAGES_PER_PAGE", 1)
    article = "APMBC Article 5 — Destruction of anti-personnel mines in mined areas"
    assert title("/articles/APMBC-5") == f"{article} — Evidence archive"
    assert title("/articles/APMBC-5?page=2") == f"{article} — page 2 of 2 — Evidence archive"
    assert title("/articles/APMBC-5?page=3") == f"{article} — Evidence archive"


def test_export_links_carry_the_search(client: FlaskClient) -> None:
    page = text_of(client, "/?q=landmines&type=report")
    links = re.findall(r'href="([^"]+)" data-export="([^"]+)"', page)
    assert {fmt for _, fmt in links} == {"csv", "jsonl", "csl-json", "bibtex", "ris"}
    assert all("q=landmines" in href and "type=report" in href for href, _ in links)


def test_did_you_mean_is_offered_when_little_is_found(client: FlaskClient) -> None:
    page = text_of(client, "/?q=landmnes")
    assert 'Did you mean <a href="/?q=landmine">landmine</a>?' in page
    assert "Did you mean" not in text_of(client, "/?q=landmines")


def test_a_citation_typed_as_words_is_offered_as_the_reference(client: FlaskClient) -> None:
    """The offer links the reference query, with the filters and the sort kept, and is escaped like the rest."""
    page = text_of(client, "/?q=GC+IV+art.+147&type=report&sort=date")
    found = re.search(r'Your search cites a treaty\.\s*<a href="([^"]+)">([^<]+)</a> finds every document', page)
    assert found, "the reference query is offered"
    assert found.group(2) == "article:GCIV-147"
    args = parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)
    assert args == {"q": ["article:GCIV-147"], "type": ["report"], "sort": ["date"]}
    assert "cites a treaty" not in text_of(client, "/?q=landmines")
    offered = text_of(client, "/?q=%22%3Cb%3E%22+GC+IV+art.+147")
    assert "&#34;&lt;b&gt;&#34; article:GCIV-147</a>" in offered and "<b>" not in offered


def test_did_you_mean_keeps_the_filters_and_the_sort(client: FlaskClient) -> None:
    """The suggestion changes the words only: a chosen type, dates and sort stay (and the page is 1)."""
    page = text_of(client, "/?q=landmnes&type=appeal&from=2020&sort=date&page=1")
    found = re.search(r'Did you mean <a href="([^"]+)">(\w+)</a>', page)
    assert found, "a suggestion is offered"
    args = parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)
    assert args == {"q": [found.group(2)], "type": ["appeal"], "from": ["2020"], "sort": ["date"]}


# -- errors and escaping ---------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "message"), [
    ("/?q=landmines&page=two", "whole numbers"),
    ("/?q=landmines&page=0", "page must be 1 to 10000"),
    ("/?q=landmines&page=99999999999999999999", "page must be 1 to 10000"),
    ("/?q=landmines&limit=5000", "limit between 1 and 100"),
    ("/?q=landmines&sort=sideways", "sort must be"),
    ("/?from=yesterday", "must be a date like"),
    ('/?q="unclosed phrase', "a phrase is not closed"),
    ("/?q=colour:red", "there is no field"),
])
def test_bad_search_is_a_400_with_a_message(client: FlaskClient, url: str, message: str) -> None:
    assert message in text_of(client, url, 400)


@pytest.mark.parametrize(("url", "named"), [
    ("/?q=landmines&page=two", "page and limit must be whole numbers"),
    ("/?q=landmines&sort=sideways", "sort must be 'relevance' or 'date', not 'sideways'"),
    ("/?q=landmines&from=yesterday", "'from' must be a date like 2022-04-23, a month like 2022-04 or a year, "
                                     "not 'yesterday'"),
    ("/?q=landmines&from=2022&to=2020", "the dates run backwards"),
    ("/export/docx?q=landmines", "unknown export format 'docx'"),
    ("/articles/APMBC-5?page=x", "page must be a whole number from 1 to 10000"),
    ("/?q=landmines&type=nonsense", "the filter type='nonsense' cannot be used: type 'nonsense' is not one of"),
    ("/?q=landmines&year=-1", "the filter year='-1' cannot be used: a year is four digits"),
    ("/?q=landmines&article=GCIV-999", "the filter article='GCIV-999' cannot be used: 'GCIV-999': GCIV Article 999"),
    ("/export/csv?q=landmines&instrument=FOO", "the filter instrument='FOO' cannot be used: 'FOO' does not name"),
])
def test_a_wrong_argument_is_named_and_not_called_the_query(client: FlaskClient, url: str, named: str) -> None:
    page = html.unescape(text_of(client, url, 400))
    assert named in page
    assert "could not understand the query" not in page  # the query is fine: another argument is wrong


@pytest.mark.parametrize(("dates", "back"), [
    ("from=23.04.2022", "/?q=landmines&amp;type=report&amp;sort=date"),  # a date typed as many countries write it
    ("from=2022&to=2020", "/?q=landmines&amp;type=report&amp;sort=date"),
    ("to=yesterday", "/?q=landmines&amp;type=report&amp;sort=date"),
])
def test_a_search_refused_for_its_dates_leads_back_to_itself_without_them(client: FlaskClient, dates: str,
                                                                            back: str) -> None:
    """The dates are typed in the filters' form: "Back to search" led to an empty search, losing the query, the
    filters and the sort; the header's box keeps none of them either, since they come with the wrong date."""
    page = text_of(client, f"/?q=landmines&type=report&sort=date&{dates}", 400)
    assert f'<a href="{back}">Back to the search without its dates</a>' in page


def test_a_search_refused_for_its_query_leads_back_to_the_search_page(client: FlaskClient) -> None:
    page = text_of(client, '/?q="unclosed&from=2021', 400)
    assert '<a href="/">Back to search</a>' in page


@pytest.mark.parametrize("url", [
    "/?q=landmines&from=99999999999999999999",
    "/?q=landmines&to=99999999999999999999-06",
    "/api/search?q=landmines&from=99999999999999999999",
    "/export/csv?q=landmines&to=99999999999999999999",
])
def test_a_year_too_large_for_any_calendar_is_a_400_naming_the_date(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert "must be a date like 2022-04-23" in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("path", ["/", "/api/search", "/export/csv"])
def test_a_search_holds_at_most_so_many_filter_values(client: FlaskClient, path: str) -> None:
    """Each value is a chip whose link carries all the others: 5,000 of them kept a thread busy for 40 s."""
    many = "&".join(f"{field}=value-{i}" for i in range(MAX_FILTERS // 2) for field in ("place", "issuer_facet"))
    assert client.get(f"{path}?q=landmines&{many}").status_code == 200
    response = client.get(f"{path}?q=landmines&{many}&type=appeal")
    assert response.status_code == 400
    assert f"at most {MAX_FILTERS} filter values" in html.unescape(response.get_data(as_text=True))


def test_links_of_a_results_page_carry_only_the_search(client: FlaskClient) -> None:
    """Facet, sort, page and "did you mean" links repeated every argument of the URL, those the search ignores too:
    a 170 KB URL made a 3.5 MB page of 25 links."""
    junk = "x" * 20_000
    page = text_of(client, f"/?q=landmnes&type=report&sort=date&limit=5&utm_source={junk}")
    assert page.count(junk) == 1  # in the sign-in link alone, which returns to this very URL
    assert "type=report" in page and "sort=date" in page  # the search's own arguments are kept


@pytest.mark.parametrize("path", ["/", "/api/search", "/export/csv"])
def test_a_filter_value_is_at_most_so_long(client: FlaskClient, path: str) -> None:
    """Each of up to 100 values is in every chip's link: 100 values of 2,500 characters made a 25 MB page."""
    assert client.get(f"{path}?q=landmines&place={'P' * MAX_FILTER_LENGTH}").status_code == 200
    response = client.get(f"{path}?q=landmines&place={'P' * (MAX_FILTER_LENGTH + 1)}")
    assert response.status_code == 400
    assert f"at most {MAX_FILTER_LENGTH} characters" in html.unescape(response.get_data(as_text=True))


def test_a_query_error_offers_the_query_to_run_instead(client: FlaskClient) -> None:
    page = text_of(client, '/?q="grave breach', 400)
    assert 'Try: <a href="/?q=%22grave+breach%22">' in page


def test_the_query_to_run_instead_keeps_the_filters_dates_and_sort(client: FlaskClient) -> None:
    page = text_of(client, '/?q="grave+breach&type=appeal&from=2020&sort=date&page=2', 400)
    found = re.search(r'Try: <a href="/\?([^"]*)">', page)
    assert found, page
    args = parse_qs(html.unescape(found.group(1)))
    assert args == {"q": ['"grave breach"'], "type": ["appeal"], "from": ["2020"], "sort": ["date"]}


def test_query_text_is_escaped_in_the_page(client: FlaskClient) -> None:
    page = text_of(client, '/?q="<script>alert(1)</script>"')
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_in_metadata_and_text_is_escaped_everywhere(client: FlaskClient, settings: Settings) -> None:
    letter = document_named(settings, "letter.txt")
    for url in ("/?q=letter", f"/documents/{letter.id}", f"/documents/{letter.id}/pages/1",
                f"/documents/{letter.id}/pages/1?q=mines", "/articles/APMBC-5", "/?q=onerror"):
        page = text_of(client, url)
        assert "<script>alert" not in page and "<img src=x" not in page and '<b onmouseover' not in page, url
        assert "&lt;script&gt;" in page, url


def test_snippet_highlights_are_the_only_trusted_markup(client: FlaskClient) -> None:
    page = text_of(client, "/?q=onerror")
    snippet = re.search(r'<p class="snippet">(.*?)</p>', page, re.S)
    assert snippet and "&lt;img src=x" in snippet.group(1)
    assert re.search(r'<mark class="hit[^"]*">onerror</mark>', snippet.group(1))


def test_unknown_document_is_a_404_page(client: FlaskClient) -> None:
    page = text_of(client, "/documents/0000000000000000", 404)
    assert "Not found" in page and "0000000000000000" in page


@pytest.mark.parametrize("url", [
    "/documents/../../etc/passwd", "/documents/..%2F..%2Fetc%2Fpasswd", "/documents/%2e%2e/original",
    "/documents/..%2Fcatalog.sqlite3/original", "/documents/objects%2F00/download", "/static/../catalog.sqlite3",
    "/documents/%00/original",
])
def test_path_traversal_in_urls_finds_nothing(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert b"SQLite format" not in response.data and b"root:" not in response.data


@pytest.mark.parametrize(("suffix", "message"), [("/pages/0", "has no page 0"), ("/pages/4", "has no page 4"),
                                                 ("/pages/two", ""), ("/pages/-1", ""),
                                                 ("/pages/99999999999999999999", "")])
def test_bad_page_number_is_a_404(client: FlaskClient, settings: Settings, suffix: str, message: str) -> None:
    submission = document_named(settings, "mine-map.pdf")
    assert message in text_of(client, f"/documents/{submission.id}{suffix}", 404)


def test_confidential_document_is_invisible_to_anonymous_visitors(client: FlaskClient, settings: Settings) -> None:
    assert "<strong>0</strong> documents" in text_of(client, "/?q=Zyxwvut")
    sealed = document_named(settings, "sealed.txt")
    for suffix in ("", "/pages/1", "/original", "/download", "/cite.ris"):
        for key in (sealed.id, sealed.control_number, sealed.sha256):
            assert client.get(f"/documents/{key}{suffix}").status_code == 404
    assert 'data-facet-value="testimony"' not in text_of(client, "/")
    assert sealed.control_number not in text_of(client, "/articles/APMBC-5")


def test_pages_send_a_content_security_policy_without_inline_scripts(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    for url in ("/", f"/documents/{report.id}", "/articles", "/nowhere"):
        response = client.get(url)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert not re.search(r"<script(?![^>]*\bsrc=)", response.get_data(as_text=True)), url
        assert " style=" not in response.get_data(as_text=True)


# -- documents and pages ---------------------------------------------------------------------------

def test_document_page_shows_metadata_references_and_text(client: FlaskClient, settings: Settings) -> None:
    document = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{document.id}")
    assert document.sha256 in page and document.control_number in page
    assert 'id="page-2"' in page and "Fourth Geneva Convention" in page
    assert "1 June 2021" in page and "Demining NGO" in page and "Aghdam" in page


def test_document_references_are_grouped_with_page_and_sentence(client: FlaskClient, settings: Settings) -> None:
    submission = document_named(settings, "mine-map.pdf")
    page = text_of(client, f"/documents/{submission.id}")
    refs = page[page.index('class="references"'):page.index('class="text"')]
    assert refs.index("APMBC — ") < refs.index("APMBC Article 1") < refs.index("APMBC Article 5")
    assert "GCIV Article 49" in refs and "<code>GCIV-49-6</code>" in refs
    assert '<a class="pageref" href="#page-2">p. 2</a>' in refs
    assert "Clearance is required under <strong>Article 5 of the Ottawa Convention</strong> within ten years." in refs


@pytest.mark.parametrize(("text", "cited", "expected"), [
    # The full stop of an abbreviation does not end the sentence around a reference.
    ("Residents left. Clearance deadlines are set by Arts. 49 and 147 GC IV. The rest.", "147",
     ("Clearance deadlines are set by Arts. 49 and ", "147", " GC IV.")),
    ("A site. Cf. Article 147 of GCIV et seq. and para. 2 of the rules. Later.", "Article 147",
     ("Cf. ", "Article 147", " of GCIV et seq. and para. 2 of the rules.")),
    ("Dr. J. Smith, on 3 Apr. 2022, cited Article 147. Then more.", "Article 147",
     ("Dr. J. Smith, on 3 Apr. 2022, cited ", "Article 147", ".")),
    ("Далее. Согласно ч. 1 ст. 147 Конвенции это нарушение. Далее.", "147",
     ("Согласно ч. 1 ст. ", "147", " Конвенции это нарушение.")),
    # A sentence still ends at a full stop after an ordinary word, a number or a roman numeral.
    ("The area is mined. Article 5 applies. Clearance follows.", "Article 5",
     ("", "Article 5", " applies.")),
    ("Cleared in 2021. Article 5 applies.", "Article 5", ("", "Article 5", " applies.")),
    ("It breaches GC IV. Article 147 applies.", "Article 147", ("", "Article 147", " applies.")),
    ("It is prohibited by Additional Protocol I. Article 147 of GC IV lists it.", "Article 147",
     ("", "Article 147", " of GC IV lists it.")),
    ("See Annex V. Article 5 applies.", "Article 5", ("", "Article 5", " applies.")),
    ("Done. Signed by Mr. R. Aliyev, Article 5 applies.", "Article 5",
     ("Signed by Mr. R. Aliyev, ", "Article 5", " applies.")),  # an initial still does not end it
])
def test_reference_passage_is_its_whole_sentence(text: str, cited: str, expected: tuple[str, str, str]) -> None:
    start = text.index(cited)
    found = passage(text, start, start + len(cited))
    assert (found.before, found.match, found.after) == expected


def test_document_text_highlights_the_query_terms(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{report.id}?q=landmine+AND+type:report")
    assert '<mark class="hit">landmines</mark>' in page
    assert '<mark class="hit">report</mark>' not in page  # a field value is not a text term


def test_document_shows_custody_and_the_original(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{report.id}")
    timeline = page[page.index('class="timeline"'):]
    assert timeline.index(">received<") < timeline.index(">ingested<")
    assert f'src="/documents/{report.id}/original"' in page
    assert f'href="/documents/{report.id}/download"' in page


def test_the_custody_timeline_says_its_times_are_utc(client: FlaskClient, settings: Settings) -> None:
    """A reader in Baku (UTC+4) would take 06:50 for local time: the timeline says UTC, as the metadata does."""
    report = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{report.id}")
    timeline = page[page.index('class="timeline"'):page.index("</ol>", page.index('class="timeline"'))]
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', timeline)
    assert len(times) >= 2
    for stamp, shown in times:
        assert stamp.endswith("+00:00") and shown == f"{stamp[:10]} {stamp[11:19]} UTC"


def test_page_view_shows_one_page_with_the_pdf_at_that_page(client: FlaskClient, settings: Settings) -> None:
    submission = document_named(settings, "mine-map.pdf")
    page = text_of(client, f"/documents/{submission.id}/pages/2?q=clearance")
    assert "Page <strong>2</strong> of 3" in page and f"{submission.control_number}-0002" in page
    assert f'src="/documents/{submission.id}/original#page=2"' in page
    assert '<mark class="hit">Clearance</mark>' in page and "Transfers of population" not in page
    assert "APMBC Article 5" in page


@pytest.mark.parametrize("query, marked", [
    ("clearance", True),
    ("clear*", True),  # a wildcard marks the words it found
    ("clerance~", True),  # so does a fuzzy word: the search found "Clearance" by it, and nothing was marked
    ("-clearance", False),
    ("landmines NOT clearance", False),
    ("landmines -clearance", False),  # was marked: the page read the query with its own rules
    ("clearance AND", False),  # a query the search refuses marks nothing
])
def test_a_page_marks_what_the_search_looked_for_and_not_what_it_left_out(client: FlaskClient, settings: Settings,
                                                                          query: str, marked: bool) -> None:
    submission = document_named(settings, "mine-map.pdf")
    for url in (f"/documents/{submission.id}/pages/2", f"/documents/{submission.id}"):
        page = text_of(client, f"{url}?q={quote(query)}")
        assert ('<mark class="hit">Clearance</mark>' in page) is marked, (url, query)


def test_a_page_marks_a_phrase_where_it_stands_not_its_words_apart(client: FlaskClient, settings: Settings) -> None:
    """The page a search for "mine map" opened marked every "mine" and "map" on it: "mined areas" on page 2 and
    "anti-personnel mines" on page 3, which the phrase did not find."""
    submission = document_named(settings, "mine-map.pdf")
    phrase = quote('"mine map"')
    for url in (f"/documents/{submission.id}", f"/documents/{submission.id}/pages/1"):
        page = text_of(client, f"{url}?q={phrase}")
        assert '<mark class="hit">Mine</mark> <mark class="hit">map</mark> submission for' in page, url
        assert '<mark class="hit">maps</mark>' not in page and '<mark class="hit">mined</mark>' not in page, url
        assert '<mark class="hit">mines</mark>' not in page, url
    assert '<mark class="hit">maps</mark>' in text_of(client, f"/documents/{submission.id}?q={quote('mine map')}")


def test_a_query_too_long_to_search_neither_marks_the_page_nor_is_repeated_in_its_links(client: FlaskClient,
                                                                                        settings: Settings) -> None:
    """The search refuses a query of more than MAX_QUERY characters (parsing one grows with the square of a word's
    length: 30,000 letters took seconds). A document or page view parsed a ``q`` of any length to mark the page,
    and wrote it into each of its links, once per page of the document."""
    report = document_named(settings, "report.pdf")
    within = "clearance " * (MAX_QUERY // len("clearance "))
    for url in (f"/documents/{report.id}", f"/documents/{report.id}/pages/1"):
        assert '<mark class="hit">clearance</mark>' in text_of(client, f"{url}?q={quote(within)}"), url
        page = text_of(client, f"{url}?q={quote(within + 'x')}")
        assert "<mark" not in page, url
        links = [link for link in re.findall(r'href="([^"]*)"', page) if not link.startswith("/login?")]
        assert not [link for link in links if "clearance" in link], url


def _links(page: str, text: str) -> list[str]:
    """The targets of the links whose text starts with ``text``, unescaped."""
    return [html.unescape(href) for href, label in re.findall(r'<a[^>]* href="([^"]*)"[^>]*>([^<]*)', page)
            if label.strip().startswith(text)]


def _args(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_search_from_a_document_returns_to_the_same_results(client: FlaskClient) -> None:
    """A lawyer who filtered by type, sorted by date and went to page 2 of the results, then opened a document,
    came back by "← Search" to the query alone: filters, sort and page gone (the browser's Back kept them)."""
    search = "/?q=mine&type=mine_map_submission&sort=date&from=2020&page=1&limit=5"
    results = text_of(client, search)
    opened = _links(results, "Mine map submission: Fuzuli")[0]
    document = text_of(client, opened)
    back = _links(document, "← Search")[0]
    assert urlsplit(back).path == "/" and _args(back) == _args(search)
    assert "Mine map submission: Fuzuli" in text_of(client, back)
    page_two = next(link for link in _links(document, "Page 2"))
    page = text_of(client, page_two)
    assert _args(_links(page, "← Search")[0]) == _args(search)  # from the page view too,
    whole = _links(page, "← ")[1]  # and through its way back to the whole document
    assert _args(_links(text_of(client, whole), "← Search")[0]) == _args(search)
    assert _args(_links(page, "p. 3")[0])["back"] == _args(page_two)["back"]


def _header_form_hidden(page: str) -> list[tuple[str, str]]:
    form = re.search(r'<form class="searchbox".*?</form>', page, re.S)
    assert form, "the page has the header's search box"
    return [(html.unescape(n), html.unescape(v))
            for n, v in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form.group(0))]


def test_a_query_typed_on_a_results_page_keeps_its_filters(client: FlaskClient, settings: Settings) -> None:
    """The header's box is where a query is changed; on a filtered results page it dropped every filter, the
    dates and the sort (the "did you mean" link kept them)."""
    page = text_of(client, "/?q=mine&type=report&type=appeal&sort=date&page=2&from=2020&endpoint=x")
    assert _header_form_hidden(page) == [("type", "report"), ("type", "appeal"), ("sort", "date"), ("from", "2020")]
    refused = client.get("/?q=mine+AND&type=report")  # a query to correct keeps them too
    assert refused.status_code == 400 and _header_form_hidden(refused.get_data(as_text=True)) == [("type", "report")]
    report = document_named(settings, "report.pdf")
    assert _header_form_hidden(text_of(client, f"/documents/{report.id}?q=mine&back=type%3Dreport")) == []


@pytest.mark.parametrize("refused", ["/?q=mine&type=report&from=yesterday", "/?q=mine&type=report&sort=sideways",
                                     "/?q=mine&type=repot", "/?q=mine&year=22", "/?q=mine&from=2022&to=2020"])
def test_a_query_typed_where_a_filter_was_refused_is_not_refused_again(client: FlaskClient, refused: str) -> None:
    """On the page refusing a wrong date, sort or filter, the header's box carried the wrong argument into every
    query typed there: each was refused again with the same message."""
    response = client.get(refused)
    assert response.status_code == 400
    hidden = _header_form_hidden(response.get_data(as_text=True))
    assert text_of(client, "/?" + urlencode([("q", "landmines"), *hidden]))


@pytest.mark.parametrize("back", ["endpoint=x&_anchor=y&_external=1&_scheme=javascript", "q=other",
                                  "//evil.example/x", "type=report&password=secret", "page=" + "9" * 5000])
def test_the_way_back_to_the_results_keeps_only_search_arguments(client: FlaskClient, settings: Settings,
                                                                back: str) -> None:
    """``back`` comes from the URL: it only ever becomes the arguments of a link to the search page, and only
    search arguments (no ``url_for`` parameters, nothing that replaces the query, nothing unbounded)."""
    report = document_named(settings, "report.pdf")
    for url in (f"/documents/{report.id}", f"/documents/{report.id}/pages/2"):
        page = text_of(client, f"{url}?q=clearance&back={quote(back)}")
        link = _links(page, "← Search")[0]
        assert urlsplit(link).path == "/" and not urlsplit(link).netloc, link
        args = _args(link)
        assert args.pop("q") == ["clearance"]
        assert set(args) <= {"type", "page"} and len(link) < 4100, link


def test_original_is_served_inline_with_its_media_type(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    with client.get(f"/documents/{report.id}/original") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("inline")
        assert response.data.startswith(b"%PDF")


def test_text_originals_are_sandboxed(client: FlaskClient, settings: Settings) -> None:
    letter = document_named(settings, "letter.txt")
    with client.get(f"/documents/{letter.id}/original") as response:
        assert response.mimetype == "text/plain"
        assert response.headers["Content-Security-Policy"].startswith("sandbox")


RUSSIAN_NOTE = ("Заявление о минах. Жители села рассказали, что мины были установлены на полях и дорогах, "
                "и что разминирование необходимо до возвращения людей домой.\n")


@pytest.mark.parametrize(("name", "encoding", "charset"), [
    ("note-1251.txt", "cp1251", "windows-1251"),
    ("note-koi8.txt", "koi8-r", "koi8-r"),
    ("note-866.txt", "cp866", "ibm866"),
    ("note-utf16.txt", "utf-16-le", "utf-16le"),
    ("note-utf8.md", "utf-8", "utf-8"),
])
def test_a_text_original_is_sent_in_the_encoding_it_was_written_in(settings: Settings, tmp_path: Path, name: str,
                                                                   encoding: str, charset: str) -> None:
    folder = tmp_path / "encodings"
    folder.mkdir()
    (folder / name).write_bytes(RUSSIAN_NOTE.encode(encoding))
    ingest([folder], settings)
    client = create_app({"ARCHIVE_SETTINGS": settings}).test_client()
    document = document_named(settings, name)
    for view in ("original", "download"):
        with client.get(f"/documents/{document.id}/{view}") as response:
            assert response.status_code == 200
            assert response.mimetype_params.get("charset") == charset, response.headers["Content-Type"]
            assert response.data.decode(response.mimetype_params["charset"]) == RUSSIAN_NOTE


def test_download_sends_the_original_and_records_custody(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    with client.get(f"/documents/{report.id}/download") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        assert response.headers["Content-Disposition"] == "attachment; filename=report.pdf"
        body = response.data
    with Archive(settings) as archive:
        original = archive.object_path(report.sha256).read_bytes()
        events = archive.events(report.id)
    assert body == original
    assert events[-1].action == "downloaded" and events[-1].details["sha256"] == report.sha256


def test_document_offers_more_like_this_within_visible_documents(client: FlaskClient, settings: Settings) -> None:
    letter = document_named(settings, "letter.txt")
    page = text_of(client, f"/documents/{letter.id}")
    similar = page[page.index('class="similar"'):page.index('class="custody"')]
    submission = document_named(settings, "mine-map.pdf")
    assert f'href="/documents/{submission.id}">Mine map submission: Fuzuli</a>' in similar
    assert document_named(settings, "sealed.txt").id not in similar


def test_document_by_control_number_is_the_same_document(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    assert report.sha256 in text_of(client, f"/documents/{report.control_number}")


# -- citations -------------------------------------------------------------------------------------

def test_document_and_page_carry_a_citation_with_permalink(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{report.id}/pages/2")
    citation = re.search(r'<p class="citation" id="citation-text">(.*?)</p>', page, re.S)
    assert citation, "the page has a citation box"
    text = citation.group(1)
    assert text.startswith("Demining NGO, &#34;Clearance report&#34; (Aghdam, 1 June 2021), p. 2 [")
    assert f"{report.control_number}-0002" in text and report.sha256[:12] in text
    assert f"http://archive.test/documents/{report.id}/pages/2" in text
    assert 'data-copy="citation-text"' in page


def test_permalinks_name_the_public_address_when_it_is_set(settings: Settings, sample_folder: Path,
                                                          tmp_path_factory: pytest.TempPathFactory) -> None:
    """Behind a proxy that passes its own Host (or a forged one), permalinks named that host: a brief would cite
    an address nobody outside can reach."""
    web_archive(settings, sample_folder, tmp_path_factory)
    public = replace(settings, public_url="https://evidence.example.org/")
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": public}).test_client()
    report = document_named(settings, "report.pdf")
    headers = {"Host": "10.0.0.7:8080"}  # the proxy's view, or an attacker's
    page = client.get(f"/documents/{report.id}/pages/2", headers=headers).get_data(as_text=True)
    assert f"https://evidence.example.org/documents/{report.id}/pages/2" in page and "10.0.0.7" not in page
    document = client.get(f"/api/documents/{report.id}", headers=headers).get_json()
    assert document["permalink"] == f"https://evidence.example.org/documents/{report.id}"
    assert document["download"] == f"https://evidence.example.org/documents/{report.id}/download"
    exported = client.get("/export/csv?q=clearance", headers=headers).get_data(as_text=True)
    assert f"https://evidence.example.org/documents/{report.id}" in exported and "10.0.0.7" not in exported
    bibtex = client.get(f"/documents/{report.id}/cite.bibtex", headers=headers).get_data(as_text=True)
    assert f"https://evidence.example.org/documents/{report.id}" in bibtex
    passages = client.get("/api/articles/GCIV-147", headers=headers).get_json()
    assert passages["hits"] and all(h["permalink"].startswith("https://evidence.example.org/documents/")
                                    for h in passages["hits"])


@pytest.mark.parametrize("url", ["evidence.example.org", "ftp://evidence.example.org", "https://evidence.example.org/a",
                                 "https://evidence.example.org?x=1", "https://user:pw@evidence.example.org", "https://"])
def test_a_public_url_that_is_not_an_origin_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="public_url"):
        Settings(public_url=url)


@pytest.mark.parametrize("query", ["article:GCIV-147", "instrument:gciv", "article:(GCIV-147 OR APMBC-5)",
                                   "landmines AND article:GCIV-147"])
def test_the_page_a_search_for_an_article_opens_marks_the_reference(client: FlaskClient, settings: Settings,
                                                                     query: str) -> None:
    """A lawyer who searched ``article:GCIV-147`` saw the citation marked in the result's snippet, but nothing
    marked on the page it opened: the query holds no word of "Article 147 of the Fourth Geneva Convention"."""
    report = document_named(settings, "report.pdf")
    for url in (f"/documents/{report.id}/pages/2", f"/documents/{report.id}"):
        page = text_of(client, f"{url}?q={quote(query)}")
        assert '<mark class="hit">Article 147 of the Fourth Geneva Convention</mark>' in page, (url, query)


@pytest.mark.parametrize("query", ["article:APMBC-5", "NOT article:GCIV-147", "landmines -article:GCIV-147"])
def test_a_reference_the_query_does_not_ask_for_is_not_marked(client: FlaskClient, settings: Settings,
                                                              query: str) -> None:
    report = document_named(settings, "report.pdf")
    page = text_of(client, f"/documents/{report.id}/pages/2?q={quote(query)}")
    assert "<mark class=\"hit\">Article 147" not in page


def test_citation_downloads_have_their_media_types(client: FlaskClient, settings: Settings) -> None:
    report = document_named(settings, "report.pdf")
    expected = {"csl-json": "application/vnd.citationstyles.csl+json", "bibtex": "application/x-bibtex",
                "ris": "application/x-research-info-systems"}
    for fmt, media in expected.items():
        response = client.get(f"/documents/{report.id}/cite.{fmt}?page=2")
        assert response.status_code == 200 and response.mimetype == media
        assert f"{report.control_number}-p2" in response.headers["Content-Disposition"]
        assert f"/documents/{report.id}/pages/2" in response.get_data(as_text=True)
    assert client.get(f"/documents/{report.id}/cite.docx").status_code == 404
    assert client.get(f"/documents/{report.id}/cite.ris?page=9").status_code == 404
    for bad in ("abc", "2a", "", "ii"):  # never the whole document's citation in place of a pinpoint
        assert client.get(f"/documents/{report.id}/cite.bibtex?page={bad}").status_code == 404


def test_citation_downloads_of_a_control_prefix_in_azerbaijani_letters(settings: Settings, tmp_path: Path) -> None:
    """A WSGI server sends headers as Latin-1: ``filename="ŞUŞA-000001.ris"`` was a 500 under waitress."""
    settings = replace(settings, control_prefix="ŞUŞA")
    folder = tmp_path / "prefixed"
    folder.mkdir()
    (folder / "note.txt").write_text("Landmines near Shusha.\n", encoding="utf-8")
    ingest([folder], settings)
    document = document_named(settings, "note.txt")
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"}).test_client()
    for fmt, ext in (("ris", "ris"), ("bibtex", "bib"), ("csl-json", "json")):
        response = client.get(f"/documents/{document.id}/cite.{fmt}?page=1")
        assert response.status_code == 200
        header = response.headers["Content-Disposition"]
        header.encode("latin-1")  # what the server does with it
        assert f"filename*=UTF-8''%C5%9EU%C5%9EA-000001-p1.{ext}" in header
        assert f'filename="SUSA-000001-p1.{ext}"' in header or f"filename=SUSA-000001-p1.{ext}" in header


def cited_archive(settings: Settings, folder: Path, **meta: object) -> tuple[FlaskClient, Document]:
    """A one-document archive: a text about landmines whose sidecar holds ``meta``, and a client of it."""
    folder.mkdir()
    write_sidecar(folder / "cited.txt", **meta)
    (folder / "cited.txt").write_text("Landmines near Aghdam.\n", encoding="utf-8")
    ingest([folder], settings)
    app = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"})
    return app.test_client(), document_named(settings, "cited.txt")


def citations_of(client: FlaskClient, document: Document) -> dict[str, str]:
    """Every citation of ``document`` the app gives, by where it comes from."""
    texts = {f"cite.{fmt}": text_of(client, f"/documents/{document.id}/cite.{fmt}?page=1")
             for fmt in ("csl-json", "bibtex", "ris")}
    texts |= {f"export/{fmt}": text_of(client, f"/export/{fmt}?q=landmines") for fmt in ("csl-json", "bibtex", "ris")}
    body = client.get(f"/api/documents/{document.id}/citation").get_json()
    texts |= {f"api {key}": body[key] for key in ("text", "bibtex", "ris")}
    texts["api csl_json"] = json.dumps(body["csl_json"], ensure_ascii=False)
    return texts


def test_citations_carry_no_control_characters(settings: Settings, tmp_path: Path) -> None:
    """A NUL or an escape in a title (PDF metadata read as the wrong encoding holds them) stopped LaTeX
    ("Text line contains an invalid character") and went into every record as it was."""
    client, document = cited_archive(settings, tmp_path / "controls", title="T\x00i\x00t\x00le \x07bell\x1b[31m",
                                     issuer="Org\x7f\x85\x9b \x01NGO", places=["Agh\x08dam"], type="report")
    for where, text in citations_of(client, document).items():
        assert not re.search(r"[\x00-\x09\x0b-\x0c\x0e-\x1f\x7f-\x9f]", text), where
        assert "Title bell[31m" in text and "Org NGO" in text, where
    assert "&#34;Title bell[31m&#34;" in text_of(client, f"/documents/{document.id}")  # the citation box, escaped


def test_a_right_to_left_override_in_a_title_stays_inside_the_title(settings: Settings, tmp_path: Path) -> None:
    """Left open, U+202E in a title reversed the rest of the citation as shown and pasted: ``…3f2a 652-AHS``."""
    client, document = cited_archive(settings, tmp_path / "bidi", title="\u202eTitle", issuer="\u2067Org",
                                     places=["\u202bA\u2066B\u202a"], type="report")
    text = client.get(f"/api/documents/{document.id}/citation").get_json()["text"]
    assert text.startswith('\u2067Org\u2069, "\u202eTitle\u202c" (\u202bA\u2066B\u202a\u202c\u2069\u202c, ')
    for where, cited in citations_of(client, document).items():
        assert "\u202eTitle\u202c" in cited.replace("\\u202e", "\u202e").replace("\\u202c", "\u202c"), where
    assert '&#34;\u202eTitle\u202c&#34; (' in text_of(client, f"/documents/{document.id}")


def test_a_synthetic_document_is_marked_wherever_it_is_cited_or_exported(settings: Settings, tmp_path: Path) -> None:
    """Search results and `evidence show` said a generated document was synthetic; its citation box, its citation
    downloads, the API's citation, the citation exports and the CSV export did not, so it could be filed as
    evidence."""
    client, document = cited_archive(settings, tmp_path / "generated", title="Clearance report", type="report",
                                     synthetic=True)
    for where, text in citations_of(client, document).items():
        assert "synthetic: generated for testing, not evidence" in text, where
    assert "[synthetic: generated for testing, not evidence] &#34;Clearance report&#34;" in text_of(
        client, f"/documents/{document.id}")
    rows = list(csv.DictReader(io.StringIO(text_of(client, "/export/csv?q=landmines").lstrip("\ufeff"))))
    assert [(row["control_number"], row["synthetic"]) for row in rows] == [(document.control_number, "true")]


def test_a_date_read_from_the_pdf_file_is_cited_as_that(settings: Settings, tmp_path: Path) -> None:
    """A scan with no date in its text or metadata is dated by its PDF file (when the scan was made): the page says
    "(from the pdf info)", and its citations now say so too instead of giving that date as the document's."""
    folder = tmp_path / "scanned"
    folder.mkdir()
    scan = write_pdf(folder / "map.pdf", ["Mine map of the northern fields."],
                     created=dt.datetime(2021, 3, 2, 9, 30, tzinfo=dt.UTC))
    write_sidecar(scan, title="Mine map", type="mine_map_submission")
    ingest([folder], settings)
    document = document_named(settings, "map.pdf")
    assert (document.metadata.date, document.metadata.date_source) == ("2021-03-02", "pdf-info")
    client = create_app({"TESTING": True, "ARCHIVE_SETTINGS": settings, "SERVER_NAME": "archive.test"}).test_client()
    said = "date of the PDF file, not found in the document"
    body = client.get(f"/api/documents/{document.id}/citation?page=1").get_json()
    assert body["text"].startswith(f'"Mine map" (2 March 2021 [{said}]), p. 1 [')
    assert said in body["csl_json"]["note"] and said in body["bibtex"] and said in body["ris"]
    assert f"(2 March 2021 [{said}])" in text_of(client, f"/documents/{document.id}")


def test_a_json_lines_record_is_one_line_to_every_line_reader(settings: Settings, tmp_path: Path) -> None:
    """JSON leaves U+2028, U+2029 and U+0085 unescaped, and ``str.splitlines()`` ends a line at each: a title
    holding one split its record in two."""
    client, document = cited_archive(settings, tmp_path / "breaks", title="Report\u2028on\u2029Aghdam\x85mines",
                                     type="report")
    body = client.get("/export/jsonl?q=Aghdam").get_data(as_text=True)
    records = body.splitlines()
    assert len(records) == 1 and json.loads(records[0])["title"] == "Report\u2028on\u2029Aghdam\x85mines"


def test_permalinks_survive_reindexing(client: FlaskClient, settings: Settings) -> None:
    from index import rebuild

    report = document_named(settings, "report.pdf")
    before = text_of(client, f"/documents/{report.id}/pages/2")
    with Archive(settings) as archive:
        rebuild(archive)
    after = text_of(client, f"/documents/{report.id}/pages/2")
    link = f"http://archive.test/documents/{report.id}/pages/2"
    assert link in before and link in after


def test_web_export_downloads_the_whole_result_set_and_records_custody(client: FlaskClient,
                                                                      settings: Settings) -> None:
    response = client.get("/export/ris?q=mines&type=report")
    assert response.mimetype == "application/x-research-info-systems"
    assert 'filename="evidence-export.ris"' in response.headers["Content-Disposition"]
    assert response.get_data(as_text=True).count("TY  - ") == 1
    with Archive(settings) as archive:
        event = archive.events()[-1]
    assert (event.action, event.details["format"], event.details["count"]) == ("exported", "ris", 1)
    assert event.details["documents"] == [document_named(settings, "report.pdf").id]
    assert "unknown export format" in text_of(client, "/export/docx?q=mines", 400)


def test_a_head_request_for_an_export_records_nothing(client: FlaskClient, settings: Settings) -> None:
    """A HEAD (a download manager asks one before its GET) sends no file: no ``exported`` event may list any."""
    with Archive(settings) as archive:
        before = len(archive.events())
    for url in ("/export/csv?q=mines", "/api/export?format=ris&q=mines"):
        response = client.head(url)
        assert response.status_code == 200 and response.get_data() == b""
        assert "attachment" in response.headers["Content-Disposition"]
    assert client.head("/export/docx?q=mines").status_code == 400
    assert client.head("/export/csv?q=(unclosed").status_code == 400
    with Archive(settings) as archive:
        assert len(archive.events()) == before


# -- articles --------------------------------------------------------------------------------------

def test_articles_index_lists_instruments_with_counts(client: FlaskClient) -> None:
    page = text_of(client, "/articles")
    apmbc = page[page.index('id="APMBC"'):page.index("</section>", page.index('id="APMBC"'))]
    assert "2 documents, 3 passages" in apmbc  # the confidential testimony does not count
    assert re.search(r'href="/articles/APMBC-5">Art\. 5</a></td><td>[^<]+</td>\s*<td class="num">2</td>', apmbc)
    for instrument in ("GCI", "GCIV", "GC-COMMON", "API", "APII", "CCM", "CCW-APII-1996", "CCW-PIII"):
        assert f'id="{instrument}"' in page


def test_article_page_lists_every_passage_citing_it(client: FlaskClient, settings: Settings) -> None:
    page = text_of(client, "/articles/APMBC-5")
    assert "cited by 2 documents in 2 passages" in page
    submission = document_named(settings, "mine-map.pdf")
    assert f'href="/documents/{submission.id}/pages/2">p. 2</a>' in page
    assert "<strong>Article 5 of the Ottawa Convention</strong>" in page


def test_an_instrument_page_is_titled_with_its_name_not_its_id_alone(client: FlaskClient) -> None:
    """"APMBC" alone, in a tab, a bookmark or a screen reader's announcement, says little to most readers."""
    for ref_id, title in (("APMBC", "APMBC — Ottawa Convention"), ("GCIV", "GCIV — Fourth Geneva Convention")):
        page = text_of(client, f"/articles/{ref_id}")
        assert re.search(r"<title>(.*?)</title>", page).group(1) == f"{title} — Evidence archive"


def test_article_page_lists_the_documents_citing_it_with_pages(client: FlaskClient, settings: Settings) -> None:
    page = text_of(client, "/articles/APMBC")
    table = page[page.index('class="citing-documents"'):page.index("</details>")]
    submission = document_named(settings, "mine-map.pdf")
    assert "2 documents citing it" in table
    assert re.search(rf'href="/documents/{submission.id}/pages/2">2</a>, <a href="/documents/{submission.id}/pages/3">3'
                     r'</a></td>\s*<td class="num">2</td>', table)


def test_article_page_counts_its_paragraphs(client: FlaskClient) -> None:
    page = text_of(client, "/articles/GCIV-49")
    assert "cited by 1 document in 1 passage" in page and "<code>GCIV-49-6</code>" in page
    assert 'href="/articles/GCIV-49-6">GCIV Article 49(6)</a>' in page
    assert "cited by 1 document in 1 passage" in text_of(client, "/articles/gciv-49-6")


def test_instrument_page_lists_all_articles_with_headings(client: FlaskClient) -> None:
    page = text_of(client, "/articles/GCIV")
    assert page.count('href="/articles/GCIV-') >= 159 and "Grave breaches" in page


@pytest.mark.parametrize("ref_id", ["GCIV-999", "NOPE-1", "APMBC-5-99", "..%2F..%2Fetc"])
def test_unknown_article_is_a_404(client: FlaskClient, ref_id: str) -> None:
    assert client.get(f"/articles/{ref_id}").status_code == 404


@pytest.mark.parametrize(("ref_id", "said"), [
    ("GCIV-9999", "GCIV Article 9999 does not exist"),  # was "not a canonical reference id", as if misspelt
    ("GCIV-160", "GCIV Article 160 does not exist"),
    ("GCIV-49-7", "GCIV Article 49 has no paragraph 7"),
    ("GCIV-49-6-b", "GCIV Article 49(6) has no sub-paragraph (b)"),
])
def test_an_article_the_instrument_lacks_is_named_as_missing(client: FlaskClient, ref_id: str, said: str) -> None:
    assert said in text_of(client, f"/articles/{ref_id}", 404)
    assert said in client.get(f"/api/articles/{ref_id}").get_json()["error"]


def test_article_passage_page_must_be_a_number(client: FlaskClient) -> None:
    assert "page must be a whole number" in text_of(client, "/articles/APMBC-5?page=x", 400)
    assert "page must be a whole number" in text_of(client, "/articles/APMBC-5?page=99999999999999999999", 400)
    for digits in ("%C2%B2", "%E2%91%A0"):  # '²' and '①' are str.isdigit() but not int()
        assert "page must be a whole number" in text_of(client, f"/articles/APMBC-5?page={digits}", 400)
        assert client.get(f"/api/articles/APMBC-5?page={digits}").get_json()["status"] == 400
    assert "No passages on this page: there are 2 passages in all." in text_of(client, "/articles/APMBC-5?page=3")
    assert "No passage in the archive cites this paragraph yet." in text_of(client, "/articles/APMBC-5-1")


def test_an_original_whose_file_name_holds_a_newline_is_served(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "odd-names"
    folder.mkdir()
    (folder / 'line\nbreak\r"q".txt').write_text("A note about landmines.", encoding="utf-8")
    ingest([folder], settings)
    client = create_app({"ARCHIVE_SETTINGS": settings}).test_client()
    document = document_named(settings, 'line\nbreak\r"q".txt')
    for view in ("original", "download"):
        with client.get(f"/documents/{document.id}/{view}") as response:
            assert response.status_code == 200
            assert response.headers["Content-Disposition"].endswith('filename="line_break_\\"q\\".txt"')


@pytest.mark.parametrize("name", ["endpoint", "_anchor", "_method", "_scheme", "_external"])
def test_query_string_names_that_are_url_for_parameters_are_plain_arguments(client: FlaskClient, name: str) -> None:
    """Names that are url_for's own parameters must neither break the search page nor change its links' target;
    the links (facets, chips, sort, pages) carry the search's own arguments, and these are none of them."""
    page = text_of(client, f"/?q=landmines&limit=1&type=report&from=2021&{name}=x")
    links = [link.replace("&amp;", "&") for link in re.findall(r'href="(/\?[^"]*)"', page)]
    kept = [link for link in links if "from=2021" in link]  # facet, sort, page links and the type chip
    assert len(kept) >= 3 and not any(f"{name}=x" in link for link in kept)


def test_results_link_to_the_matching_pages_beyond_the_first_three(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "long"
    folder.mkdir()
    write_pdf(folder / "register.pdf", [f"Entry {i}: landmines were found near Aghdam." for i in range(1, 7)])
    ingest([folder], settings)
    client = create_app({"ARCHIVE_SETTINGS": settings}).test_client()
    page = text_of(client, "/?q=landmines+AND+Aghdam")
    assert page.count('class="pageref"') == 3
    assert "… and 3 more matching pages</a>" in page
    hit = client.get("/api/search?q=landmines+AND+Aghdam").get_json()["hits"][0]
    assert (len(hit["pages"]), hit["matching_pages"]) == (3, 6)


def test_russian_text_is_marked_as_russian(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "ru"
    folder.mkdir()
    (folder / "letter.txt").write_text("Письмо о минах\n\nВ районе Шуша обнаружены противопехотные мины, "
                                       "которые были установлены вдоль дороги.", encoding="utf-8")
    ingest([folder], settings)
    client = create_app({"ARCHIVE_SETTINGS": settings}).test_client()
    document = document_named(settings, "letter.txt")
    for url in (f"/documents/{document.id}", f"/documents/{document.id}/pages/1"):
        page = text_of(client, url)
        assert '<html lang="en">' in page and '<pre lang="ru">' in page and '<h1 lang="ru">' in page


def test_a_russian_result_is_marked_as_russian_on_the_results_page(settings: Settings, tmp_path: Path) -> None:
    """A screen reader reads a Russian title or snippet in a Russian voice only when the page says it is Russian."""
    folder = tmp_path / "ru"
    folder.mkdir()
    (folder / "letter.txt").write_text("Письмо о минах\n\nВ районе Шуша обнаружены противопехотные мины, "
                                       "которые были установлены вдоль дороги.", encoding="utf-8")
    (folder / "note.txt").write_text("Note on mines\n\nMines were found along the road near Shusha.",
                                     encoding="utf-8")
    ingest([folder], settings)
    client = create_app({"ARCHIVE_SETTINGS": settings}).test_client()
    page = text_of(client, "/?q=мины+OR+mines")
    hits = [hit.split("</li>")[0] for hit in page.split('<li class="hit">')[1:]]
    russian, english = (next(hit for hit in hits if title in hit) for title in ("Письмо о минах", "Note on mines"))
    assert '<h3 lang="ru">' in russian and '<span lang="ru">' in russian
    assert re.search(r'<span lang="ru">[^<]*(<mark[^>]*>[^<]*</mark>[^<]*)+</span>', russian)  # not "p. 1"
    assert 'lang="' not in english  # the page's own language


def test_a_results_page_past_the_end_links_back(client: FlaskClient) -> None:
    page = text_of(client, "/?q=landmines&page=99")
    assert "There is only 1 page of results" in page and "go to the last</a>" in page
