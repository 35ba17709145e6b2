"""Opening the index and answering searches.

:class:`SearchIndex` owns one index directory. It checks the schema version
on open, keeps one searcher per thread and refreshes it only when the index
has changed, and answers :class:`SearchRequest` with :class:`SearchResults`:
the documents of one results page with their matching pages and
highlighted snippets, the total count and the facet counts, all inside the
access filter. Page texts for snippets come from a ``page_text`` callable
(the catalog's copy), so the index does not store them twice.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from whoosh import highlight, sorting
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.searching import Searcher

from archive.errors import IndexOutOfDateError
from index.facets import facet_for
from index.query import build_filter, build_parser, parse_user_query
from index.schema import FACET_FIELDS, SCHEMA_VERSION, build_schema
from index.write import IndexWriter

VERSION_FILE = "archive-index.json"
PageText = Callable[[str, int], "str | None"]


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
    pages: tuple[PageHit, ...]


@dataclass(frozen=True)
class SearchResults:
    request: SearchRequest
    total: int
    hits: tuple[Hit, ...]
    facets: Mapping[str, tuple[tuple[str, int], ...]]


def open_index(directory: Path, *, create: bool = True) -> SearchIndex:
    """Open (or create) the index in ``directory``, checking its schema version."""
    return SearchIndex(Path(directory), create=create)


class SearchIndex:
    """One Whoosh index; safe to share between threads."""

    def __init__(self, directory: Path, *, create: bool = True, page_text: PageText | None = None) -> None:
        self.directory = directory
        self.page_text = page_text
        if whoosh_index.exists_in(directory):
            _check_version(directory)
            self._ix = whoosh_index.open_dir(directory)
        elif create:
            self._ix = _create(directory)
        else:
            raise IndexOutOfDateError(None, SCHEMA_VERSION)
        self._local = threading.local()
        self._parser = build_parser(self._ix.schema)

    def __enter__(self) -> SearchIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._forget_searcher()
        self._ix.close()

    def writer(self) -> IndexWriter:
        """A batch of writes: ``with index.writer() as w: w.add(...)``."""
        return IndexWriter(self._ix.writer(limitmb=128))

    def clear(self) -> None:
        """Empty the index (same schema), as ``reindex`` does before rebuilding."""
        self.close()
        self._ix = _create(self.directory)
        self._local = threading.local()

    def searcher(self) -> Searcher:
        """This thread's searcher, refreshed if the index changed since it was opened."""
        searcher = getattr(self._local, "searcher", None)
        if searcher is None:
            searcher = self._ix.searcher()
        elif not searcher.up_to_date():
            searcher = searcher.refresh()  # shares the readers of unchanged segments: never close the old one
        self._local.searcher = searcher
        return searcher

    def doc_count(self) -> int:
        return self.searcher().doc_frequency("kind", "doc")

    def _forget_searcher(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        self._local.searcher = None
        if searcher is not None:
            searcher.close()

    def search(self, request: SearchRequest) -> SearchResults:
        """Answer one search. A searcher whose segment files a merge just removed is reopened once."""
        try:
            return self._search(self.searcher(), request)
        except FileNotFoundError:
            self._forget_searcher()
            return self._search(self.searcher(), request)

    def _search(self, searcher: Searcher, request: SearchRequest) -> SearchResults:
        user_query = parse_user_query(self._parser, request.query)
        doc_filter = build_filter("doc", request.access, request.selected, request.date_from, request.date_to)
        facets = {name: facet_for(name) for name in request.facets}
        sortedby = sorting.FieldFacet("date", reverse=True) if request.sort == "date" else None
        results = searcher.search(
            user_query, filter=doc_filter, limit=request.offset + request.limit, sortedby=sortedby,
            groupedby=facets or None, maptype=sorting.Count,
        )
        window = list(results)[request.offset:request.offset + request.limit]
        page_hits = self._page_hits(searcher, user_query, [h["doc_id"] for h in window], request)
        hits = tuple(_hit(h, page_hits.get(h["doc_id"], ())) for h in window)
        counts = {name: _counts(results.groups(name)) for name in facets}
        return SearchResults(request=request, total=len(results), hits=hits, facets=counts)

    def _page_hits(self, searcher: Searcher, user_query: wq.Query, doc_ids: Sequence[str],
                   request: SearchRequest) -> dict[str, tuple[PageHit, ...]]:
        if not doc_ids or isinstance(user_query, wq.Every):
            return {}
        page_filter = wq.And([
            wq.Term("kind", "page"),
            wq.Or([wq.Term("access", level) for level in request.access]),
            wq.Or([wq.Term("doc_id", doc_id) for doc_id in doc_ids]),
        ])
        results = searcher.search(user_query, filter=page_filter, limit=None, terms=True)
        results.fragmenter = highlight.ContextFragmenter(maxchars=240, surround=60)
        results.formatter = highlight.HtmlFormatter(tagname="mark", classname="hit", between=" … ")
        found: dict[str, list[PageHit]] = {}
        for hit in sorted(results, key=lambda h: (h["doc_id"], h["page"])):
            pages = found.setdefault(hit["doc_id"], [])
            if len(pages) >= request.snippets_per_doc:
                continue
            text = self.page_text(hit["doc_id"], hit["page"]) if self.page_text else None
            snippet = hit.highlights("body", text=text, top=2) if text else ""
            pages.append(PageHit(page=hit["page"], snippet=snippet))
        return {doc_id: tuple(pages) for doc_id, pages in found.items()}


def _counts(groups: Mapping[Any, int]) -> tuple[tuple[str, int], ...]:
    items = [(str(k), v) for k, v in groups.items() if k not in (None, "", b"")]
    return tuple(sorted(items, key=lambda kv: (-kv[1], kv[0])))


def _hit(hit: Any, pages: tuple[PageHit, ...]) -> Hit:
    return Hit(
        doc_id=hit["doc_id"], control_number=hit.get("control", ""), title=hit.get("title", ""),
        date=hit.get("date_text", ""), type=hit.get("type", ""), issuer=hit.get("issuer", ""),
        score=round(float(hit.score or 0.0), 4), pages=pages,
    )


def _create(directory: Path) -> Any:
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(directory, build_schema())
    (directory / VERSION_FILE).write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
    return ix


def _check_version(directory: Path) -> None:
    try:
        found = json.loads((directory / VERSION_FILE).read_text(encoding="utf-8"))["schema_version"]
    except (OSError, ValueError, KeyError):
        found = None
    if found != SCHEMA_VERSION:
        raise IndexOutOfDateError(found, SCHEMA_VERSION)
