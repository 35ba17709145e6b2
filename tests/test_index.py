"""The search layer on a real Whoosh index in tmp_path."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from archive.errors import IndexOutOfDateError, QueryError
from archive.models import Document, Metadata, Page, Reference
from index import SearchRequest, open_index
from index.search import VERSION_FILE


def _document(n: int, **meta: object) -> Document:
    return Document(
        id=f"{n:016x}", sha256=f"{n:064x}", control_number=f"EVA-{n:06d}", original_name=f"d{n}.txt",
        media_type="text/plain", size=1, page_count=1, metadata=Metadata(**meta), ingested_at="2026-01-01",
    )


PAGES = {
    1: ["Mines were laid near the school.", "Landmines killed two shepherds. <script>alert(1)</script>"],
    2: ["A report on landmines and unexploded ordnance.", "Nothing more."],
    3: ["Shelling damaged the hospital."],
    4: ["Confidential statement: landmines near the river."],
}
META = {
    1: dict(title="Witness statement", type="testimony", date="2021-03-02", languages=("en",)),
    2: dict(title="Annual report", type="report", date="2023-01-15", languages=("en",)),
    3: dict(title="Shelling report", type="report", date="2020", languages=("en",)),
    4: dict(title="Sealed", type="testimony", date="2022-05-05", access="confidential"),
}
REFS = {1: [Reference("GCIV-147", 2, 0, 5, "x")], 2: [Reference("APMBC-5-1", 1, 0, 5, "x")]}


@pytest.fixture
def search_index(tmp_path: Path):
    texts = {(f"{n:016x}", i): t for n, pages in PAGES.items() for i, t in enumerate(pages, 1)}
    with open_index(tmp_path / "ix") as ix:
        ix.page_text = lambda doc_id, page: texts.get((doc_id, page))
        with ix.writer() as writer:
            for n, pages in PAGES.items():
                writer.add(_document(n, **META[n]), [Page(i, t) for i, t in enumerate(pages, 1)], REFS.get(n, []))
        yield ix


def test_results_count_documents_and_show_matching_pages(search_index) -> None:
    results = search_index.search(SearchRequest(query="landmines"))
    assert results.total == 2
    by_title = {h.title: h for h in results.hits}
    assert [p.page for p in by_title["Witness statement"].pages] == [2]
    assert [p.page for p in by_title["Annual report"].pages] == [1]


def test_hits_say_how_many_pages_match_beyond_those_shown(tmp_path: Path) -> None:
    pages = [f"Page {i} of the register: {'landmines were found' if i % 2 else 'nothing found'}." for i in range(1, 12)]
    with open_index(tmp_path / "ix") as ix:
        ix.page_text = lambda doc_id, page: pages[page - 1]
        with ix.writer() as writer:
            writer.add(_document(7, title="Register"), [Page(i, t) for i, t in enumerate(pages, 1)], [])
        [hit] = ix.search(SearchRequest(query="landmines")).hits
        assert [p.page for p in hit.pages] == [1, 3, 5] and hit.matching_pages == 6
        [hit] = ix.search(SearchRequest(query="landmines", snippets_per_doc=10)).hits
        assert [p.page for p in hit.pages] == [1, 3, 5, 7, 9, 11] and hit.matching_pages == 6
        [hit] = ix.search(SearchRequest(query="title:register")).hits
        assert (hit.pages, hit.matching_pages) == ((), 0)  # the query names no page content


def test_quoted_values_with_commas_on_keyword_fields(tmp_path: Path) -> None:
    with open_index(tmp_path / "ix") as ix:
        with ix.writer() as writer:
            writer.add(_document(1, title="One", type="report", places=("Some Place, North",), languages=("en",)),
                       [Page(1, "Mines.")], [Reference("GCIV-147", 1, 0, 5, "x")])
            writer.add(_document(2, title="Two", places=("Shusha",), languages=("ru",)),
                       [Page(1, "Mines.")], [Reference("GCIV-53", 1, 0, 5, "x")])

        def titles(query: str, **selected: list[str]) -> set[str]:
            return {h.title for h in ix.search(SearchRequest(query=query, selected=selected)).hits}

        assert titles('place:"Some Place, North"') == {"One"}  # a place that is no gazetteer's: as written
        assert titles("", place=["Some Place, North"]) == {"One"}
        facet = dict(ix.search(SearchRequest(query="")).facets["place"])
        assert titles("", place=[next(v for v in facet if v.startswith("Some"))]) == {"One"}  # the facet's value
        assert titles('article:"GCIV-147, GCIV-53"') == {"One", "Two"}
        assert titles('lang:"en,ru"') == {"One", "Two"}
        assert titles('type:"report, appeal"') == {"One"}


def test_facet_counts_count_documents_not_pages(search_index) -> None:
    results = search_index.search(SearchRequest(query="mines OR landmines OR shelling OR nothing"))
    assert dict(results.facets["type"]) == {"testimony": 1, "report": 2}
    assert dict(results.facets["year"]) == {"2021": 1, "2023": 1, "2020": 1}


def test_article_facet_counts_each_level_of_a_pinpoint(search_index) -> None:
    results = search_index.search(SearchRequest(query=""))
    assert dict(results.facets["instrument"]) == {"GCIV": 1, "APMBC": 1}
    assert dict(results.facets["article"]) == {"GCIV-147": 1, "APMBC-5": 1, "APMBC-5-1": 1}


def test_selected_facets_filter_and_combine(search_index) -> None:
    reports = search_index.search(SearchRequest(query="", selected={"type": ["report"]}))
    assert reports.total == 2
    both = search_index.search(SearchRequest(query="", selected={"type": ["report", "testimony"]}))
    assert both.total == 3
    narrowed = search_index.search(SearchRequest(query="", selected={"type": ["report"], "year": ["2020"]}))
    assert [h.title for h in narrowed.hits] == ["Shelling report"]


def test_article_filter_matches_paragraph_through_its_article(search_index) -> None:
    results = search_index.search(SearchRequest(query="article:APMBC-5"))
    assert [h.title for h in results.hits] == ["Annual report"]


def test_restricted_documents_never_reach_counts_or_snippets(search_index) -> None:
    public = search_index.search(SearchRequest(query="river"))
    assert public.total == 0 and public.hits == ()
    everything = search_index.search(SearchRequest(query="", facets=("type",)))
    assert dict(everything.facets["type"]) == {"testimony": 1, "report": 2}
    allowed = search_index.search(SearchRequest(query="river", access=("public", "confidential")))
    assert allowed.total == 1


def test_snippets_escape_document_text(search_index) -> None:
    results = search_index.search(SearchRequest(query="shepherds"))
    snippet = results.hits[0].pages[0].snippet
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet
    assert '<mark class="hit' in snippet


def test_sort_by_date_puts_newest_first(search_index) -> None:
    results = search_index.search(SearchRequest(query="", sort="date"))
    assert [h.date for h in results.hits] == ["2023-01-15", "2021-03-02", "2020"]


def test_date_range_filters(search_index) -> None:
    results = search_index.search(SearchRequest(query="", date_from=dt.date(2021, 1, 1), date_to=dt.date(2022, 12, 31)))
    assert [h.title for h in results.hits] == ["Witness statement"]


def test_pagination_keeps_the_total(search_index) -> None:
    first = search_index.search(SearchRequest(query="", sort="date", limit=2))
    second = search_index.search(SearchRequest(query="", sort="date", limit=2, offset=2))
    assert first.total == second.total == 3
    assert len(first.hits) == 2 and len(second.hits) == 1
    assert {h.doc_id for h in first.hits}.isdisjoint(h.doc_id for h in second.hits)


def test_batches_of_one_search_come_from_one_version_of_the_index(search_index) -> None:
    """An export reads in batches; documents committed meanwhile must not shift the ranks (duplicates, gaps)."""
    batches = search_index.search_batches(SearchRequest(query="landmines", sort="date"), 1)
    first = next(batches)
    with search_index.writer() as writer:  # newer than both: it would rank first and push the first one down
        writer.add(_document(9, title="Newest", date="2025-01-01"), [Page(1, "landmines again")], [])
    rest = [hit.doc_id for results in batches for hit in results.hits]
    assert [hit.doc_id for hit in first.hits] + rest == [f"{2:016x}", f"{1:016x}"]
    assert search_index.search(SearchRequest(query="landmines")).total == 3  # later searches see the commit


def test_searcher_sees_new_commits(search_index) -> None:
    assert search_index.search(SearchRequest(query="ordnance")).total == 1
    with search_index.writer() as writer:
        writer.add(_document(9, title="More ordnance"), [Page(1, "ordnance everywhere")], [])
    assert search_index.search(SearchRequest(query="ordnance")).total == 2


def test_a_failed_batch_writes_nothing(search_index) -> None:
    with pytest.raises(RuntimeError), search_index.writer() as writer:
        writer.add(_document(10, title="Half"), [Page(1, "halfwritten")], [])
        raise RuntimeError("crash mid-batch")
    assert search_index.search(SearchRequest(query="halfwritten")).total == 0


@pytest.mark.parametrize("query, problem, suggestion", [
    ('"unclosed phrase', "phrase is not closed", '"unclosed phrase"'),
    ("(mines OR shelling", "group '(' is not closed", "(mines OR shelling)"),
    ("mines)", "never opened", "mines"),
    ("landmines AND", "AND needs a search term", "landmines"),
    ("colour:red", "no field 'colour'", "colour red"),
    ("date:[2020 TO", "could not be read", None),
    # An operator with nothing on one side inside the query was read as another: "mines OR OR shelling" as
    # "mines AND shelling", "(mines OR) shelling" with the word "or" searched for.
    ("mines OR OR shelling", "OR needs a search term on both sides", "mines OR shelling"),
    ("mines AND OR shelling", "OR needs a search term on both sides", "mines AND shelling"),
    ("mines OR OR AND shelling", "OR needs a search term on both sides", "mines OR shelling"),
    ("(mines OR) shelling", "OR needs a search term on both sides", "(mines) shelling"),
    ("(AND mines) shelling", "AND needs a search term on both sides", "(mines) shelling"),
    ("landmines (mines NOT) shelling", "NOT needs a search term after it", "landmines (mines) shelling"),
])
def test_malformed_query_says_what_is_wrong_and_what_to_run(search_index, query, problem, suggestion) -> None:
    with pytest.raises(QueryError, match=re.escape(problem)) as caught:
        search_index.search(SearchRequest(query=query))
    if suggestion:
        assert caught.value.suggestion == suggestion


def test_index_of_another_schema_version_asks_for_reindex(tmp_path: Path) -> None:
    open_index(tmp_path / "ix").close()
    (tmp_path / "ix" / VERSION_FILE).write_text(json.dumps({"schema_version": 0}), encoding="utf-8")
    with pytest.raises(IndexOutOfDateError, match="evidence reindex"):
        open_index(tmp_path / "ix")


def test_total_is_exact_for_not_and_range_queries_beyond_the_first_page(tmp_path: Path) -> None:
    # Whoosh's len(results) undercounts limited searches with NOT; the total must not.
    with open_index(tmp_path / "ix") as ix, ix.writer() as writer:
        for n in range(60):
            words = "clearance report" + (" rubble" if n % 4 == 0 else "")
            writer.add(_document(n, title=f"d{n}", date=f"{2000 + n % 20}-01-01"), [Page(1, words)], [])
    with open_index(tmp_path / "ix") as ix:
        assert ix.search(SearchRequest(query="clearance NOT rubble", limit=2)).total == 45
        assert ix.search(SearchRequest(query="clearance date:>2010", limit=2)).total == 27
        assert ix.search(SearchRequest(query="clearance date:>=2010", limit=2)).total == 30
        assert ix.search(SearchRequest(query="clearance date:<2002", limit=2)).total == 6
        assert ix.search(SearchRequest(query="clearance NOT rubble date:>2010", limit=2)).total == 21


def test_rebuild_from_the_catalog_loses_no_document(tmp_path: Path) -> None:
    from archive.ingest import ingest
    from archive.settings import Settings
    from archive.store import Archive
    from index import rebuild

    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(45):
        (folder / f"d{n:02d}.txt").write_text(f"Report {n} on mines, Article {n + 1} of GC IV.", encoding="utf-8")
    settings = Settings(home=tmp_path / "home", actor="t", workers=1, index_batch=10)
    ingest([folder], settings)
    with Archive(settings) as archive:
        assert rebuild(archive, batch=20) == 45
    with open_index(settings.index_dir) as ix:
        assert ix.doc_count() == 45
        results = ix.search(SearchRequest(query="", limit=100, facets=("article",)))
        assert results.total == 45 and len({h.doc_id for h in results.hits}) == 45
        assert len(dict(results.facets["article"])) == 45
        assert ix.searcher().doc_frequency("kind", "page") == 45


def test_document_ranking_statistics_come_from_documents_alone(search_index) -> None:
    searcher = search_index.searcher()
    # Only document entries hold ``body``; pages hold ``page_body``: BM25's document frequency and
    # average field length are those of documents, as in plain BM25 over documents.
    assert searcher.doc_frequency("body", "landmin") == 3  # documents 1, 2 and 4
    assert searcher.doc_frequency("page_body", "landmin") == 3  # one page of each
    assert searcher.doc_frequency("kind", "page") == 6
    assert searcher.reader().doc_field_length(0, "page_body") in (None, 0)


def test_date_ranges_filter_as_sets_and_agree_with_whoosh(tmp_path: Path) -> None:
    from index.query import build_filter, parse_user_query

    with open_index(tmp_path / "ix") as ix, ix.writer() as writer:
        for n in range(80):
            day = f"{2000 + n % 25}-{1 + n % 12:02d}-{1 + n % 28:02d}"
            writer.add(_document(n, title=f"d{n}", date=day if n % 9 else ""), [Page(1, "clearance mines")], [])
    with open_index(tmp_path / "ix") as ix:
        searcher = ix.searcher()
        entries = set(searcher.docs_for_query(build_filter("doc", ("public",))))
        for query in ("date:[2005 TO 2010]", "clearance date:>2019-06", "mines date:<2003-02-01",
                      "clearance date:>=2001 date:<2004", "date:2012"):
            expected = len(entries.intersection(searcher.docs_for_query(parse_user_query(ix._parser, query))))
            results = ix.search(SearchRequest(query=query, limit=3))
            assert results.total == expected > 0, query
            assert all(h.date for h in results.hits), query


def test_commits_merge_like_sized_segments_and_leave_large_ones(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from index import write

    monkeypatch.setattr(write, "MERGE_CAP", 20)  # entries: eleven one-document commits merged make a large segment
    index = open_index(tmp_path / "ix")
    history = []
    for n in range(1, 36):  # 35 commits of one document each (two entries: the document and its page)
        with index.writer() as writer:
            writer.add(_document(n, title=f"Report {n}", type="report"), [Page(1, f"landmines report {n}")], [])
        history.append({s.segment_id(): s.doc_count() for s in index._ix._segments()})
    final = history[-1]
    # each eleventh commit merges the ten small segments there into its own: without merging, 35 segments of 2
    assert sorted(final.values()) == [2, 2, 22, 22, 22]
    first_large = {sid for sid, size in history[10].items() if size == 22}
    assert len(first_large) == 1 and all(first_large <= set(later) for later in history[10:])  # never rewritten
    assert index.search(SearchRequest(query="landmines", limit=50)).total == 35
    index.close()


def test_merging_keeps_every_document_and_drops_deleted_entries(tmp_path: Path) -> None:
    index = open_index(tmp_path / "ix")
    for n in range(1, 25):
        with index.writer() as writer:
            writer.add(_document(n, title=f"Report {n}"), [Page(1, f"mines {n}"), Page(2, "more")], [])
    with index.writer() as writer:  # re-index three documents: their old entries become deletions
        for n in (1, 2, 3):
            writer.add(_document(n, title=f"Report {n} again"), [Page(1, f"mines {n}")], [])
    results = index.search(SearchRequest(query="mines", limit=50))
    assert results.total == 24
    assert {h.title for h in results.hits if h.title.endswith("again")} == {"Report 1 again", "Report 2 again",
                                                                           "Report 3 again"}
    assert index.searcher().doc_count() == 24 + 21 * 2 + 3
    index.close()


def test_the_analyzer_is_read_once_with_its_word_cache(search_index) -> None:
    """Whoosh unpickles an opened index's schema at every access; highlighting needs one analyzer whose word
    cache stays warm."""
    with open_index(search_index.directory, create=False) as reopened:
        analyzer = reopened.analyzer
        list(analyzer("landmines near Shusha"))
        assert reopened.analyzer is analyzer
        assert "landmines" in reopened.analyzer._cache


def _segment_contents(directory: Path) -> list[dict[str, object]]:
    """Each segment as Whoosh stores it, by entry number: stored fields, lengths, columns, postings, term info."""
    from whoosh.reading import SegmentReader

    with open_index(directory, create=False) as index:
        storage, schema = index._ix.storage, index._ix.schema
        segments = []
        for segment in index._ix._segments():
            reader = SegmentReader(storage, schema, segment)
            entries = list(reader.iter_docs())
            postings, terms = [], []
            for fieldname, text in reader.all_terms():
                matcher = reader.postings(fieldname, text)
                while matcher.is_active():
                    postings.append((fieldname, text, matcher.id(), matcher.weight(), matcher.value()))
                    matcher.next()
                info = reader.term_info(fieldname, text)
                terms.append((fieldname, text, info.weight(), info.doc_frequency(), info.min_length(),
                              info.max_length(), info.max_weight()))
            columns = {name: list(reader.column_reader(name, translate=False))
                       for name in schema.names() if reader.has_column(name)}
            segments.append({
                "entries": entries, "deleted": sorted(reader.all_doc_ids()) if segment.has_deletions() else None,
                "lengths": [(n, name, reader.doc_field_length(n, name)) for n, _ in entries
                            for name in ("body", "page_body", "title", "issuer")],
                "columns": columns, "postings": postings, "terms": terms,
            })
            reader.close()
        return segments


def _write_with_merges(directory: Path) -> None:
    """31 commits of six documents, re-indexing earlier ones: segments with deletions get merged.

    A merged segment holds about 200 entries, so frequent terms span more
    than one posting block (128 postings), and rare ones are inlined.
    """
    index = open_index(directory)
    for n in range(1, 32):
        with index.writer() as writer:
            for k in range(6):
                number = n * 10 + k
                pages = [Page(1, f"landmines report {number} near Shusha"), Page(2, f"Мины и снаряды {number % 4}")]
                writer.add(_document(number, title=f"Report {number}", type="report",
                                     date=f"20{number % 23:02d}-03-0{1 + number % 9}"),
                           pages[: 1 + number % 2], [Reference("GCIV-147", 1, 0, 5, "x")] if number % 3 else [])
            if n > 2:  # an earlier commit's document again: its old entries become deletions there
                writer.add(_document(n * 10 - 20, title="amended"), [Page(1, f"amended {n}")], [])
    index.close()


def test_merged_segments_are_what_whooshs_own_merge_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Merging streams sorted postings past the writer's pool; the segments are byte-for-byte Whoosh's merge."""
    from whoosh.reading import SegmentReader

    from index import write

    pooled: list[int] = []  # the postings each writer's pool held at its end
    original_cleanup = write.TermPool.cleanup
    monkeypatch.setattr(write.TermPool, "cleanup",
                        lambda pool: (pooled.append(pool.postings), original_cleanup(pool))[1])
    _write_with_merges(tmp_path / "streamed")
    streamed_pooled = sum(pooled)

    def whoosh_merge(writer, segments):  # what Whoosh's policies do: every posting through the pool
        for segment in segments:
            reader = SegmentReader(writer.storage, writer.schema, segment)
            writer.add_reader(reader)
            reader.close()

    monkeypatch.setattr(write, "merge_sorted", whoosh_merge)
    pooled.clear()
    _write_with_merges(tmp_path / "whoosh")
    streamed, whoosh = _segment_contents(tmp_path / "streamed"), _segment_contents(tmp_path / "whoosh")
    assert [len(s["entries"]) for s in streamed] == [len(s["entries"]) for s in whoosh]
    assert len(streamed) < 31 and any(s["deleted"] is not None for s in streamed)  # merges happened, with deletions
    assert max(Counter(p[:2] for p in s["postings"]).most_common(1)[0][1] for s in streamed) > 128  # 2+ blocks
    assert streamed == whoosh
    assert 0 < streamed_pooled < sum(pooled)  # Whoosh's merge pooled the merged postings again; ours did not
    index = open_index(tmp_path / "streamed")
    assert index.search(SearchRequest(query="landmines", limit=10)).total == 31 * 6 - 29  # 29 were re-indexed
    assert index.search(SearchRequest(query="amended", limit=10)).total == 29
    index.close()


def test_postings_held_by_term_write_the_segments_whooshs_pool_writes(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from index import write

    _write_with_merges(tmp_path / "by-term")
    monkeypatch.setattr(write, "_hold_postings_by_term", lambda writer: None)  # Whoosh's PostingPool stays
    _write_with_merges(tmp_path / "whoosh")
    by_term = _segment_contents(tmp_path / "by-term")
    assert len(by_term) > 2 and by_term[0]["postings"]
    assert by_term == _segment_contents(tmp_path / "whoosh")


def _segment_files(directory: Path) -> list[dict[str, bytes]]:
    """Each segment's files (inside its compound file), byte for byte, by name without the segment's id."""
    from whoosh.filedb.compound import CompoundStorage

    with open_index(directory, create=False) as index:
        storage = index._ix.storage
        files = []
        for segment in index._ix._segments():
            inner = CompoundStorage(storage.open_file(segment.make_filename(".seg")), use_mmap=False)
            try:
                files.append({name.replace(segment.segment_id(), ""): inner.open_file(name).read()
                              for name in inner.list()})
            finally:
                inner.close()
        return files


def _write_in_two_batches(directory: Path) -> None:
    """A batch of 140 documents (terms of more than one posting block), then one re-indexing a few of them."""
    index = open_index(directory)
    for numbers in (range(1, 141), range(130, 146)):
        with index.writer() as writer:
            for number in numbers:
                pages = [Page(1, f"landmines report {number} near Shusha"), Page(2, f"Мины и снаряды {number % 4}")]
                writer.add(_document(number, title=f"Report {number}", type="report", date=f"20{number % 23:02d}"),
                           pages[: 1 + number % 2], [Reference("GCIV-147", 1, 0, 5, "x")] if number % 3 else [])
    index.close()


def test_a_term_pools_flush_writes_the_bytes_whooshs_flush_writes(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """The flush puts a term's postings into Whoosh's posting blocks a block at a time; the files are Whoosh's."""
    from whoosh.codec.whoosh3 import W3FieldWriter

    from index import write

    blocks: list[int] = []
    original = write._buffer_postings
    monkeypatch.setattr(write, "_buffer_postings", lambda writer, ids, *rest: (blocks.append(len(ids)),
                                                                               original(writer, ids, *rest))[1])
    _write_in_two_batches(tmp_path / "by-block")
    assert max(blocks) > 2 * 128  # a term of three blocks went through it
    monkeypatch.setattr(write, "_add_postings", lambda writer, *args: W3FieldWriter.add_postings(writer, *args))
    _write_in_two_batches(tmp_path / "whoosh")
    by_block = _segment_files(tmp_path / "by-block")
    assert len(by_block) == 2 and all(segment for segment in by_block)
    assert by_block == _segment_files(tmp_path / "whoosh")


def test_the_term_pool_gives_postings_in_whooshs_order_whatever_order_they_came_in() -> None:
    from index.write import TermPool

    items = [("body", b"mine", 3, 1.0, b"a"), ("body", b"mine", 1, 2.0, None), ("body", b"abc", 2, 1.5, b"b"),
             ("access", b"public", 5, 1.0, None), ("body", b"mine", 7, 1.0, b"c"), ("access", b"public", 0, 1.0, None),
             ("body", b"zeta", 4, 0.1, None)]  # a weight a 32-bit float would round
    pool = TermPool()
    for item in items:
        pool.add(item)
    assert pool.postings == len(items)
    assert list(pool.iter_postings()) == sorted(items, key=lambda item: item[:3])
    pool.cleanup()
    assert (pool.postings, list(pool.iter_postings())) == (0, [])


def test_a_cancelled_merge_closes_its_readers_and_leaves_the_segments(tmp_path: Path) -> None:
    from index.write import IndexWriter, merge_sorted

    index = open_index(tmp_path / "ix")
    for n in range(1, 4):
        with index.writer() as writer:
            writer.add(_document(n, title=f"Report {n}"), [Page(1, f"mines {n}")], [])
    segments = index._ix._segments()
    whoosh_writer = index._ix.writer()
    writer = IndexWriter(whoosh_writer)
    merge_sorted(whoosh_writer, segments)
    readers = whoosh_writer.pool.readers
    writer.cancel()
    assert len(readers) == 3 and all(reader.is_closed for reader in readers)
    assert [s.segment_id() for s in index._ix._segments()] == [s.segment_id() for s in segments]
    assert index.search(SearchRequest(query="mines")).total == 3
    index.close()


def test_a_finished_writer_is_freed_without_waiting_for_the_garbage_collector(tmp_path: Path) -> None:
    """What a writer holds (after a merge, its whole terms table) goes when the writer does, not at the next
    full collection, which in a long ingest comes seldom."""
    import gc
    import weakref

    index = open_index(tmp_path / "ix")
    gc.disable()
    try:
        for finish in ("commit", "cancel"):
            writer = index.writer()
            writer.add(_document(1, title="Report"), [Page(1, "mines")], [])
            whoosh_writer = weakref.ref(writer._writer)
            field_writer = weakref.ref(writer._writer.fieldwriter)
            getattr(writer, finish)()
            del writer
            assert whoosh_writer() is None and field_writer() is None, finish
    finally:
        gc.enable()
    assert index.search(SearchRequest(query="mines")).total == 1
    index.close()


def test_a_commit_interrupted_after_its_table_of_contents_keeps_the_new_segment(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C or SIGTERM arriving while Whoosh removes old files, after the new TOC is in place: the commit took
    effect, so the segment it names (holding the segments merged into it) must stay."""
    import whoosh.index

    index = open_index(tmp_path / "ix")
    with index.writer() as writer:
        writer.add(_document(1, title="Report 1"), [Page(1, "mines 1")], [])

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(whoosh.index, "clean_files", interrupted)
    writer = index.writer()
    writer.add(_document(2, title="Report 2"), [Page(1, "mines 2")], [])
    with pytest.raises(KeyboardInterrupt):
        writer.commit()
    monkeypatch.undo()
    assert index.search(SearchRequest(query="mines")).total == 2
    with index.writer() as writer:  # the lock was let go
        writer.add(_document(3, title="Report 3"), [Page(1, "mines 3")], [])
    assert index.search(SearchRequest(query="mines")).total == 3
    index.close()


@pytest.mark.parametrize("query", ['"mines OR OR shelling"', "mines AND NOT shelling", "mines OR NOT shelling",
                                   "(mines OR shelling) AND (NOT landmines)", "mines OR (NOT shelling)"])
def test_operators_with_terms_on_their_sides_are_no_error(search_index, query: str) -> None:
    search_index.search(SearchRequest(query=query))


@pytest.mark.parametrize("query", ["NOT NOT mines", "mines NOT NOT shelling"])
def test_a_query_error_never_offers_the_same_query(search_index, query: str) -> None:
    """The parser's failure offered the query's words alone, which for these are the query itself: running it
    failed again."""
    with pytest.raises(QueryError) as caught:
        search_index.search(SearchRequest(query=query))
    assert caught.value.suggestion != query
