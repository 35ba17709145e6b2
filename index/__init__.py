"""The search layer: the only package that imports Whoosh.

The index is derived from the catalog and can always be rebuilt from it
(:func:`rebuild`). The CLI and the web app both search through
:class:`SearchIndex`; nothing else queries Whoosh.

The names below are imported on first use, so that a process needing only
part of the package (an ingest worker analysing page texts with
:mod:`index.terms`) does not load the search machinery and numpy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Eager: the submodule of the same name would otherwise shadow the function once imported.
from index.rebuild import rebuild

if TYPE_CHECKING:
    from index.schema import FACET_FIELDS, SCHEMA_VERSION
    from index.search import Hit, PageHit, SearchIndex, SearchRequest, SearchResults, open_index

_HOMES = {
    "FACET_FIELDS": "index.schema", "SCHEMA_VERSION": "index.schema",
    "Hit": "index.search", "PageHit": "index.search", "SearchIndex": "index.search", "SearchRequest": "index.search",
    "SearchResults": "index.search", "open_index": "index.search",
}

__all__ = [
    "FACET_FIELDS", "SCHEMA_VERSION", "Hit", "PageHit", "SearchIndex", "SearchRequest", "SearchResults",
    "open_index", "rebuild",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
