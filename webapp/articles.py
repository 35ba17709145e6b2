"""The article browser: instruments → articles (with headings) → the passages citing them.

Counts and passages come from the catalog's ``refs`` table joined to
``documents`` inside the visitor's access levels (see :mod:`webapp.refs`); a
paragraph reference counts for its article and its instrument.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request, url_for

from archive.treaties import Instrument, UnknownReferenceError, load_catalogue, split_id
from webapp.refs import Count, article_counts, citing_documents, citing_passages, ref_label
from webapp.search import ArgumentError
from webapp.state import archive, visible_levels

bp = Blueprint("articles", __name__)
PASSAGES_PER_PAGE = 50
MAX_PAGE = 100_000
NONE = Count(0, 0)


@dataclass(frozen=True)
class ArticleRow:
    id: str
    number: int
    heading: str
    count: Count


@dataclass(frozen=True)
class InstrumentRow:
    instrument: Instrument
    count: Count
    articles: tuple[ArticleRow, ...]

    @property
    def cited(self) -> tuple[ArticleRow, ...]:
        return tuple(a for a in self.articles if a.count.passages)


def instrument_rows(counts: dict[str, Count]) -> tuple[InstrumentRow, ...]:
    """Every instrument of the catalogue with its articles and their counts."""
    return tuple(
        InstrumentRow(instrument, counts.get(instrument.id, NONE), tuple(
            ArticleRow(f"{instrument.id}-{number}", number, article.heading,
                       counts.get(f"{instrument.id}-{number}", NONE))
            for number, article in sorted(instrument.articles.items())))
        for instrument in load_catalogue().instruments
    )


def below(ref_id: str, counts: dict[str, Count]) -> list[tuple[str, Count]]:
    """The cited ids one level below ``ref_id`` (the paragraphs of an article, the sub-paragraphs of one)."""
    depth = len(_parts(ref_id))
    found = [(key, count) for key, count in counts.items()
             if key.startswith(ref_id + "-") and len(_parts(key)) == depth + 1]
    return sorted(found, key=lambda kc: [int(p) if p.isdigit() else p for p in _parts(kc[0])[1:]])


def _parts(ref_id: str) -> list[str]:
    try:
        return [str(p) for p in split_id(ref_id) if p is not None]
    except UnknownReferenceError:
        return [ref_id]


def checked_id(ref_id: str) -> tuple[str, int | None]:
    """The canonical spelling of ``ref_id`` and its article number; a 404 when the catalogue lacks it."""
    try:
        instrument_id, article, paragraph, sub = split_id(ref_id)
    except UnknownReferenceError as error:
        abort(404, str(error))
    catalogue = load_catalogue()
    if not catalogue.exists(instrument_id, article, paragraph, sub):
        why = catalogue.missing(instrument_id, article, paragraph, sub) if article is not None else None
        what = why[1] if why else f"{ref_id!r} is not in the treaty catalogue"
        abort(404, f"{what}; browse the instruments at {url_for('articles.index')}")
    canonical = "-".join(str(p) for p in (instrument_id, article, paragraph, sub) if p is not None)
    return canonical, article


def passage_page() -> int:
    page = request.args.get("page", "1")
    if not (page.isascii() and page.isdigit()) or not 1 <= int(page) <= MAX_PAGE:  # "²".isdigit() too
        raise ArgumentError(page, f"page must be a whole number from 1 to {MAX_PAGE}")
    return int(page)


@bp.get("/articles")
def index() -> str:
    counts = article_counts(archive(), visible_levels())
    return render_template("articles.html", instruments=instrument_rows(counts))


@bp.get("/articles/<ref_id>")
def show(ref_id: str) -> str:
    canonical, article = checked_id(ref_id)
    counts = article_counts(archive(), visible_levels())
    if article is None:
        row = next(r for r in instrument_rows(counts) if r.instrument.id == canonical)
        return render_template("instrument.html", row=row,
                               documents=citing_documents(archive(), canonical, visible_levels()))
    page = passage_page()
    total, passages = citing_passages(archive(), canonical, visible_levels(), limit=PASSAGES_PER_PAGE,
                                      offset=(page - 1) * PASSAGES_PER_PAGE)
    return render_template(
        "article.html", ref_id=canonical, label=ref_label(canonical), count=counts.get(canonical, NONE),
        passages=passages, total=total, page=page, page_count=max(1, -(-total // PASSAGES_PER_PAGE)),
        below=[(key, ref_label(key), c) for key, c in below(canonical, counts)],
        instrument=ref_label(split_id(canonical)[0]), instrument_id=split_id(canonical)[0],
        documents=citing_documents(archive(), canonical, visible_levels()),
    )
