"""Access to the app's shared catalog and index from inside a request, through the visitor's access levels.

Every view reaches documents through :func:`visible_document` (or filters SQL
with :func:`visible_levels`), so a document outside the visitor's levels is a
404 everywhere, never a 403: its existence does not leak. Accounts will plug in
here by changing :func:`visible_levels` alone.
"""

from __future__ import annotations

from flask import current_app, url_for

from archive.errors import DocumentNotFoundError
from archive.models import Document
from archive.store import Archive
from index import SearchIndex


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def visible_levels() -> tuple[str, ...]:
    """Access levels the current visitor may see (anonymous visitors: public only)."""
    return ("public",)


def visible_document(key: str) -> Document:
    """The document with this id (or control number), if the visitor may see it; else a 404."""
    document = archive().get_document(key)
    if document.metadata.access not in visible_levels():
        raise DocumentNotFoundError(key)  # 404, not 403: existence does not leak
    return document


def permalink(document: Document, page: int | None = None) -> str:
    """The stable address of a document or one of its pages: built on the id, which comes from the SHA-256."""
    if page:
        return url_for("documents.page", doc_id=document.id, number=page, _external=True)
    return url_for("documents.show", doc_id=document.id, _external=True)
