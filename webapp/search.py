"""The search page: query box, results with page snippets, facet counts that filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Blueprint, render_template, request, url_for
from markupsafe import Markup

from archive.errors import QueryError
from index import FACET_FIELDS, SearchRequest
from webapp.state import search_index, visible_levels

bp = Blueprint("search", __name__)
PAGE_SIZE = 10


def request_from_args(args: Any) -> SearchRequest:
    """A :class:`SearchRequest` from query-string arguments (shared with the API)."""
    selected = {name: args.getlist(name) for name in FACET_FIELDS if args.getlist(name)}
    try:
        page = max(1, int(args.get("page", 1)))
        limit = min(100, max(1, int(args.get("limit", PAGE_SIZE))))
    except ValueError:
        raise QueryError(args.get("q", ""), "page and limit must be whole numbers") from None
    return SearchRequest(
        query=args.get("q", ""),
        selected=selected,
        date_from=_date_arg(args, "from"),
        date_to=_date_arg(args, "to"),
        sort="date" if args.get("sort") == "date" else "relevance",
        offset=(page - 1) * limit,
        limit=limit,
        access=visible_levels(),
    )


def _date_arg(args: Any, name: str) -> dt.date | None:
    value = args.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value if len(value) == 10 else (value + "-01-01")[:10])
    except ValueError:
        raise QueryError(value, f"{name} must be a date like 2022-04-23 or a year like 2022") from None


def toggle_url(field: str, value: str) -> str:
    """This page's URL with one facet value added or removed, back on result page 1."""
    args = request.args.to_dict(flat=False)
    args.pop("page", None)
    values = args.get(field, [])
    args[field] = [v for v in values if v != value] if value in values else values + [value]
    return url_for("search.index", **args)


def page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    return url_for("search.index", **args)


@bp.get("/")
def index() -> str:
    search_request = request_from_args(request.args)
    results = search_index().search(search_request)
    pages = (results.total + search_request.limit - 1) // search_request.limit
    return render_template(
        "search.html", results=results, search=search_request, toggle_url=toggle_url, page_url=page_url,
        current_page=search_request.offset // search_request.limit + 1, page_count=pages, Markup=Markup,
    )
