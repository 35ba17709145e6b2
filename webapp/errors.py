"""Errors as pages: an :class:`ArchiveError` becomes an HTML page with its status."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException

from archive.errors import ArchiveError


def register(app: Flask) -> None:
    @app.errorhandler(ArchiveError)
    def archive_error(error: ArchiveError) -> tuple[str, int]:
        return render_template("error.html", status=error.status, message=str(error)), error.status

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        status = error.code or 500
        return render_template("error.html", status=status, message=error.description), status
