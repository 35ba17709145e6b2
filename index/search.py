"""Opening the index and answering searches.

:class:`SearchIndex` owns one index directory. It checks the schema version
on open, keeps one searcher per thread and refreshes it only when the index
has changed, and answers :class:`SearchRequest` with :class:`SearchResults`:
the documents of one results page with their matching pages and
highlighted snippets, the total count and the facet counts, all inside the
access filter. Page texts for snippets come from a ``page_text`` callable
(the catalog's copy), so the index does not store them twice, and the
documents every search must leave out from a ``withheld`` callable: those
whose access the catalog has narrowed and the index not yet (an access
change during a batch).
"""

from __future__ import annotations

import datetime as dt
import errno
import html
import json
import os
import re
import threading
import weakref
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import Token
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher

from archive.errors import GazetteerChangedError, IndexDamagedError, IndexOutOfDateError, QueryError, StorageError
from archive.threads import PerThread
from index.analysis import gazetteer_snapshot, places_fingerprint
from index.cache import IndexCaches, SearcherCache
from index.cited import cited_spans, reference_query
from index.query import (
    QUERY_OPERATORS,
    access_filter,
    build_filter,
    build_parser,
    field_parts,
    normalise_selected,
    parse_user_query,
)
from index.schema import FACET_FIELDS, SCHEMA_VERSION, build_schema
from index.score import key_terms
from index.sets import difference, top_documents
from index.write import IndexWriter, expand_reference, keep_lengths_in_memory, merge_tiers

VERSION_FILE = "archive-index.json"
#: A search with fewer documents than this gets a "did you mean" suggestion.
SUGGEST_BELOW = 3
#: Key terms of a document "more like this" searches for.
MORE_LIKE_TERMS = 12
SUGGESTABLE_WORD = re.compile(r"(?<![\w:~*?\\])\w{3,}(?![\w:~*?(])")
PAGE_FIELDS = frozenset({"body", "article", "instrument"})  # fields of a query that pages can match
PageText = Callable[[str, int], "str | None"]
Withheld = Callable[[], "Collection[str]"]


@dataclass(frozen=True)
class SearchRequest:
    """One search, as the CLI, the web page and the API ask for it."""

    query: str = ""
    selected: Mapping[str, Sequence[str]] = field(default_factory=dict)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"  # relevance | date
    offset: int = 0
    limit: int = 10
    access: tuple[str, ...] = ("public",)
    facets: tuple[str, ...] = FACET_FIELDS
    snippets_per_doc: int = 3


@dataclass(frozen=True)
class PageHit:
    page: int
    snippet: str  # HTML: escaped text with <mark> around matched terms


@dataclass(frozen=True)
class Hit:
    doc_id: str
    control_number: str
    title: str
    date: str
    type: str
    issuer: str
    score: float
    pages: tuple[PageHit, ...]  # the first ``snippets_per_doc`` pages that match, with snippets
    matching_pages: int = 0  # how many of its pages match in all (0 when the query names no page content)
    synthetic: bool = False  # generated for testing or a demonstration, not evidence


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[tuple[str, int], ...]]
    suggestion: str | None = None  # a query that finds more, when this one finds little
    #: The query with the treaty citations in its words asked for as references (``article:GCIV-147``), when it
    #: has any (see :mod:`index.cited`).
    reference_query: str | None = None


@dataclass(frozen=True)
class Asked:
    """What a query looks for in a page's text, to mark it there (see :meth:`SearchIndex.asked`): the index
    terms of its words, and the treaty ids it asks for by ``article:`` or ``instrument:``."""

    words: frozenset[str] = frozenset()
    articles: frozenset[str] = frozenset()
    #: Its phrases, marked only where they stand as phrases (their words are not in ``words`` for that).
    phrases: tuple[PhraseTerms, ...] = ()


def open_index(directory: Path, *, create: bool = True, gazetteer: str = "") -> SearchIndex:
    """Open (or create) the index in ``directory``, checking its schema version and its gazetteer."""
    return SearchIndex(Path(directory), create=create, gazetteer=gazetteer)


class SearchIndex:
    """One Whoosh index; safe to share between threads.

    ``gazetteer`` is the user's places file (the ``gazetteer`` setting): a new
    index's analyzer knows its places, and an index built with other places
    is refused with a request to reindex, since its place terms would not
    match what the catalog says.
    """

    def __init__(self, directory: Path, *, create: bool = True, page_text: PageText | None = None,
                 gazetteer: str = "", withheld: Withheld | None = None) -> None:
        self.directory = directory
        self.page_text = page_text
        self.withheld = withheld or frozenset
        self._places = gazetteer_snapshot(gazetteer)
        if whoosh_index.exists_in(directory):
            _check_version(directory, places_fingerprint(self._places), gazetteer)
            self._ix = _storage(directory).open_index()
        elif create:
            self._ix = _create(directory, self._places)
        else:  # not there at all: its files are missing
            raise IndexDamagedError(directory, FileNotFoundError(errno.ENOENT, "no index there", str(directory)))
        self._gazetteer = gazetteer
        self._identity = _identity(directory)  # a rebuild puts a new folder in this one's place
        self._reopen_lock = threading.Lock()
        self._local = threading.local()
        # Every thread's searcher and its thread, so that close() closes them all, and the searcher of a thread
        # that has ended (a server that starts a thread per request) is closed when the next one opens.
        self._open: PerThread[Searcher] = PerThread()
        # An index dropped without close() (an app that is simply discarded) still closes its searchers' files.
        weakref.finalize(self, self._open.close_all)
        self._caches = IndexCaches()
        self._schema = self._ix.schema  # Whoosh unpickles the schema (and its analyzer) at every access
        self._parser = build_parser(self._schema)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's searcher (their files) and the index; only when no search is running."""
        self._forget_searcher()
        self._open.close_all()
        self._ix.close()

    def _follow_rebuild(self) -> None:
        """Open the index anew when ``evidence reindex`` has put a rebuilt folder in its place.

        Whoosh tells versions apart by generation number alone, and a rebuilt
        index starts again from the first: a searcher of the old one could
        take itself for up to date and go on reading its deleted files.
        """
        current = _identity(self.directory)
        if current is None or current == self._identity:
            return
        with self._reopen_lock:
            if current != _identity(self.directory) or current == self._identity:
                return
            _check_version(self.directory, places_fingerprint(self._places), self._gazetteer)
            self._ix = _storage(self.directory).open_index()
            self._schema = self._ix.schema
            self._parser = build_parser(self._schema)
            self._identity = current

    def writer(self, *, bulk: bool = False) -> IndexWriter:
        """A batch of writes: ``with index.writer() as w: w.add(...)``.

        ``bulk`` (rebuilds, large loads) spreads the analysis over one process
        per core and keeps their segments (``multisegment``), which builds
        faster; the rebuild test checks that no document is lost that way.
        Its processes are stopped, and have ended, once the writer is cancelled
        (:class:`index.bulk.BulkWriter`).
        """
        self._follow_rebuild()
        if bulk and (os.cpu_count() or 1) > 1:
            from index.bulk import BulkWriter

            return IndexWriter(BulkWriter(self._ix, procs=os.cpu_count() or 2, limitmb=256), where=str(self.directory))
        return IndexWriter(self._ix.writer(limitmb=128), merge=merge_tiers, where=str(self.directory))

    def searcher(self) -> Searcher:
        """This thread's searcher, reopened if the index changed since it was opened."""
        self._follow_rebuild()
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None and (self._local.identity != self._identity or not searcher.up_to_date()):
            # A new searcher, not searcher.refresh(): refresh reuses the reader of a segment it takes for
            # unchanged together with that segment's old deletions, so a re-indexed document (an access
            # change) would still be found under its old access level as well as its new one.
            self._forget_searcher()
            searcher = None
        if searcher is None:
            searcher = self._open.adopt(self._new_searcher())
            self._local.searcher = searcher
            self._local.identity = self._identity
        return searcher

    def check_readable(self) -> None:
        """Raise :class:`~archive.errors.IndexDamagedError` if the index cannot be read (a segment file missing or
        unreadable). Writers ask before they start: writing on a damaged index failed as a full disk would. The
        searcher opened to look is closed at once: kept through a batch, it would hold the files of every segment
        the batch merges away, and their disk space."""
        self._follow_rebuild()
        self._new_searcher().close()

    def _new_searcher(self) -> Searcher:
        """A searcher of the index's latest version. A segment file that is missing can be one a commit merged
        away between reading the table of contents and opening the file: tried again once, on the version that
        commit wrote. Missing again, or unreadable (not a merge: not tried again), the index is damaged, and says
        how to rebuild it (it was a traceback)."""
        try:
            return _open_searcher(self._ix)
        except FileNotFoundError:
            pass
        except OSError as error:
            raise IndexDamagedError(self.directory, error) from error
        try:
            return _open_searcher(self._ix)
        except OSError as error:
            raise IndexDamagedError(self.directory, error) from error

    @property
    def analyzer(self) -> Any:
        """The analyzer of the index's text fields (the one queries and highlights must use)."""
        return self._schema["body"].analyzer

    def doc_count(self) -> int:
        return self.searcher().doc_frequency("kind", "doc")

    def _forget_searcher(self) -> None:
        """Close this thread's searcher."""
        searcher = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if searcher is not None:
            self._open.release(searcher)
            searcher.close()

    def search(self, request: SearchRequest) -> SearchResults:
        """Answer one search. A searcher whose segment files a merge just removed is reopened once."""
        withheld = self.withheld()  # before the searcher: see _search
        try:
            return self._search(self.searcher(), request, withheld)
        except FileNotFoundError:
            self._forget_searcher()
            return self._search(self.searcher(), request, withheld)

    def search_batches(self, request: SearchRequest, batch: int) -> Iterator[SearchResults]:
        """Every result of ``request``, ``batch`` documents at a time, all from one version of the index.

        An export reads its result set in batches; with a searcher reopened between them (an ingest or an
        access change committed meanwhile) the ranks shift, and documents came twice or not at all. The
        first batch's searcher is kept for the rest (its files stay readable while it holds them open).
        """
        withheld = self.withheld()
        searcher = self.searcher()
        offset = 0
        while True:
            results = self._search(searcher, replace(request, offset=offset, limit=batch), withheld)
            yield results
            offset += batch
            if offset >= results.total or not results.hits:
                return

    def _search(self, searcher: Searcher, request: SearchRequest, withheld: Collection[str]) -> SearchResults:
        """Answer ``request`` with ``searcher``, leaving out the ``withheld`` documents.

        ``withheld`` must be read before the searcher is opened: a document
        leaves the list only once the index holds its new level, so a searcher
        opened after the read sees that level, while one opened before it could
        still hold the old level of a document no longer on the list.
        """
        user_query = parse_user_query(self._parser, request.query)
        cache = self._cache(searcher)
        doc_filter = build_filter("doc", request.access, request.selected, request.date_from, request.date_to,
                                  withheld)
        user_query, date_ranges = split_date_ranges(user_query)
        allowed = cache.entries(doc_filter)
        for date_range in date_ranges:  # a date range only admits documents: a set, not a scored query
            allowed = cache.sets.both(allowed, cache.dated(date_range))
            doc_filter = wq.And([doc_filter, date_range])
        matched = cache.matched(user_query, doc_filter, allowed)
        ranked = top_documents(searcher, user_query, matched, request.offset + request.limit,
                               by_date=request.sort == "date", dates=cache.dates() if request.sort == "date" else None,
                               scorer=cache.scorer(build_filter("doc", request.access, withheld=withheld)))
        window = [(searcher.stored_fields(docnum), score) for docnum, score in ranked[request.offset:]]
        page_hits = self._page_hits(searcher, cache, user_query, [fields["doc_id"] for fields, _ in window],
                                    request, withheld)
        hits = tuple(_hit(fields, score, *page_hits.get(fields["doc_id"], ((), 0))) for fields, score in window)
        counts = cache.facet_counts(user_query, doc_filter, matched, request.facets) if request.facets else {}
        total = len(matched)
        suggestion = None
        if total < SUGGEST_BELOW and request.query.strip():
            suggestion = self._suggest(searcher, request.query, doc_filter, request.access, withheld)
        return SearchResults(request=request, total=total, hits=hits, facets=counts, suggestion=suggestion,
                             reference_query=reference_query(request.query))

    def _cache(self, searcher: Searcher) -> SearcherCache:
        """The shared cache of the index version ``searcher`` sees, read through ``searcher``."""
        return self._caches.for_searcher(searcher)

    def _page_hits(self, searcher: Searcher, cache: SearcherCache, user_query: wq.Query, doc_ids: Sequence[str],
                   request: SearchRequest, withheld: Collection[str]) -> dict[str, tuple[tuple[PageHit, ...], int]]:
        """For each of ``doc_ids``, its first matching pages with snippets, and how many pages match."""
        page_query = _page_query(user_query, request.selected)
        if not doc_ids or page_query is None:
            return {}
        # The pages of these documents the user may see (each page entry carries its document's access level),
        # then those the query's page part matches: a few dozen entries, checked one by one.
        visible = cache.entries(wq.And([wq.Term("kind", "page"), access_filter(request.access, withheld)]))
        pages = cache.sets.matches(wq.Or([wq.Term("doc_id", doc_id) for doc_id in doc_ids]), visible)
        matching = cache.sets.matches(page_query, pages)
        phrases = _page_phrases(page_query)
        words = _page_words(searcher, page_query, phrases=not phrases)
        wanted = _article_terms(page_query)
        found: dict[str, list[PageHit]] = {}
        counts: dict[str, int] = {}
        for fields in sorted((searcher.stored_fields(n) for n in matching.tolist()),
                             key=lambda f: (f["doc_id"], f["page"])):
            listed = found.setdefault(fields["doc_id"], [])
            counts[fields["doc_id"]] = counts.get(fields["doc_id"], 0) + 1
            if len(listed) < request.snippets_per_doc:
                listed.append(PageHit(page=fields["page"], snippet=self._snippet(fields, words, wanted, phrases)))
        return {doc_id: (tuple(listed), counts[doc_id]) for doc_id, listed in found.items()}

    def _snippet(self, fields: Mapping[str, Any], words: frozenset[str], wanted: frozenset[str],
                 phrases: tuple[PhraseTerms, ...] = ()) -> str:
        text = self.page_text(fields["doc_id"], fields["page"]) if self.page_text else None
        if not text:
            return ""
        snippet = highlighted(text, words, self.analyzer, phrases) if words or phrases else ""
        if snippet:
            return snippet
        for ref_id, start, end in fields.get("refs", ()):
            if wanted & set(expand_reference(ref_id)):
                return reference_snippet(text, start, end)
        return html.escape(_excerpt(text, 0, 0, 200), quote=False)

    def asked(self, query: str) -> Asked:
        """What ``query`` looks for in a page's text, read as the search reads it, to mark it on the page a hit
        opens: the page-text terms of the parts it does not leave out (``NOT``, ``-``), wildcards and fuzzy words
        expanded to the words they found, and the treaty ids it asks for. Nothing for a query the search
        refused (the page is shown unmarked)."""
        try:
            page_query = _page_query(parse_user_query(self._parser, query))
        except QueryError:
            return Asked()
        if page_query is None:
            return Asked()
        phrases = _page_phrases(page_query)
        return Asked(_page_words(self.searcher(), page_query, phrases=not phrases),
                     frozenset(article.upper() for article in _article_terms(page_query)), phrases)

    def suggest(self, query: str, access: Sequence[str]) -> str | None:
        """A "did you mean" query built from words of documents the user may see, or ``None``."""
        withheld = self.withheld()  # before the searcher: see _search
        return self._suggest(self.searcher(), query, build_filter("doc", access, withheld=withheld), access, withheld)

    def _suggest(self, searcher: Searcher, query: str, doc_filter: wq.Query, access: Sequence[str],
                 withheld: Collection[str]) -> str | None:
        kept = field_parts(query) + cited_spans(query)  # values and citations are not misspelt words
        words = [word for word in SUGGESTABLE_WORD.finditer(query)
                 if not any(start <= word.start() < end for start, end in kept)]
        if not words:
            return None
        reader = searcher.reader()
        analyzer = self.analyzer
        changed = query
        for match in reversed(words):
            if match[0] in QUERY_OPERATORS:
                continue  # "NOT" is no misspelling of "now"
            term = _query_term(analyzer, match[0])
            if term is None or self._visible_frequency(searcher, term, access, withheld):
                continue  # a word of a document the user may see is no misspelling; one of hidden documents alone is
            surface = self._better_word(searcher, reader, analyzer, term, doc_filter)
            if surface and surface.lower() != match[0].lower():
                changed = changed[:match.start()] + surface + changed[match.end():]
        return changed if changed != query else None

    def _visible_frequency(self, searcher: Searcher, term: str, access: Sequence[str],
                           withheld: Collection[str]) -> int:
        """Documents at the ``access`` levels holding ``term``."""
        cache = self._cache(searcher)
        return len(cache.sets.both(cache.sets.term("body", term), cache.entries(access_filter(access, withheld))))

    def _better_word(self, searcher: Searcher, reader: Any, analyzer: Any, term: str,
                     doc_filter: wq.Query) -> str | None:
        """The nearby word found in most documents this user may see (only those are ever suggested).

        Candidates are ranked by how many visible documents hold them, so that words of hidden documents
        change neither which word is offered nor whether one is.
        """
        distance = 1 if len(term) < 6 else 2
        cache = self._cache(searcher)
        sets, allowed = cache.sets, cache.entries(doc_filter)
        best: tuple[int, str, int] | None = None
        for candidate in reader.terms_within("body", term, distance, prefix=1):
            if candidate == term:
                continue
            found = sets.both(sets.term("body", candidate), allowed)
            if len(found) and (best is None or len(found) > best[0]):
                best = (len(found), candidate, int(found[0]))
        if best is None:
            return None
        return self._surface_form(searcher, searcher.stored_fields(best[2])["doc_id"], analyzer, best[1])

    def _surface_form(self, searcher: Searcher, doc_id: str, analyzer: Any, term: str) -> str | None:
        pages = searcher.search(wq.And([wq.Term("kind", "page"), wq.Term("doc_id", doc_id),
                                        wq.Term("page_body", term)]),
                                limit=1)
        text = self.page_text(doc_id, pages[0]["page"]) if self.page_text and not pages.is_empty() else None
        for match in SUGGESTABLE_WORD.finditer(text or ""):
            if term in {token.text for token in analyzer(match[0], mode="index")}:
                return match[0].lower()
        return None

    def more_like_this(self, doc_id: str, access: Sequence[str], limit: int = 5) -> tuple[Hit, ...]:
        """Documents the user may see that share key terms with ``doc_id``'s text."""
        withheld = self.withheld()  # before the searcher: see _search
        searcher = self.searcher()
        docnum = searcher.document_number(id=doc_id)
        if docnum is None or doc_id in withheld or searcher.stored_fields(docnum).get("access") not in access:
            return ()
        text = "\n".join(page_texts(self.page_text, doc_id)) if self.page_text else ""
        if not text.strip():
            return ()
        cache = self._cache(searcher)
        visible = build_filter("doc", access, withheld=withheld)
        scorer = cache.scorer(visible)
        terms = key_terms(self._schema["body"].index(text), scorer.statistics, "body", MORE_LIKE_TERMS)
        if not terms:
            return ()
        query = wq.Or([wq.Term("body", term, boost=weight) for term, weight in terms])
        others = difference(cache.entries(visible), np.array([docnum], dtype=np.int64), cache.sets.size)
        ranked = top_documents(searcher, query, cache.sets.matches(query, others), limit, scorer=scorer)
        return tuple(_hit(searcher.stored_fields(number), score, ()) for number, score in ranked)

def _hit(fields: Mapping[str, Any], score: float | None, pages: tuple[PageHit, ...], matching_pages: int = 0) -> Hit:
    return Hit(
        doc_id=fields["doc_id"], control_number=fields.get("control", ""), title=fields.get("title", ""),
        date=fields.get("date_text", ""), type=fields.get("type", ""), issuer=fields.get("issuer", ""),
        score=round(float(score or 0.0), 4), pages=pages, matching_pages=matching_pages,
        synthetic=bool(fields.get("synthetic", False)),
    )


def _create(directory: Path, places: Any) -> Any:
    with StorageError.raised_for(directory):
        directory.mkdir(parents=True, exist_ok=True)
        stamp = {"schema_version": SCHEMA_VERSION, "places": places_fingerprint(places)}
        (directory / VERSION_FILE).write_text(json.dumps(stamp), encoding="utf-8")
        try:
            return _storage(directory).create_index(build_schema(places))
        except OSError:  # a full disk: a half-written table of contents would pass for an index
            for toc in directory.glob("_*.toc"):
                toc.unlink(missing_ok=True)
            raise


def _identity(directory: Path) -> tuple[int, int] | None:
    """Which folder is at ``directory`` now (device and inode), or ``None`` if none is."""
    try:
        found = os.stat(directory)
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _open_searcher(ix: Any) -> Searcher:
    """A searcher whose segments keep their field-length columns in memory.

    BM25 reads a document's field length for every posting it scores; read
    through a file handle (see :func:`_storage`) that is a seek and a read
    each time. The columns are one byte per entry and field, so each segment's
    are loaded once, when the searcher opens.
    """
    searcher = ix.searcher()
    for leaf, _ in searcher.leaf_searchers():
        per_document = getattr(leaf.reader(), "_perdoc", None)
        if per_document is not None:
            keep_lengths_in_memory(per_document, searcher.schema)
    return searcher


def _storage(directory: Path) -> FileStorage:
    """The index's files, read through file handles rather than memory maps.

    With a memory map, Whoosh copies each compound segment it opens into a
    ``BytesIO``: every searcher (one per thread) and every merge held a private
    copy of the whole index in memory (427 MB per searcher at 10,000
    documents; the writer's peak grew with the archive). Read through file
    handles, the operating system's page cache holds the data once.
    """
    return FileStorage(str(directory), supports_mmap=False)


def _check_version(directory: Path, places: str, gazetteer: str) -> None:
    try:
        stamp = json.loads((directory / VERSION_FILE).read_text(encoding="utf-8"))
        found = stamp["schema_version"]
    except (OSError, ValueError, KeyError):
        stamp, found = {}, None
    if found != SCHEMA_VERSION:
        raise IndexOutOfDateError(found, SCHEMA_VERSION)
    if stamp.get("places", places_fingerprint(gazetteer_snapshot())) != places:
        raise GazetteerChangedError(gazetteer)



def split_date_ranges(query: wq.Query) -> tuple[wq.Query, list[wq.NumericRange]]:
    """The query without its top-level date ranges, and those ranges.

    ``landmines date:[2020 TO 2022]`` ranks by ``landmines`` alone either way
    (a range scores the same for every document it admits); as a set the
    range costs a bisection instead of Whoosh expanding it into many terms
    and walking them for every document twice.
    """
    def is_date_range(part: wq.Query) -> bool:
        return isinstance(part, wq.NumericRange) and part.fieldname == "date" and not part.startexcl \
            and not part.endexcl

    if is_date_range(query):
        return wq.Every(), [query]
    if isinstance(query, wq.And):
        ranges = [part for part in query.subqueries if is_date_range(part)]
        rest = [part for part in query.subqueries if not is_date_range(part)]
        if ranges:
            remaining = rest[0] if len(rest) == 1 else (wq.And(rest) if rest else wq.Every())
            return remaining, ranges
    return query, []


def _page_query(user_query: wq.Query, selected: Mapping[str, Sequence[str]] | None = None) -> wq.Query | None:
    """What a page must hold to be listed: any positive term of the query that pages carry, or an article or
    instrument chosen as a filter.

    A document matches the whole query; its pages are shown where any part of
    it appears, so ``landmines article:GCIV-147`` lists the pages with either,
    and so does ``landmines`` with GCIV-147 chosen from the facets.
    """
    leaves = [_on_pages(leaf) for leaf in _positive_leaves(user_query)
              if getattr(leaf, "fieldname", None) in PAGE_FIELDS]
    leaves += [wq.Term(field, value) for field, values in normalise_selected(selected or {}).items()
               if field in PAGE_FIELDS for value in values]
    if not leaves:
        return None
    return leaves[0] if len(leaves) == 1 else wq.Or(leaves)


def _on_pages(leaf: wq.Query) -> wq.Query:
    """A query part on the document text, asked of a page's text instead."""
    if leaf.fieldname != "body":
        return leaf
    moved = leaf.copy()
    moved.fieldname = "page_body"
    return moved


def _positive_leaves(query: wq.Query) -> Iterator[wq.Query]:
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from _positive_leaves(query.a)
        return
    if query.is_leaf():
        yield query
        return
    for child in query.children():
        yield from _positive_leaves(child)


def _article_terms(query: wq.Query) -> frozenset[str]:
    return frozenset(str(leaf.text) for leaf in _positive_leaves(query)
                     if getattr(leaf, "fieldname", None) in ("article", "instrument") and hasattr(leaf, "text"))


def _page_words(searcher: Searcher, page_query: wq.Query, *, phrases: bool = True) -> frozenset[str]:
    """The page-text terms the page part of a query looks for (wildcards and fuzzy terms expanded); those of its
    phrases too unless ``phrases`` is false."""
    field = searcher.schema["page_body"]
    return frozenset(field.from_bytes(btext) for fieldname, btext
                     in page_query.existing_terms(searcher.reader(), phrases=phrases, expand=True)
                     if fieldname == "page_body")


@dataclass(frozen=True)
class PhraseTerms:
    """A phrase of a query as a page's text must hold it: its terms in order, each at most ``slop`` words after the
    one before."""

    terms: tuple[str, ...]
    slop: int = 1


def _page_phrases(page_query: wq.Query) -> tuple[PhraseTerms, ...]:
    """The phrases the page part of a query looks for."""
    return tuple(PhraseTerms(tuple(str(word) for word in leaf.words), max(1, leaf.slop))
                 for leaf in _positive_leaves(page_query)
                 if isinstance(leaf, wq.Phrase) and leaf.fieldname == "page_body" and leaf.words)


def phrase_positions(terms_at: Mapping[int, set[str]], phrase: PhraseTerms) -> set[int]:
    """The word positions of every occurrence of ``phrase``, given the terms at each position."""
    found: set[int] = set()
    for start in sorted(pos for pos, terms in terms_at.items() if phrase.terms[0] in terms):
        occurrence = [start]
        for term in phrase.terms[1:]:
            after = occurrence[-1]
            within = range(after + 1, after + phrase.slop + 1)
            following = next((pos for pos in within if term in terms_at.get(pos, ())), None)
            if following is None:
                break
            occurrence.append(following)
        else:
            found.update(occurrence)
    return found


def _in_phrases(read: Sequence[tuple[str, int, int, int]], phrases: tuple[PhraseTerms, ...]) -> set[int]:
    """The positions of the words of every occurrence of ``phrases`` among the tokens ``read`` (term, position,
    start, end)."""
    wanted = {term for phrase in phrases for term in phrase.terms}
    terms_at: dict[int, set[str]] = {}
    for term, pos, _, _ in read:
        if term in wanted:
            terms_at.setdefault(pos, set()).add(term)
    found: set[int] = set()
    for phrase in phrases:
        found |= phrase_positions(terms_at, phrase)
    return found


def phrase_spans(analyzer: Any, text: str, phrases: tuple[PhraseTerms, ...]) -> list[tuple[int, int]]:
    """Where the words of each occurrence of ``phrases`` stand in ``text``: (start, end) character offsets."""
    wanted = {term for phrase in phrases for term in phrase.terms}
    read = [(token.text, token.pos, token.startchar, token.endchar)
            for token in analyzer(text, positions=True, chars=True, mode="index") if token.text in wanted]
    in_phrases = _in_phrases(read, phrases)
    return sorted({(start, end) for _, pos, start, end in read if pos in in_phrases})


def _matched_tokens(tokens: Iterator[Any], words: frozenset[str], phrases: tuple[PhraseTerms, ...]) -> Iterator[Any]:
    """The tokens of a text, each marked ``matched`` when it is one of ``words`` or a word of an occurrence of one of
    ``phrases``: a phrase's words standing apart are not what it looks for (a page listed for another part of the
    query may hold them). Read once as plain tuples, then given again through one token, as the analyzer does."""
    read = [(token.text, token.pos, token.startchar, token.endchar) for token in tokens]
    in_phrases = _in_phrases(read, phrases)
    token = Token(positions=True, chars=True)
    for token.text, token.pos, token.startchar, token.endchar in read:
        token.matched = token.text in words or token.pos in in_phrases
        yield token


def highlighted(text: str, words: frozenset[str], analyzer: Any, phrases: tuple[PhraseTerms, ...] = ()) -> str:
    """HTML: the best two passages of ``text`` holding ``words`` or ``phrases``, escaped, those in ``<mark>``.

    What Whoosh's ``hit.highlights`` does when it re-reads a text, with the
    index's analyzer (so a stem or another spelling of a word is marked). A
    phrase's words are marked only where they stand as the phrase, so the
    passages chosen are those that hold it.
    """
    highlighter = highlight.Highlighter(
        fragmenter=highlight.ContextFragmenter(maxchars=240, surround=60),
        formatter=highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … "))
    tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    marked = _matched_tokens(tokens, words, phrases) if phrases else highlight.set_matched_filter(tokens, words)
    tokens = highlighter._merge_matched_tokens(marked)
    fragments = highlighter.fragmenter.fragment_tokens(text, tokens)
    return highlighter.formatter.format(highlight.top_fragments(fragments, 2, highlighter.scorer, highlighter.order,
                                                                 minscore=1))


def reference_snippet(text: str, start: int, end: int, surround: int = 100) -> str:
    """HTML: the passage around a reference, escaped, with the reference marked."""
    before = _excerpt(text, max(0, start - surround), start, 0)
    after = _excerpt(text, end, min(len(text), end + surround), 0)
    return (html.escape(before, quote=False) + '<mark class="hit ref">' + html.escape(text[start:end], quote=False)
            + "</mark>" + html.escape(after, quote=False))


def _excerpt(text: str, start: int, end: int, length: int) -> str:
    """``text[start:end]`` (or ``length`` characters from ``start``) on word boundaries, marked where cut."""
    end = end or min(len(text), start + length)
    piece = text[start:end]
    if start > 0 and " " in piece:
        piece = "…" + piece[piece.index(" "):]
    if end < len(text) and " " in piece:
        piece = piece[:piece.rindex(" ")] + " …"
    return " ".join(piece.split()) if piece.strip() else piece


def _query_term(analyzer: Any, word: str) -> str | None:
    tokens = [token.text for token in analyzer(word, mode="query")]
    return tokens[0] if len(tokens) == 1 else None


def page_texts(page_text: PageText, doc_id: str) -> Iterator[str]:
    """A document's page texts in order, from ``page_text``, until it has no more."""
    number = 1
    while (text := page_text(doc_id, number)) is not None:
        yield text
        number += 1
