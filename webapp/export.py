"""Export of a whole result set: CSV, JSON Lines, CSL-JSON, BibTeX and RIS.

The search is the page's own (same query-string arguments), run in batches
over every result rather than one page of them, on one version of the index.
The documents are then read back from the catalog through the visitor's
access levels and written out a batch at a time as the response streams
(:mod:`archive.exports`, shared with ``evidence export``). Each batch is
recorded before it is written: an ``exported`` custody event names the
format, the query, the signed-in user and exactly the documents of that
batch, read and recorded in one transaction. An export of up to
:data:`archive.exports.BATCH` documents has one event; a larger one has one
per batch.
"""

from __future__ import annotations

import itertools

from flask import Blueprint, Response, request, stream_with_context

from archive import exports
from archive.exports import FORMATS
from webapp.limits import check_export
from webapp.search import ArgumentError, request_from_args
from webapp.state import actor, archive, is_head, permalink, search_index, via_token, visible_document

bp = Blueprint("export", __name__)


def export_response(fmt: str) -> Response:
    """The current search's results as a file download of format ``fmt``, streamed a batch at a time.

    Only the ids (and first matching pages) of the results are held; the documents are read from the
    catalog and written out a batch at a time while the response is sent (:mod:`archive.exports`), so an
    export of the whole archive holds a batch in memory, not the archive, and its first bytes leave at once.
    The first batch is read and recorded before the response begins: an archive that cannot record the
    export refuses it. A HEAD request is searched (a query that cannot be run is the same error) but neither
    read nor recorded.
    """
    if fmt not in FORMATS:
        raise ArgumentError(fmt, f"unknown export format {fmt!r}; formats are: {', '.join(FORMATS)}")
    details = {"format": fmt, "query": request.args.get("q", ""),
               "filters": {k: v for k, v in request.args.lists() if k != "q"}, **via_token()}
    found = list(exports.matching(search_index(), request_from_args(request.args, limit=exports.BATCH)))
    media, ext = FORMATS[fmt]
    headers = {"Content-Disposition": f'attachment; filename="evidence-export.{ext}"'}
    if is_head():  # a GET's answer without its file: nothing is sent, so nothing is recorded
        return Response(mimetype=media.split(";")[0], content_type=media, headers=headers)
    check_export()  # each export is recorded in the ledger: one visitor may make only so many
    batches = exports.recorded_batches(archive(), found, details, actor=actor(), visible=visible_document)
    first = next(batches)
    write = exports.writer(fmt, archive(), permalink)
    body = stream_with_context(write(itertools.chain([first], batches)))
    return Response(body, mimetype=media.split(";")[0], content_type=media, headers=headers)


@bp.get("/export/<fmt>")
def download(fmt: str) -> Response:
    return export_response(fmt)
