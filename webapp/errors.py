"""Errors at the edge: one JSON shape under ``/api/``, an HTML page everywhere else.

An :class:`ArchiveError` keeps its status and message (a bad query is a 400
that says what to type; an unknown id a 404); HTTP errors keep theirs; any
other exception is a 500 whose details stay in the log. Under ``/api/`` every
error is ``{"ok": false, "error": message, "status": code}``, plus
``suggestion`` when a query error has a query to run instead; a 401 there
also carries ``WWW-Authenticate: Bearer``. When the archive cannot write (a
full disk) the answer is a 507 that names no folder of the server.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from archive.errors import (
    ArchiveError,
    BatchStoppedError,
    DocumentNotFoundError,
    QueryError,
    StorageError,
    TooManyExportsError,
    WriterBusyError,
)
from webapp.search import query_url, without_refused_dates_url

TITLES = {400: "Cannot run this search", 401: "Not signed in", 403: "Not allowed", 404: "Not found",
          405: "Not allowed", 409: "Already there", 413: "Too large", 429: "Locked", 503: "Not now",
          507: "Cannot store"}

#: What a visitor reads of a failure the archive did not expect (or whose words name the server's folders).
UNEXPECTED = "the archive could not answer this request; the details are in the server log"
#: What a visitor reads when the archive cannot write (a full disk): the folder and the fault go to the server log.
STORAGE_FAILED = ("the archive cannot store anything at the moment: its disk is full or cannot be written, and "
                  "this request has to record something first (an ingest, a download, an export, a view of a "
                  "restricted document). Nothing stored was lost, and searching still works; an administrator has "
                  "to free space (the server log says where), then try again (files that went in already are "
                  "recognised as duplicates)")


#: What a 401 says it wants (RFC 9110 requires the header): an API token.
BEARER_CHALLENGE = 'Bearer realm="evidence archive"'


def error_response(status: int, message: str, suggestion: str | None = None,
                   title: str | None = None) -> tuple[Response, int]:
    if request.path.startswith("/api/") or request.path == "/api":
        body: dict[str, Any] = {"ok": False, "error": message, "status": status}
        if suggestion:
            body["suggestion"] = suggestion
        response = jsonify(body)
    else:
        response = make_response(render_template(
            "error.html", status=status, title=title or TITLES.get(status, "Something went wrong"), message=message,
            suggestion=suggestion, suggestion_url=suggestion_url(suggestion),
            show_syntax=status == 400 and title is None, without_dates_url=without_refused_dates_url()))
    if status == 401:  # a token that is not valid: under /api/, or on the link to an original the API gave
        response.headers["WWW-Authenticate"] = BEARER_CHALLENGE
    return response, status


def suggestion_url(suggestion: str | None) -> str | None:
    """The search with the query to run instead: the filters, dates and sort of this request kept, as "did you
    mean" keeps them (the suggestion is always for the query text: the filters' own errors have none)."""
    if not suggestion:
        return None
    return query_url(suggestion)


def register(app: Flask) -> None:
    @app.errorhandler(ArchiveError)
    def archive_error(error: ArchiveError) -> tuple[Response | str, int]:
        title = "Cannot do this" if error.status == 400 and not isinstance(error, QueryError) else None
        message = str(error)
        if isinstance(error, WriterBusyError):  # an ingest or a reindex is running: not a fault of the server
            current_app.logger.warning("%s", error)
            message = ("the archive is taking in or re-indexing documents and cannot change this now; nothing was "
                       "changed: try again when that has finished")
        if isinstance(error, DocumentNotFoundError):  # the same words whether it is missing or hidden
            message = (f"no document {error.key!r} here: check the control number or link, or search for it "
                       "(documents you may not see are not found either)")
        if error.status == 500:  # the catalog's own troubles name its folders: for the log, not the visitor
            current_app.logger.error("%s", error)
            message = UNEXPECTED
        if isinstance(error, TooManyExportsError):
            response = make_response(*error_response(error.status, message, title="Too many exports"))
            response.headers["Retry-After"] = str(error.seconds)
            return response, error.status
        return error_response(error.status, message, getattr(error, "suggestion", None), title)

    @app.errorhandler(StorageError)
    @app.errorhandler(BatchStoppedError)
    def storage_error(error: StorageError | BatchStoppedError) -> tuple[Response | str, int]:
        current_app.logger.error("%s", error)  # names folders and files: for the administrator, not the visitor
        if isinstance(error, BatchStoppedError) and not isinstance(error.cause, StorageError):
            return error_response(error.status, "the archive could not finish this ingest (the server log says why); "
                                                "the files that went in are kept, and the others wait in the "
                                                "upload queue: the server tries them again later, nothing needs "
                                                "to be sent again")
        return error_response(507, STORAGE_FAILED)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[Response | str, int]:
        status = error.code or 500
        message = error.description or error.name
        if status >= 500:
            message = UNEXPECTED
        return error_response(status, message, title=getattr(error, "title", None))
