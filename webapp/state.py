"""Access to the app's shared catalog and index from inside a request."""

from __future__ import annotations

from flask import current_app

from archive.store import Archive
from index import SearchIndex


def archive() -> Archive:
    return current_app.extensions["archive"]


def search_index() -> SearchIndex:
    return current_app.extensions["search_index"]


def visible_levels() -> tuple[str, ...]:
    """Access levels the current visitor may see (anonymous visitors: public only)."""
    return ("public",)
