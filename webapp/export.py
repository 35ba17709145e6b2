"""Export of a whole result set: CSV, JSON Lines, CSL-JSON, BibTeX and RIS.

The search is the page's own (same query-string arguments), run in batches
over every result rather than one page of them, on one version of the index.
The documents are then read back from the catalog through the visitor's
access levels and written out a batch at a time as the response streams.
Each batch is recorded before it is written: an ``exported`` custody event
names the format, the query, the signed-in user and exactly the documents of
that batch, read and recorded in one transaction. An export of up to
:data:`BATCH` documents has one event; a larger one has one per batch.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from flask import Blueprint, Response, request, stream_with_context

from archive import cite
from archive.errors import DocumentNotFoundError
from archive.models import Document
from archive.service import document_as_dict
from webapp.limits import check_export
from webapp.refs import articles_by_document
from webapp.search import ArgumentError, request_from_args
from webapp.state import actor, archive, is_head, permalink, search_index, via_token, visible_document

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
    archive holds a batch in memory, not the archive, and its first bytes leave at once. The first batch is
    read and recorded before the response begins: an archive that cannot record the export refuses it. A HEAD
    request is searched (a query that cannot be run is the same error) but neither read nor recorded.
    """
    if fmt not in FORMATS:
        raise ArgumentError(fmt, f"unknown export format {fmt!r}; formats are: {', '.join(FORMATS)}")
    details = {"format": fmt, "query": request.args.get("q", ""),
               "filters": {k: v for k, v in request.args.lists() if k != "q"}, **via_token()}
    found = list(matching_documents())
    media, ext = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="evidence-export.{ext}"'}
    if is_head():  # a GET's answer without its file: nothing is sent, so nothing is recorded
        return Response(mimetype=media.split(";")[0], content_type=media, headers=headers)
    check_export()  # each export is recorded in the ledger: one visitor may make only so many
    batches = _recorded_batches(found, details)
    first = next(batches)
    body = stream_with_context(WRITERS[fmt](itertools.chain([first], batches)))
    return Response(body, mimetype=media.split(";")[0], content_type=media, headers=headers)


Found = Iterator[list[tuple[Document, tuple[int, ...]]]]


def _recorded_batches(found: list[tuple[str, tuple[int, ...]]], details: dict[str, Any]) -> Found:
    """The documents of ``found`` the visitor may see, :data:`BATCH` at a time, each batch recorded before it is given.

    A batch is read through the visitor's access levels, and its ``exported`` event (``part`` 1, 2…; the later
    parts name the first part's event as ``export``) appended, in one transaction: an access change falls before
    both or after both. So a document hidden since the search (the index can lag the catalog for a moment), or
    while the file is being sent, is neither written nor recorded, and the file goes on to its end. The first
    batch is recorded even when it is empty (an export that found nothing); a later one that is empty is skipped.
    """
    recorded: list[int] = []  # the events of the parts so far
    for start in range(0, max(len(found), 1), BATCH):
        with archive().transaction() as db:
            batch = _visible(found[start:start + BATCH])
            if not batch and recorded:
                continue
            ids = [document.id for document, _ in batch]
            export = {"export": recorded[0]} if recorded else {}
            recorded.append(archive().append_event(db, "exported", None, {
                **details, "part": len(recorded) + 1, **export, "count": len(ids), "documents": ids},
                actor=actor()).seq)
        yield batch


def _visible(found: list[tuple[str, tuple[int, ...]]]) -> list[tuple[Document, tuple[int, ...]]]:
    """The documents of ``found`` the catalog lets the visitor see now, with their pages."""
    batch = []
    for doc_id, pages in found:
        try:
            batch.append((visible_document(doc_id), pages))
        except DocumentNotFoundError:
            continue
    return batch


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
            lines.append(_one_record(json.dumps(data, ensure_ascii=False)) + "\n")
        yield "".join(lines)


#: Characters JSON leaves unescaped (it escapes the other controls) that ``str.splitlines()`` and other line readers
#: take for a line's end: a title holding one split its document's record in two.
LINE_BREAKS_IN_STRINGS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def _one_record(line: str) -> str:
    """A JSON Lines record that every line reader takes for one line (the same JSON value)."""
    return line.translate(str.maketrans(LINE_BREAKS_IN_STRINGS))


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
