"""Export of a whole result set: CSV, JSON Lines, CSL-JSON, BibTeX and RIS.

The search is the page's own (same query-string arguments), run in batches
over every result rather than one page of them, on one version of the index.
One ``exported`` custody event records the format, the count and the
document ids, and the signed-in user who exported them; then the documents
are read back from the catalog through the visitor's access levels and
written out a batch at a time as the response streams.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, request, stream_with_context

from archive import cite
from archive.errors import DocumentNotFoundError, QueryError
from archive.models import Document
from archive.service import document_as_dict
from webapp.refs import articles_by_document
from webapp.search import request_from_args
from webapp.state import actor, archive, permalink, search_index, visible_document, visible_levels

bp = Blueprint("export", __name__)
BATCH = 200
#: Matching pages listed per document: finding every one would highlight every page of every result.
FIRST_PAGES = 3
#: Export formats: name → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    **{name: (f"{media}; charset=utf-8", ext) for name, (media, ext) in cite.FORMATS.items()},
}
CSV_COLUMNS = ("control_number", "id", "title", "type", "date", "issuer", "places", "languages", "articles",
               "first_matching_pages", "original_name", "sha256", "permalink")
#: A spreadsheet runs a cell starting with one of these as a formula; such cells get a leading apostrophe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def matching_documents() -> Iterator[tuple[str, tuple[int, ...]]]:
    """The id of every document the current search finds, with its first matching pages, in result order."""
    first = request_from_args(request.args, limit=BATCH)
    search = replace(first, offset=0, facets=(), snippets_per_doc=FIRST_PAGES)
    # One version of the index for every batch: a commit between two batches (an ingest running) shifted
    # the ranks, and the file (and its custody event) listed some documents twice and left others out.
    for results in search_index().search_batches(search, BATCH):
        for hit in results.hits:
            yield hit.doc_id, tuple(p.page for p in hit.pages)


def export_response(fmt: str) -> Response:
    """The current search's results as a file download of format ``fmt``, streamed a batch at a time.

    Only the ids (and first matching pages) of the results are held; the documents are read from the
    catalog and written out :data:`BATCH` at a time while the response is sent, so an export of the whole
    archive holds a batch in memory, not the archive, and its first bytes leave at once. The custody event
    is recorded before the first byte.
    """
    if fmt not in FORMATS:
        raise QueryError(fmt, f"unknown export format; formats are: {', '.join(FORMATS)}")
    # The index can lag the catalog for a moment (an access change committed between the two): the custody event
    # lists only what the catalog lets this visitor see.
    found = _still_visible(list(matching_documents()))
    archive().record_event("exported", None, {
        "format": fmt, "count": len(found), "documents": [doc_id for doc_id, _ in found],
        "query": request.args.get("q", ""), "filters": {k: v for k, v in request.args.lists() if k != "q"},
    }, actor=actor())
    media, ext = FORMATS[fmt]
    body = stream_with_context(WRITERS[fmt](_batches(found)))
    return Response(body, mimetype=media.split(";")[0], content_type=media,
                    headers={"Content-Disposition": f'attachment; filename="evidence-export.{ext}"'})


Found = Iterator[list[tuple[Document, tuple[int, ...]]]]


def _still_visible(found: list[tuple[str, tuple[int, ...]]]) -> list[tuple[str, tuple[int, ...]]]:
    """``found`` without the documents the catalog no longer lets the visitor see."""
    levels = visible_levels()
    visible: set[str] = set()
    for start in range(0, len(found), BATCH):
        ids = [doc_id for doc_id, _ in found[start:start + BATCH]]
        visible.update(row[0] for row in archive().db.execute(
            f"SELECT id FROM documents WHERE id IN ({','.join('?' * len(ids))}) "
            f"AND access IN ({','.join('?' * len(levels))})", (*ids, *levels)))
    return [item for item in found if item[0] in visible]


def _batches(found: list[tuple[str, tuple[int, ...]]]) -> Found:
    """The documents of ``found``, read through the visitor's access levels, :data:`BATCH` at a time.

    A document whose access changed while the file was being sent, so that the visitor may no longer see it, is
    left out: the file goes on to its end (raising here cut the download short, or made it a 500).
    """
    for start in range(0, len(found), BATCH):
        batch = []
        for doc_id, pages in found[start:start + BATCH]:
            try:
                batch.append((visible_document(doc_id), pages))
            except DocumentNotFoundError:
                continue
        yield batch


def _csv(batches: Found) -> Iterator[str]:
    # Excel reads a CSV without a byte order mark in the machine's ANSI code page: Cyrillic and Azerbaijani
    # letters would open as mojibake. With the BOM it reads UTF-8 (and csv readers take "utf-8-sig").
    yield "\ufeff" + _csv_rows([CSV_COLUMNS])
    for batch in batches:
        badges = articles_by_document(archive(), [d.id for d, _ in batch])
        rows = []
        for document, pages in batch:
            meta = document.metadata
            row = (document.control_number, document.id, document.title, meta.type, meta.date, meta.issuer,
                   "; ".join(meta.places), "; ".join(meta.languages), "; ".join(badges.get(document.id, ())),
                   " ".join(map(str, pages)), document.original_name, document.sha256, permalink(document))
            rows.append([_cell(value) for value in row])
        yield _csv_rows(rows)


def _csv_rows(rows: Any) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_START) else value


def _jsonl(batches: Found) -> Iterator[str]:
    for batch in batches:
        lines = []
        for document, pages in batch:
            data: dict[str, Any] = document_as_dict(archive(), document)
            data.update(first_matching_pages=list(pages), permalink=permalink(document))
            lines.append(json.dumps(data, ensure_ascii=False) + "\n")
        yield "".join(lines)


def _citations(fmt: str) -> Any:
    """A streaming writer of ``fmt``: the same text as :func:`archive.cite.write` of all the citations at once."""
    def write(batches: Found) -> Iterator[str]:
        first = True
        for batch in batches:
            for document, _ in batch:
                yield cite.write_part(cite.citation_for(document, permalink=permalink(document)), fmt, first=first)
                first = False
        yield cite.write_end(fmt, empty=first)

    return write


WRITERS = {"csv": _csv, "jsonl": _jsonl, **{name: _citations(name) for name in cite.FORMATS}}


@bp.get("/export/<fmt>")
def download(fmt: str) -> Response:
    return export_response(fmt)
