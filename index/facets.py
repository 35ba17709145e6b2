"""Facet definitions: how documents are counted per value of a field.

Single-valued fields (type, year, issuer) count through their sortable
columns. Multi-valued fields (instrument, article, language, place) count
through term vectors with overlap allowed, so a document citing two articles
counts once under each. Whoosh 2.7's overlapping categorizer raises on a document
without a vector for the field (and with a ``TypeError`` on a segment where
no document has one); :class:`MultiValueFacet` treats both as "no values",
which is what they mean.
"""

from __future__ import annotations

from typing import Any

from whoosh import sorting

from index.schema import MULTI_VALUED


class _OverlappingCategorizer(sorting.OverlappingCategorizer):
    def keys_for(self, matcher: Any, docid: int) -> list[Any]:
        searcher = self._segment_searcher
        if not searcher.reader().has_vector(docid, self._fieldname):
            return []  # a document without values, or a segment where none has any
        return list(searcher.vector(docid, self._fieldname).all_ids())


class MultiValueFacet(sorting.FieldFacet):
    """A facet over a multi-valued field: one count per value a document holds."""

    def __init__(self, fieldname: str) -> None:
        super().__init__(fieldname, allow_overlap=True)

    def categorizer(self, global_searcher: Any) -> sorting.Categorizer:
        return _OverlappingCategorizer(global_searcher, self.fieldname)


def facet_for(name: str) -> sorting.FacetType:
    """The Whoosh facet that counts documents by field ``name``."""
    return MultiValueFacet(name) if name in MULTI_VALUED else sorting.FieldFacet(name)
