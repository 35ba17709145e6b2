"""The search layer: the only package that imports Whoosh.

The index is derived from the catalog and can always be rebuilt from it
(:func:`rebuild`). The CLI and the web app both search through
:class:`SearchIndex`; nothing else queries Whoosh.
"""

from __future__ import annotations

from index.rebuild import rebuild
from index.schema import FACET_FIELDS, SCHEMA_VERSION
from index.search import Hit, PageHit, SearchIndex, SearchRequest, SearchResults, open_index

__all__ = [
    "FACET_FIELDS", "SCHEMA_VERSION", "Hit", "PageHit", "SearchIndex", "SearchRequest", "SearchResults",
    "open_index", "rebuild",
]
