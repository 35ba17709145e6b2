"""Match sets and ranking agree with Whoosh's own exhaustive answers, on a real index of several segments.

The index holds synthetic documents written in three commits without
merging (three segments), with some documents deleted and re-indexed
(deleted entries in old segments) and some without a date. Every query
kind the parser produces is checked: the match set against
``docs_for_query``, the ranking against a top-N search that scores every
match (no block skipping, no matcher replacement), and date order against
the stored dates.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh import query as wq
from whoosh.collectors import FilterCollector, TopCollector
from whoosh.util.numeric import length_to_byte

from archive.models import Document, Metadata, Page, Reference
from archive.synthetic import iter_documents
from index import sets
from index.cache import Budgeted, IndexCache, SearcherCache
from index.query import build_filter, parse_user_query
from index.search import SearchIndex, SearchRequest, split_date_ranges
from index.write import IndexWriter, document_fields

QUERIES = [
    "mine", "mines clearance", "mine AND civilians", "mine OR report", "mine NOT clearance", "NOT mine",
    '"mine clearance"', '"from the"', "min*", "clearence~", "article:GCIV-147", "instrument:APMBC",
    "type:report mine", "(mine OR мины) AND NOT report", "date:>2015 mine", "year:2020", "title:report",
    "mine date:[2010 TO 2020]", "",
    # structure and boosts the array scorer must add up as Whoosh's matchers do
    "(mine AND report) OR clearance", "mine OR NOT report", "title:report^2 OR mine^0.5", '"mine clearance"^3',
    "mine ANDMAYBE report", "mine ANDNOT report", "mine REQUIRE report", "(mine OR report)^2 AND clearance",
    '"the mine clearance" OR civilians', "min* REQUIRE report",
    # "-" as NOT: alone, after a word, before a group
    "mine -clearance", "-mine", "(mine OR report) -(clearance OR civilians)", "mine -\"mine clearance\"",
]
#: Queries the array scorer leaves to Whoosh.
NOT_ARRAY_SCORED = {""}


def as_entry(synthetic, undated: bool) -> tuple[Document, list[Page], list[Reference]]:
    doc_id = f"{synthetic.index:016x}"
    meta = Metadata(title=synthetic.title, type=synthetic.type, date="" if undated else synthetic.date,
                    issuer=synthetic.issuer, languages=(synthetic.language,), places=synthetic.places,
                    access=synthetic.access, synthetic=True)
    document = Document(id=doc_id, sha256=doc_id * 4, control_number=f"SYN-{synthetic.index + 1:06d}",
                        original_name=synthetic.name, media_type="text/plain", size=0,
                        page_count=len(synthetic.pages), metadata=meta, ingested_at="")
    pages = [Page(number, text) for number, text in enumerate(synthetic.pages, 1)]
    return document, pages, [Reference(ref_id, 1, 0, 0, "") for ref_id in synthetic.refs]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    directory: Path = tmp_path_factory.mktemp("sets") / "ix"
    documents = list(iter_documents(240, 5))
    search_index = SearchIndex(directory)
    for start in (0, 80, 160):  # three segments: each commit keeps its own
        writer = search_index._ix.writer()
        entries = IndexWriter(writer)
        for synthetic in documents[start:start + 80]:
            entries.add(*as_entry(synthetic, undated=synthetic.index % 17 == 0), replace=False)
        if start == 160:  # re-index some earlier documents: their old entries become deletions
            for synthetic in documents[:40:3]:
                entries.add(*as_entry(synthetic, undated=False), replace=True)
        writer.commit(merge=False)
    search_index.close()
    reopened = SearchIndex(directory, create=False)
    yield reopened
    reopened.close()


LEVELS = ("public", "restricted", "confidential")


def final_documents_index(directory: Path, levels: tuple[str, ...]) -> SearchIndex:
    """The documents at ``levels`` as the index above holds them in the end (re-indexed versions), without page
    entries and without deletions: what the scores' statistics count."""
    documents = list(iter_documents(240, 5))
    reindexed = {synthetic.index for synthetic in documents[:40:3]}
    search_index = SearchIndex(directory)
    writer = search_index._ix.writer()
    for synthetic in documents:
        undated = synthetic.index % 17 == 0 and synthetic.index not in reindexed
        document, pages, references = as_entry(synthetic, undated=undated)
        if document.metadata.access in levels:
            writer.add_document(**document_fields(document, pages, references))
    writer.commit()
    search_index.close()
    return SearchIndex(directory, create=False)


@pytest.fixture(scope="module")
def documents_only(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    reopened = final_documents_index(tmp_path_factory.mktemp("documents-only") / "ix", LEVELS)
    yield reopened
    reopened.close()


@pytest.fixture(scope="module")
def public_only(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    reopened = final_documents_index(tmp_path_factory.mktemp("public-only") / "ix", ("public",))
    yield reopened
    reopened.close()


def reference_searcher(search_index: SearchIndex):
    """A Whoosh searcher whose BM25F takes the average length over the stored lengths (a byte per document), as
    the array scorer does; Whoosh's own average comes from an exact running total."""
    from whoosh.util.numeric import byte_to_length

    searcher = search_index.searcher()
    reader = searcher.reader()

    def stored_length_average(fieldname: str, default: object = None) -> float:
        lengths = [reader.doc_field_length(n, fieldname) for n in reader.all_doc_ids()]
        total = sum(byte_to_length(length_to_byte(length)) for length in lengths if length)
        return total / reader.doc_count() or 1

    searcher.avg_field_length = stored_length_average
    return searcher


def prepared(index: SearchIndex, text: str, levels: tuple[str, ...] = LEVELS, searcher=None):
    searcher = searcher or index.searcher()
    cache = index._cache(searcher)
    query, ranges = split_date_ranges(parse_user_query(index._parser, text))
    allowed = cache.entries(build_filter("doc", levels))
    for date_range in ranges:
        allowed = cache.sets.both(allowed, cache.dated(date_range))
    return searcher, cache, query, allowed


def whoosh_ranking(searcher, query, allowed, count: int) -> list[tuple[int, float]]:
    collector = FilterCollector(TopCollector(limit=count, usequality=False, replace=0), allow=set(allowed.tolist()))
    searcher.search_with_collector(query, collector)
    return [(docnum, round(score, 9)) for score, docnum in collector.results().top_n]


def test_the_index_has_several_segments_and_deletions(index: SearchIndex) -> None:
    reader = index.searcher().reader()
    assert len(index.searcher().leaf_searchers()) == 3
    assert reader.has_deletions()


@pytest.mark.parametrize("text", QUERIES)
def test_match_set_is_what_whoosh_matches(index: SearchIndex, text: str) -> None:
    searcher, cache, query, allowed = prepared(index, text)
    expected = set(searcher.docs_for_query(query)) & set(allowed.tolist())
    fresh = sets.MatchSets(searcher)
    found = fresh.matches(query, allowed)
    assert found.tolist() == sorted(expected)  # sorted, each entry once
    assert fresh.matches(query, allowed).tolist() == sorted(expected)  # again, from the sets it keeps
    few = allowed[::5][:sets.CHECK_EACH_UP_TO]  # small enough to check term and phrase entry by entry
    assert fresh.matches(query, few).tolist() == sorted(expected & set(few.tolist()))


@pytest.mark.parametrize("way", ["whoosh walk", "match by match"])
@pytest.mark.parametrize("text", [q for q in QUERIES if q])
def test_whoosh_ranking_is_whoosh_scoring_every_match(index: SearchIndex, text: str, way: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The ranking of queries the array scorer leaves to Whoosh (here: every query, without a scorer)."""
    monkeypatch.setattr(sets, "SCORE_EACH_BELOW", 10**9 if way == "match by match" else 0)
    searcher, cache, query, allowed = prepared(index, text)
    matched = cache.sets.matches(query, allowed)
    ranked = [(docnum, round(score, 9)) for docnum, score in sets.top_documents(searcher, query, matched, 15)]
    assert ranked == whoosh_ranking(searcher, query, matched, 15)
    assert ranked or not len(matched)


def by_doc_id(searcher, ranked) -> list[tuple[str, float]]:
    return [(searcher.stored_fields(docnum)["doc_id"], round(score, 9)) for docnum, score in ranked]


@pytest.mark.parametrize("text", [q for q in QUERIES if q])
def test_array_scores_are_whoosh_bm25f_over_the_documents_alone(index: SearchIndex, documents_only: SearchIndex,
                                                                text: str) -> None:
    """Every match's score is what Whoosh gives it in an index of the same documents without page entries
    (nor deleted entries), with the average length taken over the stored lengths."""
    searcher, cache, query, allowed = prepared(index, text)
    matched = cache.sets.matches(query, allowed)
    ours = cache.scorer(build_filter("doc", LEVELS)).top(query, matched, len(matched))
    if text in NOT_ARRAY_SCORED:
        assert ours is None
        return
    assert len(ours) == len(matched)
    reference, reference_cache, reference_query, reference_allowed = prepared(
        documents_only, text, searcher=reference_searcher(documents_only))
    theirs = whoosh_ranking(reference, constant_expansions(reference_query),
                            reference_cache.sets.matches(reference_query, reference_allowed), 10**6)
    assert sorted(by_doc_id(searcher, ours)) == sorted(by_doc_id(reference, theirs))  # ties: in entry order
    assert [score for _, score in ours] == sorted((score for _, score in ours), reverse=True)
    assert ours or not len(matched)


def constant_expansions(query: wq.Query) -> wq.Query:
    """``query`` with each expanding term (wildcard, prefix, fuzzy term, range) scoring its boost wherever it matches.

    Whoosh does that itself only when a term expands to more than one word (a single word is scored by BM25);
    the array scorer always does, so that no score depends on how many words hidden documents add to an expansion.
    """
    if isinstance(query, wq.MultiTerm | wq.NumericRange):
        return wq.ConstantScoreQuery(query, score=query.boost)
    return query.apply(constant_expansions)


def test_search_ranks_with_the_array_scores(index: SearchIndex, documents_only: SearchIndex) -> None:
    """Small match sets too: one query is ranked with one set of statistics whatever its size."""
    for text in ["mine", "mine AND civilians AND report", '"mine clearance" AND report']:
        ours = index.search(SearchRequest(query=text, limit=5, access=LEVELS, facets=()))
        searcher, cache, query, allowed = prepared(documents_only, text, searcher=reference_searcher(documents_only))
        matched = cache.sets.matches(query, allowed)
        expected = by_doc_id(searcher, whoosh_ranking(searcher, query, matched, 5))
        assert [(hit.doc_id, hit.score) for hit in ours.hits] == [(d, round(s, 4)) for d, s in expected]
        assert ours.total == len(matched) > 0


def test_date_order_is_newest_first_with_undated_last(index: SearchIndex) -> None:
    searcher, cache, query, allowed = prepared(index, "mine OR report OR clearance")
    matched = cache.sets.matches(query, allowed)
    ranked = [docnum for docnum, _ in sets.top_documents(searcher, query, matched, len(matched), by_date=True)]
    assert sorted(ranked) == matched.tolist()
    dates = [searcher.stored_fields(docnum).get("date") for docnum in ranked]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated, reverse=True)
    assert dates.index(None) == len(dated) and all(d is None for d in dates[len(dated):])
    assert all(isinstance(d, dt.datetime) for d in dated)


def test_a_results_page_is_a_slice_of_the_full_ranking(index: SearchIndex) -> None:
    everything = index.search(SearchRequest(query="mine", limit=40, access=("public", "restricted", "confidential")))
    second = index.search(SearchRequest(query="mine", offset=10, limit=10,
                                        access=("public", "restricted", "confidential")))
    assert [h.doc_id for h in second.hits] == [h.doc_id for h in everything.hits[10:20]]
    assert second.total == everything.total > 20


def test_postings_read_by_block_equal_whoosh_ids_and_weights(index: SearchIndex) -> None:
    searcher = index.searcher()
    for subsearcher, _ in searcher.leaf_searchers():
        reader = subsearcher.reader()
        for fieldname, btext in [("body", b"mine"), ("title", b"report"), ("kind", b"doc"), ("type", b"report")]:
            if (fieldname, btext) in reader:
                matcher = reader.postings(fieldname, btext)
                leaf = matcher.child if type(matcher).__name__ == "FilterMatcher" else matcher
                expected = list(leaf.items_as("weight"))
                blocks = list(sets.posting_blocks(reader.postings(fieldname, btext)))
                assert [(i, w) for ids, weights in blocks for i, w in zip(ids, weights, strict=True)] == expected


def test_term_postings_stay_within_their_budget(index: SearchIndex) -> None:
    shared = IndexCache()
    shared.postings = store = Budgeted(60, weigh=lambda pair: len(pair[0]))
    small = SearcherCache(shared, index.searcher()).sets
    sizes = [len(small.term("body", word)) for word in ["mine", "report", "clearance", "civilians", "village"]]
    assert any(size > 20 for size in sizes)
    assert store.held <= 60 or len(store) == 1
    assert store.held == sum(len(store.get(key)[0]) for key in list(store._items))


def test_threads_share_one_cache_per_index_version(index: SearchIndex) -> None:
    import threading

    seen = []

    def search_in_a_thread() -> None:
        searcher = index.searcher()  # this thread's own searcher
        seen.append((searcher, index._cache(searcher).cache))  # the object: a freed searcher's id() is reused
        index._forget_searcher()  # closes it

    threads = [threading.Thread(target=search_in_a_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(searcher) for searcher, _ in seen}) == 3
    assert len({id(cache) for _, cache in seen}) == 1


def test_opening_a_searcher_does_not_copy_the_index_into_memory(index: SearchIndex) -> None:
    """Whoosh copies a memory-mapped compound segment into a BytesIO; the archive reads through file handles."""
    import tracemalloc

    size = sum(p.stat().st_size for p in index.directory.glob("*.seg"))
    assert size > 1_000_000
    reopened = SearchIndex(index.directory, create=False)
    try:
        tracemalloc.start()
        reopened.search(SearchRequest(query="mine", access=("public", "restricted", "confidential")))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        reopened.close()
    assert peak < size / 2, (peak, size)


def test_phrases_read_from_positions_match_whoosh_spans(index: SearchIndex) -> None:
    """Pairs and triples of neighbouring words from the corpus, and the same words reversed (mostly no match)."""
    searcher = index.searcher()
    allowed = index._cache(searcher).entries(build_filter("doc", ("public", "restricted", "confidential")))
    words = " ".join(synthetic.pages[-1] for synthetic in iter_documents(12, 5)).split()
    words = [w.strip(".,;:()«»\"'") for w in words if w.strip(".,;:()«»\"'").isalpha()]
    phrases = [words[i:i + size] for size in (2, 3) for i in range(0, len(words) - size, 37)]
    phrases += [list(reversed(p)) for p in phrases[::3]]
    assert len(phrases) > 40
    matched_some = 0
    for phrase in phrases:
        query = parse_user_query(index._parser, '"' + " ".join(phrase) + '"')
        expected = set(searcher.docs_for_query(query)) & set(allowed.tolist())
        assert sets.MatchSets(searcher).matches(query, allowed).tolist() == sorted(expected), phrase
        matched_some += bool(expected)
    assert matched_some > len(phrases) // 3


@given(st.sets(st.integers(0, 299)), st.sets(st.integers(0, 299)), st.sets(st.integers(0, 299)))
def test_entry_set_operations_are_set_operations(a: set[int], b: set[int], c: set[int]) -> None:
    arrays = [sets.entries_of(part) for part in (a, b, c)]
    assert sets.intersection(arrays[0], arrays[1], 300).tolist() == sorted(a & b)
    assert sets.difference(arrays[0], arrays[1], 300).tolist() == sorted(a - b)
    assert sets.union(arrays, 300).tolist() == sorted(a | b | c)


@given(st.lists(st.sets(st.integers(0, 200_000), min_size=1, max_size=1500) | st.sets(st.integers(0, 400), min_size=1),
                max_size=6), st.booleans())
def test_positions_are_decoded_as_whoosh_decodes_them(lists: list[set[int]], final_stop: bool) -> None:
    from itertools import accumulate

    from whoosh.formats import Positions

    values = [Positions().encode(sorted(positions)) for positions in lists]
    if not final_stop:  # Whoosh may store a value without the pickle's final "."
        values = [value[:-1] for value in values]
    decoded = [list(accumulate(gaps)) for gaps in sets.gap_lists(values)]
    assert decoded == [Positions().decode_positions(value) for value in values] == [sorted(p) for p in lists]


def unnumbered(snippet: str) -> str:
    import re

    return re.sub(r" term\d+", "", snippet)


@pytest.mark.parametrize("text", ["mine clearance", '"mine clearance"', "min*", "Shusha OR report"])
def test_page_snippets_are_what_whoosh_highlights(index: SearchIndex, text: str) -> None:
    from whoosh import highlight
    from whoosh import query as wq

    from index.search import _page_query, _page_words, highlighted

    pages = {f"{s.index:016x}": s.pages for s in iter_documents(240, 5)}
    searcher = index.searcher()
    page_query = _page_query(parse_user_query(index._parser, text))
    results = searcher.search(wq.And([wq.Term("kind", "page"), page_query]), limit=30, terms=True)
    results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
    results.formatter = highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … ")
    words = _page_words(searcher, page_query)
    compared = 0
    for hit in results:
        page_text = pages[hit["doc_id"]][hit["page"] - 1]
        expected = hit.highlights("page_body", text=page_text, top=2)
        # Whoosh numbers the terms' classes across all the hits of a results object; here per snippet.
        assert unnumbered(highlighted(page_text, words, index.analyzer)) == unnumbered(expected)
        compared += "<mark" in expected
    assert compared >= 10


def test_searchers_of_ended_threads_are_closed_when_another_opens(index: SearchIndex) -> None:
    """A server that starts a thread per request must not pile up searchers and their open files."""
    import threading

    opened = []

    def request() -> None:
        opened.append(index.searcher())

    for _ in range(5):
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
    assert len(opened) == 5 and len({id(s) for s in opened}) == 5
    assert [s.is_closed for s in opened] == [True] * 4 + [False]  # each new one closed the ended ones
    index._forget_searcher()
    index.searcher()  # a new one for this thread: every ended thread's searcher is closed now
    assert all(s.is_closed for s in opened)
    assert all(thread.is_alive() for thread in index._open.owners())
    assert threading.current_thread() in index._open.owners()


@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=40, unique=True),
       st.lists(st.integers(0, 10_500), max_size=60, unique=True))
def test_a_block_index_finds_the_block_of_each_entry(last_ids: list[int], wanted: list[int]) -> None:
    last_ids = sorted(last_ids)
    index = sets.BlockIndex(list(range(len(last_ids))), last_ids)
    expected = {next(block for block, last in enumerate(last_ids) if last >= docnum)
                for docnum in wanted if docnum <= last_ids[-1]}
    assert index.holding(sorted(wanted)) == sorted(expected)


def test_terms_in_a_small_universe_read_only_the_blocks_that_hold_it(index: SearchIndex) -> None:
    searcher = index.searcher()
    cache = index._cache(searcher)
    allowed = cache.entries(build_filter("doc", ("public", "restricted", "confidential")))
    for word in ["mine", "report", "the", "civilians"]:
        expected = set(searcher.docs_for_query(wq.Term("body", word))) & set(allowed.tolist())
        for few in (allowed[:3], allowed[-5:], allowed[::17]):
            found = cache.sets.matches(wq.Term("body", word), few)
            assert found.tolist() == sorted(expected & set(few.tolist())), word


# -- statistics of what a reader may see ----------------------------------------------------------------


@pytest.mark.parametrize("text", [q for q in QUERIES if q not in NOT_ARRAY_SCORED])
def test_a_public_readers_scores_are_bm25f_over_the_public_documents_alone(index: SearchIndex,
                                                                          public_only: SearchIndex,
                                                                          text: str) -> None:
    """Hidden documents (restricted, confidential) and deleted entries count in no statistic a public reader's
    scores use: they are Whoosh's on an index of the public documents alone, with the average length taken over
    the stored lengths (Whoosh's own total is exact, and counts every document)."""
    ours = index.search(SearchRequest(query=text, limit=10**6, access=("public",), facets=()))
    reference, cache, query, allowed = prepared(public_only, text, ("public",), reference_searcher(public_only))
    theirs = whoosh_ranking(reference, constant_expansions(query), cache.sets.matches(query, allowed), 10**6)
    scores = [(hit.doc_id, hit.score) for hit in ours.hits]
    # Ties fall in entry order, which differs between the two indexes: compare each document's score.
    assert sorted(scores) == sorted((doc_id, round(score, 4)) for doc_id, score in by_doc_id(reference, theirs))
    assert [score for _, score in scores] == sorted((score for _, score in scores), reverse=True)
    assert ours.total == len(theirs)


def test_a_hidden_document_changes_no_score_a_reader_sees(tmp_path: Path) -> None:
    """The same public documents, with and without a confidential one full of the query's words."""
    documents = [as_entry(synthetic, undated=False) for synthetic in iter_documents(60, 11)]
    public = [entry for entry in documents if entry[0].metadata.access == "public"]
    secret = Document(id="f" * 16, sha256="f" * 64, control_number="SYN-999999", original_name="secret.txt",
                      media_type="text/plain", size=0, page_count=1, ingested_at="",
                      metadata=Metadata(title="Mine clearance report", type="report", access="confidential"))
    secret_pages = [Page(1, "mine mine mine clearance civilians report minefield minesweeper " * 40)]
    answers = []
    for hidden in ([], [(secret, secret_pages, [])]):
        with SearchIndex(tmp_path / f"ix{len(hidden)}") as search_index:
            with search_index.writer() as writer:
                for entry in public + hidden:
                    writer.add(*entry)
            answers.append([
                [(hit.doc_id, hit.score) for hit in search_index.search(
                    SearchRequest(query=text, limit=50, access=("public",), facets=("type",))).hits]
                for text in ("mine", "mine clearance", '"mine clearance"', "mine OR civilians", "minef*", "mine~")
            ])
    assert answers[0][0]  # the public documents do match
    assert answers[1] == answers[0]


def test_more_like_this_is_whooshs_more_like_over_the_visible_documents(index: SearchIndex,
                                                                         public_only: SearchIndex) -> None:
    """Key terms (Whoosh's Bo1 expansion) and scores from the public documents' statistics alone: what Whoosh's
    ``more_like`` gives on an index of the public documents, with the average length over the stored lengths."""
    texts = {f"{synthetic.index:016x}": synthetic.pages for synthetic in iter_documents(240, 5)}
    index.page_text = lambda doc_id, page: texts[doc_id][page - 1] if page <= len(texts[doc_id]) else None
    try:
        reference = reference_searcher(public_only)
        compared = 0
        for synthetic in list(iter_documents(240, 5))[::23]:
            doc_id = f"{synthetic.index:016x}"
            ours = index.more_like_this(doc_id, ("public",), limit=40)
            if synthetic.access != "public":
                assert ours == ()  # a reader never starts from a document hidden from them
                continue
            docnum = reference.document_number(id=doc_id)
            theirs = reference.more_like(docnum, "body", text="\n".join(synthetic.pages), top=40, numterms=12,
                                         normalize=True)
            expected = sorted((hit["doc_id"], round(hit.score, 4)) for hit in theirs)
            assert sorted((hit.doc_id, hit.score) for hit in ours) == expected
            assert doc_id not in {hit.doc_id for hit in ours}
            compared += bool(expected)
        assert compared >= 5
    finally:
        index.page_text = None
