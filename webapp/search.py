"""The search page: query box, facet sidebar, filter chips, results with page snippets, pagination.

The request is read from the query string by :func:`request_from_args`, which
the JSON API and the exports share, so a URL means the same search on every
surface. Snippets come from the index as HTML (escaped text with ``<mark>``);
they are the only markup the page trusts.
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from archive.errors import ArchiveError, QueryError
from archive.service import articles_by_document
from archive.treaties import UnknownReferenceError, load_catalogue, split_id
from index import FACET_FIELDS, SearchRequest, SearchResults
from index.query import normalise_selected
from webapp.state import archive, search_index, visible_levels

bp = Blueprint("search", __name__)
PAGE_SIZE = 10
MAX_LIMIT = 100
MAX_PAGE = 10_000
#: The longest query the web app and the API run: a single word of 100,000 letters kept a server thread busy for
#: almost a minute ("did you mean" and parsing grow with the square of a word's length), 2,000 at most 0.2 s.
MAX_QUERY = 2_000
#: The most filter values a search takes (all facets together): the results page gives each a chip whose link holds
#: all the others, so the page grows with their square (5,000 values in one URL kept a server thread busy for 40 s
#: and made a 300 MB page); 100 take a few milliseconds.
MAX_FILTERS = 100
#: The longest filter value: longer than any facet's value, short enough that a page of chips stays small.
MAX_FILTER_LENGTH = 200
#: Arguments that make up a search (everything else in a URL is ignored by it).
SEARCH_ARGS = ("q", "sort", "from", "to", *FACET_FIELDS)
#: A results page's own arguments: its search, which page of it, and how many results a page.
PAGE_ARGS = frozenset({*SEARCH_ARGS, "page", "limit"})


class ArgumentError(QueryError):
    """A search argument other than the query text is wrong (a page, a sort, a date, a format).

    A :class:`QueryError` (a 400 with the same shape everywhere) whose message names that argument alone:
    "could not understand the query" would blame a query that is fine, or call a date or a format the query.
    """

    def __init__(self, value: str, problem: str) -> None:
        ArchiveError.__init__(self, problem)
        self.query, self.problem, self.suggestion = value, problem, None


def request_from_args(args: MultiDict[str, str], *, limit: int | None = None) -> SearchRequest:
    """A :class:`SearchRequest` from query-string arguments (shared with the API and exports).

    ``limit`` fixes the page size (exports read in batches), overriding the ``limit`` argument.
    """
    selected = {name: args.getlist(name) for name in FACET_FIELDS if args.getlist(name)}
    filters = sum(len(values) for values in selected.values())
    if filters > MAX_FILTERS:
        raise ArgumentError(f"{filters} filter values", f"a search takes at most {MAX_FILTERS} filter values, and this "
                                                        f"one has {filters:,}: choose fewer places, types, articles "
                                                        "or issuers, or search for them in the query")
    too_long = next((value for values in selected.values() for value in values if len(value) > MAX_FILTER_LENGTH), None)
    if too_long is not None:
        raise ArgumentError(too_long[:60] + "…", f"a filter value holds at most {MAX_FILTER_LENGTH} characters, and "
                                                f"this one has {len(too_long):,}")
    _check_filters(selected)
    query = args.get("q", "")
    if len(query) > MAX_QUERY:
        raise QueryError(query[:60] + "…", f"it is {len(query):,} characters long, and a search holds at most "
                                           f"{MAX_QUERY:,} characters: search with fewer words, and narrow the "
                                           "results with the filters instead")
    try:
        page = int(args.get("page", 1))
        size = limit or int(args.get("limit", PAGE_SIZE))
    except ValueError:
        raise ArgumentError(args.get("page", ""), "page and limit must be whole numbers") from None
    if not 1 <= page <= MAX_PAGE or not 1 <= size <= (limit or MAX_LIMIT):
        raise ArgumentError(args.get("page", ""), f"page must be 1 to {MAX_PAGE} and limit between 1 and {MAX_LIMIT}")
    sort = args.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        raise ArgumentError(sort, f"sort must be 'relevance' or 'date', not {sort!r}")
    date_from, date_to = _date_arg(args, "from"), _date_arg(args, "to", end=True)
    if date_from and date_to and date_from > date_to:
        raise ArgumentError(args["from"], f"the dates run backwards: 'from' ({args['from']}) is after 'to' "
                                          f"({args['to']}); swap them")
    return SearchRequest(
        query=args.get("q", ""), selected=selected, date_from=date_from, date_to=date_to, sort=sort,
        offset=(page - 1) * size, limit=size, access=visible_levels(),
    )


def _check_filters(selected: dict[str, list[str]]) -> None:
    """Refuse a filter value the index cannot use (``type=nonsense``, ``year=-1``), naming the filter: left to the
    search, it was "could not understand the query 'nonsense'", which blamed a query that was fine."""
    for name, values in selected.items():
        for value in values:
            try:
                normalise_selected({name: [value]})
            except QueryError as error:
                raise ArgumentError(value, f"the filter {name}={value!r} cannot be used: {error.problem}") from None


def _date_arg(args: MultiDict[str, str], name: str, *, end: bool = False) -> dt.date | None:
    """``2022-04-23``, ``2022-04`` or ``2022``; a month or a year given as ``to`` means its last day."""
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        parts = [int(part) for part in value.split("-")]
        if len(parts) == 1:
            return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)
        if len(parts) == 2:
            return dt.date(parts[0], parts[1], calendar.monthrange(*parts)[1] if end else 1)
        return dt.date.fromisoformat(value)
    except (ValueError, OverflowError):  # calendar.IllegalMonthError is a ValueError; a year of 20 digits overflows
        raise ArgumentError(value, f"'{name}' must be a date like 2022-04-23, a month like 2022-04 or a year, "
                                   f"not {value!r}") from None


def search_args() -> dict[str, list[str]]:
    """This request's search arguments, for links that keep the search (exports, pages)."""
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k in SEARCH_ARGS and any(v)}


def kept_by_a_new_query() -> list[tuple[str, str]]:
    """What a query typed in the header on a results page keeps of it: filters, dates and sort (the header's
    form carries them), as the "did you mean" link does. A new query starts on results page 1."""
    if request.endpoint != "search.index":
        return []
    kept = [(k, v) for k, v in request.args.items(multi=True) if k in SEARCH_ARGS and k != "q" and v]
    try:  # on the page refusing a wrong filter, date or sort, keeping it would refuse every query typed there
        request_from_args(MultiDict(kept))
    except QueryError:
        return []
    return kept


def _page_args() -> dict[str, list[str]]:
    """This results page's own arguments (the search, its page and page size): the links it makes carry these
    alone. Every argument of the URL, those the search ignores too, made a 170 KB URL a 3.5 MB page of links."""
    return {k: v for k, v in request.args.to_dict(flat=False).items() if k in PAGE_ARGS}


def toggle_url(field: str, value: str) -> str:
    """This page's URL with one facet value added or removed, back on result page 1."""
    args = _page_args()
    args.pop("page", None)
    values = args.get(field, [])
    args[field] = [v for v in values if v != value] if value in values else values + [value]
    return _search_url(args)


def without_url(*names: str) -> str:
    """This page's URL without some arguments (to remove a date chip), back on result page 1."""
    args = {k: v for k, v in _page_args().items() if k not in names and k != "page"}
    return _search_url(args)


def without_refused_dates_url() -> str | None:
    """On a results page refused for its dates alone (typed in the filters' form: ``23.04.2022``, or running
    backwards), this search without them, for its error page to lead back to; ``None`` on any other page."""
    if request.endpoint != "search.index" or not (request.args.get("from") or request.args.get("to")):
        return None
    try:
        request_from_args(MultiDict([(k, v) for k, v in request.args.items(multi=True) if k not in ("from", "to")]))
    except QueryError:
        return None  # something else is wrong too: the error is about that
    try:
        request_from_args(request.args)
    except QueryError:
        return without_url("from", "to")
    return None


def query_url(query: str) -> str:
    """This search with another query (the "did you mean" link): filters, dates and sort kept, page 1."""
    args = {k: v for k, v in _page_args().items() if k != "page"}
    args["q"] = [query]
    return _search_url(args)


def page_url(page: int) -> str:
    args = _page_args()
    args["page"] = [str(page)]
    return _search_url(args)


def sort_url(sort: str) -> str:
    args = {k: v for k, v in _page_args().items() if k != "page"}
    args["sort"] = [sort]
    return _search_url(args)


#: The arguments of a results page besides its query, which a result link carries (as ``back``) so that the
#: document's "← Search" returns to the same results: filters, dates, sort, results page and its size.
RESULTS_ARGS = frozenset({*SEARCH_ARGS, "page", "limit"} - {"q"})
#: Longer than any results page's own arguments need; a ``back`` beyond it is cut, never parsed whole.
MAX_BACK = 4000


def results_state() -> str | None:
    """This results page's arguments besides the query, as one value for the ``back`` of its result links."""
    return _results_state(request.args.items(multi=True))


def _results_state(pairs: Any) -> str | None:
    return urlencode([(k, v) for k, v in pairs if k in RESULTS_ARGS and v]) or None


@dataclass(frozen=True)
class Trail:
    """The way back from a document to the results that led to it: the query (``q``, which the document's pages
    mark) and the rest of the results page (``back``). ``link`` is what links within the document carry."""

    query: str
    back: str | None

    @property
    def link(self) -> dict[str, str]:
        return {name: value for name, value in (("q", self.query), ("back", self.back)) if value}

    @property
    def results_url(self) -> str:
        args: dict[str, list[str]] = {"q": [self.query]} if self.query else {}
        for name, value in parse_qsl(self.back or ""):
            args.setdefault(name, []).append(value)
        return _search_url(args)


def trail_of_request() -> Trail:
    """This document request's :class:`Trail`, from its ``q`` and ``back`` (only search arguments kept: ``back``
    comes from the URL, and goes nowhere but into a link to the search page). A ``q`` longer than the search takes
    is none: no result links with it, and parsing it to mark the page would cost what MAX_QUERY spares the search."""
    back = parse_qsl(request.args.get("back", "")[:MAX_BACK])
    query = request.args.get("q", "")
    return Trail(query if len(query) <= MAX_QUERY else "", _results_state(back))


def _search_url(args: dict[str, list[str]]) -> str:
    """The search page with these query-string arguments, whatever their names.

    Not ``url_for(**args)``: names from the URL such as ``endpoint``, ``_anchor``, ``_method``, ``_scheme``
    or ``_external`` are ``url_for``'s own parameters (a 500, or links to another scheme).
    """
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return url_for("search.index") + (f"?{query}" if query else "")


@dataclass(frozen=True)
class FacetNode:
    """One value of the article facet tree: instrument → article → paragraph."""

    field: str
    value: str
    label: str
    count: int
    children: tuple[FacetNode, ...] = ()


def article_tree(facets: dict[str, Any]) -> tuple[FacetNode, ...]:
    """The hierarchical article facet, built from the ``instrument`` and ``article`` facet counts."""
    catalogue = load_catalogue()
    below: dict[str, list[tuple[str, int]]] = {}
    for value, count in facets.get("article", ()):
        try:
            instrument, article, paragraph, sub = split_id(value)
        except UnknownReferenceError:
            continue
        parent = instrument if paragraph is None else value.rsplit("-", 1)[0]
        below.setdefault(parent, []).append((value, count))

    def node(field: str, value: str, count: int) -> FacetNode:
        children = sorted(below.get(value, ()), key=lambda vc: _id_order(vc[0]))
        return FacetNode(field, value, _facet_label(catalogue, value), count,
                         tuple(node("article", v, c) for v, c in children))

    return tuple(node("instrument", value, count) for value, count in facets.get("instrument", ()))


def _id_order(value: str) -> tuple[Any, ...]:
    _, article, paragraph, sub = split_id(value)
    return (article or 0, int(paragraph) if paragraph and paragraph.isdigit() else 0, sub or "")


def _facet_label(catalogue: Any, value: str) -> str:
    instrument_id, article, paragraph, sub = split_id(value)
    try:
        instrument = catalogue.instrument(instrument_id)
    except UnknownReferenceError:
        return value
    if article is None:
        return f"{instrument.id} — {instrument.short_name}"
    if paragraph is None:
        entry = instrument.article(article)
        return f"Art. {article}" + (f" — {entry.heading}" if entry and entry.heading else "")
    return f"Art. {article}" + "".join(f"({part})" for part in (paragraph, sub) if part)


def suggestion_of(results: SearchResults) -> str | None:
    """The index's "did you mean" query, unless it is what was asked."""
    suggestion = results.suggestion
    return suggestion if suggestion and suggestion.strip() != results.request.query.strip() else None


def languages_of(hits: Any) -> dict[tuple[str, int | None], tuple[str, ...]]:
    """The languages of each hit, keyed ``(doc_id, None)``, and of each page it quotes, ``(doc_id, page)``: the page
    marks its titles and snippets with them (``lang_of``) as the document's page does, so that a screen reader reads
    Russian in a Russian voice."""
    ids = [hit.doc_id for hit in hits]
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    found: dict[tuple[str, int | None], tuple[str, ...]] = {}
    for doc_id, languages in archive().db.execute(f"SELECT id, languages FROM documents WHERE id IN ({marks})", ids):
        found[doc_id, None] = tuple(json.loads(languages))
    quoted = {(hit.doc_id, page.page) for hit in hits for page in hit.pages}
    for doc_id, number, language in archive().db.execute(
            f"SELECT doc_id, number, language FROM pages WHERE doc_id IN ({marks})", ids):
        if (doc_id, number) in quoted:
            found[doc_id, number] = (language,)
    return found


@bp.get("/")
def index() -> str:
    search_request = request_from_args(request.args)
    results = search_index().search(search_request)
    pages = (results.total + search_request.limit - 1) // search_request.limit
    return render_template(
        "search.html", results=results, search=search_request, toggle_url=toggle_url, page_url=page_url,
        query_url=query_url, sort_url=sort_url, without_url=without_url,
        current_page=search_request.offset // search_request.limit + 1,
        page_count=pages, Markup=Markup, article_tree=article_tree(results.facets),
        badges=articles_by_document(archive(), [h.doc_id for h in results.hits]),
        suggestion=suggestion_of(results), export_args=search_args(), back=results_state(), page_args=PAGE_ARGS,
        languages=languages_of(results.hits),
    )
